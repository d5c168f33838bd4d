"""Tuition outside WCET on a few enrolments, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.census import SchoolCensus
from schemas.hub_exports import Pupils, Tuition
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.periods import ReportingWindow
from transforms.tuition import (
    LESSON_TYPE,
    LESSON_TYPE_DETAIL,
    tuition_enrolment_figures,
    tuition_pupil_count,
    tuition_pupil_figures,
    tuition_sheet,
)
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year
A, B, C, D = "100001", "100002", "100003", "100004"  # A, B primary; D secondary; C in a neighbouring LA
PUPILS = "tuition_pupils"


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(
        school(A), school(B), school(C, la_code="891"), school(D, phase_name="Secondary")
    )
    return school_universe(register, la_codes=("830",), year=YEAR)


@pytest.fixture
def pupils() -> pl.LazyFrame:
    columns = ("pupil_ref", "urn", "nc_year", "gender", "pupil_premium", "sen_status")
    rows = [
        ("p1", A, "4", "F", True, "none"),
        ("p2", A, "2", "M", False, "K"),
        ("p3", D, "8", "F", False, "E"),
        ("p4", C, "4", "F", False, "none"),  # school outside the hub's area
        ("p5", B, "5", "X", False, "none"),
    ]  # fmt: skip
    return frame(
        Pupils, [dict(zip(columns, row, strict=True)) for row in rows], fsm=False, looked_after=False
    )


@pytest.fixture
def tuition() -> pl.LazyFrame:
    columns = (
        "enrolment_id",
        "pupil_ref",
        "lesson_type",
        "instrument",
        "remission_pct",
        "start_date",
        "end_date",
    )
    sept, jan = date(2025, 9, 10), date(2026, 1, 5)
    rows = [
        # p1: two individual enrolments and a small-group one; remission 0, 100 and 20 -> full remission.
        ("T1", "p1", "individual", "Violin", 0.0, sept, None),
        ("T2", "p1", "small_group", "Piano", 100.0, sept, None),
        ("T8", "p1", "individual", "Violin", 20.0, sept, None),
        ("T3", "p2", "individual", "Flute", 50.0, sept, None),
        ("T4", "p3", "large_group", "Guitar", 0.0, sept, None),
        ("T5", "p4", "individual", "Flute", 0.0, sept, None),  # p4's school is outside the area
        # p5: one enrolment ended the day before the year, one started in January.
        ("T6", "p5", "individual", "Drums", 100.0, date(2024, 9, 1), date(2025, 8, 31)),
        ("T7", "p5", "small_group", "Piano", 0.0, jan, None),
    ]  # fmt: skip
    return frame(
        Tuition,
        [dict(zip(columns, row, strict=True)) for row in rows],
        standard="entry",
        provision="delivered",
    )


@pytest.fixture
def roll() -> pl.LazyFrame:
    # Universe roll 200 + 100 + 600 = 900; KS1 50, KS2 150 + 100 = 250, KS3 360, KS4 240.
    return frame(
        SchoolCensus,
        [
            {"urn": A, "pupil_headcount": 200, "ks1_count": 50, "ks2_count": 150},
            {"urn": B, "pupil_headcount": 100, "ks2_count": 100},
            {"urn": D, "pupil_headcount": 600, "ks3_count": 360, "ks4_count": 240},
            {"urn": C, "pupil_headcount": 999, "ks2_count": 999},
        ],
        census_period="202526",
    )


@pytest.fixture
def figures(tuition, pupils, universe, roll) -> pl.DataFrame:
    return tuition_pupil_figures(tuition, pupils, universe, roll, window=WINDOW).collect()


def _rows(table: pl.DataFrame, breakdown: str) -> list[tuple]:
    return table.filter(pl.col("breakdown") == breakdown).select("group", "count").rows()


def _total(table: pl.DataFrame) -> float:
    return table.filter(pl.col("breakdown") == "All").item(0, "count")


def test_pupils_are_unique_across_their_enrolments(figures, tuition, pupils, universe) -> None:
    # p1 (three enrolments), p2, p3, p5 (January enrolment): 4 of the 900 on roll. p4 is outside the area.
    total = figures.filter(pl.col("breakdown") == "All").row(0, named=True)
    assert (total["count"], total["denominator"], total["count_pct"]) == (4.0, 900.0, pytest.approx(4 / 900))
    assert tuition_pupil_count(tuition, pupils, universe, window=WINDOW).collect().item() == 4


def test_key_stage_and_gender_add_up_to_the_total(figures) -> None:
    assert _rows(figures, "Key stage") == [
        ("EYFS", 0.0),
        ("KS1", 1.0),
        ("KS2", 2.0),
        ("KS3", 1.0),
        ("KS4", 0.0),
        ("KS5", 0.0),
    ]
    assert _rows(figures, "Gender") == [("Female", 2.0), ("Male", 1.0), ("Other or not recorded", 1.0)]
    for breakdown in ["Key stage", "Gender", "Fee remission", "Pupil premium", "SEN"]:
        part = figures.filter(pl.col("breakdown") == breakdown)
        assert part.get_column("count").sum() == _total(figures), breakdown
        assert part.select("parent_breakdown", "parent_group").unique().rows() == [("All", "All")]


def test_key_stage_out_of_is_its_census_headcount(figures) -> None:
    ks = figures.filter(pl.col("breakdown") == "Key stage").select("group", "denominator", "count_pct").rows()
    assert ks[1] == ("KS1", 50.0, pytest.approx(1 / 50))
    assert ks[2] == ("KS2", 250.0, pytest.approx(2 / 250))
    assert ks[0] == ("EYFS", 0.0, None)  # no reception figures: no share


def test_fee_remission_takes_the_pupils_largest(figures) -> None:
    # p1: max(0, 100, 20) = 100 -> full; p2: 50 -> part; p3 and p5: 0 -> none (p5's full remission was
    # on an enrolment that ended before the year).
    assert _rows(figures, "Fee remission") == [
        ("Full remission", 1.0),
        ("Part remission", 1.0),
        ("No remission", 2.0),
    ]


def test_pupil_premium_and_sen(figures) -> None:
    assert _rows(figures, "Pupil premium") == [("Yes", 1.0), ("No", 3.0)]
    assert _rows(figures, "SEN") == [("No SEN", 2.0), ("SEN support", 1.0), ("EHC plan", 1.0)]


def test_lesson_type_counts_a_pupil_under_each_of_their_types(figures) -> None:
    # Individual: p1 (twice: once), p2; small group: p1, p5; large group: p3. 5 > 4 pupils: no parent.
    part = figures.filter(pl.col("breakdown") == LESSON_TYPE)
    assert part.select("group", "count").rows() == [
        ("Individual", 2.0),
        ("Small group", 2.0),
        ("Large group", 1.0),
    ]
    assert part.get_column("count").sum() > _total(figures)
    assert part.get_column("parent_breakdown").to_list() == [None, None, None]
    assert part.get_column("parent_group").to_list() == [None, None, None]


def test_lesson_type_by_key_stage_and_gender_adds_up_to_its_lesson_type(figures) -> None:
    detail = figures.filter(pl.col("breakdown") == LESSON_TYPE_DETAIL)
    assert detail.height == 3 * 6 * 3  # every lesson type x key stage x gender, zeros included
    assert {(g, c) for g, c in detail.select("group", "count").rows() if c} == {
        ("Individual, KS2, Female", 1.0),  # p1
        ("Individual, KS1, Male", 1.0),  # p2
        ("Small group, KS2, Female", 1.0),  # p1
        ("Small group, KS2, Other or not recorded", 1.0),  # p5
        ("Large group, KS3, Female", 1.0),  # p3
    }
    assert detail.select("parent_breakdown").unique().item() == LESSON_TYPE
    sums = detail.group_by("parent_group").agg(pl.col("count").sum())
    by_type = dict(_rows(figures, LESSON_TYPE))
    assert dict(sums.rows()) == by_type
    # Each row names the lesson type its group starts with.
    assert detail.filter(~pl.col("group").str.starts_with(pl.col("parent_group"))).height == 0


def test_instruments_count_a_pupil_once_under_each(figures) -> None:
    # p1 Violin (twice: once) and Piano; p2 Flute; p3 Guitar; p5 Piano. p5's Drums ended before the year.
    assert _rows(figures, "Instrument") == [("Flute", 1.0), ("Guitar", 1.0), ("Piano", 2.0), ("Violin", 1.0)]


def test_enrolments_by_lesson_type(tuition, pupils, universe) -> None:
    table = tuition_enrolment_figures(tuition, pupils, universe, window=WINDOW).collect()
    # T1, T2, T3, T4, T7, T8 = 6; individual T1, T3, T8; small group T2, T7; large group T4.
    assert table.select("breakdown", "group", "count").rows() == [
        ("All", "All", 6.0),
        (LESSON_TYPE, "Individual", 3.0),
        (LESSON_TYPE, "Small group", 2.0),
        (LESSON_TYPE, "Large group", 1.0),
    ]
    assert table.get_column("unit").unique().to_list() == ["enrolments"]


def test_the_as_of_date_cuts_the_year(tuition, pupils, universe, roll) -> None:
    # On 31 December 2025 p5 had not started (5 January 2026): 3 pupils.
    window = ReportingWindow.for_year(YEAR, as_of=date(2025, 12, 31))
    table = tuition_pupil_figures(tuition, pupils, universe, roll, window=window).collect()
    assert _total(table) == 3.0


def test_tuition_sheet_is_a_valid_duty_table(tuition, pupils, universe, roll) -> None:
    sheet = tuition_sheet(tuition, pupils, universe, roll, window=WINDOW).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        PUPILS,
        "tuition_enrolments",
    ]


def test_no_enrolments_give_zeros(pupils, universe, roll) -> None:
    sheet = tuition_sheet(frame(Tuition, []), pupils, universe, roll, window=WINDOW).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.filter(pl.col("breakdown") == "All").select("measure_id", "count").rows() == [
        (PUPILS, 0.0),
        ("tuition_enrolments", 0.0),
    ]
