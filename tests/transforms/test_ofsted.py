"""Ofsted's eleven points beside the hub's evidence, on a tiny tracker, log, workforce and progression table."""

from datetime import date

import polars as pl
import pytest

from foundation.errors import ConfigError
from foundation.ofsted_frameworks import FrameworkArea, OfstedFramework, available_frameworks, load_framework
from schemas.engagement import OfstedEvidenceRow, TrackerRow
from schemas.hub_exports import Engagements, Workforce
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from schemas.vocabulary import OFSTED_2013_POINTS
from tests.builders import frame
from transforms.ofsted import EVIDENCE_KEYS, FRAMEWORK_2013, NO_AREA_DATA, NO_DATA, ofsted_evidence
from transforms.periods import ReportingWindow
from transforms.school_reports import PROMPT_AREAS

YEAR = AcademicYear(2025)
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))


def _tracker() -> pl.LazyFrame:
    # Four schools: engaged 3; conversations at 2; CPD at 1 (5 staff places); level 3 at 1; curriculum G, R, none.
    return frame(
        TrackerRow,
        [
            {
                "urn": "100001",
                "is_engaged": True,
                "conversations": 2,
                "cpd_attendees": 5,
                "engagement_level": 3,
                "rag_curriculum": "G",
            },
            {
                "urn": "100002",
                "is_engaged": True,
                "conversations": 1,
                "cpd_attendees": 0,
                "engagement_level": 1,
                "rag_curriculum": "R",
            },
            {"urn": "100003", "is_engaged": True, "conversations": 0, "cpd_attendees": 0},
            {"urn": "100004", "is_engaged": False, "conversations": 0, "cpd_attendees": 0},
        ],
    )


def _engagements() -> pl.LazyFrame:
    return frame(
        Engagements,
        [
            {"engagement_id": "G1", "with_role": "Headteacher", "duration_minutes": 90},
            {
                "engagement_id": "G2",
                "with_role": "deputy HEADTEACHER",
                "duration_minutes": 30,
            },  # case ignored
            {"engagement_id": "G3", "with_role": "Music lead", "duration_minutes": 120},
            {"engagement_id": "G4", "with_role": None, "duration_minutes": 60},
            {
                "engagement_id": "G5",
                "with_role": "Headteacher",
                "duration_minutes": 600,
                "date": date(2025, 8, 1),
            },  # last year
        ],
        urn="100001",
        date=date(2025, 10, 1),
        kind="conversation",
        engagement_level=1,
    )


def _workforce() -> pl.LazyFrame:
    return frame(
        Workforce,
        [
            {"staff_ref": "S1", "fte": 1.0, "cpd_hours": 10.0},
            {"staff_ref": "S2", "fte": 0.5, "cpd_hours": 0.0},
            {"staff_ref": "S3", "fte": 1.0, "cpd_hours": 3.0, "academic_year": "2024/25"},
        ],
        academic_year="2025/26",
        role="Teacher",
        employment="permanent",
    )


def _progression() -> pl.LazyFrame:
    rows = [
        ("continuation", "All", "All", 30.0, 120.0),
        ("continuation", "Continuing in", "Tuition", 20.0, 120.0),
        ("tuition_standard", "All", "All", 50.0, None),
        ("tuition_standard", "Standard", "entry", 20.0, None),
        ("tuition_standard", "Standard", "foundation", 15.0, None),
        ("tuition_standard", "Standard", "intermediate", 10.0, None),
        ("tuition_standard", "Standard", "advanced", 5.0, None),
    ]
    return frame(
        DutyFigures,
        [
            {"measure_id": m, "breakdown": b, "group": g, "count": c, "denominator": d}
            for m, b, g, c, d in rows
        ],
        measure="m",
        unit="pupils",
    )


@pytest.fixture
def evidence() -> pl.DataFrame:
    table = ofsted_evidence(
        _tracker(),
        _engagements(),
        _workforce(),
        _progression(),
        window=WINDOW,
        leader_roles=("Headteacher", "Deputy headteacher"),
        hours_per_fte=1000.0,
    ).collect()
    return OfstedEvidenceRow.validate(table, lazy=True)


def _figures(evidence: pl.DataFrame, point: int) -> list[tuple]:
    return [
        (r["count"], r["denominator"], r["count_pct"])
        for r in evidence.filter(pl.col("point") == point).iter_rows(named=True)
    ]


def test_every_point_is_there_in_order_with_ofsteds_words(evidence: pl.DataFrame) -> None:
    assert sorted(set(evidence.get_column("point"))) == list(range(1, 12))
    assert evidence.get_column("point").to_list() == sorted(evidence.get_column("point").to_list())
    first = evidence.row(0, named=True)
    assert first["what_hubs_must_do"] == OFSTED_2013_POINTS[0]
    assert first["what_hubs_must_do"].startswith("Promote themselves with schools")


def test_points_without_data_say_so_and_have_no_figure(evidence: pl.DataFrame) -> None:
    for point in (1, 8):
        rows = evidence.filter(pl.col("point") == point)
        assert rows.get_column("evidence").to_list() == [NO_DATA]
        assert _figures(evidence, point) == [(None, None, None)]


def test_school_figures_come_from_the_tracker(evidence: pl.DataFrame) -> None:
    assert _figures(evidence, 2) == [(3.0, 4.0, 0.75)]
    assert _figures(evidence, 3) == [(2.0, 4.0, 0.5)]
    assert _figures(evidence, 4) == [(1.0, 4.0, 0.25), (2.0, 4.0, 0.5)]  # CPD; curriculum rated
    assert _figures(evidence, 5) == [(1.0, 4.0, 0.25), (5.0, None, None)]
    assert _figures(evidence, 9) == [(1.0, 4.0, 0.25)]
    assert _figures(evidence, 10) == [(1.0, 2.0, 0.5)]


def test_staff_cpd_and_staff_time_with_leaders(evidence: pl.DataFrame) -> None:
    assert _figures(evidence, 6) == [(1.0, 2.0, 0.5)]  # S1 of S1, S2 this year
    # With leaders this year: 90 + 30 minutes = 2 hours; staff hours 1.5 FTE x 1000; all contact 5 hours.
    assert _figures(evidence, 7) == [(2.0, 1500.0, pytest.approx(2 / 1500)), (2.0, 5.0, 0.4)]


def test_continuation_and_standards_come_from_the_progression_table(evidence: pl.DataFrame) -> None:
    assert _figures(evidence, 11) == [(30.0, 120.0, 0.25), (15.0, 50.0, 0.3)]


def test_without_a_workforce_export_staff_figures_are_not_available() -> None:
    table = ofsted_evidence(
        _tracker(),
        _engagements(),
        _workforce().clear(),
        _progression(),
        window=WINDOW,
        leader_roles=("Headteacher",),
        hours_per_fte=1000.0,
    ).collect()
    assert _figures(table, 6) == [(None, None, None)]
    assert _figures(table, 7)[0] == (1.5, None, None)  # 90 minutes with the headteacher


# -- The school inspection framework the hub follows, from its file in config/ofsted/ -------------------------


def _with_framework(framework: OfstedFramework) -> pl.DataFrame:
    table = ofsted_evidence(
        _tracker(),
        _engagements(),
        _workforce(),
        _progression(),
        window=WINDOW,
        leader_roles=("Headteacher",),
        hours_per_fte=1000.0,
        framework=framework,
        high_fsm_pct=25.0,
    ).collect()
    return OfstedEvidenceRow.validate(table, lazy=True)


def test_the_renewed_framework_follows_the_2013_points_area_by_area() -> None:
    framework = load_framework("renewed-2025-11")
    table = _with_framework(framework)
    old = table.filter(pl.col("framework") == FRAMEWORK_2013)
    assert sorted(set(old.get_column("point"))) == list(range(1, 12))
    renewed = table.filter(pl.col("framework") == framework.title)
    assert table.get_column("framework").to_list().index(framework.title) == old.height  # after the 2013 list
    assert list(dict.fromkeys(renewed.get_column("what_hubs_must_do"))) == [
        "Inclusion",
        "Curriculum and teaching",
        "Achievement",
        "Attendance and behaviour",
        "Personal development and well-being",
        "Leadership and governance",
    ]
    rows = {
        (r["what_hubs_must_do"], r["evidence"]): (r["count"], r["denominator"])
        for r in renewed.iter_rows(named=True)
    }
    # Curriculum and teaching: curriculum rated at 2 of 4 schools, green at 1 of the 2 rated; CPD at 1 of 4.
    assert rows[("Curriculum and teaching", "Schools rated green for curriculum, of the schools rated")] == (
        1.0,
        2.0,
    )
    assert rows[("Curriculum and teaching", "Schools whose staff attended hub CPD this year")] == (1.0, 4.0)
    # Achievement is the 2013 point 11's progression figures.
    assert [
        r["count"] for r in renewed.filter(pl.col("what_hubs_must_do") == "Achievement").iter_rows(named=True)
    ] == [30.0, 15.0]
    # No figure of the hub's speaks to attendance and behaviour: the row says so.
    (attendance,) = renewed.filter(pl.col("what_hubs_must_do") == "Attendance and behaviour").iter_rows(
        named=True
    )
    assert (attendance["evidence"], attendance["count"]) == (NO_AREA_DATA, None)


def test_a_new_framework_is_a_new_file_and_names_only_known_figures() -> None:
    revised = OfstedFramework(
        version="renewed-2027-09",
        title="A later revision",
        evidence_note="",
        prompt_areas=(),
        areas=(FrameworkArea("Leadership and governance", ("lead_schools", "engaged")),),
    )
    table = _with_framework(revised).filter(pl.col("framework") == "A later revision")
    assert table.select("point", "count", "denominator").rows() == [(1, 1.0, 4.0), (1, 3.0, 4.0)]
    wrong = OfstedFramework(
        version="typo",
        title="Typo",
        evidence_note="",
        prompt_areas=(),
        areas=(FrameworkArea("Inclusion", ("pupils_happy",)),),
    )
    with pytest.raises(ValueError, match=r"config/ofsted/typo.toml names evidence .*pupils_happy"):
        _with_framework(wrong)


def test_every_framework_shipped_names_known_figures_and_every_prompt_area() -> None:
    for version in available_frameworks():
        framework = load_framework(version)
        assert set(PROMPT_AREAS) <= set(framework.prompt_area_titles()), version
        assert {key for area in framework.areas for key in area.evidence} <= set(EVIDENCE_KEYS), version


def test_a_hub_naming_a_framework_with_no_file_is_told_which_there_are() -> None:
    with pytest.raises(ConfigError, match=r"ofsted_framework = 'renewed-2030'.*renewed-2025-11"):
        load_framework("renewed-2030")
