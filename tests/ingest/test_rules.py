"""Each rule fed a tiny file with its defect: the exact report row (file, Excel row, column, rule, value)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from foundation.hub_config import load_config
from ingest.pipeline import load_and_check
from schemas.periods import AcademicYear

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
KEY = b"rules-test-key-0123456789"
YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "hub")
    return tmp_path / "hub"


def _edit(hub: Path, relative: str, old: str, new: str, encoding: str = "utf-8") -> None:
    path = hub / relative
    text = path.read_text(encoding=encoding)
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new), encoding=encoding)


def _append(hub: Path, relative: str, line: str) -> None:
    with (hub / relative).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _report(hub: Path) -> set[tuple]:
    loaded = load_and_check(load_config(hub / "hub.toml"), key=KEY, year=YEAR, as_of=AS_OF)
    failures = pl.concat([item.failures for item in loaded])
    return {tuple(row) for row in failures.iter_rows()}


def test_the_fixture_is_clean(hub: Path) -> None:
    assert _report(hub) == set()


def test_urn_not_in_register(hub: Path) -> None:
    _edit(hub, "exports/singing.csv", "2025/26,100001,Sing Up", "2025/26,199999,Sing Up")
    assert _report(hub) == {
        (
            "singing",
            "singing.csv",
            2,
            "urn",
            "must be a URN in the GIAS register: check the URN, or update the GIAS download",
            "199999",
            "error",
        ),
    }


def test_closed_school_is_mapped_to_its_successor_with_a_warning(hub: Path) -> None:
    # 100004 closed in 2020; the links file names 100001 as its successor.
    _edit(hub, "exports/engagements.csv", "G2,100001,2025-11-10", "G2,100004,2025-11-10")
    assert _report(hub) == {
        (
            "engagements",
            "engagements.csv",
            3,
            "urn",
            "this school closed (GIAS); its successor URN 100001 is used instead. Please update the export to "
            "the new URN",
            "100004",
            "warning",
        ),
    }


def test_school_not_open_in_the_year_without_successor(hub: Path) -> None:
    _edit(hub, "dfe/links_edubasealldata20260901.csv", "100004,100001", "100004,100006")
    _edit(
        hub,
        "dfe/edubasealldata20260901.csv",
        '100006,"891","Nottinghamshire","2004","Trent Side Primary School","01","Community school","4","Local authority maintained schools","1","Open","",""',  # noqa: E501 - a file's row, as written
        '100006,"891","Nottinghamshire","2004","Trent Side Primary School","01","Community school","4","Local authority maintained schools","2","Closed","","31-08-2021"',  # noqa: E501 - a file's row, as written
        encoding="cp1252",
    )
    _edit(hub, "exports/engagements.csv", "G2,100001,2025-11-10", "G2,100004,2025-11-10")
    report = _report(hub)
    assert (
        "engagements",
        "engagements.csv",
        3,
        "urn",
        "the school was not open during 2025/26 (GIAS dates), and GIAS names no successor that was",
        "100004",
        "error",
    ) in report


def test_unknown_pupil_ref(hub: Path) -> None:
    _append(hub, "exports/ensemble_members.csv", "E1,S999,2025-09-15,")
    rows = _report(hub)
    assert len(rows) == 1
    (row,) = rows
    assert row[:5] == (
        "ensemble_members",
        "ensemble_members.csv",
        5,
        "pupil_ref",
        "must be an id listed in the pupils export",
    )
    assert row[5] != "S999" and row[6] == "error"  # the raw id never reaches the report


def test_unknown_ensemble(hub: Path) -> None:
    _append(hub, "exports/ensemble_members.csv", "E9,S001,2025-09-15,")
    assert _report(hub) == {
        (
            "ensemble_members",
            "ensemble_members.csv",
            5,
            "ensemble_id",
            "must be an id listed in the ensembles export",
            "E9",
            "error",
        ),
    }


def test_unknown_wcet_programme(hub: Path) -> None:
    _append(hub, "exports/wcet_participants.csv", "W9,S001")
    assert _report(hub) == {
        (
            "wcet_participants",
            "wcet_participants.csv",
            6,
            "programme_id",
            "must be an id listed in the wcet export",
            "W9",
            "error",
        ),
    }


def test_span_ending_before_it_starts(hub: Path) -> None:
    _edit(hub, "exports/ensemble_members.csv", "E1,S003,2025-09-15,", "E1,S003,2025-09-15,2025-09-01")
    assert _report(hub) == {
        (
            "ensemble_members",
            "ensemble_members.csv",
            2,
            "end_date",
            "must not be before start_date",
            "01/09/2025",
            "error",
        ),
    }


def test_date_after_the_as_of_date_is_a_warning(hub: Path) -> None:
    _edit(hub, "exports/engagements.csv", "G2,100001,2025-11-10", "G2,100001,2027-11-10")
    assert _report(hub) == {
        (
            "engagements",
            "engagements.csv",
            3,
            "date",
            "is after the as-of date (23/11/2026): check it is not a typing mistake",
            "10/11/2027",
            "warning",
        ),
    }


def test_one_pupil_under_two_refs(hub: Path) -> None:
    # Two pupils, each under two refs: rows 2 and 4 share one UPN, rows 3 and 5 another.
    _edit(hub, "exports/pupils.csv", "S001,,100001", "S001,A123456789012,100001")
    _edit(hub, "exports/pupils.csv", "S003,,100001", "S003,A123456789012,100001")
    _edit(hub, "exports/pupils.csv", "S002,,100001", "S002,P123456789013,100001")
    _edit(hub, "exports/pupils.csv", "S004,,100002", "S004,P123456789013,100002")
    rule = "the same UPN appears under more than one pupil_ref: merge the records so the pupil counts once"
    # The UPN is not shown; the rows with the same one say the same number, in the order of their first row.
    assert _report(hub) == {
        ("pupils", "pupils.csv", 2, "upn", rule, "(pseudonymised: UPN 1)", "error"),
        ("pupils", "pupils.csv", 4, "upn", rule, "(pseudonymised: UPN 1)", "error"),
        ("pupils", "pupils.csv", 3, "upn", rule, "(pseudonymised: UPN 2)", "error"),
        ("pupils", "pupils.csv", 5, "upn", rule, "(pseudonymised: UPN 2)", "error"),
    }


def test_wcet_class_larger_than_the_year_group_is_a_warning(hub: Path) -> None:
    # 100003 has 58 pupils in key stage 2, so about 15 in year 4.
    _edit(hub, "exports/wcet.csv", "Autumn,10,15,Y", "Autumn,10,25,Y")
    assert _report(hub) == {
        (
            "wcet",
            "wcet.csv",
            4,
            "pupils",
            "WCET pupils in this school's year group this term (25) exceed the census estimate for the year group "
            "(15, from its key-stage headcount)",
            "25",
            "warning",
        ),
    }


def test_school_twice_in_the_census(hub: Path) -> None:
    _append(
        hub,
        "dfe/spc_school_level_underlying_data_2026.csv",
        "202526,Academic year,School,830,Derbyshire,100001,8302001,Ashby Brook Primary School,210,210,30,60,120,0,0,0,42,105,105",  # noqa: E501 - a file's row, as written
    )
    assert _report(hub) == {
        (
            "census",
            "spc_school_level_underlying_data_2026.csv",
            2,
            "census_period, urn",
            "appears more than once across the files configured for this input",
            "202526 / 100001",
            "error",
        ),
        (
            "census",
            "spc_school_level_underlying_data_2026.csv",
            6,
            "census_period, urn",
            "appears more than once across the files configured for this input",
            "202526 / 100001",
            "error",
        ),
    }


def test_census_null_markers_are_missing_not_zero(hub: Path) -> None:
    loaded = load_and_check(load_config(hub / "hub.toml"), key=KEY, year=YEAR, as_of=AS_OF)
    census = next(item for item in loaded if item.source == "census").frame
    assert census.filter(pl.col("urn") == "100002").get_column("fsm_count").to_list() == [None]
    sen = next(item for item in loaded if item.source == "sen").frame
    assert sen.filter(pl.col("urn") == "100003").get_column("ehcp_count").to_list() == [None]


@pytest.mark.parametrize(
    ("old", "new", "column", "rule", "value"),
    [
        ("2025/26,100001,Sing Up,45", "2025/26,10001,Sing Up,45", "urn", "must be a 6-digit URN", "10001"),
        (
            "2025/26,100001,Sing Up,45",
            "2025-26,100001,Sing Up,45",
            "academic_year",
            "must be an academic year written YYYY/YY, such as 2025/26",
            "2025-26",
        ),
        ("Sing Up,45,Y,Y", "Sing Up,45,maybe,Y", "regular", "must be Y or N", "maybe"),
        ("Sing Up,45,Y,Y", "Sing Up,-45,Y,Y", "pupils", "must be 0 or more", "-45"),
        ("2025/26,100001,Sing Up,45", "2025/26,100001,,45", "programme", "must not be empty", None),
    ],
    ids=["urn-pattern", "year-pattern", "boolean", "negative-count", "required-value"],
)
def test_value_rules(hub: Path, old: str, new: str, column: str, rule: str, value: str | None) -> None:
    _edit(hub, "exports/singing.csv", old, new)
    assert _report(hub) == {("singing", "singing.csv", 2, column, rule, value, "error")}
