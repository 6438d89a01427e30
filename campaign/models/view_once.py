"""Pages shown once (campaign/cases/viewonce.py): a row per page not yet shown, and marks of
help forms already sent. A row holds no id, key or text in the clear: its key is a hash,
its payload is encrypted under a secret that only the page's URL holds.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from campaign.models.base import Base


class OneTimeView(Base):
    __tablename__ = "view_once"

    id_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
