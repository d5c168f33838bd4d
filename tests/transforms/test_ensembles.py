"""Ensembles on a few memberships, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.census import SchoolCensus
from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from schemas.vocabulary import ENSEMBLE_TYPES
from tests.builders import establishments, frame, school
from transforms.ensembles import (
    ensemble_figures,
    ensemble_host_schools,
    ensemble_member_count,
    ensemble_member_figures,
    ensembles_sheet,
)
from transforms.periods import ReportingWindow
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year
A, B, C, D = "100001", "100002", "100003", "100004"  # A, B primary; D secondary; C in a neighbouring LA


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(
        school(A), school(B), school(C, la_code="891"), school(D, phase_name="Secondary")
    )
    return school_universe(register, la_codes=("830",), year=YEAR)


@pytest.fixture
def ensembles() -> pl.LazyFrame:
    return frame(
        Ensembles,
        [
            {"ensemble_id": "E1", "type": "orchestra", "level": "intermediate", "lead": "hub"},
            {"ensemble_id": "E2", "type": "choir", "level": "entry", "lead": "school", "base_urn": A},
            {"ensemble_id": "E3", "type": "jazz", "level": "advanced", "lead": "partner"},  # nobody this year
            {"ensemble_id": "E4", "type": "rock/pop", "level": "entry", "lead": "hub", "base_urn": D},
        ],
        name="x",
    )


@pytest.fixture
def members() -> pl.LazyFrame:
    return frame(
        EnsembleMembers,
        [
            # p1 in the orchestra (left in December, rejoined in January) and the choir.
            {"ensemble_id": "E1", "pupil_ref": "p1", "end_date": date(2025, 12, 1)},
            {"ensemble_id": "E1", "pupil_ref": "p1", "start_date": date(2026, 1, 10)},
            {"ensemble_id": "E2", "pupil_ref": "p1"},
            {"ensemble_id": "E1", "pupil_ref": "p2"},
            # p3 left the jazz band before the year: E3 did not run, p3 does not count.
            {
                "ensemble_id": "E3",
                "pupil_ref": "p3",
                "start_date": date(2024, 9, 5),
                "end_date": date(2025, 7, 1),
            },
            # p4's school is outside the area: E4 ran, but p4 is not one of the hub's pupils.
            {"ensemble_id": "E4", "pupil_ref": "p4"},
            {"ensemble_id": "E2", "pupil_ref": "p5", "start_date": date(2026, 2, 1)},
            # An ensemble missing from the ensembles export.
            {"ensemble_id": "E9", "pupil_ref": "p6"},
        ],
        start_date=date(2025, 9, 5),
    )


@pytest.fixture
def pupils() -> pl.LazyFrame:
    return frame(
        Pupils,
        [
            {"pupil_ref": "p1", "urn": A, "nc_year": "4", "gender": "F"},
            {"pupil_ref": "p2", "urn": A, "nc_year": "1", "gender": "M"},
            {"pupil_ref": "p3", "urn": D, "nc_year": "8", "gender": "F"},
            {"pupil_ref": "p4", "urn": C, "nc_year": "4", "gender": "F"},
            {"pupil_ref": "p5", "urn": B, "nc_year": "6", "gender": "X"},
            {"pupil_ref": "p6", "urn": B, "nc_year": "6", "gender": "F"},
        ],
        fsm=False,
        pupil_premium=False,
        sen_status="none",
        looked_after=False,
    )


@pytest.fixture
def roll() -> pl.LazyFrame:
    # Universe roll 200 + 100 + 500 = 800; KS1 60; KS2 140 + 100 = 240; KS3 300.
    return frame(
        SchoolCensus,
        [
            {"urn": A, "pupil_headcount": 200, "ks1_count": 60, "ks2_count": 140},
            {"urn": B, "pupil_headcount": 100, "ks2_count": 100},
            {"urn": D, "pupil_headcount": 500, "ks3_count": 300},
            {"urn": C, "pupil_headcount": 700, "ks2_count": 700},
        ],
        census_period="202526",
    )


@pytest.fixture
def figures(members, ensembles, pupils, universe, roll) -> pl.DataFrame:
    return ensemble_member_figures(members, ensembles, pupils, universe, roll, window=WINDOW).collect()


def _rows(table: pl.DataFrame, measure_id: str, breakdown: str) -> list[tuple]:
    return (
        table.filter((pl.col("measure_id") == measure_id) & (pl.col("breakdown") == breakdown))
        .select("group", "count")
        .rows()
    )


def _nonzero(table: pl.DataFrame, measure_id: str, breakdown: str) -> list[tuple]:
    return [(g, c) for g, c in _rows(table, measure_id, breakdown) if c]


def test_ensembles_count_when_they_have_a_member_in_the_year(members, ensembles) -> None:
    table = ensemble_figures(members, ensembles, window=WINDOW).collect()
    # E1, E2 and E4 ran (E4's only member is from outside the area); E3's only member left in July 2025.
    assert _rows(table, "ensembles", "All") == [("All", 3.0)]
    types = _rows(table, "ensembles", "Type")
    assert [g for g, _ in types] == list(ENSEMBLE_TYPES)  # every type shown
    assert _nonzero(table, "ensembles", "Type") == [("orchestra", 1.0), ("choir", 1.0), ("rock/pop", 1.0)]
    assert _rows(table, "ensembles", "Level") == [
        ("entry", 2.0),
        ("foundation", 0.0),
        ("intermediate", 1.0),
        ("advanced", 0.0),
    ]
    assert _rows(table, "ensembles", "Lead") == [
        ("Hub-led", 2.0),
        ("School-based", 1.0),
        ("Partner-led", 0.0),
    ]


def test_a_pupil_in_two_ensembles_counts_once_in_the_total(
    figures, members, ensembles, pupils, universe
) -> None:
    # p1 (orchestra and choir), p2, p5: 3 of the 800 on roll.
    total = figures.filter((pl.col("measure_id") == "ensemble_members") & (pl.col("breakdown") == "All"))
    assert total.select("count", "denominator", "count_pct").row(0) == (3.0, 800.0, pytest.approx(3 / 800))
    count = ensemble_member_count(members, ensembles, pupils, universe, window=WINDOW).collect().item()
    assert count == 3


def test_members_by_key_stage_and_gender_add_up(figures) -> None:
    key_stage = figures.filter(
        (pl.col("measure_id") == "ensemble_members") & (pl.col("breakdown") == "Key stage")
    )
    # p2 KS1; p1, p5 KS2. KS1 out of 60, KS2 out of 240.
    assert key_stage.select("group", "count", "denominator").rows() == [
        ("EYFS", 0.0, 0.0),
        ("KS1", 1.0, 60.0),
        ("KS2", 2.0, 240.0),
        ("KS3", 0.0, 300.0),
        ("KS4", 0.0, 0.0),
        ("KS5", 0.0, 0.0),
    ]
    assert _rows(figures, "ensemble_members", "Gender") == [
        ("Female", 1.0),
        ("Male", 1.0),
        ("Other or not recorded", 1.0),
    ]
    assert key_stage.select("parent_breakdown", "parent_group").unique().rows() == [("All", "All")]


def test_a_pupil_in_two_ensembles_counts_under_each_type_and_lead(figures) -> None:
    # Orchestra p1, p2; choir p1, p5: 4 > 3 members, so these groups have no parent.
    assert _nonzero(figures, "ensemble_members", "Ensemble type") == [("orchestra", 2.0), ("choir", 2.0)]
    assert _rows(figures, "ensemble_members", "Lead") == [
        ("Hub-led", 2.0),
        ("School-based", 2.0),
        ("Partner-led", 0.0),
    ]
    overlapping = figures.filter(
        (pl.col("measure_id") == "ensemble_members") & pl.col("breakdown").is_in(["Ensemble type", "Lead"])
    )
    assert overlapping.get_column("parent_breakdown").null_count() == overlapping.height
    assert overlapping.get_column("denominator").null_count() == overlapping.height


def test_places_are_memberships(figures) -> None:
    # (E1, p1) once although p1 left and rejoined, (E2, p1), (E1, p2), (E2, p5) = 4 places.
    assert _rows(figures, "ensemble_places", "All") == [("All", 4.0)]
    assert _rows(figures, "ensemble_places", "Lead") == [
        ("Hub-led", 2.0),
        ("School-based", 2.0),
        ("Partner-led", 0.0),
    ]


def test_host_schools_are_bases_of_ensembles_that_ran(members, ensembles) -> None:
    hosts = ensemble_host_schools(members, ensembles, window=WINDOW).collect()
    assert sorted(hosts.get_column("urn").to_list()) == [A, D]  # E2 at A, E4 at D


def test_the_as_of_date_cuts_the_year(members, ensembles, pupils, universe, roll) -> None:
    # On 31 January 2026 p5 had not joined the choir (1 February): p1 and p2.
    window = ReportingWindow.for_year(YEAR, as_of=date(2026, 1, 31))
    table = ensemble_member_figures(members, ensembles, pupils, universe, roll, window=window).collect()
    assert _rows(table, "ensemble_members", "All") == [("All", 2.0)]


def test_ensembles_sheet_is_a_valid_duty_table(members, ensembles, pupils, universe, roll) -> None:
    sheet = ensembles_sheet(members, ensembles, pupils, universe, roll, window=WINDOW).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.get_column("measure_id").unique(maintain_order=True).to_list() == [
        "ensembles",
        "ensemble_members",
        "ensemble_places",
    ]


def test_no_members_give_zeros(ensembles, pupils, universe, roll) -> None:
    sheet = ensembles_sheet(
        frame(EnsembleMembers, []), ensembles, pupils, universe, roll, window=WINDOW
    ).collect()
    DutyFigures.validate(sheet, lazy=True)
    assert sheet.filter(pl.col("breakdown") == "All").select("measure_id", "count").rows() == [
        ("ensembles", 0.0),
        ("ensemble_members", 0.0),
        ("ensemble_places", 0.0),
    ]
