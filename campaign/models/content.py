"""Published content: pages and statements with their revisions per language, the help
lines, and the one-row content version that tells every worker a publish happened.

- ``ContentItem``: one page or statement (section + slug, as in its public URL), with what
  all its languages share: list position, date, and the language it was written in.
- ``ContentRevision``: a saved text of one language (title, summary, Markdown body); never
  changed after it is written, so the history is the list of revisions.
- ``ContentLanguage``: per item and language, which revision is published and which is the
  newer draft, and when someone last reviewed it (set only by a review).
- ``Helpline``: a help line's number, status and last confirmation, with its texts per
  language in ``texts`` ({lang: {name, hours, offers, cost, answered_by}}).
- ``ContentVersion``: a counter raised in the same transaction as every publish, so that
  readers in every process know to render again (campaign/content/store.py).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.models.base import Base, utcnow

SECTIONS = ("statements", "home-without-abuse", "pages")


class ContentItem(Base):
    __tablename__ = "content_item"
    __table_args__ = (UniqueConstraint("section", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=100)
    date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    date_is_month: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the others are translated from; None: each language written on its own.
    source_lang: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    languages: Mapped[list[ContentLanguage]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )


class ContentRevision(Base):
    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("content_item.id", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    author_label: Mapped[str] = mapped_column(String(200), default="")
    # What made it: "import", "edit", "restore of #12".
    origin: Mapped[str] = mapped_column(String(60), default="edit")


class ContentLanguage(Base):
    __tablename__ = "content_language"
    __table_args__ = (UniqueConstraint("item_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(8))
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_revision.id", ondelete="SET NULL"), default=None
    )
    draft_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_revision.id", ondelete="SET NULL"), default=None
    )
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    item: Mapped[ContentItem] = relationship(back_populates="languages")
    published: Mapped[ContentRevision | None] = relationship(foreign_keys=[published_revision_id])
    draft: Mapped[ContentRevision | None] = relationship(foreign_keys=[draft_revision_id])


class HelplineStatus(enum.StrEnum):
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    UNKNOWN = "unknown"


HELPLINE_KINDS = ("hotline", "emergency", "messenger")
HELPLINE_TEXTS = ("name", "hours", "offers", "cost", "answered_by")


class Helpline(Base):
    __tablename__ = "helpline"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="hotline")
    number: Mapped[str] = mapped_column(String(40), default="")
    dial: Mapped[str] = mapped_column(String(20), default="")
    handle: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(16), default=HelplineStatus.UNKNOWN.value)
    # An unavailable line is listed as unavailable, or not at all when this is set.
    hide_when_unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    in_header: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=100)
    last_confirmed: Mapped[dt.date | None] = mapped_column(Date, default=None)
    last_confirmed_is_month: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")  # for staff only
    texts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContentVersion(Base):
    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
