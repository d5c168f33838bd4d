"""Singing on a few school programmes, with the expected figures worked out by hand."""

import polars as pl
import pytest

from schemas.hub_exports import Singing
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import census, establishments, frame, school
from transforms.singing import regular_singer_count, singing_sheet
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
A, B, C, D, E = "100001", "100002", "100003", "100004", "100005"  # A, B primary; D, E secondary; C outside


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(
        school(A),
        school(B),
        school(C, la_code="891"),
        school(D, phase_name="Secondary"),
        school(E, phase_name="Secondary"),
    )
    return school_universe(register, la_codes=("830",), year=YEAR)


@pytest.fixture
def singing() -> pl.LazyFrame:
    return frame(
        Singing,
        [
            {"urn": A, "pupils": 60, "regular": True, "school_choir": True},
            {"urn": A, "pupils": 100, "regular": False},  # not regular: only in all singers
            {"urn": B, "pupils": 40, "regular": True},
            {"urn": D, "pupils": 30, "regular": True, "school_choir": True},
            {"urn": C, "pupils": 50, "regular": True, "school_choir": True},  # outside the hub's area
            # Last year's programmes: not counted, B's choir included.
            {"urn": A, "pupils": 80, "regular": True, "school_choir": True, "academic_year": "2024/25"},
            {"urn": B, "pupils": 25, "regular": True, "school_choir": True, "academic_year": "2024/25"},
        ],
        academic_year="2025/26",
        programme="Sing Up",
        school_choir=False,
    )


@pytest.fixture
def roll() -> pl.LazyFrame:
    return census([(A, 200), (B, 100), (C, 300), (D, 600), (E, 100)])  # universe: 1000 (C outside)


@pytest.fixture
def sheet(singing, universe, roll) -> pl.DataFrame:
    return singing_sheet(singing, universe, roll, year=YEAR).collect()


def _rows(sheet: pl.DataFrame, measure_id: str) -> list[tuple]:
    return (
        sheet.filter(pl.col("measure_id") == measure_id)
        .select("breakdown", "group", "count", "denominator", "count_pct")
        .rows()
    )


def test_regular_singers_sum_the_regular_programmes_of_the_year(singing, universe) -> None:
    # 60 (A) + 40 (B) + 30 (D) = 130; A's 100 are not regular, C is outside, 80 and 25 were last year.
    assert regular_singer_count(singing, universe, year=YEAR).collect().item() == 130


def test_regular_singers_by_phase_out_of_pupils_on_roll(sheet) -> None:
    assert _rows(sheet, "singing_regular") == [
        ("All", "All", 130.0, 1000.0, pytest.approx(0.13)),
        ("Phase", "Primary", 100.0, None, None),  # 60 + 40
        ("Phase", "Secondary", 30.0, None, None),
    ]


def test_all_singers_include_programmes_that_are_not_regular(sheet) -> None:
    assert _rows(sheet, "singing_pupils") == [
        ("All", "All", 230.0, 1000.0, pytest.approx(0.23)),  # 60 + 100 + 40 + 30
        ("Phase", "Primary", 200.0, None, None),
        ("Phase", "Secondary", 30.0, None, None),
    ]


def test_choir_schools_out_of_the_universe_schools(sheet) -> None:
    # A and D this year (B's choir was last year, C is outside): 2 of 4; primary 1 of 2; secondary 1 of 2.
    assert _rows(sheet, "choir_schools") == [
        ("All", "All", 2.0, 4.0, 0.5),
        ("Phase", "Primary", 1.0, 2.0, 0.5),
        ("Phase", "Secondary", 1.0, 2.0, 0.5),
    ]


def test_singing_schools_out_of_the_universe_schools(sheet) -> None:
    # A, B and D run a programme; E does not: 3 of 4; primary 2 of 2; secondary 1 of 2.
    assert _rows(sheet, "singing_schools") == [
        ("All", "All", 3.0, 4.0, 0.75),
        ("Phase", "Primary", 2.0, 2.0, 1.0),
        ("Phase", "Secondary", 1.0, 2.0, 0.5),
    ]


def test_singing_sheet_is_a_valid_duty_table(sheet) -> None:
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "singing_regular",
        "singing_pupils",
        "choir_schools",
        "singing_schools",
    ]


def test_no_programmes_give_zeros_and_every_phase_of_schools(universe, roll) -> None:
    sheet = singing_sheet(frame(Singing, []), universe, roll, year=YEAR).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert _rows(sheet, "singing_regular") == [("All", "All", 0.0, 1000.0, 0.0)]
    assert _rows(sheet, "choir_schools") == [
        ("All", "All", 0.0, 4.0, 0.0),
        ("Phase", "Primary", 0.0, 2.0, 0.0),
        ("Phase", "Secondary", 0.0, 2.0, 0.0),
    ]
