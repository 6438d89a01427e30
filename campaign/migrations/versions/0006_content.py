"""content: pages and statements with revisions per language, help lines, content version

The rows themselves come from the shipped files: ``flask init`` imports
campaign/content/data when an item or help line is not in the database yet
(campaign/content/importer.py), so a second run changes nothing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 16:14:20.570856
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("date_is_month", sa.Boolean(), nullable=False),
        sa.Column("source_lang", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_item")),
        sa.UniqueConstraint("section", "slug", name=op.f("uq_content_item_section")),
    )
    op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.create_table(
        "helpline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("dial", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hide_when_unavailable", sa.Boolean(), nullable=False),
        sa.Column("in_header", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("last_confirmed", sa.Date(), nullable=True),
        sa.Column("last_confirmed_is_month", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpline")),
        sa.UniqueConstraint("key", name=op.f("uq_helpline_key")),
    )
    op.create_table(
        "content_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_label", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_user.id"],
            name=op.f("fk_content_revision_author_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_item.id"],
            name=op.f("fk_content_revision_item_id_content_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_revision")),
    )
    with op.batch_alter_table("content_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_content_revision_item_id"), ["item_id"], unique=False)

    op.create_table(
        "content_language",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("published_revision_id", sa.Integer(), nullable=True),
        sa.Column("draft_revision_id", sa.Integer(), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_revision_id"],
            ["content_revision.id"],
            name=op.f("fk_content_language_draft_revision_id_content_revision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["content_item.id"],
            name=op.f("fk_content_language_item_id_content_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_revision_id"],
            ["content_revision.id"],
            name=op.f("fk_content_language_published_revision_id_content_revision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_language")),
        sa.UniqueConstraint("item_id", "lang", name=op.f("uq_content_language_item_id")),
    )
    op.bulk_insert(
        sa.table("content_version", sa.column("id", sa.Integer), sa.column("version", sa.Integer)),
        [{"id": 1, "version": 0}],
    )


def downgrade() -> None:
    op.drop_table("content_language")
    with op.batch_alter_table("content_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_revision_item_id"))

    op.drop_table("content_revision")
    op.drop_table("helpline")
    op.drop_table("content_version")
    op.drop_table("content_item")
