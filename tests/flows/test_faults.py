"""Faults, for real: a run killed at each stage, a database that cannot be reached or drops the connection,
and an output folder that is full or read-only. Each leaves the last good workbooks and a consistent store,
and says what happened in a data officer's words.

A killed run is a real process killed with SIGKILL: this file doubles as the script that process runs
(``python tests/flows/test_faults.py <stage> <hub.toml> <marker>``), which replaces one stage's function with
one that kills its own process part-way (half a workbook written to its temporary file, or the run's rows
inserted in the still-open store transaction), so the kill lands at exactly that stage every time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn, Self

import openpyxl
import pytest
import sqlalchemy as sa

from store.repository import store_engine

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
PERIOD = {"academic_year": "2025/26", "as_of": "2026-11-23"}
YEAR = Path("out") / "small-test" / "2025-26"
VALIDATION = YEAR / "small-test-2025-26-validation.xlsx"
RETURN = YEAR / "small-test-2025-26-annual-return.xlsx"
PUBLISHED = YEAR / "small-test-2025-26-annual-return-published.xlsx"
TRACKER = YEAR / "small-test-2025-26-school-engagement.xlsx"
# What a run does, in the order it does it (flows/annual_return.py: _build): every workbook is written into the
# run's staging folder, then the run is recorded in the store, then the whole set is published in one step.
STAGES = [
    "reading",
    "validating",
    "validation_report",
    "annual_return",
    "published",
    "tracker",
    "school_reports",
    "store",
    "publish",
]
# The stages that are a workbook being written: the kill leaves its half-written temporary file.
WORKBOOK_STAGES = ("validation_report", "annual_return", "published", "tracker", "school_reports")
pytestmark = pytest.mark.flow


# --- the killed run's own process ------------------------------------------------------------------------


def _die(marker: Path, stage: str) -> NoReturn:
    """Say how far the run got, then die as a power cut or an OOM kill would: no clean-up of any kind."""
    marker.write_text(stage)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


class _HalfWrittenThenKilled:
    """A workbook's temporary file that receives half the workbook, reaches the disk, and then the kill."""

    def __init__(self, handle: Any, marker: Path, stage: str) -> None:
        self._handle, self._marker, self._stage = handle, marker, stage

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._handle.close()

    def write(self, content: bytes) -> int:
        self._handle.write(content[: len(content) // 2])
        self._handle.flush()
        os.fsync(self._handle.fileno())
        _die(self._marker, self._stage)


class _KillingOs:
    """``os`` as outputs/workbook_files.py sees it, except that the chosen workbook's write is killed half-way."""

    def __init__(self, is_target: Any, marker: Path, stage: str) -> None:
        self._is_target, self._marker, self._stage = is_target, marker, stage
        self._paths: dict[int, Path] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def open(self, path: Any, flags: int, mode: int = 0o777) -> int:
        descriptor = os.open(path, flags, mode)
        self._paths[descriptor] = Path(path)
        return descriptor

    def fdopen(self, descriptor: int, *args: Any, **kwargs: Any) -> Any:
        handle = os.fdopen(descriptor, *args, **kwargs)
        temporary = self._paths.pop(descriptor, None)
        if temporary is not None and self._is_target(temporary):
            return _HalfWrittenThenKilled(handle, self._marker, self._stage)
        return handle


def _kill_at(stage: str, marker: Path) -> None:
    """Replace the function doing ``stage`` with one that kills this process part-way through it."""
    import core.hub_run as flow_module
    from outputs import workbook_files

    if stage == "reading":
        real_load = flow_module.load_hub_export

        def load_hub_export(source: str, *args: Any, **kwargs: Any) -> Any:
            if source == "singing":  # some exports read already, this one (the changed one) not yet
                _die(marker, stage)
            return real_load(source, *args, **kwargs)

        flow_module.load_hub_export = load_hub_export
    elif stage == "validating":
        flow_module.check_loaded = lambda *_args, **_kwargs: _die(marker, stage)  # the rules across files
    elif stage == "publish":
        # The run is recorded (the store's transaction committed); its set is about to replace the published one.
        flow_module.publish = lambda *_args, **_kwargs: _die(marker, stage)
    elif stage == "store":
        # Inside record_run's transaction, after the run row, its inputs and its figures have been inserted.
        def after_figures(conn, cursor, statement, *_args: object) -> None:  # type: ignore[no-untyped-def]
            if statement.lstrip().upper().startswith("INSERT INTO RETURN_FIGURES"):
                _die(marker, stage)

        sa.event.listen(sa.Engine, "after_cursor_execute", after_figures)
    else:
        targets = {
            "validation_report": VALIDATION.name,
            "annual_return": RETURN.name,
            "published": PUBLISHED.name,
            "tracker": TRACKER.name,
        }
        reports_begun: list[Path] = []

        def is_target(temporary: Path) -> bool:
            if stage == "school_reports":  # the second school report: the first is already in place
                if temporary.parent.name == "schools":
                    reports_begun.append(temporary)
                return len(reports_begun) == 2 and reports_begun[-1] == temporary
            return temporary.name.startswith(f".{targets[stage]}.")

        workbook_files.os = _KillingOs(is_target, marker, stage)  # type: ignore[assignment]


if __name__ == "__main__":
    from flows.annual_return import annual_return

    _stage, _config, _marker = sys.argv[1:4]
    _kill_at(_stage, Path(_marker))
    annual_return(config_path=_config, **PERIOD, published=True)
    sys.exit("the run finished: it was never killed")


# --- the tests ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_run(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small hub after one good run (published variant, every section), made once and copied per test."""
    from flows.annual_return import annual_return

    folder = tmp_path_factory.mktemp("good") / "hub_small"
    shutil.copytree(FIXTURE, folder)
    assert annual_return(config_path=str(folder / "hub.toml"), **PERIOD, published=True).status == "published"
    return folder


@pytest.fixture
def hub(good_run: Path, tmp_path: Path) -> Path:
    """A copy of the hub after its good run, with an input changed so a second run's workbooks would differ."""
    folder = tmp_path / "hub_small"
    shutil.copytree(good_run, folder)
    singing = folder / "exports" / "singing.csv"
    singing.write_text(singing.read_text().replace(",45,", ",50,"))
    return folder / "hub.toml"


def _workbooks(hub: Path) -> dict[Path, bytes]:
    """Every published workbook under the hub's output folder, by path relative to the hub's folder."""
    return {
        p.relative_to(hub.parent): p.read_bytes()
        for p in sorted((hub.parent / "out").rglob("*.xlsx"))
        if ".staging" not in p.parts
    }


def _temporaries(hub: Path) -> list[Path]:
    return sorted((hub.parent / "out").rglob("*.tmp"))


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


def _store(url: str) -> list[tuple]:
    """Each run with its status and how many inputs, figures and failures it recorded, oldest first."""
    engine = store_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(r)
                for r in connection.execute(
                    sa.text(
                        "select r.run_id, r.status,"
                        " (select count(*) from run_inputs i where i.run_id = r.run_id),"
                        " (select count(*) from return_figures f where f.run_id = r.run_id),"
                        " (select count(*) from validation_failures v where v.run_id = r.run_id)"
                        " from runs r order by r.started_at"
                    )
                ).all()
            ]
    finally:
        engine.dispose()


def _orphans(url: str) -> int:
    """Rows of any run's details whose run is not in the runs table: a half-written run."""
    engine = store_engine(url)
    try:
        with engine.connect() as connection:
            return sum(
                connection.execute(
                    sa.text(f"select count(*) from {table} where run_id not in (select run_id from runs)")
                ).scalar_one()
                for table in ("run_inputs", "return_figures", "validation_failures")
            )
    finally:
        engine.dispose()


def _sqlite(hub: Path) -> str:
    return f"sqlite:///{hub.parent / 'hubreturns.db'}"


@pytest.mark.parametrize("stage", STAGES)
def test_a_run_killed_at_each_stage_leaves_whole_last_good_workbooks_and_a_consistent_store(
    prefect_server, hub: Path, tmp_path: Path, stage: str
) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.annual_return import annual_return

    before, runs_before = _workbooks(hub), _store(_sqlite(hub))
    assert len(before) == 4 + 3 and [status for _, status, *_ in runs_before] == ["published"]

    marker = tmp_path / "reached"
    killed = subprocess.run(
        [sys.executable, __file__, stage, str(hub), str(marker)],
        env={**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())},  # the session's test server
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert marker.read_text() == stage  # killed exactly there, not earlier by something else

    # All or nothing: whatever the stage, the published folder holds the previous run's set, byte for byte.
    assert _workbooks(hub) == before
    for path in before:
        openpyxl.load_workbook(hub.parent / path)
    # The workbook being written when the kill came is a half-written temporary file in the staging folder.
    assert len(_temporaries(hub)) == (1 if stage in WORKBOOK_STAGES else 0)
    assert all(".staging" in path.parts for path in _temporaries(hub))
    # The store has no trace of the killed run (no run row, nor inputs, figures or failures without one), unless
    # it was killed after recording the run: then the store has both runs, and the published set is still the
    # previous one, which the store has too.
    if stage == "publish":
        first, killed_run = _store(_sqlite(hub))
        assert first == runs_before[0] and killed_run[1] == "publishing"
    else:
        assert _store(_sqlite(hub)) == runs_before
    assert _orphans(_sqlite(hub)) == 0

    # The next run goes ahead (the killed run's lock went with it), clears the staging folder, publishes.
    assert annual_return(config_path=str(hub), **PERIOD, published=True).status == "published"
    assert _temporaries(hub) == []
    assert list((hub.parent / "out" / "small-test" / ".staging").iterdir()) == []
    statuses = [status for _, status, *_ in _store(_sqlite(hub))]
    assert statuses == ["published", "interrupted", "published"] if stage == "publish" else ["published"] * 2
    assert _orphans(_sqlite(hub)) == 0
    assert set(_workbooks(hub)) == set(before) and _workbooks(hub) != before


def test_an_unreachable_database_fails_the_run_plainly_and_leaves_the_outputs(
    prefect_server, hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.annual_return import annual_return
    from store import repository

    monkeypatch.setattr(repository, "RETRY_DELAYS_SECONDS", (0.1, 0.1))
    before, runs_before = _workbooks(hub), _store(_sqlite(hub))
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", "postgresql://hubreturns:s3cret-pw@127.0.0.1:1/hubreturns")
    state = annual_return(config_path=str(hub), **PERIOD, published=True, return_state=True)
    assert state.is_failed()
    assert state.message.startswith(
        "The store's database, 'hubreturns' on the PostgreSQL server at 127.0.0.1:1 as user hubreturns, "
        "could not be reached while connecting to it (3 attempts): "
    )
    assert "Check that the database server is running" in state.message
    assert "s3cret" not in state.message and "Traceback" not in state.message
    assert _workbooks(hub) == before and _temporaries(hub) == []
    assert _store(_sqlite(hub)) == runs_before


@pytest.mark.postgres
def test_a_connection_dropped_while_the_run_is_recorded_is_retried_and_the_run_recorded_once(
    prefect_server, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.annual_return import annual_return
    from store import repository

    monkeypatch.setattr(repository, "RETRY_DELAYS_SECONDS", (0.1, 0.1))
    shutil.copytree(FIXTURE, tmp_path / "hub_small")
    hub = tmp_path / "hub_small" / "hub.toml"
    admin = repository.store_engine(postgres_url)
    dropped: list[int] = []

    def drop_once(conn, cursor, statement, *_args: object) -> None:  # type: ignore[no-untyped-def]
        """The server ends the run's connection as it is about to insert the figures (run row already in)."""
        if not dropped and statement.lstrip().upper().startswith("INSERT INTO RETURN_FIGURES"):
            dropped.append(cursor.connection.info.backend_pid)
            with admin.connect() as other:
                other.execute(sa.text("select pg_terminate_backend(:pid, 5000)"), {"pid": dropped[0]})

    sa.event.listen(sa.Engine, "before_cursor_execute", drop_once)
    try:
        monkeypatch.setenv("HUBRETURNS_DATABASE_URL", postgres_url)
        summary = annual_return(config_path=str(hub), **PERIOD)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", drop_once)
        admin.dispose()
    assert len(dropped) == 1 and summary.status == "published"
    runs = _store(postgres_url)
    assert [(run_id, status) for run_id, status, *_ in runs] == [(summary.run_id, "published")]
    engine = repository.store_engine(postgres_url)
    try:
        with engine.connect() as connection:
            duplicates = connection.execute(
                sa.text(
                    "select count(*) from (select sheet, measure, breakdown from return_figures"
                    " group by sheet, measure, breakdown having count(*) > 1) d"
                )
            ).scalar_one()
        figures = repository.run_figures(engine, summary.run_id)
    finally:
        engine.dispose()
    assert duplicates == 0 and figures.height == runs[0][3] > 0  # one copy of each figure
    assert _orphans(postgres_url) == 0


class _NoSpaceOs:
    """``os`` as outputs/workbook_files.py sees it on a full disk that reports it when the data is flushed."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def fsync(_descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextlib.contextmanager
def _full_output_folder(out: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The hub's output folder on a real 4 MB filesystem, filled up; where mounting is not allowed (not root),
    the workbook write fails with the error a full disk gives instead. Yields which of the two it is."""
    kept = out.with_name("out.kept")
    out.rename(kept)
    out.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(out)], check=False, capture_output=True
    )
    try:
        if mounted.returncode == 0:
            shutil.copytree(kept, out, dirs_exist_ok=True)
            # Unbuffered, so the last write fills the last page and the next one meets ENOSPC.
            with contextlib.suppress(OSError), (out / "filler").open("wb", buffering=0) as filler:
                while True:
                    filler.write(b"\0" * 65536)
            yield "tmpfs"
        else:
            from outputs import workbook_files

            shutil.copytree(kept, out, dirs_exist_ok=True)
            monkeypatch.setattr(workbook_files, "os", _NoSpaceOs())
            yield "simulated"
    finally:
        if mounted.returncode == 0:
            subprocess.run(["umount", "-l", str(out)], check=True)
            shutil.rmtree(out)
            kept.rename(out)


def test_a_full_output_folder_fails_plainly_and_keeps_the_last_good_outputs(
    prefect_server, hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.annual_return import annual_return

    before, runs_before = _workbooks(hub), _store(_sqlite(hub))
    out = hub.parent / "out"
    with _full_output_folder(out, monkeypatch):
        state = annual_return(config_path=str(hub), **PERIOD, published=True, return_state=True)
        assert _workbooks(hub) == before and _temporaries(hub) == []
    assert state.is_failed()
    assert state.message.startswith(
        f"Could not write small-test-2025-26-validation.xlsx: the output folder {hub.parent / YEAR} is full "
        "(no space left on its disk). Free some space there"
    )
    assert _workbooks(hub) == before and _store(_sqlite(hub)) == runs_before


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[str]:
    """A folder no file can be created in: for root (whom chmod does not stop) the immutable attribute."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "chmod 555"
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True).returncode != 0:
        pytest.skip("running as root on a filesystem without chattr +i: no way to make a folder read-only")
    try:
        yield "chattr +i"
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_output_folder_fails_plainly_and_keeps_the_last_good_outputs(
    prefect_server, hub: Path
) -> None:
    from flows.annual_return import annual_return

    before, runs_before = _workbooks(hub), _store(_sqlite(hub))
    with _read_only(hub.parent / YEAR):
        state = annual_return(config_path=str(hub), **PERIOD, published=True, return_state=True)
    assert state.is_failed()
    assert state.message.startswith(f"Could not publish the run's outputs in {hub.parent / YEAR} (")
    assert "it is read-only, or this account may not write there" in state.message
    assert "Nothing new was published" in state.message
    assert _workbooks(hub) == before and _temporaries(hub) == []
    # The run was recorded, then could not publish: the store says it failed, and why.
    first, refused = _store(_sqlite(hub))
    assert first == runs_before[0] and refused[1] == "failed"


def test_an_output_folder_that_is_a_file_refuses_the_run_before_it_starts(tmp_path: Path) -> None:
    from core.run_lock import hub_run_lock
    from foundation.errors import RunRefused

    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(RunRefused) as refused, hub_run_lock(tmp_path / "out", "small-test", "Small Test Hub"):
        pass
    assert str(refused.value).startswith(
        f"The output folder {tmp_path / 'out' / 'small-test'} of Small Test Hub cannot be written to (Not a directory)"
    )
