"""Retention and erasure: how long the store keeps each kind of row, removing a period or everything about one
pupil, and what the store holds (for the personal data audit).

Every removal is one transaction, recorded in ``data_removals`` with how many rows went and why, never whose.
A pupil is looked up by the fingerprint of their id only (the caller pseudonymises it with the hub's key):
the raw id never reaches the store, its log or its record of removals.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine, Select, delete, func, insert, select, update

from foundation.hub_config import Retention
from schemas.periods import AcademicYear, kept_from
from schemas.personal_data import STORE_TABLE, Holding
from schemas.vocabulary import PSEUDONYM_REGEX
from store.models import DataRemoval, ReturnFigure, Run, RunInput, ValidationFailureRow
from store.repository import retrying

T = TypeVar("T")
REDACTED = "[removed]"
_PSEUDONYM = re.compile(rf"\b{PSEUDONYM_REGEX}\b")


class _DryRun(Exception):
    """Raised inside a removal's transaction to roll it back after counting what it would remove."""

    def __init__(self, result: object) -> None:
        super().__init__("dry run")
        self.result = result


@dataclass(frozen=True)
class Removed:
    """Rows removed from each table of the store (and run messages with pupil fingerprints taken out)."""

    validation_failures: int = 0
    return_figures: int = 0
    run_inputs: int = 0
    runs: int = 0
    run_messages_redacted: int = 0

    @property
    def total(self) -> int:
        """Rows removed, all tables together (redacted messages are changed, not removed)."""
        return self.validation_failures + self.return_figures + self.run_inputs + self.runs

    def counts(self) -> dict[str, int]:
        """Table (or ``run_messages_redacted``) -> rows, as recorded in ``data_removals``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def describe(self) -> str:
        """In words: '3 validation failures, 1 run (with 4 input files and 120 figures)', or 'nothing'."""
        parts = []
        if self.validation_failures:
            parts.append(_plural(self.validation_failures, "validation failure"))
        if self.runs:
            parts.append(
                f"{_plural(self.runs, 'run')} (with {_plural(self.run_inputs, 'input file record')} and "
                f"{_plural(self.return_figures, 'figure')})"
            )
        if self.run_messages_redacted:
            parts.append(
                f"pupil fingerprints taken out of {_plural(self.run_messages_redacted, 'run message')}"
            )
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class RetentionResult:
    """What retention kept and removed for one hub at the end of a run."""

    hub_slug: str
    today: date
    failures_kept_from: AcademicYear
    runs_kept_from: AcademicYear | None
    removed: Removed

    def describe(self) -> str:
        """The run's log line."""
        runs = (
            f"runs, the files they read and their figures kept from {self.runs_kept_from} on"
            if self.runs_kept_from
            else "runs, the files they read and their figures are kept for ever"
        )
        return (
            f"Retention ([retention] in the hub configuration): validation failures kept from "
            f"{self.failures_kept_from} on, {runs}; removed {self.removed.describe()}."
        )


@dataclass(frozen=True)
class PeriodPurge:
    """What a purge of one academic year removed (or, not confirmed, would remove)."""

    hub_slug: str
    year: AcademicYear
    removed: Removed
    done: bool


@dataclass(frozen=True)
class PupilPurge:
    """What a purge of one pupil removed (or would remove), and the Prefect flow runs that also quote them."""

    hub_slug: str
    removed: Removed
    flow_run_ids: tuple[str, ...]
    done: bool


def apply_retention(
    engine: Engine,
    hub_slug: str,
    retention: Retention,
    today: date,
    *,
    run_id: str | None = None,
    now: datetime,
) -> RetentionResult:
    """Remove the hub's rows of periods past their retention, in one transaction recorded in data_removals."""
    failures_from = kept_from(retention.validation_failures_years, today)
    runs_from = kept_from(retention.runs_years, today) if retention.runs_years else None

    def work(connection: Connection) -> RetentionResult:
        old = _hub_runs(hub_slug).where(Run.academic_year < failures_from.label)
        removed = Removed(
            validation_failures=_delete_failures(connection, old),
            run_messages_redacted=_redact_messages(connection, old, _PSEUDONYM.sub),
        )
        if runs_from is not None:
            gone = _delete_runs(connection, hub_slug, Run.academic_year < runs_from.label)
            removed = Removed(**{k: v + getattr(gone, k) for k, v in removed.counts().items()})
        result = RetentionResult(hub_slug, today, failures_from, runs_from, removed)
        _record(connection, hub_slug, now, "retention", result.describe(), removed, run_id=run_id)
        return result

    return _transaction(engine, f"applying retention to hub {hub_slug} in", work, confirm=True)


def purge_period(
    engine: Engine, hub_slug: str, year: AcademicYear, *, now: datetime, confirm: bool
) -> PeriodPurge:
    """Remove every run of the hub for one academic year, with its inputs, figures and failures (or, without
    ``confirm``, count what that would remove and change nothing).
    """

    def work(connection: Connection) -> PeriodPurge:
        removed = _delete_runs(connection, hub_slug, Run.academic_year == year.label)
        detail = f"purge of academic year {year}: every run, the files it read, its figures and failures"
        _record(connection, hub_slug, now, "purge-period", detail, removed)
        return PeriodPurge(hub_slug, year, removed, done=confirm)

    return _transaction(engine, f"purging {year} of hub {hub_slug} in", work, confirm=confirm)


def purge_pupil(
    engine: Engine, hub_slug: str, fingerprints: Collection[str], *, now: datetime, confirm: bool
) -> PupilPurge:
    """Remove everything the store holds about one pupil, found by the fingerprints of their ids: the validation
    failures quoting them and every other failure of the same input rows, and the fingerprints in run messages.
    Without ``confirm``, count what that would remove and change nothing.
    """
    wanted = sorted(set(fingerprints))
    if not wanted or not all(re.fullmatch(PSEUDONYM_REGEX, f) for f in wanted):
        raise ValueError("purge_pupil takes fingerprints (pseudonymised ids) only, never a raw pupil id")

    def work(connection: Connection) -> PupilPurge:
        runs = _hub_runs(hub_slug)
        failure = ValidationFailureRow
        quoting = select(failure.id, failure.run_id, failure.file, failure.row).where(
            failure.run_id.in_(runs), failure.value.in_(wanted)
        )
        found = connection.execute(quoting).all()
        rows = {(r.run_id, r.file, r.row) for r in found if r.row is not None}
        ids = {r.id for r in found}
        for run_id in sorted({run for run, _, _ in rows}):
            same_run = connection.execute(
                select(failure.id, failure.file, failure.row).where(failure.run_id == run_id)
            ).all()
            ids |= {r.id for r in same_run if (run_id, r.file, r.row) in rows}
        removed_failures = 0
        for chunk in _chunks(sorted(ids)):
            removed_failures += connection.execute(delete(failure).where(failure.id.in_(chunk))).rowcount

        def take_out(replacement: str, message: str) -> str:
            for fingerprint in wanted:
                message = message.replace(fingerprint, replacement)
            return message

        flow_runs = _flow_runs_quoting(connection, runs, wanted)
        redacted = _redact_messages(connection, runs, take_out)
        removed = Removed(validation_failures=removed_failures, run_messages_redacted=redacted)
        _record(connection, hub_slug, now, "purge-pupil", "purge of everything held about one pupil", removed)
        return PupilPurge(hub_slug, removed, flow_runs, done=confirm)

    return _transaction(engine, f"purging one pupil of hub {hub_slug} in", work, confirm=confirm)


# -- The audit ----------------------------------------------------------------------------------------------

STORE_TABLES: dict[str, str] = {
    "runs": "Run parameters, status and message; a failed run's message quotes its first validation failures, "
    "pupil fingerprints included (pseudonymised personal data)",
    "run_inputs": "None: path, SHA-256 fingerprint and row counts of each file a run read",
    "return_figures": "None about individuals: aggregate counts and percentages (small numbers not suppressed)",
    "validation_failures": "One row per broken rule: file, row, column, rule and the value as written, pupil ids "
    "as fingerprints (pseudonymised personal data)",
    "data_removals": "None: when, why and how many rows retention and purges removed (never whose)",
}


def store_holdings(engine: Engine, hub_slug: str, retention: Retention, today: date) -> tuple[Holding, ...]:
    """Per table of the store: the hub's rows, oldest and newest period, rule and next removal (the audit)."""
    failures_kept = (
        f"{_plural(retention.validation_failures_years, 'academic year')}, counting the current one"
    )
    runs_kept = (
        f"{_plural(retention.runs_years, 'academic year')}, counting the current one"
        if retention.runs_years
        else "for ever (aggregates: last year's figures are needed for this year's return)"
    )
    tables = {
        "runs": (
            Run,
            runs_kept + "; fingerprints in messages go with the validation failures",
            retention.runs_years,
        ),
        "run_inputs": (RunInput, runs_kept, retention.runs_years),
        "return_figures": (ReturnFigure, runs_kept, retention.runs_years),
        "validation_failures": (ValidationFailureRow, failures_kept, retention.validation_failures_years),
    }

    def read() -> tuple[Holding, ...]:
        holdings = []
        with engine.connect() as connection:
            for table, (model, kept, years) in tables.items():
                query = select(func.count(), func.min(Run.academic_year), func.max(Run.academic_year))
                query = query.select_from(model) if model is Run else query.join_from(model, Run)
                count, oldest, newest = connection.execute(query.where(Run.hub_slug == hub_slug)).one()
                due = _next_removal(oldest, years, today) if count else None
                holdings.append(
                    Holding(table, STORE_TABLE, STORE_TABLES[table], count, oldest, newest, kept, due)
                )
            removals = connection.execute(
                select(func.count()).select_from(DataRemoval).where(DataRemoval.hub_slug == hub_slug)
            ).scalar_one()
        holdings.append(
            Holding(
                "data_removals",
                STORE_TABLE,
                STORE_TABLES["data_removals"],
                removals,
                None,
                None,
                "for ever",
                None,
            )
        )
        return tuple(holdings)

    return retrying(engine, "reading", read)


def _next_removal(oldest: str, years: int | None, today: date) -> date | None:
    """The first day a run removes the oldest period held (today when it is already past), or None if never."""
    if years is None:
        return None
    period = AcademicYear.parse(oldest)
    if period < kept_from(years, today):
        return today
    return AcademicYear(period.start_year + years).start


# -- Inside one transaction ---------------------------------------------------------------------------------


def _transaction(engine: Engine, doing: str, work: Callable[[Connection], T], *, confirm: bool) -> T:
    """Run ``work`` in one transaction, committed when confirmed, else rolled back after it has counted."""

    def attempt() -> T:
        try:
            with engine.begin() as connection:
                result = work(connection)
                if not confirm:
                    raise _DryRun(result)
                return result
        except _DryRun as dry:
            return dry.result  # type: ignore[return-value]

    return retrying(engine, doing, attempt, consequence="Nothing was removed.")


def _hub_runs(hub_slug: str) -> Select:
    return select(Run.run_id).where(Run.hub_slug == hub_slug)


def _delete_failures(connection: Connection, runs: Select) -> int:
    """Delete the validation failures of the given runs; how many."""
    query = delete(ValidationFailureRow).where(ValidationFailureRow.run_id.in_(runs))
    return connection.execute(query).rowcount


def _delete_runs(connection: Connection, hub_slug: str, period: object) -> Removed:
    """Delete the hub's runs of the given periods with their failures, figures and inputs (children first)."""
    runs = _hub_runs(hub_slug).where(period)  # type: ignore[arg-type]
    failures = _delete_failures(connection, runs)
    figures = connection.execute(delete(ReturnFigure).where(ReturnFigure.run_id.in_(runs))).rowcount
    inputs = connection.execute(delete(RunInput).where(RunInput.run_id.in_(runs))).rowcount
    gone = connection.execute(delete(Run).where(Run.hub_slug == hub_slug, period)).rowcount  # type: ignore[arg-type]
    return Removed(validation_failures=failures, return_figures=figures, run_inputs=inputs, runs=gone)


def _flow_runs_quoting(connection: Connection, runs: Select, fingerprints: list[str]) -> tuple[str, ...]:
    """The Prefect flow runs whose message (kept by Prefect too) quotes one of the fingerprints."""
    rows = connection.execute(
        select(Run.flow_run_id, Run.message).where(Run.run_id.in_(runs), Run.message.is_not(None))
    ).all()
    return tuple(
        sorted({r.flow_run_id for r in rows if r.flow_run_id and any(f in r.message for f in fingerprints)})
    )


def _redact_messages(connection: Connection, runs: Select, redact: Callable[[str, str], str]) -> int:
    """Replace pupil fingerprints in the given runs' messages by ``[removed]``; how many messages changed."""
    rows = connection.execute(
        select(Run.run_id, Run.message).where(Run.run_id.in_(runs), Run.message.is_not(None))
    ).all()
    changed = 0
    for run_id, message in rows:
        redacted = redact(REDACTED, message)
        if redacted != message:
            connection.execute(update(Run).where(Run.run_id == run_id).values(message=redacted))
            changed += 1
    return changed


def _record(
    connection: Connection,
    hub_slug: str,
    now: datetime,
    reason: str,
    detail: str,
    removed: Removed,
    *,
    run_id: str | None = None,
) -> None:
    connection.execute(
        insert(DataRemoval).values(
            hub_slug=hub_slug,
            removed_at=now,
            reason=reason,
            run_id=run_id,
            detail=detail,
            removed=removed.counts(),
        )
    )


def _chunks(values: list[int], size: int = 500) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
