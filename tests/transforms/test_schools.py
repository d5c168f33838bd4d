"""KPI 5 and the Schools sheet on the seven kinds of school that tell the readings of "engaged" apart."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import Cpd, Engagements, Events, Loans, Pupils, Singing, Tuition, Wcet
from schemas.output_tables import SCHOOL_DUTIES
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from tests.builders import census, establishments, frame, hub_data, school
from transforms.kpis import kpi_values
from transforms.periods import ReportingWindow
from transforms.schools import school_engagement
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
AS_OF = date(2026, 8, 31)
HUB = ("830",)
# One school of each kind.
ACTIVITY, LOAN, CPD, EXPERIENCE, SMEP, NOTHING, TWO = (f"10000{n}" for n in range(1, 8))
OCT = date(2025, 10, 1)


@pytest.fixture
def data():
    urns = (ACTIVITY, LOAN, CPD, EXPERIENCE, SMEP, NOTHING, TWO)
    pupils = frame(
        Pupils,
        [{"pupil_ref": "p1", "urn": LOAN}, {"pupil_ref": "p2", "urn": TWO}],
        nc_year="5",
        gender="F",
        fsm=False,
        pupil_premium=False,
        sen_status="none",
        looked_after=False,
    )
    wcet = frame(
        Wcet,
        [{"programme_id": "W1", "urn": ACTIVITY, "class_name": "4X", "term": "Autumn", "pupils": 28}],
        academic_year="2025/26",
        nc_year="4",
        instrument="Violin",
        weeks=10,
        first_time=True,
        provision="delivered",
    )
    loans = frame(
        Loans,
        # A pupil's loan: the school is the pupil's.
        [{"loan_id": "L1", "pupil_ref": "p1", "start_date": OCT}],
        instrument="Cornet",
        family="brass",
        charge_gbp=0.0,
        remission="free",
    )
    cpd = frame(
        Cpd,
        [
            {"event_id": "C1", "urn": CPD, "attendees": 3},
            {"event_id": "C1", "urn": TWO, "attendees": 1},
            {"event_id": "C1", "urn": NOTHING, "attendees": 0},  # booked, nobody came: not a CPD school
        ],
        date=OCT,
        title="Singing in the classroom",
        hours=2.0,
    )
    events = frame(
        Events,
        [{"event_id": "X1", "urn": EXPERIENCE, "pupils": 60}],
        date=OCT,
        title="Massed choirs",
        venue="Town Hall",
    )
    engagements = frame(
        Engagements,
        [
            {"engagement_id": "G1", "urn": SMEP, "engagement_level": 2},
            {"engagement_id": "G2", "urn": NOTHING, "engagement_level": 0},  # a conversation, not engagement
        ],
        date=OCT,
        duration_minutes=45,
        kind="conversation",
    )
    tuition = frame(
        Tuition,
        [{"enrolment_id": "T1", "pupil_ref": "p2", "start_date": OCT}],
        instrument="Flute",
        lesson_type="individual",
        remission_pct=0.0,
        standard="entry",
        provision="delivered",
    )
    singing = frame(Singing, [], academic_year="2025/26")
    return hub_data(
        establishments=establishments(*(school(urn) for urn in urns)),
        census=census([(urn, 100) for urn in urns]),
        pupils=pupils,
        wcet=wcet,
        loans=loans,
        cpd=cpd,
        events=events,
        engagements=engagements,
        tuition=tuition,
        singing=singing,
    )


def _schools(data, counted) -> dict[str, dict]:
    universe = school_universe(data.establishments, la_codes=HUB, year=YEAR)
    window = ReportingWindow.for_year(YEAR, as_of=AS_OF)
    table = school_engagement(data, universe, window=window, counted=counted).collect()
    return {row["urn"]: row for row in table.iter_rows(named=True)}


def _yes(row: dict) -> set[str]:
    return {duty for duty in SCHOOL_DUTIES if row[duty]}


def test_the_schools_sheet_has_a_y_n_column_for_every_duty(data) -> None:
    rows = _schools(data, return_layout(YEAR).kpi5.duties)
    assert {urn: _yes(row) for urn, row in rows.items()} == {
        ACTIVITY: {"has_wcet"},
        LOAN: {"has_loan"},
        CPD: {"has_cpd"},
        EXPERIENCE: {"has_experience"},
        SMEP: {"has_smep_contact"},
        NOTHING: set(),
        TWO: {"has_tuition", "has_cpd"},
    }


def test_with_the_layout_only_the_core_roles_make_a_school_engaged(data) -> None:
    # The year's layout counts the four core roles: WCET, tuition, ensembles and singing.
    assert return_layout(YEAR).kpi5.duties == ("has_wcet", "has_tuition", "has_ensemble", "has_singing")
    rows = _schools(data, return_layout(YEAR).kpi5.duties)
    engaged = {urn for urn, row in rows.items() if row["is_engaged"]}
    assert engaged == {ACTIVITY, TWO}


def test_kpi5_is_the_count_of_y_in_engaged(data) -> None:
    duties = return_layout(YEAR).kpi5.duties
    kpis = kpi_values(data, la_codes=HUB, year=YEAR, as_of=AS_OF, engaged_duties=duties).collect()
    kpi5 = kpis.filter(pl.col("kpi_code") == "KPI 5").row(0, named=True)
    rows = _schools(data, duties)
    assert (kpi5["count"], kpi5["denominator"]) == (2, 7)
    assert kpi5["count"] == sum(row["is_engaged"] for row in rows.values())


def test_a_layout_counting_every_duty_changes_only_engaged(data) -> None:
    rows = _schools(data, SCHOOL_DUTIES)
    assert {urn for urn, row in rows.items() if row["is_engaged"]} == {
        ACTIVITY,
        LOAN,
        CPD,
        EXPERIENCE,
        SMEP,
        TWO,
    }
    kpis = kpi_values(data, la_codes=HUB, year=YEAR, as_of=AS_OF, engaged_duties=SCHOOL_DUTIES).collect()
    assert kpis.filter(pl.col("kpi_code") == "KPI 5").select("count", "denominator").row(0) == (6, 7)
