"""Whole-class ensemble teaching on a few programmes, with the expected figures worked out by hand."""

import polars as pl
import pytest

from schemas.census import SchoolCensus
from schemas.hub_exports import Pupils, Wcet
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.universe import school_universe
from transforms.wcet import (
    wcet_class_figures,
    wcet_pupil_figures,
    wcet_roll_figures,
    wcet_school_figures,
    wcet_sheet,
    wcet_units,
)

YEAR = AcademicYear(2025)  # 2025/26
A, B, C, D = "100001", "100002", "100003", "100004"  # A, B primary; D secondary; C in a neighbouring LA
SCHOOL_A, SCHOOL_B = f"{A} School {A}", f"{B} School {B}"


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(
        school(A), school(B), school(C, la_code="891"), school(D, phase_name="Secondary")
    )
    return school_universe(register, la_codes=("830",), year=YEAR)


_PROGRAMME = ("programme_id", "urn", "class_name", "nc_year", "term", "instrument", "weeks", "pupils",
              "first_time", "provision", "academic_year")  # fmt: skip


@pytest.fixture
def wcet() -> pl.LazyFrame:
    rows = [
        # A, class 4X with a roll: p1, p2 in Autumn; p1, p3 in Spring -> 3 pupils (p1 for 2 terms).
        ("W1", A, "4X", "4", "Autumn", "Violin", 10, 2, True, "delivered", "2025/26"),
        ("W2", A, "4X", "4", "Spring", "Violin", 10, 2, True, "delivered", "2025/26"),
        # B, class 5Y without a roll, 25 then 28 pupils: 28 pupils once, 2 terms, not first time.
        ("W3", B, "5Y", "5", "Autumn", "Cello", 12, 25, False, "supported", "2025/26"),
        ("W4", B, "5Y", "5", "Spring", "Cello", 8, 28, False, "supported", "2025/26"),
        # B, class 3Z without a roll: 20 pupils for 1 term.
        ("W5", B, "3Z", "3", "Summer", "Ukulele", 6, 20, True, "delivered", "2025/26"),
        # Outside the hub's area, and last year's class at A: neither counts.
        ("W6", C, "4Q", "4", "Autumn", "Violin", 10, 30, True, "delivered", "2025/26"),
        ("W7", A, "4X", "4", "Autumn", "Violin", 10, 27, True, "delivered", "2024/25"),
    ]  # fmt: skip
    return frame(Wcet, [dict(zip(_PROGRAMME, row, strict=True)) for row in rows])


@pytest.fixture
def participants() -> pl.LazyFrame:
    return pl.LazyFrame(
        {"programme_id": ["W1", "W1", "W2", "W2", "W7"], "pupil_ref": ["p1", "p2", "p1", "p3", "p9"]}
    )


@pytest.fixture
def roll() -> pl.LazyFrame:
    # Universe roll 200 + 300 + 900 = 1400 (C's 500 is outside). KS2 120 + 280 = 400 -> 100 a year group;
    # KS3 600 -> 200 a year group; no KS1 figures -> 0.
    return frame(
        SchoolCensus,
        [
            {"urn": A, "pupil_headcount": 200, "ks2_count": 120},
            {"urn": B, "pupil_headcount": 300, "ks2_count": 280},
            {"urn": D, "pupil_headcount": 900, "ks3_count": 600},
            {"urn": C, "pupil_headcount": 500, "ks2_count": 500},
        ],
        census_period="202526",
    )


@pytest.fixture
def pupils() -> pl.LazyFrame:
    # p3 is on a roll but not in the pupils export: their characteristics are not known.
    return frame(
        Pupils,
        [
            {"pupil_ref": "p1", "gender": "F", "fsm": True, "pupil_premium": True, "sen_status": "K"},
            {"pupil_ref": "p2", "gender": "M", "fsm": False, "pupil_premium": False, "sen_status": "none"},
            {
                "pupil_ref": "p8",
                "gender": "F",
                "fsm": True,
                "pupil_premium": True,
                "sen_status": "E",
            },  # no WCET
        ],
        urn=A,
        nc_year="4",
        looked_after=False,
    )


def _counts(table: pl.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(r["measure_id"], r["breakdown"], r["group"]): r["count"] for r in table.iter_rows(named=True)}


def _rows(table: pl.DataFrame, breakdown: str) -> list[tuple]:
    return table.filter(pl.col("breakdown") == breakdown).select("group", "count").rows()


def _adds_up(table: pl.DataFrame, measure_id: str, breakdown: str) -> bool:
    rows = table.filter(pl.col("measure_id") == measure_id)
    total = rows.filter(pl.col("breakdown") == "All").item(0, "count")
    return rows.filter(pl.col("breakdown") == breakdown).get_column("count").sum() == total


def test_a_pupil_on_a_roll_in_two_terms_is_one_unit_taught_for_two_terms(
    wcet, participants, universe
) -> None:
    units = wcet_units(wcet, participants, universe, year=YEAR).collect()
    on_roll = units.filter(pl.col("is_on_roll")).sort("pupil_ref")
    assert on_roll.select("pupil_ref", "terms_taught", "pupils").rows() == [
        ("p1", 2, 1),  # Autumn and Spring: one pupil, 2 terms
        ("p2", 1, 1),
        ("p3", 1, 1),
    ]  # p9 was on last year's roll only


def test_a_class_without_a_roll_counts_its_largest_term_once(wcet, participants, universe) -> None:
    units = wcet_units(wcet, participants, universe, year=YEAR).collect()
    classes = units.filter(~pl.col("is_on_roll")).sort("nc_year")
    # 3Z: 20 pupils, 1 term; 5Y: max(25, 28) = 28, 2 terms. 4X has a roll, so is not a class unit too.
    assert classes.select("urn", "nc_year", "terms_taught", "instrument", "pupils").rows() == [
        (B, "3", 1, "Ukulele", 20),
        (B, "5", 2, "Cello", 28),
    ]


def test_total_pupils_is_roll_pupils_plus_classes_without_a_roll(wcet, participants, universe, roll) -> None:
    table = wcet_pupil_figures(wcet, participants, universe, roll, year=YEAR).collect()
    total = table.filter(pl.col("breakdown") == "All").row(0, named=True)
    # 3 roll pupils + 28 (5Y) + 20 (3Z) = 51 out of 1400 on roll.
    assert (total["count"], total["denominator"]) == (51.0, 1400.0)
    assert total["count_pct"] == pytest.approx(51 / 1400)


def test_pupils_by_year_group_add_up_with_an_estimated_out_of(wcet, participants, universe, roll) -> None:
    table = wcet_pupil_figures(wcet, participants, universe, roll, year=YEAR).collect()
    by_year = {
        r["group"]: (r["count"], r["denominator"])
        for r in table.filter(pl.col("breakdown") == "NC year").iter_rows(named=True)
    }
    assert list(by_year) == ["Reception", *[f"Year {n}" for n in range(1, 14)]]
    # KS2 400 / 4 years = 100 for each of years 3-6; KS3 600 / 3 = 200; KS1 empty -> 0.
    assert by_year["Year 3"] == (20.0, 100.0)
    assert by_year["Year 4"] == (3.0, 100.0)
    assert by_year["Year 5"] == (28.0, 100.0)
    assert by_year["Year 6"] == (0.0, 100.0)
    assert by_year["Year 7"] == (0.0, 200.0)
    assert by_year["Year 1"] == (0.0, 0.0)
    year_4 = table.filter((pl.col("breakdown") == "NC year") & (pl.col("group") == "Year 4")).row(
        0, named=True
    )
    assert year_4["count_pct"] == pytest.approx(0.03)
    assert (
        table.filter((pl.col("breakdown") == "NC year") & (pl.col("group") == "Year 1")).item(0, "count_pct")
        is None
    )
    assert _adds_up(table, "wcet_pupils", "NC year")


def test_pupils_by_terms_first_time_instrument_provision_and_school(
    wcet, participants, universe, roll
) -> None:
    table = wcet_pupil_figures(wcet, participants, universe, roll, year=YEAR).collect()
    # 1 term: p2, p3, 3Z (20) = 22; 2 terms: p1, 5Y (28) = 29.
    assert _rows(table, "Terms of WCET") == [("1 term", 22.0), ("2 terms", 29.0), ("3 terms", 0.0)]
    # First time: p1, p2, p3 and 3Z = 23; not: 5Y = 28.
    assert _rows(table, "First time") == [("First time", 23.0), ("Not first time", 28.0)]
    assert _rows(table, "Main instrument") == [("Cello", 28.0), ("Ukulele", 20.0), ("Violin", 3.0)]
    assert _rows(table, "Provision") == [("Delivered by the hub", 23.0), ("Supported by the hub", 28.0)]
    assert _rows(table, "School") == [(SCHOOL_A, 3.0), (SCHOOL_B, 48.0)]
    for breakdown in ["Terms of WCET", "First time", "Main instrument", "Provision", "School"]:
        assert _adds_up(table, "wcet_pupils", breakdown), breakdown
    # Only the total and the year groups have an 'Out of'.
    assert table.filter(pl.col("denominator").is_not_null()).get_column(
        "breakdown"
    ).unique().sort().to_list() == [
        "All",
        "NC year",
    ]


def test_the_main_instrument_is_the_one_taught_for_the_most_weeks(universe) -> None:
    # p1: Violin for 6 weeks in Autumn, Cello for 12 in Spring -> Cello (and Cello's provision).
    wcet = frame(
        Wcet,
        [
            {
                "programme_id": "W1",
                "term": "Autumn",
                "instrument": "Violin",
                "weeks": 6,
                "provision": "delivered",
            },
            {
                "programme_id": "W2",
                "term": "Spring",
                "instrument": "Cello",
                "weeks": 12,
                "provision": "supported",
            },
        ],
        academic_year="2025/26",
        urn=A,
        class_name="4X",
        nc_year="4",
        pupils=1,
        first_time=False,
    )
    participants = pl.LazyFrame({"programme_id": ["W1", "W2"], "pupil_ref": ["p1", "p1"]})
    units = wcet_units(wcet, participants, universe, year=YEAR).collect()
    assert units.select("pupil_ref", "instrument", "provision", "first_time").rows() == [
        ("p1", "Cello", "supported", False)
    ]


def test_the_main_instrument_sums_the_weeks_of_each_instrument(universe) -> None:
    # Violin 10 + 10 = 20 weeks, Cello 12 weeks: the main instrument is Violin.
    wcet = frame(
        Wcet,
        [
            {"programme_id": "W1", "term": "Autumn", "instrument": "Violin", "weeks": 10},
            {"programme_id": "W2", "term": "Spring", "instrument": "Violin", "weeks": 10},
            {"programme_id": "W3", "term": "Summer", "instrument": "Cello", "weeks": 12},
        ],
        academic_year="2025/26",
        urn=A,
        class_name="4X",
        nc_year="4",
        pupils=1,
        first_time=True,
        provision="delivered",
    )
    participants = pl.LazyFrame({"programme_id": ["W1", "W2", "W3"], "pupil_ref": ["p1", "p1", "p1"]})
    on_roll = wcet_units(wcet, participants, universe, year=YEAR).collect()
    without_roll = wcet_units(wcet, participants.clear(), universe, year=YEAR).collect()
    assert on_roll.get_column("instrument").to_list() == ["Violin"]
    assert without_roll.get_column("instrument").to_list() == ["Violin"]


def test_host_schools_by_phase_out_of_the_universe(wcet, universe) -> None:
    table = wcet_school_figures(wcet, universe, year=YEAR).collect()
    # A and B host (C is outside the area): 2 of 3; primary 2 of 2; secondary D hosts none: 0 of 1.
    assert table.select("breakdown", "group", "count", "denominator", "count_pct").rows() == [
        ("All", "All", 2.0, 3.0, pytest.approx(2 / 3)),
        ("Phase", "Primary", 2.0, 2.0, 1.0),
        ("Phase", "Secondary", 0.0, 1.0, 0.0),
    ]


def test_roll_pupils_by_characteristics_from_the_pupils_export(wcet, participants, pupils, universe) -> None:
    table = wcet_roll_figures(wcet, participants, pupils, universe, year=YEAR).collect()
    # p1 (F, FSM, PP, SEN support), p2 (M, none), p3 (not in the export: not known). p8 had no WCET.
    assert _counts(table) == {
        ("wcet_roll_pupils", "All", "All"): 3.0,
        ("wcet_roll_pupils", "Gender", "Female"): 1.0,
        ("wcet_roll_pupils", "Gender", "Male"): 1.0,
        ("wcet_roll_pupils", "Gender", "Other or not recorded"): 0.0,
        ("wcet_roll_pupils", "Gender", "Not known"): 1.0,
        ("wcet_roll_pupils", "Free school meals", "Yes"): 1.0,
        ("wcet_roll_pupils", "Free school meals", "No"): 1.0,
        ("wcet_roll_pupils", "Free school meals", "Not known"): 1.0,
        ("wcet_roll_pupils", "Pupil premium", "Yes"): 1.0,
        ("wcet_roll_pupils", "Pupil premium", "No"): 1.0,
        ("wcet_roll_pupils", "Pupil premium", "Not known"): 1.0,
        ("wcet_roll_pupils", "SEN", "No SEN"): 1.0,
        ("wcet_roll_pupils", "SEN", "SEN support"): 1.0,
        ("wcet_roll_pupils", "SEN", "EHC plan"): 0.0,
        ("wcet_roll_pupils", "SEN", "Not known"): 1.0,
    }


def test_classes_and_programmes(wcet, universe) -> None:
    table = wcet_class_figures(wcet, universe, year=YEAR).collect()
    # Classes 4X (first time), 5Y (not), 3Z (first time); programmes W1-W5 by term.
    assert _counts(table) == {
        ("wcet_classes", "All", "All"): 3.0,
        ("wcet_classes", "First time", "First time"): 2.0,
        ("wcet_classes", "First time", "Not first time"): 1.0,
        ("wcet_programmes", "All", "All"): 5.0,
        ("wcet_programmes", "Term", "Autumn"): 2.0,
        ("wcet_programmes", "Term", "Spring"): 2.0,
        ("wcet_programmes", "Term", "Summer"): 1.0,
    }


def test_wcet_sheet_is_a_valid_duty_table(wcet, participants, pupils, universe, roll) -> None:
    sheet = wcet_sheet(wcet, participants, pupils, universe, roll, year=YEAR).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "wcet_pupils",
        "wcet_roll_pupils",
        "wcet_classes",
        "wcet_programmes",
        "wcet_schools",
    ]


def test_no_wcet_gives_zeros(universe, roll) -> None:
    sheet = wcet_sheet(
        frame(Wcet, []),
        pl.LazyFrame(schema={"programme_id": pl.String, "pupil_ref": pl.String}),
        frame(Pupils, []),
        universe,
        roll,
        year=YEAR,
    ).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.filter(pl.col("breakdown") == "All").select("measure_id", "count").rows() == [
        ("wcet_pupils", 0.0),
        ("wcet_roll_pupils", 0.0),
        ("wcet_classes", 0.0),
        ("wcet_programmes", 0.0),
        ("wcet_schools", 0.0),
    ]
