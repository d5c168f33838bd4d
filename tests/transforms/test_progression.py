"""Progression across two academic years on a few pupils, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils, Tuition, Wcet
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.periods import ReportingWindow
from transforms.progression import continuation_figures, progression_sheet, standard_figures
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26; last year 2024/25
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year
A, B, C = "100001", "100002", "100003"  # B closed at the end of 2024/25; C is in a neighbouring LA


@pytest.fixture
def register() -> pl.LazyFrame:
    return establishments(
        school(A),
        school(B, status_name="Closed", close_date=date(2025, 8, 31)),
        school(C, la_code="891"),
    )


@pytest.fixture
def universe(register) -> pl.LazyFrame:
    return school_universe(register, la_codes=("830",), year=YEAR)  # A


@pytest.fixture
def last_year_universe(register) -> pl.LazyFrame:
    return school_universe(register, la_codes=("830",), year=YEAR.previous())  # A and B


@pytest.fixture
def wcet() -> pl.LazyFrame:
    return frame(
        Wcet,
        [
            # Last year's rolls at A (p1, p2, p4) and B (p3): the cohort of 4.
            {"programme_id": "W1", "academic_year": "2024/25", "urn": A, "class_name": "4X"},
            {"programme_id": "W2", "academic_year": "2024/25", "urn": B, "class_name": "4Y"},
            # Last year's class without a roll: it cannot be followed, so it is not in the cohort.
            {"programme_id": "W3", "academic_year": "2024/25", "urn": A, "class_name": "4Z", "pupils": 30},
            # This year's roll (p5), and last year's roll outside the area (p6): not in the cohort.
            {"programme_id": "W4", "academic_year": "2025/26", "urn": A, "class_name": "4X"},
            {"programme_id": "W5", "academic_year": "2024/25", "urn": C, "class_name": "4Q"},
        ],
        nc_year="4",
        instrument="Violin",
        term="Autumn",
        weeks=10,
        pupils=3,
        first_time=True,
        provision="delivered",
    )


@pytest.fixture
def participants() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "programme_id": ["W1", "W1", "W1", "W2", "W4", "W5"],
            "pupil_ref": ["p1", "p2", "p4", "p3", "p5", "p6"],
        }
    )


@pytest.fixture
def tuition() -> pl.LazyFrame:
    return frame(
        Tuition,
        [
            {"enrolment_id": "T1", "pupil_ref": "p1", "standard": "entry"},
            {"enrolment_id": "T2", "pupil_ref": "p1", "standard": "intermediate"},  # p1's highest
            {"enrolment_id": "T3", "pupil_ref": "p2", "standard": "foundation"},
            {"enrolment_id": "T4", "pupil_ref": "p2", "standard": "foundation"},
            # p4 stopped in July 2025: not learning this year.
            {
                "enrolment_id": "T5",
                "pupil_ref": "p4",
                "standard": "advanced",
                "start_date": date(2024, 9, 10),
                "end_date": date(2025, 7, 20),
            },
            {"enrolment_id": "T6", "pupil_ref": "p5", "standard": "advanced"},  # not in last year's cohort
            {"enrolment_id": "T7", "pupil_ref": "p6", "standard": "entry"},  # school outside the area
        ],
        instrument="Violin",
        lesson_type="individual",
        start_date=date(2025, 9, 10),
        remission_pct=0.0,
        provision="delivered",
    )


@pytest.fixture
def ensembles() -> pl.LazyFrame:
    return frame(
        Ensembles,
        [{"ensemble_id": "E1"}],
        name="Youth orchestra",
        type="orchestra",
        level="entry",
        lead="hub",
    )


@pytest.fixture
def members() -> pl.LazyFrame:
    return frame(
        EnsembleMembers,
        [
            {"ensemble_id": "E1", "pupil_ref": "p1"},  # p1 has tuition too: counted once
            {"ensemble_id": "E1", "pupil_ref": "p3"},  # p3's school closed, but p3 was on last year's roll
            {"ensemble_id": "E9", "pupil_ref": "p4"},  # unknown ensemble: not counted
        ],
        start_date=date(2025, 9, 20),
    )


@pytest.fixture
def pupils() -> pl.LazyFrame:
    return frame(
        Pupils,
        [
            {"pupil_ref": "p1", "urn": A},
            {"pupil_ref": "p2", "urn": A},
            {"pupil_ref": "p3", "urn": B},
            {"pupil_ref": "p4", "urn": A},
            {"pupil_ref": "p5", "urn": A},
            {"pupil_ref": "p6", "urn": C},
        ],
        nc_year="5",
        gender="F",
        fsm=False,
        pupil_premium=False,
        sen_status="none",
        looked_after=False,
    )


def _rows(table: pl.DataFrame, measure_id: str) -> list[tuple]:
    return (
        table.filter(pl.col("measure_id") == measure_id)
        .select("breakdown", "group", "count", "denominator", "count_pct", "parent_breakdown")
        .rows()
    )


def test_continuation_is_last_years_roll_pupils_learning_this_year(
    wcet, participants, tuition, members, ensembles, last_year_universe
) -> None:
    table = continuation_figures(
        wcet, participants, tuition, members, ensembles, last_year_universe, window=WINDOW
    ).collect()
    # Cohort p1, p2, p3, p4. Learning this year: p1 (tuition and ensemble: once), p2 (tuition), p3 (ensemble);
    # p4 stopped in July. 3 of 4. Tuition p1, p2: 2 of 4; ensembles p1, p3: 2 of 4 (4 > 3: no parent).
    assert _rows(table, "continuation") == [
        ("All", "All", 3.0, 4.0, 0.75, None),
        ("Continuing in", "Tuition", 2.0, 4.0, 0.5, None),
        ("Continuing in", "Ensembles", 2.0, 4.0, 0.5, None),
    ]


def test_no_cohort_gives_zero_without_a_share(tuition, members, ensembles, last_year_universe) -> None:
    wcet = frame(Wcet, [])
    participants = pl.LazyFrame(schema={"programme_id": pl.String, "pupil_ref": pl.String})
    table = continuation_figures(
        wcet, participants, tuition, members, ensembles, last_year_universe, window=WINDOW
    ).collect()
    assert _rows(table, "continuation") == [
        ("All", "All", 0.0, 0.0, None, None),
        ("Continuing in", "Tuition", 0.0, 0.0, None, None),
        ("Continuing in", "Ensembles", 0.0, 0.0, None, None),
    ]


def test_pupils_by_the_highest_standard_of_their_enrolments(tuition, pupils, universe) -> None:
    table = standard_figures(tuition, pupils, universe, window=WINDOW).collect()
    # p1 entry + intermediate -> intermediate; p2 foundation (twice, once); p5 advanced. p4 stopped last year,
    # p6's school is outside the area.
    assert [row[:3] for row in _rows(table, "tuition_standard")] == [
        ("All", "All", 3.0),
        ("Standard", "entry", 0.0),
        ("Standard", "foundation", 1.0),
        ("Standard", "intermediate", 1.0),
        ("Standard", "advanced", 1.0),
    ]


def test_progression_sheet_is_a_valid_duty_table(
    wcet, participants, tuition, pupils, members, ensembles, universe, last_year_universe
) -> None:
    sheet = progression_sheet(
        wcet, participants, tuition, pupils, members, ensembles, universe, last_year_universe, window=WINDOW
    ).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "continuation",
        "tuition_standard",
    ]
