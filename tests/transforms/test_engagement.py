"""The SMEP tracker, its summary and exceptions, on a handful of schools with expectations worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.census import SchoolCensus
from schemas.engagement import EngagementSummaryRow, MapPointRow, OutsideUniverseRow, TrackerRow
from schemas.hub_exports import (
    Cpd,
    Engagements,
    EnsembleMembers,
    Ensembles,
    Events,
    Loans,
    Pupils,
    Singing,
    Tuition,
    Wcet,
    WcetParticipants,
)
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, hub_data, school
from transforms.activity import HubData
from transforms.engagement import (
    ALL_PHASES,
    NOT_PLOTTED,
    canonical_quality_marks,
    engagement_summary,
    map_points,
    outside_universe,
    tracker_rows,
)
from transforms.periods import ReportingWindow
from transforms.universe import school_universe

YEAR = AcademicYear(2025)  # 2025/26
AS_OF = date(2026, 11, 23)  # after the year's end: a closed year
WINDOW = ReportingWindow.for_year(YEAR, as_of=AS_OF)
# A: busy primary; B: quiet primary (no activity, no contact); C: secondary with a red rating and high FSM;
# D: neighbouring LA (outside); E: independent school in the area (outside); F: not in the register at all.
A, B, C, D, E, F = "100001", "100002", "100003", "100004", "100005", "199999"


def _contact(number: int, urn: str, day: date, **values: object) -> dict:
    return {
        "engagement_id": f"G{number}",
        "urn": urn,
        "date": day,
        "duration_minutes": 30,
        "kind": "conversation",
        "engagement_level": 1,
        **values,
    }


@pytest.fixture
def data() -> HubData:
    register = establishments(
        school(A, trust_name="Vale Trust", postcode="DE1 1AA", fsm_pct=50.0, easting=435120, northing=336450),
        school(B, fsm_pct=10.0),  # GIAS gives no grid reference
        school(C, phase_name="Secondary", fsm_pct=5.0, easting=437800, northing=341200),
        school(D, la_code="891", la_name="Nottinghamshire"),
        school(E, type_name="Other independent school", type_group_name="Independent schools"),
    )
    census = frame(
        SchoolCensus,
        [
            # A's census says 20 of 200 (10%): the census wins over GIAS's 50%. C: 60 of 200 (30%).
            {"urn": A, "pupil_headcount": 200, "fsm_count": 20},
            {"urn": C, "pupil_headcount": 200, "fsm_count": 60},
        ],
        census_period="202526",
    )
    pupils = frame(
        Pupils,
        [
            {"pupil_ref": "P1", "urn": A, "nc_year": "4"},
            {"pupil_ref": "P2", "urn": A, "nc_year": "5"},
            {"pupil_ref": "P3", "urn": E, "nc_year": "5"},  # learns with the hub, at an independent school
        ],
    )
    return hub_data(
        establishments=register,
        census=census,
        pupils=pupils,
        wcet=frame(
            Wcet,
            [
                # Class 4A on a roll of P1 and P2 over two terms: 2 unique pupils. A class without a roll: 25.
                {"programme_id": "W1", "urn": A, "class_name": "4A", "term": "Autumn", "pupils": 30},
                {"programme_id": "W2", "urn": A, "class_name": "4A", "term": "Spring", "pupils": 30},
                {"programme_id": "W3", "urn": A, "class_name": "4B", "term": "Autumn", "pupils": 25},
                {
                    "programme_id": "W9",
                    "urn": A,
                    "class_name": "4C",
                    "term": "Autumn",
                    "pupils": 99,
                    "academic_year": "2024/25",
                },  # last year
            ],
            academic_year="2025/26",
            nc_year="4",
            instrument="ukulele",
            weeks=10,
            first_time=True,
            provision="delivered",
        ),
        wcet_participants=frame(
            WcetParticipants,
            [{"programme_id": p, "pupil_ref": r} for p in ("W1", "W2") for r in ("P1", "P2")],
        ),
        tuition=frame(
            Tuition,
            [
                {"enrolment_id": "T1", "pupil_ref": "P1", "start_date": date(2025, 9, 10)},
                {"enrolment_id": "T2", "pupil_ref": "P1", "start_date": date(2026, 1, 10)},  # same pupil
                {"enrolment_id": "T3", "pupil_ref": "P3", "start_date": date(2025, 9, 10)},  # school E
            ],
            instrument="violin",
            lesson_type="individual",
            standard="entry",
            provision="delivered",
        ),
        ensembles=frame(
            Ensembles, [{"ensemble_id": "E1", "name": "Vale Strings", "type": "orchestra", "lead": "hub"}]
        ),
        ensemble_members=frame(
            EnsembleMembers, [{"ensemble_id": "E1", "pupil_ref": "P2", "start_date": date(2025, 9, 1)}]
        ),
        singing=frame(
            Singing,
            [
                {"urn": A, "programme": "Big Sing", "pupils": 60, "regular": True},
                {"urn": A, "programme": "One-off", "pupils": 90, "regular": False},  # not regular
                {
                    "urn": C,
                    "programme": "Big Sing",
                    "pupils": 40,
                    "regular": True,
                    "academic_year": "2024/25",
                },
            ],
            academic_year="2025/26",
            school_choir=False,
        ),
        cpd=frame(
            Cpd,
            [
                {"event_id": "K1", "urn": A, "attendees": 2},
                {"event_id": "K2", "urn": A, "attendees": 1},
                {"event_id": "K2", "urn": D, "attendees": 4},  # neighbouring LA
            ],
            date=date(2025, 10, 1),
            title="Singing",
            hours=2.0,
        ),
        loans=frame(
            Loans,
            [
                {"loan_id": "L1", "pupil_ref": "P1", "start_date": date(2025, 9, 5)},  # P1's school: A
                {"loan_id": "L2", "urn": C, "start_date": date(2024, 9, 5)},  # still out this year
                {
                    "loan_id": "L3",
                    "urn": C,
                    "start_date": date(2024, 9, 5),
                    "end_date": date(2025, 7, 1),
                },  # back
            ],
            instrument="violin",
            family="strings",
            charge_gbp=0.0,
            remission="free",
        ),
        events=frame(
            Events,
            [{"event_id": "X1", "urn": A, "pupils": 45}, {"event_id": "X1", "urn": F, "pupils": 9}],
            date=date(2026, 6, 1),
            title="Schools Prom",
        ),
        engagements=frame(
            Engagements,
            [
                # A: quality marks recorded last year only; two conversations and a network meeting this year.
                _contact(1, A, date(2025, 3, 1), quality_marks="Music Mark", rag_curriculum="R"),
                _contact(
                    2,
                    A,
                    date(2025, 10, 1),
                    engagement_level=2,
                    rag_curriculum="A",
                    rag_wcet="G",
                    mdp_published=True,
                ),
                _contact(
                    3,
                    A,
                    date(2026, 1, 10),
                    kind="visit",
                    engagement_level=3,
                    rag_curriculum="G",
                    next_due=date(2026, 4, 1),
                ),
                _contact(
                    4, A, date(2026, 2, 1), kind="network", engagement_level=3, next_due=date(2026, 5, 1)
                ),
                # C: one conversation at level 1 (so engaged), red on ensembles.
                _contact(5, C, date(2025, 11, 1), rag_ensemble="R", mdp_published=False),
                # E is outside the universe.
                _contact(6, E, date(2025, 11, 1)),
            ],
        ),
    )


@pytest.fixture
def universe(data: HubData) -> pl.LazyFrame:
    return school_universe(data.establishments, la_codes=("830",), year=YEAR)


@pytest.fixture
def tracker(data: HubData, universe: pl.LazyFrame) -> pl.DataFrame:
    rows = tracker_rows(data, universe, window=WINDOW, high_fsm_pct=25.0, as_of=AS_OF).collect()
    return TrackerRow.validate(rows, lazy=True)


def _row(tracker: pl.DataFrame, urn: str) -> dict:
    return tracker.filter(pl.col(TrackerRow.urn) == urn).row(0, named=True)


def test_every_school_of_the_universe_is_a_row_including_the_quiet_one(tracker: pl.DataFrame) -> None:
    assert tracker.get_column(TrackerRow.urn).to_list() == [A, B, C]


def test_activity_this_year_is_counted_per_school_as_on_the_duty_sheets(tracker: pl.DataFrame) -> None:
    a = _row(tracker, A)
    assert (a["wcet_pupils"], a["tuition_pupils"], a["ensemble_members"]) == (2 + 25, 1, 1)
    assert (a["singing_pupils"], a["cpd_attendees"], a["loans"], a["experience_pupils"]) == (60, 3, 1, 45)
    c = _row(tracker, C)
    assert (c["wcet_pupils"], c["singing_pupils"], c["loans"]) == (
        0,
        0,
        1,
    )  # last year's singing is not this year's


def test_conversations_exclude_network_meetings_and_the_next_is_set_by_the_latest_contact(
    tracker: pl.DataFrame,
) -> None:
    a = _row(tracker, A)
    assert a["conversations"] == 2
    assert a["last_conversation"] == date(2026, 1, 10)
    assert a["next_conversation"] == date(2026, 5, 1)  # the network meeting of 1 Feb is the latest contact
    assert (a["engagement_level"], a["engagement_level_name"]) == (3, "Strategic partner / lead school")
    assert a["is_overdue"] is False


def test_ratings_mdp_and_quality_marks_are_the_latest_recorded(tracker: pl.DataFrame) -> None:
    a = _row(tracker, A)
    # Curriculum: G of January (not last year's R); WCET: G of October, not blanked by later contacts.
    assert (a["rag_curriculum"], a["rag_wcet"], a["rag_choir"]) == ("G", "G", None)
    assert a["mdp_published"] is True
    # Recorded last year, still held; "Music Mark" is the scheme Music Mark replaced in September 2025.
    assert a["quality_marks"] == "Music Mark School (scheme before September 2025)"


def test_fsm_share_comes_from_the_census_else_from_gias(tracker: pl.DataFrame) -> None:
    assert _row(tracker, A)["fsm_pct"] == pytest.approx(0.10)
    assert _row(tracker, B)["fsm_pct"] == pytest.approx(0.10)  # no census row: GIAS's 10%
    assert _row(tracker, C)["fsm_pct"] == pytest.approx(0.30)


def test_quiet_school_is_a_priority_and_a_closed_year_says_its_conversations(tracker: pl.DataFrame) -> None:
    b = _row(tracker, B)
    assert (b["is_engaged"], b["conversations"], b["is_overdue"], b["engagement_level"]) == (
        False,
        0,
        False,
        None,
    )
    assert b["conversation_status"] == "No conversation in the year"
    assert (b["is_priority"], b["priority_reason"]) == (True, "Not engaged this year")
    a = _row(tracker, A)
    assert (a["is_overdue"], a["is_due_soon"]) == (False, False)
    assert a["conversation_status"] == "2 conversations in the year, the last on 10/01/2026"
    assert a["hub_officer"] is None


@pytest.mark.parametrize(
    ("as_of", "school", "overdue", "due_soon", "status"),
    [
        # A's latest contact set the next for 1 May 2026 (28 days is "soon").
        (date(2026, 3, 1), A, False, False, "Next due 01/05/2026"),
        (date(2026, 4, 3), A, False, True, "Due soon: 01/05/2026"),
        (date(2026, 5, 1), A, False, True, "Due soon: 01/05/2026"),
        (date(2026, 5, 2), A, True, False, "Overdue: was due 01/05/2026"),
        # B has never had a conversation and none is booked.
        (date(2025, 9, 2), B, True, False, "Overdue: no conversation on record and none booked"),
        # C's only conversation (1 November 2025) set no next date: overdue a year after it.
        (date(2026, 8, 31), C, False, False, "None booked; the last was 01/11/2025"),
    ],
)
def test_overdue_and_due_soon_are_as_of_the_date_in_a_year_in_progress(
    data: HubData,
    universe: pl.LazyFrame,
    as_of: date,
    school: str,
    overdue: bool,
    due_soon: bool,
    status: str,
) -> None:
    window = ReportingWindow.for_year(YEAR, as_of=as_of)
    row = _row(
        TrackerRow.validate(
            tracker_rows(data, universe, window=window, high_fsm_pct=25.0, as_of=as_of).collect()
        ),
        school,
    )
    assert (row["is_overdue"], row["is_due_soon"], row["conversation_status"]) == (overdue, due_soon, status)


def test_a_conversation_more_than_a_year_ago_with_none_booked_is_overdue(data: HubData) -> None:
    next_year = AcademicYear(2026)
    as_of = date(2026, 11, 2)  # C's last conversation was 1 November 2025
    window = ReportingWindow.for_year(next_year, as_of=as_of)
    universe = school_universe(data.establishments, la_codes=("830",), year=next_year)
    row = _row(tracker_rows(data, universe, window=window, high_fsm_pct=25.0, as_of=as_of).collect(), C)
    assert (row["is_overdue"], row["conversation_status"]) == (
        True,
        "Overdue: none booked; the last was 01/11/2025",
    )


def test_red_with_high_fsm_is_a_priority_but_not_below_the_threshold(
    data: HubData, universe: pl.LazyFrame
) -> None:
    c = _row(tracker_rows(data, universe, window=WINDOW, high_fsm_pct=25.0, as_of=AS_OF).collect(), C)
    # C is engaged (a level-1 contact), rated red for ensembles, and 30% FSM >= 25%.
    assert (c["is_engaged"], c["is_priority"]) == (True, True)
    assert c["priority_reason"] == "Red for Ensembles with a high FSM share"
    stricter = _row(tracker_rows(data, universe, window=WINDOW, high_fsm_pct=31.0).collect(), C)
    assert (stricter["is_priority"], stricter["priority_reason"]) == (False, None)


def test_summary_counts_schools_by_phase_and_level_with_all_phases_last(tracker: pl.DataFrame) -> None:
    summary = EngagementSummaryRow.validate(engagement_summary(tracker.lazy()).collect())
    rows = {r["phase_name"]: r for r in summary.iter_rows(named=True)}
    assert summary.get_column("phase_name").to_list() == ["Primary", "Secondary", ALL_PHASES]
    primary, everything = rows["Primary"], rows[ALL_PHASES]
    assert (primary["schools"], primary["level_none"], primary["level_3"], primary["overdue"]) == (2, 1, 1, 0)
    assert (everything["schools"], everything["level_1"], everything["with_conversation"]) == (3, 1, 2)
    assert (everything["engaged"], everything["priority"]) == (2, 2)  # B not engaged; C red with high FSM
    assert everything["with_conversation_pct"] == pytest.approx(2 / 3)
    levels = ["level_none", "level_0", "level_1", "level_2", "level_3"]
    assert sum(everything[c] for c in levels) == everything["schools"]


def test_schools_named_outside_the_universe_are_listed_with_the_reason(
    data: HubData, universe: pl.LazyFrame
) -> None:
    table = OutsideUniverseRow.validate(
        outside_universe(data, universe, la_codes=("830",), window=WINDOW).collect()
    )
    rows = {(r["urn"], r["source"]): (r["rows"], r["reason"]) for r in table.iter_rows(named=True)}
    assert rows == {
        (D, "cpd"): (1, "In another local authority: Nottinghamshire"),
        (E, "engagements"): (1, "Not a state-funded school of the universe: Other independent school"),
        (E, "pupils"): (1, "Not a state-funded school of the universe: Other independent school"),
        (F, "events"): (1, "Not in the DfE register (GIAS)"),
    }


def test_quality_marks_are_shown_under_their_current_names() -> None:
    marks = pl.LazyFrame(
        {
            "marks": [
                "music_mark_recognition_ambition_quality; Artsmark gold",
                "Music  Mark school member;  Music Mark School Membership ; ",
                "Dedication and Improvement",
                None,
            ]
        }
    )
    shown = marks.select(canonical_quality_marks("marks")).collect().get_column("marks").to_list()
    assert shown == [
        "Music Mark of Recognition: Ambition & Quality; Artsmark Gold",
        "Music Mark school membership",  # the same mark twice is shown once
        "Music Mark of Recognition: Dedication & Improvement",
        None,
    ]


def test_the_map_puts_each_school_in_one_series_and_keeps_those_without_a_grid_reference(
    tracker: pl.DataFrame,
) -> None:
    assert (_row(tracker, A)["easting"], _row(tracker, A)["northing"]) == (435120, 336450)
    points = MapPointRow.validate(map_points(tracker.lazy()).collect())
    # C is engaged but red with a high FSM share (a priority); A is engaged; B is not engaged, and unplaced.
    assert points.rows() == [
        ("Priority", C, "School 100003", 437800, 341200),
        ("Engaged", A, "School 100001", 435120, 336450),
        (NOT_PLOTTED, B, "School 100002", None, None),
    ]
