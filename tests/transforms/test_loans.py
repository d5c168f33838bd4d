"""Instrument loans on a frame of a few loans, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import Loans, Pupils
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.loans import loans_sheet
from transforms.periods import ReportingWindow
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year: 1 Sept 2025 - 31 Aug 2026
A, B, C, D, E = "100001", "100002", "100003", "100004", "100005"  # C is in a neighbouring LA


@pytest.fixture
def sheet() -> pl.DataFrame:
    register = establishments(
        school(A), school(B, phase_name="Secondary"), school(C, la_code="891"), school(D), school(E)
    )
    universe = school_universe(register, la_codes=("830",), year=YEAR)  # A, B, D, E: 3 primary, 1 secondary
    pupils = frame(
        Pupils,
        [{"pupil_ref": "p1", "urn": A}, {"pupil_ref": "p2", "urn": B}, {"pupil_ref": "p3", "urn": C}],
        nc_year="5",
        gender="F",
        fsm=False,
        pupil_premium=False,
        sen_status="none",
        looked_after=False,
    )
    loans = frame(
        Loans,
        [
            # p1 has two loans in the year: counted once, under the more generous (free).
            {
                "loan_id": "L1",
                "pupil_ref": "p1",
                "family": "strings",
                "start_date": date(2025, 9, 10),
                "remission": "none",
            },  # still on loan; school: p1's, A
            # L2 began last year and names school D itself (not p1's school).
            {
                "loan_id": "L2",
                "pupil_ref": "p1",
                "urn": D,
                "family": "woodwind",
                "start_date": date(2024, 9, 1),
                "end_date": date(2025, 10, 1),
                "remission": "free",
            },
            # p2: one loan ended the day before the year, one starts after it; neither counts.
            {
                "loan_id": "L3",
                "pupil_ref": "p2",
                "family": "brass",
                "start_date": date(2024, 9, 1),
                "end_date": date(2025, 8, 31),
                "remission": "free",
            },
            {
                "loan_id": "L4",
                "pupil_ref": "p2",
                "family": "brass",
                "start_date": date(2026, 9, 1),
                "remission": "free",
            },
            {
                "loan_id": "L7",
                "pupil_ref": "p2",
                "family": "woodwind",
                "start_date": date(2026, 2, 1),
                "end_date": date(2026, 3, 1),
                "remission": "subsidised",
            },  # school: p2's, B
            # A loan to school B: no pupil.
            {
                "loan_id": "L5",
                "urn": B,
                "family": "percussion",
                "start_date": date(2025, 11, 1),
                "remission": "subsidised",
            },
            # p3's school C is outside the hub's area: the loan and the pupil count, the school does not.
            {
                "loan_id": "L6",
                "pupil_ref": "p3",
                "family": "guitar",
                "start_date": date(2026, 1, 5),
                "end_date": date(2026, 3, 1),
                "remission": "subsidised",
            },
        ],
        instrument="x",
        charge_gbp=0.0,
    )
    return loans_sheet(loans, pupils, universe, window=WINDOW).collect()


def _rows(sheet: pl.DataFrame, measure_id: str) -> list[tuple]:
    return [
        (r["breakdown"], r["group"], r["count"], r["denominator"])
        for r in sheet.filter(pl.col("measure_id") == measure_id).iter_rows(named=True)
    ]


def test_loans_overlapping_the_year_by_remission_and_family(sheet: pl.DataFrame) -> None:
    # In the year: L1, L2, L5, L6, L7 = 5. Remission: none L1; subsidised L5, L6, L7; free L2.
    # Families: strings L1; woodwind L2, L7; percussion L5; guitar L6.
    assert _rows(sheet, "loans") == [
        ("All", "All", 5.0, None),
        ("Remission", "Full charge", 1.0, None),
        ("Remission", "Subsidised", 3.0, None),
        ("Remission", "Free", 1.0, None),
        ("Instrument family", "strings", 1.0, None),
        ("Instrument family", "woodwind", 2.0, None),
        ("Instrument family", "brass", 0.0, None),
        ("Instrument family", "percussion", 1.0, None),
        ("Instrument family", "keyboard", 0.0, None),
        ("Instrument family", "guitar", 1.0, None),
        ("Instrument family", "voice", 0.0, None),
        ("Instrument family", "music technology", 0.0, None),
    ]


def test_a_pupil_with_two_loans_counts_once_under_the_most_generous_remission(sheet: pl.DataFrame) -> None:
    # p1 (none + free -> free), p2 (subsidised), p3 (subsidised); the school loan L5 has no pupil.
    assert _rows(sheet, "loan_pupils") == [
        ("All", "All", 3.0, None),
        ("Remission", "Full charge", 0.0, None),
        ("Remission", "Subsidised", 2.0, None),
        ("Remission", "Free", 1.0, None),
    ]


def test_schools_reached_by_loan_urn_or_else_the_pupils_school(sheet: pl.DataFrame) -> None:
    # A (L1 via p1), D (L2 names it), B (L5 to the school; L7 via p2). C is outside. 3 of the 4 schools;
    # primary: A, D of A, D, E = 2 of 3; secondary: B = 1 of 1.
    assert _rows(sheet, "loan_schools") == [
        ("All", "All", 3.0, 4.0),
        ("Phase", "Primary", 2.0, 3.0),
        ("Phase", "Secondary", 1.0, 1.0),
    ]
    shares = sheet.filter(pl.col("measure_id") == "loan_schools").get_column("count_pct").to_list()
    assert shares == pytest.approx([3 / 4, 2 / 3, 1.0])


def test_loans_sheet_is_a_valid_duty_table(sheet: pl.DataFrame) -> None:
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "loans",
        "loan_pupils",
        "loan_schools",
    ]
    breakdown_rows = sheet.filter(pl.col("breakdown") != "All")
    assert breakdown_rows.select("parent_breakdown", "parent_group").unique().rows() == [("All", "All")]


def test_an_as_of_date_inside_the_year_cuts_the_window() -> None:
    window = ReportingWindow.for_year(YEAR, as_of=date(2025, 9, 30))  # 1 - 30 Sept 2025
    loans = frame(
        Loans,
        [
            {"loan_id": "L1", "start_date": date(2025, 9, 10)},  # in
            {"loan_id": "L2", "start_date": date(2025, 10, 1)},  # starts after the as-of date
        ],
        instrument="x",
        family="strings",
        urn=A,
        charge_gbp=0.0,
        remission="none",
    )
    universe = school_universe(establishments(school(A)), la_codes=("830",), year=YEAR)
    pupils = frame(Pupils, [])
    sheet = loans_sheet(loans, pupils, universe, window=window).collect()
    assert _rows(sheet, "loans")[0] == ("All", "All", 1.0, None)
    assert _rows(sheet, "loan_pupils")[0] == ("All", "All", 0.0, None)  # a school loan has no pupil
