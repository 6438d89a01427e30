"""receipt pepper: help_request.receipt_scheme says how each receipt hash was made

Existing rows get 0 (made before the pepper, unpeppered); new requests are 1 (peppered); 2
marks an old row protected by the pepper without its receipt, 3 a row whose pepper was lost
(``flask receipts new-pepper``). See campaign/cases/receipts.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "receipt_scheme", sa.SmallInteger(), server_default=sa.text("0"), nullable=False
            )
        )


def downgrade() -> None:
    # Rows made or upgraded under the pepper (scheme 1 or 2) cannot be turned back without
    # their receipts: after a downgrade their receipts no longer open them (staff still can).
    with op.batch_alter_table("help_request", schema=None) as batch_op:
        batch_op.drop_column("receipt_scheme")
