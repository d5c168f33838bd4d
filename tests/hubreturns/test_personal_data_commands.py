"""Retention at the end of a real run, `hubreturns purge` and `hubreturns audit`, on SQLite and PostgreSQL.

The tiny fixture hub is run for 2025/26 (not strict) with three pupil rows made to fail: pupil S002 appears
twice in the pupils export (the second time with gender 'Q'), and a tuition row names S999, who is not in
the pupils export. So the run records four validation failures: two quoting S002's fingerprint, the 'Q' on
S002's second row, and one quoting S999's fingerprint.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import sqlalchemy as sa

from foundation.hub_config import DATABASE_URL_VARIABLE
from hubreturns.cli import EXIT_OK, main
from ingest.pseudonymise import DEMO_KEY, pseudonym
from schemas.output_tables import column_titles
from schemas.periods import AcademicYear
from schemas.personal_data import PersonalDataHeld
from store.repository import RunRecord, open_store, record_run

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.flow
S002, S999 = pseudonym("S002", DEMO_KEY), pseudonym("S999", DEMO_KEY)
CURRENT = AcademicYear.containing(date.today())
KEPT_YEARS = CURRENT.start_year - 2025 + 1  # 2 in 2026/27: this year and 2025/26


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The fixture hub with the three failing rows, and its store's URL (given to runs and commands alike)."""
    folder = tmp_path / "hub"
    shutil.copytree(FIXTURE, folder)
    tuition = folder / "exports" / "tuition.tsv"
    tuition.write_text(tuition.read_text().replace("T1\tS003\t", "T1\tS999\t"))
    with (folder / "exports" / "pupils.csv").open("a") as pupils:
        pupils.write("S002,,100001,4,Q,N,N,K,N,Asian\n")
    # Keep exactly 2025/26 and later, whatever the clock says (retention counts from the day of the run).
    settings = (folder / "hub.toml").read_text()
    (folder / "hub.toml").write_text(f"{settings}\n[retention]\nvalidation_failures_years = {KEPT_YEARS}\n")
    url = (
        f"sqlite:///{folder / 'hubreturns.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    return folder / "hub.toml", url


def _old_run(run_id: str, hub_slug: str, year: str) -> RunRecord:
    started = datetime(2023, 11, 20, 2, 0, tzinfo=UTC)
    return RunRecord(
        run_id=run_id,
        flow_run_id=None,
        hub_slug=hub_slug,
        academic_year=year,
        as_of=date(2023, 11, 20),
        parameters={},
        status="published",
        started_at=started,
        finished_at=started + timedelta(minutes=1),
        code_version="old",
        config_sha256="0" * 64,
    )


OLD_FAILURES = pl.DataFrame(
    {
        "source": ["pupils", "tuition"],
        "file": ["pupils.csv", "tuition.tsv"],
        "row": [4, 6],
        "column": ["pupil_ref", "weeks"],
        "rule": ["must be unique", "must be a whole number"],
        "value": [S002, "ten"],
        "severity": ["error", "warning"],
    }
)


def _rows(url: str, query: str) -> list[tuple]:
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(sa.text(query))]
    finally:
        engine.dispose()


def _failures(url: str) -> set[tuple]:
    return set(
        _rows(
            url,
            'select r.academic_year, f.file, f."row", f."column", f.value from validation_failures f '
            "join runs r on r.run_id = f.run_id where r.hub_slug = 'small-test'",
        )
    )


def _run(config: Path) -> str:
    from flows.annual_return import annual_return

    summary = annual_return(
        config_path=str(config), academic_year="2025/26", as_of="2026-11-23", strict=False
    )
    assert summary.status == "published"
    return summary.run_id


THIS_RUN = {
    ("2025/26", "pupils.csv", 3, "pupil_ref", S002),
    ("2025/26", "pupils.csv", 9, "pupil_ref", S002),
    ("2025/26", "pupils.csv", 9, "gender", "Q"),
    ("2025/26", "tuition.tsv", 2, "pupil_ref", S999),
}


def _purge(config: Path, url: str, *options: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command as a data officer runs it, in its own process, the pupil's id typed into standard input."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "hubreturns.cli",
            "purge",
            "--config",
            str(config),
            "--database-url",
            url,
            *options,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_every_run_applies_retention_records_it_and_says_so(prefect_server, hub: tuple[Path, str]) -> None:
    from tests.security.test_personal_data import _flow_run_logs

    config, url = hub
    engine = open_store(url)
    record_run(engine, _old_run("old-2022-23", "small-test", "2022/23"), failures=OLD_FAILURES)
    record_run(engine, _old_run("other-2022-23", "other-hub", "2022/23"), failures=OLD_FAILURES)
    engine.dispose()
    # That old year's workbooks: its validation report quotes fingerprints too, its return only aggregates.
    old_year = config.parent / "out" / "small-test" / "2022-23"
    old_year.mkdir(parents=True)
    (old_year / "small-test-2022-23-validation.xlsx").write_bytes(b"PK")
    (old_year / "small-test-2022-23-annual-return.xlsx").write_bytes(b"PK")

    run_id = _run(config)

    # The years kept reach back to 2025/26: this run's four failures stay, the 2022/23 run's two go, and the
    # other hub's rows are untouched.
    assert _failures(url) == THIS_RUN
    assert _rows(url, "select count(*) from validation_failures where run_id = 'other-2022-23'") == [(2,)]
    assert _rows(url, "select count(*) from runs") == [(3,)]
    ((reason, recorded_run, removed),) = _rows(url, "select reason, run_id, removed from data_removals")
    assert (reason, recorded_run) == ("retention", run_id)
    assert (json.loads(removed) if isinstance(removed, str) else removed)["validation_failures"] == 2
    (flow_run_id,) = _rows(url, f"select flow_run_id from runs where run_id = '{run_id}'")[0]
    assert "validation failures kept from" in _flow_run_logs((flow_run_id,))
    logs = _flow_run_logs((flow_run_id,))
    assert "removed 2 validation failures." in logs
    assert (
        f"Validation reports of earlier years removed: {old_year / 'small-test-2022-23-validation.xlsx'}."
        in logs
    )
    assert sorted(p.name for p in old_year.iterdir()) == ["small-test-2022-23-annual-return.xlsx"]
    assert (config.parent / "out" / "small-test" / "2025-26" / "small-test-2025-26-validation.xlsx").is_file()


def test_purge_of_one_pupil_removes_their_rows_only_and_never_shows_their_id(
    prefect_server, hub: tuple[Path, str]
) -> None:
    config, url = hub
    _run(config)
    assert _failures(url) == THIS_RUN

    preview = _purge(config, url, "--pupil", stdin=" s002 \n")  # as typed: spaces and lower case
    assert preview.returncode == EXIT_OK, preview.stderr
    assert "would lose 3 validation failures. Nothing was removed" in preview.stdout
    assert _failures(url) == THIS_RUN

    done = _purge(config, url, "--pupil", "--yes", stdin="S002\n")
    assert done.returncode == EXIT_OK, done.stderr
    assert "one pupil: removed 3 validation failures from the store" in done.stdout
    assert _failures(url) == {("2025/26", "tuition.tsv", 2, "pupil_ref", S999)}
    for text in (preview.stdout, preview.stderr, done.stdout, done.stderr):
        assert "S002" not in text.upper() and S002 not in text
    ((_reason, removed),) = _rows(
        url, "select reason, removed from data_removals where reason = 'purge-pupil'"
    )
    assert "S002" not in str(removed) and S002 not in str(removed)

    again = _purge(config, url, "--pupil", "--yes", stdin="S002\n")
    assert "one pupil: removed nothing from the store" in again.stdout
    assert _failures(url) == {("2025/26", "tuition.tsv", 2, "pupil_ref", S999)}


def test_purge_needs_a_pupil_id_and_of_a_period_removes_that_year(
    prefect_server, hub: tuple[Path, str]
) -> None:
    config, url = hub
    _run(config)
    empty = _purge(config, url, "--pupil", "--yes", stdin="\n")
    assert (
        empty.returncode == 2
        and "no pupil reference or UPN was given, so nothing was removed" in empty.stderr
    )
    assert _failures(url) == THIS_RUN
    other = _purge(config, url, "--year", "2024/25", "--yes")
    assert "academic year 2024/25: removed nothing" in other.stdout
    done = _purge(config, url, "--year", "2025/26", "--yes")
    assert done.returncode == EXIT_OK, done.stderr
    assert "academic year 2025/26: removed 4 validation failures, 1 run" in done.stdout
    assert _rows(url, "select count(*) from runs") == [(0,)]
    assert _rows(url, "select count(*) from return_figures") == [(0,)]


def test_the_audit_counts_what_the_store_and_the_output_folder_hold(
    prefect_server, hub: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, url = hub
    _run(config)
    assert main(["audit", "--config", str(config)]) == EXIT_OK
    out = capsys.readouterr().out
    path = config.parent / "out" / "small-test" / "small-test-personal-data-audit.xlsx"
    assert f"Audit workbook: {path}" in out

    sheet = openpyxl.load_workbook(path)["Data held"]
    titles = column_titles(PersonalDataHeld)
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    header = rows.index(tuple(titles.values()))
    table = {r[0]: dict(zip(titles, r, strict=True)) for r in rows[header + 1 :]}
    for name in ("runs", "run_inputs", "return_figures", "validation_failures", "data_removals"):
        where = "" if name in ("runs", "data_removals") else " where run_id in (select run_id from runs)"
        assert table[name]["rows"] == _rows(url, f"select count(*) from {name}{where}")[0][0], name
    assert table["validation_failures"]["rows"] == 4
    assert (table["validation_failures"]["oldest_period"], table["validation_failures"]["newest_period"]) == (
        "2025/26",
        "2025/26",
    )
    # 2025/26 is the oldest year kept until the next academic year begins (1 September 2027 in 2026/27).
    following = AcademicYear(CURRENT.start_year + 1).start
    assert table["validation_failures"]["next_removal"].date() == following
    assert table["return_figures"]["next_removal"] == "[x]" and "for ever" in table["return_figures"]["kept"]
    year_folder = config.parent / "out" / "small-test" / "2025-26"
    folder = table[str(year_folder)]
    assert folder["rows"] == sum(1 for p in year_folder.rglob("*") if p.is_file()) == 6
    assert "validation report" in folder["personal_data"] and "3 school reports" in folder["personal_data"]
    assert folder["next_removal"].date() == following  # its validation report goes with the store's failures
    assert (
        f"validation_failures: 4 rows, 2025/26 to 2025/26; retention next removes some from {following:%d/%m/%Y}"
        in out
    )
