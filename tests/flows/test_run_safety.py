"""Running safely, unattended: one run per hub at a time, a killed run loses nothing, reruns are identical,
and a nightly run with nothing new does nothing. Real flow runs, real processes, real files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
pytestmark = pytest.mark.flow
PERIOD = {"academic_year": "2025/26", "as_of": "2026-11-23"}


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    folder = tmp_path / "hub_small"
    shutil.copytree(FIXTURE, folder)
    return folder / "hub.toml"


def _workbooks(hub: Path) -> list[Path]:
    """The published workbooks (a run's staging folder is not published)."""
    return sorted(p for p in (hub.parent / "out").rglob("*.xlsx") if ".staging" not in p.parts)


def _staged(hub: Path, name: str) -> list[Path]:
    """A workbook of that name being written in a run's staging folder."""
    return list((hub.parent / "out" / "small-test" / ".staging").glob(f"*/small-test/2025-26/{name}"))


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every cell value of every sheet, the cover's run-id rows left out (they name the run)."""
    workbook = openpyxl.load_workbook(path)
    return {
        ws.title: [
            row
            for row in ws.iter_rows(values_only=True)
            if not (ws.title == "Cover" and row[0] in ("Run id", "Compared with run"))
        ]
        for ws in workbook.worksheets
    }


def _runs(hub: Path) -> list[tuple]:
    """(status, figures recorded) of each run in the store, oldest first; none when there is no store yet."""
    database = hub.parent / "hubreturns.db"
    if not database.exists():
        return []
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                sa.text(
                    "select r.status, count(f.id) from runs r left join return_figures f on f.run_id = r.run_id "
                    "group by r.run_id, r.status, r.started_at order by r.started_at"
                )
            ).all()
        ]


def test_back_to_back_reruns_give_identical_cells_and_the_store_keeps_both(prefect_server, hub: Path) -> None:
    from flows.annual_return import annual_return

    first = annual_return(config_path=str(hub), **PERIOD)
    before = {path: _cells(path) for path in _workbooks(hub)}
    second = annual_return(config_path=str(hub), **PERIOD)
    after = {path: _cells(path) for path in _workbooks(hub)}
    assert first.run_id != second.run_id
    assert len(before) == 3 + 3  # return, tracker, validation report, and three school reports
    # Same files (replaced, not added), same cells everywhere but the cover's run ids.
    assert list(after) == list(before)
    assert [path.name for path in after if after[path] != before[path]] == []
    assert [status for status, _ in _runs(hub)] == ["published", "published"]


def _hold_lock(lock: Path) -> subprocess.Popen:
    """Another process holding the hub's run lock, as a run in progress does."""
    code = (
        "import sys, time; from filelock import FileLock; "
        f"lock = FileLock({str(lock)!r}); lock.acquire(); print('held', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_run_of_the_same_hub_is_refused_while_one_runs(prefect_server, hub: Path) -> None:
    from core.run_lock import hub_lock_path
    from flows.annual_return import annual_return

    holder = _hold_lock(hub_lock_path(hub.parent / "out", "small-test"))
    try:
        state = annual_return(config_path=str(hub), **PERIOD, return_state=True)
    finally:
        holder.kill()
        holder.wait()
    assert state.is_failed()
    assert "Another run of Small Test Hub is in progress" in state.message
    assert _workbooks(hub) == [] and _runs(hub) == []
    # Once the other run has ended (here: killed), the lock is free again.
    assert annual_return(config_path=str(hub), **PERIOD).status == "published"


def _run_in_a_process(hub: Path) -> subprocess.Popen:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    command = [
        sys.executable,
        "-m",
        "hubreturns.cli",
        "run",
        "--config",
        str(hub),
        "--year",
        "2025/26",
        "--as-of",
        "2026-11-23",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("kill_when", ["validation report written", "annual return written"])
def test_a_run_killed_part_way_leaves_the_last_set_of_workbooks_and_a_consistent_store(
    prefect_server, hub: Path, kill_when: str
) -> None:
    from flows.annual_return import annual_return

    first = annual_return(config_path=str(hub), **PERIOD)
    before = {path: path.read_bytes() for path in _workbooks(hub)}
    watched = Path(
        first.outputs["validation_report" if kill_when.startswith("validation") else "annual_return"]
    )
    run = _run_in_a_process(hub)
    deadline = time.monotonic() + 120
    while not _staged(hub, watched.name) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert run.poll() is None, "the run ended before it could be killed part-way"
    run.send_signal(signal.SIGKILL)
    run.wait()

    # All or nothing: the killed run had written into its staging folder only, so every published workbook is
    # byte for byte the first run's, the validation report included.
    assert {path: path.read_bytes() for path in _workbooks(hub)} == before
    for path in before:
        openpyxl.load_workbook(path)
    # The killed run recorded nothing: the store holds the first run and its figures, consistent.
    assert _runs(hub) == [("published", _runs(hub)[0][1])] and _runs(hub)[0][1] > 0
    # The killed run's lock went with its process: the next run goes ahead.
    assert annual_return(config_path=str(hub), **PERIOD).status == "published"
    # The killed run's staging folder (and any temporary file in it) is cleared by the next run of the hub.
    assert list((hub.parent / "out").rglob("*.tmp")) == []
    assert list((hub.parent / "out" / "small-test" / ".staging").iterdir()) == []


def test_nightly_does_nothing_when_no_input_changed(prefect_server, hub: Path) -> None:
    from flows.nightly import nightly

    first = nightly(config_paths=[str(hub)], as_of="2026-11-23")[0]
    written = {path: path.stat().st_mtime_ns for path in _workbooks(hub)}
    second = nightly(config_paths=[str(hub)], as_of="2026-11-23")[0]
    assert (first.status, second.status) == ("published", "unchanged")
    assert (
        "nothing to do, the workbooks of that run stand" in second.message and first.run_id in second.message
    )
    assert {path: path.stat().st_mtime_ns for path in _workbooks(hub)} == written  # nothing rewritten

    singing = hub.parent / "exports" / "singing.csv"
    singing.write_text(singing.read_text().replace(",45,", ",50,"))
    third = nightly(config_paths=[str(hub)], as_of="2026-11-23")[0]
    assert third.status == "published"
    assert [status for status, _ in _runs(hub)] == ["published", "unchanged", "published"]


def _artifact(key: str) -> str:
    """The latest markdown artifact with this key, read back from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return str(artifacts[0].data)


def test_each_run_leaves_an_artifact_with_kpis_validation_counts_and_outputs(
    prefect_server, hub: Path
) -> None:
    from flows.annual_return import annual_return

    summary = annual_return(config_path=str(hub), **PERIOD, skip_unchanged=True)
    text = _artifact("small-test-annual-return")
    assert text.startswith("# small-test 2025/26: published")
    assert "| KPI 1 | Pupils" in text and "| 17 | 1.9% |" in text  # 17 of 900
    assert "Validation: 0 error(s), 0 warning(s); rows quarantined: 0" in text
    assert summary.outputs["school_engagement"] in text and summary.outputs["annual_return"] in text
    again = annual_return(config_path=str(hub), **PERIOD, skip_unchanged=True)
    assert again.status == "unchanged"
    assert _artifact("small-test-annual-return").startswith("# small-test 2025/26: nothing to do")
