"""Recording and reading runs gives the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from schemas.provenance import InputFileRecord
from store.models import Run
from store.repository import RunRecord, latest_published_run, record_run, run_figures

STARTED = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)


def _run(run_id: str, **changes: object) -> RunRecord:
    """A published 2025/26 run of the hub 'small-test', finished a minute after it started."""
    run = RunRecord(
        run_id=run_id,
        flow_run_id="flow-1",
        hub_slug="small-test",
        academic_year="2025/26",
        as_of=date(2026, 11, 23),
        parameters={
            "academic_year": "2025/26",
            "strict": False,
            "sections": ["annual_return"],
            "as_of": None,
        },
        status="published",
        started_at=STARTED,
        finished_at=STARTED + timedelta(minutes=1),
        code_version="abc123",
        config_sha256="f" * 64,
    )
    return replace(run, **changes)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()


def test_record_run_keeps_every_field_with_aware_utc_timestamps(engine: Engine) -> None:
    # Started at 10:30:15 in Paris (UTC+1) is 09:30:15 UTC.
    paris = timezone(timedelta(hours=1))
    run = _run("r1", started_at=STARTED.astimezone(paris), message="fine")
    inputs = [InputFileRecord("tuition", "/hub/exports/tuition.csv", "a" * 64, 5, 4, 1)]
    failures = pl.DataFrame(
        {
            "source": ["tuition"],
            "file": ["tuition.csv"],
            "row": [3],
            "column": ["weeks"],
            "rule": ["must be a whole number"],
            "value": ["ten"],
            "severity": ["warning"],
        }
    )
    record_run(engine, replace(run, inputs=inputs), failures=failures)

    with Session(engine) as session:
        stored = session.get(Run, "r1")
        assert stored is not None
        assert stored.started_at == STARTED and stored.started_at.tzinfo == UTC
        assert stored.finished_at == STARTED + timedelta(minutes=1) and stored.finished_at.tzinfo == UTC
        assert stored.parameters == run.parameters
        assert (stored.as_of, stored.status, stored.message) == (date(2026, 11, 23), "published", "fine")
    with engine.connect() as connection:
        read = connection.execute(
            sa.text("select source, sha256, rows_read, rows_kept, rows_quarantined from run_inputs")
        )
        assert [tuple(r) for r in read] == [("tuition", "a" * 64, 5, 4, 1)]
        failure = connection.execute(
            sa.text('select file, "row", "column", value, severity from validation_failures')
        )
        assert [tuple(r) for r in failure] == [("tuition.csv", 3, "weeks", "ten", "warning")]


def test_a_naive_timestamp_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="timezone-aware"):
        record_run(engine, _run("r1", started_at=datetime(2026, 11, 23, 9, 30)))
    assert _count(engine, "runs") == 0


def test_run_figures_round_trip_floats_exactly(engine: Engine) -> None:
    values = [1 / 3, 17 / 900, 1e-300, 123456789.123456789, 0.0, None, float("nan")]
    figures = pl.DataFrame(
        {
            "sheet": ["kpis"] * len(values),
            "measure": [f"KPI {i}" for i in range(len(values))],
            "breakdown": ["all"] * len(values),
            "value": values,
        }
    )
    record_run(engine, _run("r1"), figures=figures)
    read = run_figures(engine, "r1")
    # NaN is stored as no figure on both back ends (SQLite cannot keep it).
    expected = figures.with_columns(pl.col("value").fill_nan(None))
    assert read.schema == expected.schema
    assert read.to_dicts() == expected.to_dicts()
    assert run_figures(engine, "another run").height == 0


def test_a_failure_part_way_through_record_run_leaves_nothing(engine: Engine) -> None:
    inputs = [InputFileRecord("tuition", "/hub/exports/tuition.csv", "a" * 64, 5, 5, 0)]
    figures = pl.DataFrame(
        {
            "sheet": ["kpis", "kpis"],
            "measure": ["KPI 1 count", None],
            "breakdown": ["all", "all"],
            "value": [17.0, 2.0],
        }
    )
    with pytest.raises(sa.exc.IntegrityError):
        record_run(engine, replace(_run("r1"), inputs=inputs), figures=figures)
    assert [_count(engine, t) for t in ("runs", "run_inputs", "return_figures")] == [0, 0, 0]


def test_latest_published_run_prefers_year_end_figures_then_the_latest_finished(engine: Engine) -> None:
    year_end = date(2026, 8, 31)
    later = STARTED + timedelta(hours=1)
    runs = [
        _run("a-early", as_of=date(2026, 9, 1)),
        _run("b-interim", as_of=date(2026, 3, 31), finished_at=later + timedelta(hours=5)),
        _run("c-latest", as_of=date(2026, 8, 31), finished_at=later),
        _run("d-failed", status="failed", finished_at=later + timedelta(days=1)),
        _run("e-partial", status="partial", finished_at=later + timedelta(days=2)),
        _run("f-other-hub", hub_slug="other", finished_at=later + timedelta(days=3)),
        _run("g-other-year", academic_year="2024/25", finished_at=later + timedelta(days=3)),
    ]
    for run in runs:
        record_run(engine, run)
    # The interim run finished last, but only year-end figures are the year's final ones.
    assert latest_published_run(engine, "small-test", "2025/26", year_end=year_end) == "c-latest"
    # Without a year end the latest finished published run wins, whatever its as-of date.
    assert latest_published_run(engine, "small-test", "2025/26") == "b-interim"
    assert latest_published_run(engine, "small-test", "2023/24") is None


def test_latest_published_run_breaks_ties_the_same_way_on_both_back_ends(engine: Engine) -> None:
    # Same finish time: the byte-order-first run id wins ('Z' < 'a' in bytes, not in most collations);
    # a run with no finish time comes last, not first as PostgreSQL's DESC would put it.
    record_run(engine, _run("a-run"))
    record_run(engine, _run("Z-run"))
    record_run(engine, _run("0-unfinished", finished_at=None))  # type: ignore[arg-type]
    assert latest_published_run(engine, "small-test", "2025/26") == "Z-run"
