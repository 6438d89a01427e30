"""Per-installation secrets kept in the database (for example the receipt salt)."""

from __future__ import annotations

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.models.base import Base


class InstallationSecret(Base):
    __tablename__ = "installation_secret"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
