"""The command line without Prefect and the Prefect flow run the same core: same outputs, cell by cell.

Without a Prefect API configured, `hubreturns run` calls the core's sequence in its own process (no server to
start); the flow calls the same steps as tasks. On one fixture hub, both paths must write the same files with
the same cells (run ids aside) and record the same figures.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PERIODS = (["--year", "2024/25", "--as-of", "2026-11-23"], ["--year", "2025/26", "--as-of", "2026-11-23"])
pytestmark = pytest.mark.flow


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name / "hub_small"
    shutil.copytree(FIXTURE, folder)
    return folder / "hub.toml"


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cells as values, with run ids replaced (they name the run, so they differ by design)."""
    workbook = openpyxl.load_workbook(path)
    return {
        ws.title: [
            tuple(UUID.sub("<run id>", v) if isinstance(v, str) else v for v in row)
            for row in ws.iter_rows(values_only=True)
        ]
        for ws in workbook.worksheets
    }


def _outputs(config: Path) -> dict[str, Path]:
    out = config.parent / "out"
    return {
        str(p.relative_to(out)): p for p in sorted(out.rglob("*")) if p.is_file() and ".lock" not in p.name
    }


def _figures(config: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{config.parent / 'hubreturns.db'}")
    with engine.connect() as connection:
        runs = connection.execute(
            sa.text("select academic_year, status, flow_run_id from runs order by started_at")
        ).all()
        figures = connection.execute(
            sa.text(
                "select r.academic_year, f.sheet, f.measure, f.breakdown, f.value from return_figures f "
                "join runs r on r.run_id = f.run_id order by 1, 2, 3, 4"
            )
        ).all()
    engine.dispose()
    return [(year, status, flow_run_id is None) for year, status, flow_run_id in runs], figures


def _run_without_prefect(config: Path, period: list[str]) -> subprocess.CompletedProcess:
    """`hubreturns run` in a fresh process with no Prefect API, reporting whether Prefect was ever imported."""
    script = (
        "import sys; from hubreturns.cli import main; code = main(sys.argv[1:]); "
        "print('PREFECT IMPORTED' if 'prefect' in sys.modules else 'no prefect'); sys.exit(code)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run(
        [sys.executable, "-c", script, "run", "--config", str(config), *period, "--published"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_the_command_line_and_the_flow_write_the_same_cells(prefect_server, tmp_path: Path) -> None:
    from flows.annual_return import annual_return

    plain, flowed = _copy(tmp_path, "plain"), _copy(tmp_path, "flow")
    for period in PERIODS:
        done = _run_without_prefect(plain, period)
        assert done.returncode == 0, done.stderr
        # The in-process path never starts (or imports) Prefect: that is the wait it saves.
        assert done.stdout.strip().endswith("no prefect"), done.stdout
        assert "rows read" in done.stderr and "published" in done.stderr  # the same log lines, on stderr
        year, as_of = period[1], period[3]
        annual_return(config_path=str(flowed), academic_year=year, as_of=as_of, published=True)

    plain_files, flow_files = _outputs(plain), _outputs(flowed)
    assert sorted(plain_files) == sorted(flow_files)
    workbooks = [name for name in plain_files if name.endswith(".xlsx")]
    assert len(workbooks) >= 6  # return, published return, tracker, validation report, school reports
    for name in workbooks:
        assert _cells(plain_files[name]) == _cells(flow_files[name]), name
    for name in (n for n in plain_files if n.endswith(".csv")):
        with plain_files[name].open(encoding="utf-8") as a, flow_files[name].open(encoding="utf-8") as b:
            assert list(csv.reader(a)) == list(csv.reader(b)), name

    plain_runs, plain_figures = _figures(plain)
    flow_runs, flow_figures = _figures(flowed)
    assert plain_figures == flow_figures and len(plain_figures) > 100
    # The same runs and statuses; only the flow's runs name a Prefect flow run.
    assert (
        [r[:2] for r in plain_runs]
        == [r[:2] for r in flow_runs]
        == [("2024/25", "published")] * 1 + [("2025/26", "published")]
    )
    assert all(no_flow_run for *_, no_flow_run in plain_runs)
    assert not any(no_flow_run for *_, no_flow_run in flow_runs)


def test_the_command_line_refuses_bad_input_in_the_same_words_without_prefect(tmp_path: Path) -> None:
    config = _copy(tmp_path, "bad")
    singing = config.parent / "exports" / "singing.csv"
    lines = singing.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("urn")] = "not-a-urn"
    singing.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    done = _run_without_prefect(config, list(PERIODS[1]))
    assert done.returncode == 1
    assert "singing.csv row 2, column 'urn'" in done.stderr and "nothing new was published" in done.stderr
    assert "Traceback" not in done.stderr
    assert (config.parent / "out" / "small-test" / "2025-26" / "small-test-2025-26-validation.xlsx").is_file()
