"""CPD for school staff on a frame of a few attendances, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import Cpd
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.cpd import cpd_sheet
from transforms.periods import ReportingWindow
from transforms.universe import OUTSIDE_AREA, school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year: 1 Sept 2025 - 31 Aug 2026
A, B, C, D, E = "100001", "100002", "100003", "100004", "100005"  # C is in a neighbouring LA


@pytest.fixture
def sheet() -> pl.DataFrame:
    register = establishments(
        school(A),
        school(B),
        school(C, la_code="891"),
        school(D, phase_name="Secondary"),
        school(E, phase_name="Secondary"),
    )
    universe = school_universe(register, la_codes=("830",), year=YEAR)  # A, B primary; D, E secondary
    cpd = frame(
        Cpd,
        [
            # K1, attended by two schools: its 2 hours count once, its attendees add up.
            {"event_id": "K1", "date": date(2025, 10, 1), "hours": 2.0, "urn": A, "attendees": 3},
            {"event_id": "K1", "date": date(2025, 10, 1), "hours": 2.0, "urn": B, "attendees": 2},
            # K2: its rows disagree on the length (take 3 hours); C is outside the hub's area; D sent no one.
            {"event_id": "K2", "date": date(2026, 3, 1), "hours": 1.5, "urn": C, "attendees": 4},
            {"event_id": "K2", "date": date(2026, 3, 1), "hours": 3.0, "urn": D, "attendees": 0},
            # K3 was the day before the year: not counted.
            {"event_id": "K3", "date": date(2025, 8, 31), "hours": 6.0, "urn": E, "attendees": 5},
        ],
        title="Singing in the classroom",
        audience="Primary teachers",
    )
    return cpd_sheet(cpd, universe, window=WINDOW).collect()


def _rows(sheet: pl.DataFrame, measure_id: str) -> list[tuple]:
    return [
        (r["breakdown"], r["group"], r["count"], r["denominator"], r["count_pct"])
        for r in sheet.filter(pl.col("measure_id") == measure_id).iter_rows(named=True)
    ]


def test_events_in_the_year_count_once_however_many_schools_attend(sheet: pl.DataFrame) -> None:
    assert _rows(sheet, "cpd_events") == [("All", "All", 2.0, None, None)]  # K1 and K2


def test_hours_count_each_event_once_taking_its_largest_length(sheet: pl.DataFrame) -> None:
    assert _rows(sheet, "cpd_hours") == [("All", "All", 2.0 + 3.0, None, None)]  # K1 2 h, K2 3 h


def test_attendees_are_summed_by_phase_with_schools_outside_the_area_last(sheet: pl.DataFrame) -> None:
    # 3 (A) + 2 (B) + 4 (C) + 0 (D) = 9; primary A + B = 5; secondary D = 0; C outside the area = 4.
    assert _rows(sheet, "cpd_attendances") == [
        ("All", "All", 9.0, None, None),
        ("Phase", "Primary", 5.0, None, None),
        ("Phase", "Secondary", 0.0, None, None),
        ("Phase", OUTSIDE_AREA, 4.0, None, None),
    ]


def test_schools_reached_are_universe_schools_with_attendees(sheet: pl.DataFrame) -> None:
    # A and B: 2 of the 4 schools; primary 2 of 2; secondary 0 of 2 (D sent no one, E's event was last year).
    assert _rows(sheet, "cpd_schools") == [
        ("All", "All", 2.0, 4.0, 0.5),
        ("Phase", "Primary", 2.0, 2.0, 1.0),
        ("Phase", "Secondary", 0.0, 2.0, 0.0),
    ]


def test_cpd_sheet_is_a_valid_duty_table(sheet: pl.DataFrame) -> None:
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "cpd_events",
        "cpd_hours",
        "cpd_attendances",
        "cpd_schools",
    ]


def test_an_empty_export_gives_zeros() -> None:
    universe = school_universe(establishments(school(A)), la_codes=("830",), year=YEAR)
    sheet = cpd_sheet(frame(Cpd, []), universe, window=WINDOW).collect()
    DutyFigures.validate(sheet, lazy=True)
    totals = sheet.filter(pl.col("breakdown") == "All")
    assert totals.select("measure_id", "count").rows() == [
        ("cpd_events", 0.0),
        ("cpd_hours", 0.0),
        ("cpd_attendances", 0.0),
        ("cpd_schools", 0.0),
    ]
