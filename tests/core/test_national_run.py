"""The national run without Prefect (the command line's path): hubs in this machine's pool, then the check."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.hub_run import run_request
from core.national_run import CHECK_FOLDER, run_national_here
from core.pupil_key import hub_key
from core.runner import PlainRunner
from hubreturns.synthetic.england import generate_england
from schemas.periods import AcademicYear

YEAR, AS_OF = "2025/26", "2026-11-23"
READ_AGAIN = "its run checked no inputs, so they are read for the check"


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("england")
    generate_england(folder, seed=7, year=AcademicYear(2025), hubs=2, schools_per_la=12, workers=1)
    return folder


def _national(england: Path, *, skip_unchanged: bool = False):  # type: ignore[no-untyped-def]
    request = run_request(YEAR, AS_OF, sections=["annual_return"], skip_unchanged=skip_unchanged)
    return run_national_here(
        england / "hubs",
        request,
        hub_key,
        check_totals=True,
        output_dir=None,
        processes=2,
        runner=PlainRunner(hub_key),
    )


def test_the_check_reads_what_the_hubs_runs_validated_and_leaves_nothing_behind(
    england: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="hubreturns"):
        summary = _national(england)
    assert [hub.status for hub in summary.hubs] == ["published", "published"]
    assert summary.reconciled is True
    assert summary.england.get_column("reconciled").to_list() == [True] * summary.england.height
    # Each hub's validated inputs were saved by its run and read back: no file was read a second time.
    assert READ_AGAIN not in caplog.text
    assert not any((england / "out" / CHECK_FOLDER).glob("*/*")), "the check's inputs are removed at the end"

    # Nothing changed: the hubs' runs do nothing, so the check reads and checks their files itself.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="hubreturns"):
        again = _national(england, skip_unchanged=True)
    assert [hub.status for hub in again.hubs] == ["unchanged", "unchanged"]
    assert again.reconciled is True
    assert caplog.text.count(READ_AGAIN) == 2
    assert again.england.get_column("count").to_list() == summary.england.get_column("count").to_list()
