"""staff languages and saved replies: each member's language (and an invitation's), and a
team's reply templates per language

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    op.create_table(
        "saved_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_saved_reply_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_saved_reply_updated_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_reply")),
    )
    with op.batch_alter_table("saved_reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_reply_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saved_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_reply_team_id"))
    op.drop_table("saved_reply")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("language")
