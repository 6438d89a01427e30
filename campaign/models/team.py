"""Teams (each with an X25519 public key) and the ordered routing rules that pick one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.models.base import Base, utcnow


class Team(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rules: Mapped[list[RoutingRule]] = relationship(back_populates="team")


class RoutingRule(Base):
    """Match on category, region and language (None matches anything); lowest position wins."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    category: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))

    team: Mapped[Team] = relationship(back_populates="rules")

    def matches(self, category: str, region: str, language: str) -> bool:
        return (
            (self.category is None or self.category == category)
            and (self.region is None or self.region == region)
            and (self.language is None or self.language == language)
        )
