"""Each KPI on a frame of a few rows, with the expected figure worked out by hand in the comments."""

from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from schemas.census import SchoolCensus
from schemas.hub_exports import (
    Engagements,
    EnsembleMembers,
    Ensembles,
    Finance,
    Pupils,
    Singing,
    Tuition,
    Wcet,
)
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from tests.builders import census, establishments, frame, hub_data, school
from transforms.kpis import kpi_table, kpi_values
from transforms.return_tables import return_tables

YEAR = AcademicYear(2025)  # 2025/26
AS_OF = date(2026, 11, 23)
HUB = ("830",)
DUTIES = return_layout(YEAR).kpi5.duties
A, B, C, D = "100001", "100002", "100003", "100004"  # C is in a neighbouring LA, outside the hub


@pytest.fixture
def data():
    register = establishments(school(A), school(B), school(C, la_code="891"), school(D))
    roll = census([(A, 200), (B, 100), (C, 50), (D, 100)])  # hub roll: 200 + 100 + 100 = 400
    pupils = frame(
        Pupils,
        [
            {"pupil_ref": "p1", "urn": A},
            {"pupil_ref": "p2", "urn": A},
            {"pupil_ref": "p3", "urn": B},
            {"pupil_ref": "p4", "urn": C},
            {"pupil_ref": "p5", "urn": B},
        ],
        nc_year="5",
        gender="F",
        fsm=False,
        pupil_premium=False,
        sen_status="none",
        looked_after=False,
    )
    wcet = frame(
        Wcet,
        [
            # School A, class 4X, no roll: Autumn 28 and Spring 27 are the same class -> 28 pupils.
            {"programme_id": "W1", "urn": A, "class_name": "4X", "term": "Autumn", "pupils": 28},
            {"programme_id": "W2", "urn": A, "class_name": "4X", "term": "Spring", "pupils": 27},
            # School B, class 4Y with a roll of p3 and p5 in both terms -> 2 pupils.
            {"programme_id": "W3", "urn": B, "class_name": "4Y", "term": "Autumn", "pupils": 2},
            {"programme_id": "W4", "urn": B, "class_name": "4Y", "term": "Spring", "pupils": 2},
            # Outside the hub's universe, and a row of last year: neither counts this year.
            {"programme_id": "W5", "urn": C, "class_name": "4Z", "term": "Autumn", "pupils": 30},
            {
                "programme_id": "W6",
                "urn": A,
                "class_name": "4X",
                "term": "Autumn",
                "pupils": 25,
                "academic_year": "2024/25",
            },
        ],
        academic_year="2025/26",
        nc_year="4",
        instrument="Violin",
        weeks=10,
        first_time=True,
        provision="delivered",
    )
    participants = pl.DataFrame(
        {"programme_id": ["W3", "W3", "W4", "W4"], "pupil_ref": ["p3", "p5", "p3", "p5"]}
    ).lazy()
    ensembles = frame(
        Ensembles,
        [{"ensemble_id": "E1", "type": "orchestra"}, {"ensemble_id": "E2", "type": "choir"}],
        name="x",
        level="entry",
        lead="hub",
    )
    members = frame(
        EnsembleMembers,
        [
            {"ensemble_id": "E1", "pupil_ref": "p1", "start_date": date(2024, 9, 5)},  # p1 in two ensembles:
            {"ensemble_id": "E2", "pupil_ref": "p1", "start_date": date(2025, 9, 5)},  # counted once
            {
                "ensemble_id": "E1",
                "pupil_ref": "p3",
                "start_date": date(2024, 9, 5),
                "end_date": date(2025, 7, 1),
            },  # left before the year
            {
                "ensemble_id": "E1",
                "pupil_ref": "p4",
                "start_date": date(2025, 9, 5),
            },  # school outside the hub
            {"ensemble_id": "E3", "pupil_ref": "p2", "start_date": date(2025, 9, 5)},  # unknown ensemble
            {"ensemble_id": "E2", "pupil_ref": "p5", "start_date": date(2026, 1, 10)},
        ],
    )
    tuition = frame(
        Tuition,
        [
            {"enrolment_id": "T1", "pupil_ref": "p1", "start_date": date(2025, 9, 10)},  # p1 twice: once
            {"enrolment_id": "T2", "pupil_ref": "p1", "start_date": date(2025, 9, 10)},
            {
                "enrolment_id": "T3",
                "pupil_ref": "p2",
                "start_date": date(2024, 9, 10),
                "end_date": date(2025, 8, 31),
            },  # ended the day before the year
            {"enrolment_id": "T4", "pupil_ref": "p3", "start_date": date(2026, 9, 1)},  # starts after it
            {"enrolment_id": "T5", "pupil_ref": "p4", "start_date": date(2025, 9, 10)},  # outside the hub
            {"enrolment_id": "T6", "pupil_ref": "p5", "start_date": date(2024, 1, 1)},  # still learning
        ],
        instrument="Flute",
        lesson_type="individual",
        remission_pct=0.0,
        standard="entry",
        provision="delivered",
    )
    singing = frame(
        Singing,
        [
            {"urn": A, "pupils": 60, "regular": True},
            {"urn": A, "pupils": 100, "regular": False},  # not regular
            {"urn": B, "pupils": 40, "regular": True},
            {"urn": C, "pupils": 30, "regular": True},  # outside the hub
            {"urn": A, "pupils": 80, "regular": True, "academic_year": "2024/25"},  # last year
        ],
        academic_year="2025/26",
        programme="Sing Up",
        school_choir=True,
    )
    engagements = frame(
        Engagements,
        [{"engagement_id": "G1", "urn": D, "date": date(2025, 10, 1), "engagement_level": 0}],
        duration_minutes=60,
        kind="conversation",
    )
    return hub_data(
        establishments=register,
        census=roll,
        pupils=pupils,
        wcet=wcet,
        wcet_participants=participants,
        ensembles=ensembles,
        ensemble_members=members,
        tuition=tuition,
        singing=singing,
        engagements=engagements,
    )


def _values(data, **kwargs) -> dict[str, tuple[int, int]]:
    table = kpi_values(
        data, la_codes=HUB, year=YEAR, as_of=kwargs.get("as_of", AS_OF), engaged_duties=DUTIES
    ).collect()
    return {r["kpi_code"]: (r["count"], r["denominator"]) for r in table.iter_rows(named=True)}


def test_kpi1_wcet_counts_a_class_once_and_rolls_by_unique_pupil(data) -> None:
    assert _values(data)["KPI 1"] == (28 + 2, 400)


def test_kpi2_ensembles_count_unique_pupils_of_the_hub_schools(data) -> None:
    assert _values(data)["KPI 2"] == (2, 400)  # p1 (two ensembles, once) and p5


def test_kpi3_tuition_counts_unique_learners_with_a_span_in_the_year(data) -> None:
    assert _values(data)["KPI 3"] == (2, 400)  # p1 (twice, once) and p5 (open-ended since 2024)


def test_kpi4_singing_sums_regular_programmes_of_the_year(data) -> None:
    assert _values(data)["KPI 4"] == (60 + 40, 400)


def test_kpi5_schools_engaged_out_of_the_universe(data) -> None:
    # A and B host WCET; D only had a level-0 conversation, which is not engagement. C is outside.
    assert _values(data)["KPI 5"] == (2, 3)


def test_as_of_date_cuts_the_current_year(data) -> None:
    # On 31 Dec 2025 p5 had not yet joined the choir (10 Jan 2026): only p1 counts.
    assert _values(data, as_of=date(2025, 12, 31))["KPI 2"] == (1, 400)


def test_kpi_table_adds_shares_and_last_year(data) -> None:
    current = kpi_values(data, la_codes=HUB, year=YEAR, as_of=AS_OF, engaged_duties=DUTIES)
    previous = kpi_values(data, la_codes=HUB, year=YEAR.previous(), as_of=AS_OF, engaged_duties=DUTIES)
    table = kpi_table(current, previous).collect()
    kpi1 = table.row(0, named=True)
    assert kpi1["kpi_code"] == "KPI 1"
    assert kpi1["count_pct"] == pytest.approx(30 / 400)
    # Last year: only the 2024/25 class at A (25 pupils). The census has no 2024/25 rows, so the
    # denominator falls back to nothing earlier: no census -> no share.
    assert kpi1["previous_count"] == 25
    kpi4 = table.row(3, named=True)
    assert kpi4["previous_count"] == 80


def test_census_of_the_year_is_preferred_to_older_ones(data) -> None:
    older = census([(A, 10), (B, 10), (D, 10)], period="202425")
    newer = census([(A, 200), (B, 100), (D, 100)], period="202526")
    both = hub_data(establishments=data.establishments, census=pl.concat([older, newer]))
    assert _values(both)["KPI 1"][1] == 400
    future = census([(A, 1), (B, 1), (D, 1)], period="202627")
    assert (
        _values(hub_data(establishments=data.establishments, census=pl.concat([older, future])))["KPI 1"][1]
        == 30
    )
    assert SchoolCensus.census_period == "census_period"


def test_pi1_is_a_table_of_its_own_and_the_kpis_hold_no_pounds(data) -> None:
    finance = frame(
        Finance,
        [
            {"category": "DfE grant", "amount_gbp": 900.0},
            {"category": "schools", "amount_gbp": 100.0},
        ],
        kind="income",
        date=date(2026, 1, 15),
    )
    tables = return_tables(
        replace(data, finance=finance),
        la_codes=HUB,
        year=YEAR,
        as_of=AS_OF,
        previous_kpis=None,
        engaged_duties=DUTIES,
    )
    kpis = tables["kpis"].collect()
    assert kpis.get_column("kpi_code").to_list() == ["KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5"]
    income = tables["income"].collect()
    assert income.select("source", "amount_gbp", "total_income_gbp").rows()[:2] == [
        ("DfE grant", 900, 1000),
        ("schools", 100, 1000),
    ]
