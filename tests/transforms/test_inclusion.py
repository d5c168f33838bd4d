"""Inclusion on a few pupils and census rows, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.census import ETHNICITY_COUNT_COLUMNS, SchoolCensus, SenCensus, major_group_columns
from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils, Tuition, Wcet, WcetParticipants
from schemas.output_tables import InclusionFigures
from schemas.periods import AcademicYear
from schemas.vocabulary import ETHNICITY_GROUPS
from tests.builders import establishments, frame, hub_data, school
from transforms.figures import Measure
from transforms.inclusion import area_base_rates, inclusion_sheet, reach_profile
from transforms.periods import ReportingWindow
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year
A, B, C = "100001", "100002", "100003"  # C is in a neighbouring LA
MEASURE = Measure("inclusion_test", "Pupils in something", "pupils")


@pytest.fixture
def universe() -> pl.LazyFrame:
    register = establishments(school(A), school(B), school(C, la_code="891"))
    return school_universe(register, la_codes=("830",), year=YEAR)  # A and B


@pytest.fixture
def pupils() -> pl.LazyFrame:
    columns = ("pupil_ref", "urn", "fsm", "pupil_premium", "sen_status", "looked_after", "ethnicity_group")
    rows = [
        ("p1", A, True, True, "K", False, "White"),
        ("p2", A, False, True, "E", True, "Asian"),
        ("p3", B, True, False, "none", False, None),  # ethnicity not recorded
        ("p4", B, False, False, "none", False, "White"),
        ("p5", C, True, False, "none", False, "Black"),  # school outside the area
    ]  # fmt: skip
    return frame(Pupils, [dict(zip(columns, row, strict=True)) for row in rows], nc_year="5", gender="F")


def _ethnicity(counts: dict[str, int]) -> dict[str, int]:
    """Census ethnicity columns from counts by census group (unclassified by its own name); the others 0,
    as a census file that has the column writes them.
    """
    columns = {**ETHNICITY_COUNT_COLUMNS, "unclassified": SchoolCensus.ethnicity_unclassified_count}
    return {column: counts.get(group, 0) for group, column in columns.items()}


@pytest.fixture
def roll() -> pl.LazyFrame:
    a = _ethnicity(
        {"white British": 100, "Irish": 20, "Indian": 30, "Caribbean": 10, "Chinese": 5, "unclassified": 35}
    )
    b = _ethnicity(
        {"white British": 200, "any other white background": 10, "white and Asian": 40, "Pakistani": 20,
         "African": 20, "any other ethnic group": 10}
    )  # fmt: skip
    return frame(
        SchoolCensus,
        [
            {"urn": A, "pupil_headcount": 200, "fsm_count": 50, **a},
            {"urn": B, "pupil_headcount": 300, "fsm_count": 30, **b},
            {"urn": C, "pupil_headcount": 1000, "fsm_count": 900, **_ethnicity({"African": 1000})},  # outside
            # Last year's census: this year's is out, so it is not used.
            {"urn": A, "pupil_headcount": 100, "fsm_count": 100, **_ethnicity({"Chinese": 100}),
             "census_period": "202425"},
        ],
        census_period="202526",
    )  # fmt: skip


@pytest.fixture
def sen() -> pl.LazyFrame:
    return frame(
        SenCensus,
        [
            {"urn": A, "sen_pupil_total": 200, "sen_support_count": 20, "ehcp_count": 4},
            {"urn": B, "sen_pupil_total": 300, "sen_support_count": 30, "ehcp_count": 6},
            {"urn": C, "sen_pupil_total": 1000, "sen_support_count": 500, "ehcp_count": 100},  # outside
            {
                "urn": A,
                "sen_pupil_total": 100,
                "sen_support_count": 100,
                "ehcp_count": 100,
                "census_period": "202425",
            },
        ],
        census_period="202526",
    )


def _profile(table: pl.DataFrame, measure_id: str) -> dict[tuple[str, str], tuple]:
    return {
        (r["breakdown"], r["group"]): (r["count"], r["denominator"], r["count_pct"])
        for r in table.filter(pl.col("measure_id") == measure_id).iter_rows(named=True)
    }


def test_reach_profile_counts_each_characteristic_out_of_the_activitys_pupils(pupils, universe) -> None:
    reached = pupils.join(universe.select("urn"), on="urn", how="semi")  # p1-p4
    table = reach_profile(reached, MEASURE).collect()
    profile = _profile(table, "inclusion_test")
    assert profile[("All", "All")] == (4.0, None, None)
    assert profile[("Free school meals", "Eligible")] == (2.0, 4.0, 0.5)  # p1, p3
    assert profile[("Pupil premium", "Eligible")] == (2.0, 4.0, 0.5)  # p1, p2
    assert profile[("SEN", "SEN support")] == (1.0, 4.0, 0.25)  # p1: K
    assert profile[("SEN", "EHC plan")] == (1.0, 4.0, 0.25)  # p2: E
    assert profile[("Looked after", "Looked after")] == (1.0, 4.0, 0.25)  # p2


def test_a_characteristic_nobody_has_is_zero(pupils) -> None:
    nobody = pupils.filter(pl.col("pupil_ref") == "p4")  # no FSM, PP, SEN or care
    profile = _profile(reach_profile(nobody, MEASURE).collect(), "inclusion_test")
    assert profile[("Free school meals", "Eligible")] == (0.0, 1.0, 0.0)
    assert profile[("SEN", "EHC plan")] == (0.0, 1.0, 0.0)
    assert profile[("Looked after", "Looked after")] == (0.0, 1.0, 0.0)


def test_ethnic_groups_add_up_with_unrecorded_ones_not_known(pupils, universe) -> None:
    reached = pupils.join(universe.select("urn"), on="urn", how="semi")
    table = reach_profile(reached, MEASURE).collect()
    ethnicity = table.filter(pl.col("breakdown") == "Ethnicity")
    # White p1, p4; Asian p2; p3 not recorded -> Not known, after the listed groups.
    assert ethnicity.select("group", "count").rows() == [
        *[(g, {"White": 2.0, "Asian": 1.0}.get(g, 0.0)) for g in ETHNICITY_GROUPS],
        ("Not known", 1.0),
    ]
    assert ethnicity.get_column("count").sum() == 4.0
    assert ethnicity.select("parent_breakdown", "parent_group").unique().rows() == [("All", "All")]
    flags = table.filter(~pl.col("breakdown").is_in(["All", "Ethnicity"]))
    assert flags.get_column("parent_breakdown").null_count() == flags.height  # parts whose rest is not shown


def test_area_base_rates_sum_the_census_over_the_universe(universe, roll, sen) -> None:
    rates = area_base_rates(universe, roll, sen, year=YEAR).collect()
    got = {(r["breakdown"], r["group"]): r["base_rate_pct"] for r in rates.iter_rows(named=True)}
    # A and B only, this year's census: headcount 500; FSM 50 + 30 = 80.
    # White 100 + 20 + 200 + 10 = 330; mixed 40; Asian 30 + 20 = 50; black 10 + 20 = 30; Chinese 5;
    # any other 10; unclassified 35 (they add up to 500). SEN file: support 50, EHC plan 10 of 500.
    expected = {
        ("Free school meals", "Eligible"): 80 / 500,
        ("Ethnicity", "White"): 330 / 500,
        ("Ethnicity", "Mixed"): 40 / 500,
        ("Ethnicity", "Asian"): 50 / 500,
        ("Ethnicity", "Black"): 30 / 500,
        ("Ethnicity", "Chinese"): 5 / 500,
        ("Ethnicity", "Any other"): 10 / 500,
        ("Ethnicity", "Unclassified"): 35 / 500,
        ("SEN", "SEN support"): 50 / 500,
        ("SEN", "EHC plan"): 10 / 500,
    }
    assert got == pytest.approx(expected)
    assert set(major_group_columns()) == set(ETHNICITY_GROUPS)  # every group of the export has a base rate


def test_area_base_rates_are_empty_without_a_census(universe) -> None:
    rates = area_base_rates(universe, frame(SchoolCensus, []), frame(SenCensus, []), year=YEAR).collect()
    assert rates.height == 10
    assert rates.get_column("base_rate_pct").null_count() == 10


@pytest.fixture
def sheet(pupils, universe, roll, sen) -> pl.DataFrame:
    data = hub_data(
        establishments=establishments(school(A), school(B), school(C, la_code="891")),
        census=roll,
        sen=sen,
        pupils=pupils,
        wcet=frame(
            Wcet,
            [{"programme_id": "W1", "urn": A}],
            academic_year="2025/26",
            nc_year="5",
            class_name="5X",
            instrument="Violin",
            term="Autumn",
            weeks=10,
            pupils=2,
            first_time=True,
            provision="delivered",
        ),
        wcet_participants=frame(
            WcetParticipants, [{"programme_id": "W1", "pupil_ref": r} for r in ("p1", "p2")]
        ),
        tuition=frame(
            Tuition,
            [{"enrolment_id": f"T{n}", "pupil_ref": r} for n, r in enumerate(["p2", "p3", "p5"])],
            instrument="Flute",
            lesson_type="individual",
            start_date=date(2025, 9, 10),
            remission_pct=0.0,
            standard="entry",
            provision="delivered",
        ),
        ensembles=frame(
            Ensembles, [{"ensemble_id": "E1"}], name="x", type="choir", level="entry", lead="hub"
        ),
        ensemble_members=frame(
            EnsembleMembers, [{"ensemble_id": "E1", "pupil_ref": "p4", "start_date": date(2025, 9, 10)}]
        ),
    )
    return inclusion_sheet(data, universe, window=WINDOW).collect()


def test_inclusion_sheet_profiles_each_activity(sheet) -> None:
    # WCET roll p1, p2; tuition p2, p3 (p5 is outside the area); ensembles p4; any of these p1-p4.
    totals = sheet.filter(pl.col("breakdown") == "All").select("measure_id", "count").rows()
    assert totals == [
        ("inclusion_wcet", 2.0),
        ("inclusion_tuition", 2.0),
        ("inclusion_ensembles", 1.0),
        ("inclusion_any", 4.0),
    ]
    assert _profile(sheet, "inclusion_tuition")[("Free school meals", "Eligible")] == (1.0, 2.0, 0.5)  # p3


def test_inclusion_sheet_difference_is_share_minus_base_rate(sheet) -> None:
    rows = {
        (r["measure_id"], r["breakdown"], r["group"]): (
            r["count_pct"],
            r["base_rate_pct"],
            r["difference_pct"],
        )
        for r in sheet.iter_rows(named=True)
    }
    # WCET: FSM p1 of 2 = 0.5 against 0.16 -> +0.34.
    assert rows[("inclusion_wcet", "Free school meals", "Eligible")] == pytest.approx((0.5, 0.16, 0.34))
    # Any: SEN support p1 of 4 = 0.25 against 0.1 -> +0.15; white p1, p4 of 4 = 0.5 against 0.66 -> -0.16.
    assert rows[("inclusion_any", "SEN", "SEN support")] == pytest.approx((0.25, 0.1, 0.15))
    assert rows[("inclusion_any", "Ethnicity", "White")] == pytest.approx((0.5, 0.66, -0.16))
    # Pupil premium and looked-after children are not in the census: no base rate, no difference.
    assert rows[("inclusion_any", "Pupil premium", "Eligible")] == (0.5, None, None)
    assert rows[("inclusion_any", "Looked after", "Looked after")] == (0.25, None, None)
    assert rows[("inclusion_any", "Ethnicity", "Not known")] == (0.25, None, None)
    assert rows[("inclusion_any", "All", "All")] == (None, None, None)


def test_inclusion_sheet_is_a_valid_inclusion_table(sheet) -> None:
    InclusionFigures.validate(sheet, lazy=True)
    assert sheet.columns == list(InclusionFigures.to_schema().columns)


def test_a_base_rate_whose_census_column_is_absent_is_not_available_never_zero(universe, sen) -> None:
    # An older census layout without the FSM column and without one of the four "Black" group columns:
    # read as empty columns, they must give no base rate ([x] in the workbook), not 0%.
    older = frame(
        SchoolCensus,
        [
            {
                "urn": u,
                "pupil_headcount": n,
                **_ethnicity({"African": n // 10}),
                "fsm_count": None,
                "ethnicity_any_other_black_background_count": None,
            }
            for u, n in ((A, 200), (B, 300))
        ],
        census_period="202526",
    )
    rates = area_base_rates(universe, older, sen, year=YEAR).collect()
    got = {(r["breakdown"], r["group"]): r["base_rate_pct"] for r in rates.iter_rows(named=True)}
    assert got[("Free school meals", "Eligible")] is None
    assert got[("Ethnicity", "Black")] is None
    assert got[("Ethnicity", "Chinese")] == 0.0  # present in the file, nobody in the group: a real 0
    assert got[("SEN", "SEN support")] == pytest.approx(50 / 500)
