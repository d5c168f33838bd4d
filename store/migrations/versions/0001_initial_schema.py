"""The store's tables as they were before migrations: runs, run_inputs, return_figures, validation_failures.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _run_id() -> sa.Column:
    """The foreign key every child table has to its run."""
    return sa.Column(
        "run_id", sa.String(length=36), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create the four tables and their indexes."""
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=36), primary_key=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("hub_slug", sa.String(length=64), nullable=False),
        sa.Column("academic_year", sa.String(length=7), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("config_sha256", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_runs_academic_year", "runs", ["academic_year"])
    op.create_index("ix_runs_hub_slug", "runs", ["hub_slug"])
    op.create_table(
        "return_figures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _run_id(),
        sa.Column("sheet", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=128), nullable=False),
        sa.Column("breakdown", sa.String(length=256), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
    )
    op.create_index("ix_return_figures_run_id", "return_figures", ["run_id"])
    op.create_table(
        "run_inputs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _run_id(),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_kept", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
    )
    op.create_index("ix_run_inputs_run_id", "run_inputs", ["run_id"])
    op.create_table(
        "validation_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _run_id(),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("column", sa.String(length=128), nullable=True),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_validation_failures_run_id", "validation_failures", ["run_id"])


def downgrade() -> None:
    """Drop the four tables (and every run in them)."""
    for table in ("validation_failures", "run_inputs", "return_figures"):
        op.drop_index(f"ix_{table}_run_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_runs_hub_slug", table_name="runs")
    op.drop_index("ix_runs_academic_year", table_name="runs")
    op.drop_table("runs")
