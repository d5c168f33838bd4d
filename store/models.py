"""The store's tables: runs, the files each run read, every figure it published, its validation failures, and
what retention and purges removed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Date, DateTime, Dialect, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp kept in UTC: SQLite stores no zone, PostgreSQL answers in the session's."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse a naive timestamp and store an aware one as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"the store keeps timezone-aware timestamps only, not {value.isoformat()}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read a timestamp back as UTC (SQLite's naive values were written as UTC)."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store."""


class Run(Base):
    """One run of the pipeline for one hub and academic year."""

    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    hub_slug: Mapped[str] = mapped_column(String(64), index=True)
    academic_year: Mapped[str] = mapped_column(String(7), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_version: Mapped[str] = mapped_column(String(64))
    config_sha256: Mapped[str] = mapped_column(String(64))


class RunInput(Base):
    """A file a run read, with its hash and how many of its rows were kept."""

    __tablename__ = "run_inputs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_kept: Mapped[int] = mapped_column(Integer)
    rows_quarantined: Mapped[int] = mapped_column(Integer)


class ReturnFigure(Base):
    """One published figure in long format, so any figure can be compared across runs and years."""

    __tablename__ = "return_figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="CASCADE"), index=True)
    sheet: Mapped[str] = mapped_column(String(64))
    measure: Mapped[str] = mapped_column(String(128))
    breakdown: Mapped[str] = mapped_column(String(256))
    value: Mapped[float | None] = mapped_column(Float)


class ValidationFailureRow(Base):
    """A rule a run's input broke, as reported in the validation report."""

    __tablename__ = "validation_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(128))
    rule: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))


class DataRemoval(Base):
    """What the store removed and why (retention after a run, or a purge): how many rows, never whose."""

    __tablename__ = "data_removals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hub_slug: Mapped[str] = mapped_column(String(64), index=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(32))
    # The run after which retention was applied; no foreign key, since a purge may remove that run later.
    run_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(Text)
    removed: Mapped[dict] = mapped_column(JSON)
