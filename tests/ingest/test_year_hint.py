"""The hint for a check run on a year the exports do not cover, on the small hub's real files read back."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from foundation.hub_config import load_config
from ingest.pipeline import load_and_check
from ingest.sources import LoadedInput
from ingest.year_hint import exports_year_hint
from schemas.periods import AcademicYear

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
KEY = b"year-hint-test-key-012345"


def _loaded(hub: Path, year: AcademicYear, as_of: date) -> list[LoadedInput]:
    return load_and_check(load_config(hub / "hub.toml"), key=KEY, year=year, as_of=as_of)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "hub")
    return tmp_path / "hub"


def test_exports_of_last_year_checked_as_this_year_say_which_year_they_cover(hub: Path) -> None:
    # The small hub's exports are of 2025/26, with a few rows of 2024/25 (a WCET class, a singing programme,
    # a lesson and a membership, for progression); validate without a year on 1 December 2026 checks 2026/27.
    year = AcademicYear(2026)
    hint = exports_year_hint(_loaded(hub, year, date(2026, 12, 1)), year)
    assert hint == (
        "The activity exports hold no activity in 2026/27: their dates fall in 2024/25 and 2025/26. "
        "To check 2025/26, run validate with --year 2025/26."
    )


def test_exports_of_one_year_name_it(hub: Path) -> None:
    _drop_lines(hub, "wcet.csv", "W5,2024/25")
    _drop_lines(hub, "ensemble_members.csv", "2024-09-15")
    _drop_lines(hub, "singing.csv", "2024/25")
    _drop_lines(hub, "tuition.tsv", "2024-09-10")
    year = AcademicYear(2026)
    hint = exports_year_hint(_loaded(hub, year, date(2026, 12, 1)), year)
    assert hint == (
        "The activity exports hold no activity in 2026/27: their dates fall in 2025/26. "
        "To check that year, run validate with --year 2025/26."
    )


def _drop_lines(hub: Path, name: str, containing: str) -> None:
    path = hub / "exports" / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if containing not in line]
    assert len(kept) < len(lines), f"{containing!r} not in {name}"
    path.write_text("".join(kept), encoding="utf-8")


def test_no_hint_when_the_exports_cover_the_year(hub: Path) -> None:
    year = AcademicYear(2025)
    assert exports_year_hint(_loaded(hub, year, date(2026, 8, 31)), year) is None


def test_one_contact_in_the_year_is_activity_in_it(hub: Path) -> None:
    path = hub / "exports" / "engagements.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2025-11-10", "2026-09-14"), encoding="utf-8")
    year = AcademicYear(2026)
    assert exports_year_hint(_loaded(hub, year, date(2026, 12, 1)), year) is None


def test_the_year_suggested_is_the_one_most_dates_fall_in(hub: Path) -> None:
    # Every 2025/26 singing programme and WCET class moved to 2027/28, a year later than the check: most dates
    # (lessons, members, contacts) are still in 2025/26.
    for name in ("singing.csv", "wcet.csv"):
        path = hub / "exports" / name
        path.write_text(
            path.read_text(encoding="utf-8")
            .replace(",2025/26,", ",2027/28,")
            .replace("\n2025/26,", "\n2027/28,"),
            encoding="utf-8",
        )
    year = AcademicYear(2026)
    hint = exports_year_hint(_loaded(hub, year, date(2026, 12, 1)), year)
    assert hint is not None
    assert hint.startswith(
        "The activity exports hold no activity in 2026/27: their dates fall in 2024/25, 2025/26 and 2027/28."
    )
    assert hint.endswith("To check 2025/26, run validate with --year 2025/26.")


def test_no_hint_without_any_dated_activity(hub: Path) -> None:
    year = AcademicYear(2026)
    loaded = [item for item in _loaded(hub, year, date(2026, 12, 1)) if item.source in ("gias", "pupils")]
    assert exports_year_hint(loaded, year) is None
