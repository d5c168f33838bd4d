"""Retention, purges and the audit's store facts, on SQLite and PostgreSQL, with hand-built runs of four years.

The store holds the hub 'small-test' with one run per academic year from 2023/24 to 2026/27 (each with one
input file, two figures and two or more validation failures) and the hub 'other-hub' with a 2023/24 run
quoting the same pupil fingerprint. Every expectation below is counted by hand from that layout.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from foundation.hub_config import Retention
from ingest.pseudonymise import pseudonym
from schemas.periods import AcademicYear
from schemas.provenance import InputFileRecord
from store.repository import record_run
from store.retention import REDACTED, apply_retention, purge_period, purge_pupil, store_holdings
from tests.store.test_repository import _run

KEY = b"a-test-key-of-this-file-only-1234"
PUPIL = pseudonym("SA0000042", KEY)  # the pupil asking to be erased
UPN = pseudonym("E830239220261", KEY)  # the same pupil's UPN
OTHER = pseudonym("SA0000043", KEY)  # another pupil, who stays
TODAY = date(2026, 12, 1)  # in 2026/27: two years kept means 2026/27 and 2025/26
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
YEARS = ("2023/24", "2024/25", "2025/26", "2026/27")


def _failures(rows: list[tuple[str, int | None, str, str]]) -> pl.DataFrame:
    """Failures as (file, row, column, value), all warnings of the pupils source."""
    return pl.DataFrame(
        {
            "source": ["pupils"] * len(rows),
            "file": [r[0] for r in rows],
            "row": [r[1] for r in rows],
            "column": [r[2] for r in rows],
            "rule": ["a rule"] * len(rows),
            "value": [r[3] for r in rows],
            "severity": ["warning"] * len(rows),
        },
        schema_overrides={"row": pl.Int64},
    )


FIGURES = pl.DataFrame(
    {
        "sheet": ["kpis", "kpis"],
        "measure": ["KPI 1", "KPI 2"],
        "breakdown": ["all", "all"],
        "value": [1.0, 2.0],
    }
)


def _seed(engine: Engine) -> None:
    for year in YEARS:
        slug = year.replace("/", "-")
        run = _run(
            f"run-{slug}",
            flow_run_id=f"flow-{slug}",
            academic_year=year,
            inputs=[InputFileRecord("pupils", f"/hub/{slug}/pupils.csv", "a" * 64, 9, 8, 1)],
        )
        rows = [("pupils.csv", 7, "gender", "Q"), ("tuition.csv", 4, "pupil_ref", OTHER)]
        if year == "2024/25":
            # The pupil's own row of the pupils file: their duplicated id and a bad value on the same row.
            rows += [("pupils.csv", 5, "pupil_ref", PUPIL), ("pupils.csv", 5, "gender", "X")]
            run = replace(
                run, status="failed", message=f"pupils.csv row 5, column 'pupil_ref' (found '{PUPIL}')"
            )
        if year == "2025/26":
            # A tuition row naming the pupil, a second failure of that row, and the UPN in a shifted column.
            rows += [("tuition.csv", 3, "pupil_ref", PUPIL), ("tuition.csv", 3, "weeks", "ten")]
            rows += [("pupils.csv", 9, "urn", UPN), ("pupils.csv", None, None, "no header")]
        record_run(engine, run, figures=FIGURES, failures=_failures(rows))
    other = _run("other-2023-24", hub_slug="other-hub", academic_year="2023/24", message=f"found '{PUPIL}'")
    record_run(engine, other, figures=FIGURES, failures=_failures([("pupils.csv", 5, "pupil_ref", PUPIL)]))


def _rows(engine: Engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(query))]


def _failures_held(engine: Engine) -> set[tuple]:
    return set(_rows(engine, 'select run_id, file, "row", "column", value from validation_failures'))


def _count(engine: Engine, table: str, hub: str = "small-test") -> int:
    column = "hub_slug" if table in ("runs", "data_removals") else None
    where = (
        f"where hub_slug = '{hub}'"
        if column
        else f"where run_id in (select run_id from runs where hub_slug = '{hub}')"
    )
    return _rows(engine, f"select count(*) from {table} {where}")[0][0]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    _seed(engine)
    return engine


def test_retention_removes_exactly_the_validation_failures_past_their_period(seeded: Engine) -> None:
    before = _failures_held(seeded)
    result = apply_retention(seeded, "small-test", Retention(), TODAY, run_id="run-2026-27", now=NOW)

    assert result.failures_kept_from == AcademicYear(2025) and result.runs_kept_from is None
    old = {f for f in before if f[0] in ("run-2023-24", "run-2024-25")}
    assert len(old) == 2 + 4
    assert _failures_held(seeded) == before - old
    assert result.removed.validation_failures == 6 and result.removed.runs == 0
    # Runs and figures are aggregates: kept for ever by default. The failed run's message loses the fingerprint.
    assert _count(seeded, "runs") == 4 and _count(seeded, "return_figures") == 8
    assert result.removed.run_messages_redacted == 1
    (message,) = _rows(seeded, "select message from runs where run_id = 'run-2024-25'")[0]
    assert PUPIL not in message and REDACTED in message
    # The other hub's 2023/24 rows are its own business.
    assert _count(seeded, "validation_failures", "other-hub") == 1
    assert _rows(seeded, "select message from runs where hub_slug = 'other-hub'") == [(f"found '{PUPIL}'",)]
    assert "validation failures kept from 2025/26 on" in result.describe()
    assert "removed 6 validation failures, pupil fingerprints taken out of 1 run message" in result.describe()
    # Recorded: why, after which run, how many (never whose).
    (recorded,) = _rows(seeded, "select reason, run_id, removed from data_removals")
    assert recorded[:2] == ("retention", "run-2026-27")
    assert "validation_failures" in str(recorded[2]) and PUPIL not in str(recorded)


def test_retention_applied_again_removes_nothing(seeded: Engine) -> None:
    apply_retention(seeded, "small-test", Retention(), TODAY, now=NOW)
    held = _failures_held(seeded)
    again = apply_retention(seeded, "small-test", Retention(), TODAY, now=NOW)
    assert again.removed.total == 0 and again.removed.run_messages_redacted == 0
    assert _failures_held(seeded) == held
    assert "removed nothing" in again.describe()
    assert _count(seeded, "data_removals") == 2


def test_retention_of_runs_removes_whole_runs_of_older_periods_only(seeded: Engine) -> None:
    result = apply_retention(seeded, "small-test", Retention(runs_years=3), TODAY, now=NOW)
    # Three years counting 2026/27: 2024/25 on. The 2023/24 run goes with its input, figures and failures.
    assert result.runs_kept_from == AcademicYear(2024)
    assert result.removed.counts() == {
        "validation_failures": 2 + 4,
        "return_figures": 2,
        "run_inputs": 1,
        "runs": 1,
        "run_messages_redacted": 1,
    }
    assert _rows(seeded, "select academic_year from runs where hub_slug = 'small-test' order by 1") == [
        ("2024/25",),
        ("2025/26",),
        ("2026/27",),
    ]
    assert _count(seeded, "return_figures") == 6 and _count(seeded, "run_inputs") == 3
    assert _count(seeded, "runs", "other-hub") == 1


def test_a_run_in_the_year_two_years_back_is_kept_until_the_first_of_september(seeded: Engine) -> None:
    # On 31 August 2026 the current year is still 2025/26: 2024/25 is last year and is kept.
    apply_retention(seeded, "small-test", Retention(), date(2026, 8, 31), now=NOW)
    assert {f[0] for f in _failures_held(seeded)} >= {"run-2024-25"}
    apply_retention(seeded, "small-test", Retention(), date(2026, 9, 1), now=NOW)
    assert "run-2024-25" not in {f[0] for f in _failures_held(seeded)}


def test_purge_of_one_pupil_removes_their_rows_and_no_others(seeded: Engine) -> None:
    before = _failures_held(seeded)
    result = purge_pupil(seeded, "small-test", [PUPIL, UPN], now=NOW, confirm=True)
    theirs = {
        ("run-2024-25", "pupils.csv", 5, "pupil_ref", PUPIL),
        ("run-2024-25", "pupils.csv", 5, "gender", "X"),
        ("run-2025-26", "tuition.csv", 3, "pupil_ref", PUPIL),
        ("run-2025-26", "tuition.csv", 3, "weeks", "ten"),
        ("run-2025-26", "pupils.csv", 9, "urn", UPN),
    }
    assert theirs <= before
    assert _failures_held(seeded) == before - theirs
    assert result.removed.validation_failures == 5 and result.removed.run_messages_redacted == 1
    assert result.flow_run_ids == ("flow-2024-25",)  # Prefect holds that run's message too
    assert result.removed.describe() == "5 validation failures, pupil fingerprints taken out of 1 run message"
    assert not any(
        PUPIL in str(v)
        for row in _rows(seeded, "select * from runs where hub_slug = 'small-test'")
        for v in row
    )
    # Another hub's store rows are not this hub's to erase (its key and its pupils are its own).
    assert ("other-2023-24", "pupils.csv", 5, "pupil_ref", PUPIL) in _failures_held(seeded)
    (recorded,) = _rows(seeded, "select reason, detail, removed from data_removals")
    assert recorded[0] == "purge-pupil" and PUPIL not in str(recorded) and UPN not in str(recorded)


def test_a_second_purge_of_the_same_pupil_removes_nothing(seeded: Engine) -> None:
    purge_pupil(seeded, "small-test", [PUPIL], now=NOW, confirm=True)
    held = _failures_held(seeded)
    again = purge_pupil(seeded, "small-test", [PUPIL], now=NOW, confirm=True)
    assert again.removed.total == 0 and again.removed.run_messages_redacted == 0
    assert again.removed.describe() == "nothing" and again.flow_run_ids == ()
    assert _failures_held(seeded) == held


def test_a_purge_not_confirmed_counts_and_changes_nothing(seeded: Engine) -> None:
    before = _failures_held(seeded)
    preview = purge_pupil(seeded, "small-test", [PUPIL], now=NOW, confirm=False)
    assert not preview.done and preview.removed.validation_failures == 4
    period = purge_period(seeded, "small-test", AcademicYear(2025), now=NOW, confirm=False)
    assert not period.done and period.removed.runs == 1
    assert _failures_held(seeded) == before and _count(seeded, "runs") == 4
    assert _count(seeded, "data_removals") == 0


def test_purge_pupil_refuses_a_raw_id() -> None:
    with pytest.raises(ValueError, match="fingerprints"):
        purge_pupil(None, "small-test", ["SA0000042"], now=NOW, confirm=True)  # type: ignore[arg-type]


def test_purge_of_a_period_removes_that_year_of_that_hub_only(seeded: Engine) -> None:
    result = purge_period(seeded, "small-test", AcademicYear(2023), now=NOW, confirm=True)
    assert result.removed.counts() == {
        "validation_failures": 2,
        "return_figures": 2,
        "run_inputs": 1,
        "runs": 1,
        "run_messages_redacted": 0,
    }
    assert _rows(seeded, "select run_id from runs where academic_year = '2023/24'") == [("other-2023-24",)]
    assert _count(seeded, "runs") == 3 and _count(seeded, "validation_failures", "other-hub") == 1
    again = purge_period(seeded, "small-test", AcademicYear(2023), now=NOW, confirm=True)
    assert again.removed.total == 0


def test_the_audit_counts_what_the_store_holds(seeded: Engine) -> None:
    def check(retention: Retention) -> dict:
        held = {h.place: h for h in store_holdings(seeded, "small-test", retention, TODAY)}
        assert list(held) == ["runs", "run_inputs", "return_figures", "validation_failures", "data_removals"]
        for table, holding in held.items():
            assert holding.rows == _count(seeded, table), table
        return held

    held = check(Retention())
    assert (held["runs"].oldest_period, held["runs"].newest_period) == ("2023/24", "2026/27")
    assert held["validation_failures"].rows == 2 + 4 + 6 + 2
    # Retention not yet applied: the next run removes the 2023/24 and 2024/25 failures.
    assert held["validation_failures"].next_removal == TODAY
    assert held["runs"].next_removal is None and "for ever" in held["runs"].kept

    apply_retention(seeded, "small-test", Retention(), TODAY, now=NOW)
    held = check(Retention())
    assert held["validation_failures"].oldest_period == "2025/26"
    # 2025/26 goes when 2027/28 begins: the first run on or after 1 September 2027.
    assert held["validation_failures"].next_removal == date(2027, 9, 1)
    assert held["data_removals"].rows == 1

    held = check(Retention(runs_years=3))
    assert held["return_figures"].next_removal == TODAY  # 2023/24 is before 2024/25
    purge_period(seeded, "small-test", AcademicYear(2023), now=NOW, confirm=True)
    held = check(Retention(runs_years=3))
    assert held["run_inputs"].oldest_period == "2024/25"
    assert held["run_inputs"].next_removal == date(2027, 9, 1)


def test_the_audit_of_an_empty_store_says_nothing_is_held(engine: Engine) -> None:
    held = store_holdings(engine, "small-test", Retention(), TODAY)
    assert [h.rows for h in held] == [0, 0, 0, 0, 0]
    assert {h.next_removal for h in held} == {None} and {h.oldest_period for h in held} == {None}
