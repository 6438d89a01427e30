"""view once: pages shown once after a redirect (the receipt, a thread), and sent-form marks

Each row is found by a hash of a random id; its payload is encrypted under a secret that
only the page's URL holds; it is deleted when first shown and expires soon after if never
shown (``flask purge`` deletes expired rows). See campaign/cases/viewonce.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "view_once",
        sa.Column("id_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_view_once")),
    )
    with op.batch_alter_table("view_once", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_once_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("view_once", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_once_expires_at"))
    op.drop_table("view_once")
