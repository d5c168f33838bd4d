"""Open the store and record a run in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl
from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from schemas.provenance import InputFileRecord
from schemas.validation import ValidationFailure
from store.migrations import upgrade_to_head
from store.models import ReturnFigure, Run, RunInput, ValidationFailureRow


@dataclass(frozen=True)
class RunRecord:
    """Everything the store keeps about one run."""

    run_id: str
    flow_run_id: str | None
    hub_slug: str
    academic_year: str
    as_of: date
    parameters: dict
    status: str
    started_at: datetime
    finished_at: datetime
    code_version: str
    config_sha256: str
    message: str | None = None
    inputs: Sequence[InputFileRecord] = field(default_factory=tuple)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def store_engine(url: str) -> Engine:
    """An engine for the store's URL (SQLite file or PostgreSQL through psycopg 3), without touching the schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_store(url: str) -> Engine:
    """Connect to the store and bring its schema to the newest migration (creating the tables on first use)."""
    engine = store_engine(url)
    upgrade_to_head(engine)
    return engine


FIGURE_COLUMNS = ("sheet", "measure", "breakdown", "value")


def record_run(
    engine: Engine,
    run: RunRecord,
    *,
    figures: pl.DataFrame | None = None,
    failures: pl.DataFrame | None = None,
) -> None:
    """Write the run, its inputs, figures (sheet, measure, breakdown, value) and failures in one transaction."""
    with Session(engine) as session, session.begin():
        session.add(
            Run(
                run_id=run.run_id,
                flow_run_id=run.flow_run_id,
                hub_slug=run.hub_slug,
                academic_year=run.academic_year,
                as_of=run.as_of,
                parameters=run.parameters,
                status=run.status,
                message=run.message,
                started_at=run.started_at,
                finished_at=run.finished_at,
                code_version=run.code_version,
                config_sha256=run.config_sha256,
            )
        )
        session.flush()
        if run.inputs:
            session.execute(
                insert(RunInput),
                [
                    {
                        "run_id": run.run_id,
                        "source": record.source,
                        "path": record.path,
                        "sha256": record.sha256,
                        "rows_read": record.rows_read,
                        "rows_kept": record.rows_kept,
                        "rows_quarantined": record.rows_quarantined,
                    }
                    for record in run.inputs
                ],
            )
        if figures is not None and figures.height:
            # NaN is "no figure": SQLite would store it as NULL, so PostgreSQL gets NULL too.
            rows = (
                figures.select(FIGURE_COLUMNS)
                .with_columns(
                    pl.col("value").cast(pl.Float64).fill_nan(None), pl.lit(run.run_id).alias("run_id")
                )
                .to_dicts()
            )
            session.execute(insert(ReturnFigure), rows)
        if failures is not None and failures.height:
            columns = list(ValidationFailure.to_schema().columns)
            rows = failures.select(columns).with_columns(pl.lit(run.run_id).alias("run_id")).to_dicts()
            session.execute(insert(ValidationFailureRow), rows)


def run_figures(engine: Engine, run_id: str) -> pl.DataFrame:
    """The figures one run recorded, in long format."""
    with Session(engine) as session:
        rows = session.execute(
            select(ReturnFigure.sheet, ReturnFigure.measure, ReturnFigure.breakdown, ReturnFigure.value)
            .where(ReturnFigure.run_id == run_id)
            .order_by(ReturnFigure.id)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"sheet": pl.String, "measure": pl.String, "breakdown": pl.String, "value": pl.Float64},
        orient="row",
    )


def latest_published_run(
    engine: Engine, hub_slug: str, academic_year: str, *, year_end: date | None = None
) -> str | None:
    """The run id of the hub's latest published run for the year (with ``year_end``: preferring runs whose
    figures are as of the year's end or later, i.e. the year's final figures), or None.
    """
    query = select(Run.run_id).where(
        Run.hub_slug == hub_slug, Run.academic_year == academic_year, Run.status == "published"
    )
    # The same order on both back ends: a run without a finish time last (PostgreSQL would put it first),
    # and ties broken by run id in byte order (PostgreSQL would use the database's collation).
    run_id = Run.run_id.collate("C") if engine.dialect.name == "postgresql" else Run.run_id
    order = [Run.finished_at.is_(None), Run.finished_at.desc(), run_id]
    if year_end is not None:
        order.insert(0, (Run.as_of >= year_end).desc())
    with Session(engine) as session:
        return session.execute(query.order_by(*order).limit(1)).scalar_one_or_none()
