"""Large-scale and live music experiences on a few rows, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import Events
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.experiences import experiences_sheet
from transforms.periods import ReportingWindow
from transforms.universe import OUTSIDE_AREA, school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year: 1 Sept 2025 - 31 Aug 2026
A, B, C, D = "100001", "100002", "100003", "100004"  # C is in a neighbouring LA


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(
        school(A), school(B), school(C, la_code="891"), school(D, phase_name="Secondary")
    )
    return school_universe(register, la_codes=("830",), year=YEAR)  # A, B primary; D secondary


@pytest.fixture
def events() -> pl.LazyFrame:
    return frame(
        Events,
        [
            # X1: one of its two rows names a partner, so the event has one. 30 + 20 places.
            {
                "event_id": "X1",
                "date": date(2025, 12, 1),
                "professional_partner": "Halle",
                "urn": A,
                "pupils": 30,
            },
            {"event_id": "X1", "date": date(2025, 12, 1), "urn": B, "pupils": 20},
            # X2: no partner; A's pupils may be the same as at X1, and still count again. C is outside.
            {"event_id": "X2", "date": date(2026, 6, 10), "urn": A, "pupils": 10},
            {"event_id": "X2", "date": date(2026, 6, 10), "urn": C, "pupils": 15},
            # X3: a blank partner is no partner; D sent no pupils, so it is not reached.
            {"event_id": "X3", "date": date(2026, 7, 1), "professional_partner": "  ", "urn": D, "pupils": 0},
            # X4 is in the next year: not counted.
            {
                "event_id": "X4",
                "date": date(2026, 9, 5),
                "professional_partner": "Halle",
                "urn": D,
                "pupils": 50,
            },
        ],
        title="Concert",
        venue="Town hall",
    )


def _rows(sheet: pl.DataFrame, measure_id: str) -> list[tuple]:
    return [
        (r["breakdown"], r["group"], r["count"], r["denominator"], r["count_pct"])
        for r in sheet.filter(pl.col("measure_id") == measure_id).iter_rows(named=True)
    ]


def test_events_count_once_by_professional_partner(events: pl.LazyFrame, universe: pl.LazyFrame) -> None:
    sheet = experiences_sheet(events, universe, window=WINDOW).collect()
    # X1, X2, X3; with a partner: X1; without: X2 and X3 (blank).
    assert _rows(sheet, "experience_events") == [
        ("All", "All", 3.0, None, None),
        ("Professional partner", "Yes", 1.0, None, None),
        ("Professional partner", "No", 2.0, None, None),
    ]


def test_places_sum_pupils_by_phase(events: pl.LazyFrame, universe: pl.LazyFrame) -> None:
    sheet = experiences_sheet(events, universe, window=WINDOW).collect()
    # 30 + 20 + 10 + 15 + 0 = 75; primary A 30 + 10, B 20 = 60; secondary D 0; C outside the area 15.
    assert _rows(sheet, "experience_places") == [
        ("All", "All", 75.0, None, None),
        ("Phase", "Primary", 60.0, None, None),
        ("Phase", "Secondary", 0.0, None, None),
        ("Phase", OUTSIDE_AREA, 15.0, None, None),
    ]


def test_schools_taking_part_out_of_the_area(events: pl.LazyFrame, universe: pl.LazyFrame) -> None:
    sheet = experiences_sheet(events, universe, window=WINDOW).collect()
    # A and B of A, B, D: 2 of 3; primary 2 of 2; secondary 0 of 1.
    assert _rows(sheet, "experience_schools") == [
        ("All", "All", 2.0, 3.0, pytest.approx(2 / 3)),
        ("Phase", "Primary", 2.0, 2.0, 1.0),
        ("Phase", "Secondary", 0.0, 1.0, 0.0),
    ]


def test_an_as_of_date_inside_the_year_cuts_the_window(events: pl.LazyFrame, universe: pl.LazyFrame) -> None:
    window = ReportingWindow.for_year(YEAR, as_of=date(2026, 3, 1))  # X2 (June) and X3 (July) not yet
    sheet = experiences_sheet(events, universe, window=window).collect()
    assert _rows(sheet, "experience_events")[0] == ("All", "All", 1.0, None, None)
    assert _rows(sheet, "experience_places")[0] == ("All", "All", 50.0, None, None)


def test_experiences_sheet_is_a_valid_duty_table(events: pl.LazyFrame, universe: pl.LazyFrame) -> None:
    sheet = experiences_sheet(events, universe, window=WINDOW).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "experience_events",
        "experience_places",
        "experience_schools",
    ]
