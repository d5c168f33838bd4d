"""The record of what retention and purges removed from the store (how many rows, never whose).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create data_removals and its index."""
    op.create_table(
        "data_removals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("hub_slug", sa.String(length=64), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
    )
    op.create_index("ix_data_removals_hub_slug", "data_removals", ["hub_slug"])


def downgrade() -> None:
    """Drop data_removals (the record of removals, not the data removed, which is gone)."""
    op.drop_index("ix_data_removals_hub_slug", table_name="data_removals")
    op.drop_table("data_removals")
