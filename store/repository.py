"""Open the store and record a run in one transaction.

A database that cannot be reached, or that drops the connection, is retried where that is safe (connecting,
reading, and the run's single write transaction as a whole) and otherwise ends the run with a plain message
naming the database, never its password.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

import polars as pl
from sqlalchemy import Engine, create_engine, event, exists, insert, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from foundation.errors import HubReturnsError
from schemas.provenance import InputFileRecord
from schemas.validation import ValidationFailure
from store.migrations import upgrade_to_head
from store.models import ReturnFigure, Run, RunInput, ValidationFailureRow

T = TypeVar("T")
# Pauses before the second and third attempts: long enough for a dropped connection or a restarting server.
RETRY_DELAYS_SECONDS: tuple[float, ...] = (1.0, 4.0)
# A PostgreSQL server that does not answer (a firewall drops the packets) fails after this, not never.
CONNECT_TIMEOUT_SECONDS = 10
_log = logging.getLogger("hubreturns.store")


class StoreUnavailable(HubReturnsError):
    """The store's database could not be reached or dropped the connection, and retrying did not help."""


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
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
    # pool_pre_ping: a pooled connection the server has since closed is replaced, not used and failed on.
    engine = create_engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_store(url: str) -> Engine:
    """Connect to the store and bring its schema to the newest migration (creating the tables on first use)."""
    engine = store_engine(url)
    try:
        retrying(
            engine,
            "connecting to",
            lambda: upgrade_to_head(engine),
            consequence="Nothing was written to the store.",
        )
    except StoreUnavailable:
        engine.dispose()
        raise
    return engine


def retrying(engine: Engine, doing: str, action: Callable[[], T], *, consequence: str = "") -> T:
    """Run ``action``, again after a pause when the database could not be reached or dropped the connection.

    Only for what is safe to repeat: connecting, reading, or one whole transaction. Gives up with a
    StoreUnavailable whose message says which database, what happened and what to check.
    """
    for attempt, delay in enumerate((*RETRY_DELAYS_SECONDS, None), start=1):
        try:
            return action()
        except (OperationalError, InterfaceError) as exc:
            if delay is None:
                message = unreachable_message(engine.url, doing, exc)
                raise StoreUnavailable(f"{message} {consequence}".strip()) from None
            _log.warning(
                "The store's database %s failed while %s it (attempt %d): %s; trying again in %g s",
                describe_database(engine.url),
                doing,
                attempt,
                _reason(exc, engine.url),
                delay,
            )
            engine.dispose()  # every pooled connection may be dead: start again with fresh ones
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def describe_database(url: URL) -> str:
    """The database in words a data officer can check against the configuration, never with the password."""
    if url.get_backend_name() == "sqlite":
        return f"file {url.database}"
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    user = f" as user {url.username}" if url.username else ""
    return f"'{url.database}' on the PostgreSQL server at {where}{user}"


def unreachable_message(url: URL, doing: str, exc: DBAPIError) -> str:
    """What failed, in a data officer's words: which database, that it could not be used, and what to check."""
    tries = len(RETRY_DELAYS_SECONDS) + 1
    if url.get_backend_name() == "sqlite":
        check = (
            "Check that the folder holding the file exists and can be written to, that the disk is not full, and "
            "that the file is a hubreturns store"
        )
        what = "could not be opened or written"
    else:
        check = (
            "Check that the database server is running and accepting connections, that this machine can reach it "
            "(network, VPN, firewall), and that the host, port, database name and user in the hub's [storage] "
            "database_url (or --database-url) are right"
        )
        what = (
            "could not be reached"
            if doing == "connecting to"
            else "dropped the connection or could not be reached"
        )
    return (
        f"The store's database, {describe_database(url)}, {what} while {doing} it ({tries} attempts): "
        f"{_reason(exc, url)}. {check}; then run again."
    )


def _reason(exc: DBAPIError, url: URL) -> str:
    """The driver's own first line (e.g. 'Connection refused'), with any password taken out."""
    lines = [line.strip() for line in str(exc.orig).splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc.orig).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason.rstrip(".")


FIGURE_COLUMNS = ("sheet", "measure", "breakdown", "value")


def record_run(
    engine: Engine,
    run: RunRecord,
    *,
    figures: pl.DataFrame | None = None,
    failures: pl.DataFrame | None = None,
) -> None:
    """Write the run, its inputs, figures (sheet, measure, breakdown, value) and failures in one transaction.

    A dropped connection repeats the whole transaction: the database has kept all of it or none of it, and a
    repeat first looks for the run, so a commit that landed before the connection dropped is not written twice.
    """
    attempts = 0

    def write() -> None:
        nonlocal attempts
        attempts += 1
        if attempts > 1 and _run_exists(engine, run.run_id):
            return
        _write_run(engine, run, figures=figures, failures=failures)

    retrying(
        engine,
        f"recording run {run.run_id} in",
        write,
        consequence="Nothing of that run was saved in the store, so it is not published.",
    )


# A run recorded in the store whose outputs are not yet published (all or nothing: outputs/staging.py). It becomes
# its final status once they are; a run killed in between is marked INTERRUPTED by the hub's next run.
PUBLISHING, INTERRUPTED = "publishing", "interrupted"


def finish_run(engine: Engine, run_id: str, status: str, message: str = "") -> None:
    """Give a recorded run its final status once its outputs are published (or could not be)."""

    def write() -> None:
        with Session(engine) as session, session.begin():
            session.execute(
                update(Run)
                .where(Run.run_id == run_id)
                .values(status=status, **({"message": message} if message else {}))
            )

    retrying(engine, f"finishing run {run_id} in", write)


def mark_interrupted_runs(engine: Engine, hub_slug: str) -> int:
    """Mark the hub's runs that were recorded but stopped before publishing (called with the hub's lock held)."""

    def write() -> int:
        with Session(engine) as session, session.begin():
            result = session.execute(
                update(Run)
                .where(Run.hub_slug == hub_slug, Run.status == PUBLISHING)
                .values(status=INTERRUPTED, message="The run was stopped before its outputs were published.")
            )
            return result.rowcount or 0

    return retrying(engine, "updating", write)


def _run_exists(engine: Engine, run_id: str) -> bool:
    with Session(engine) as session:
        return bool(session.scalar(select(exists().where(Run.run_id == run_id))))


def _write_run(
    engine: Engine, run: RunRecord, *, figures: pl.DataFrame | None, failures: pl.DataFrame | None
) -> None:
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

    def read() -> list:
        with Session(engine) as session:
            return list(
                session.execute(
                    select(
                        ReturnFigure.sheet, ReturnFigure.measure, ReturnFigure.breakdown, ReturnFigure.value
                    )
                    .where(ReturnFigure.run_id == run_id)
                    .order_by(ReturnFigure.id)
                ).all()
            )

    rows = retrying(engine, "reading", read)
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

    def read() -> str | None:
        with Session(engine) as session:
            return session.execute(query.order_by(*order).limit(1)).scalar_one_or_none()

    return retrying(engine, "reading", read)
