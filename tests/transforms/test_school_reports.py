"""Tables of the report for each school: activity against last year and the phase, ratings, log, open actions."""

from datetime import date

import polars as pl
import pytest

from schemas.engagement import (
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolRagRow,
    TrackerRow,
)
from schemas.hub_exports import Engagements
from schemas.periods import AcademicYear
from tests.builders import frame
from transforms.periods import ReportingWindow
from transforms.school_reports import activity_comparison, conversation_log, open_actions, rag_ratings

YEAR = AcademicYear(2025)
AS_OF = date(2026, 3, 1)
WINDOW = ReportingWindow.for_year(YEAR, as_of=AS_OF)
A, B, C, D, E, G = "100001", "100002", "100003", "100004", "100005", "100006"
ZERO = {
    "wcet_pupils": 0,
    "tuition_pupils": 0,
    "ensemble_members": 0,
    "singing_pupils": 0,
    "cpd_attendees": 0,
    "loans": 0,
    "experience_pupils": 0,
}


def _activity(table: pl.DataFrame, urn: str, activity: str) -> tuple:
    row = table.filter((pl.col("urn") == urn) & (pl.col("activity") == activity)).row(0, named=True)
    return tuple(row[c] for c in list(SchoolActivityRow.to_schema().columns)[2:])


def _school(urn: str, pupils: int | None, fsm: float | None, **values: object) -> dict:
    return {
        "urn": urn,
        "phase_name": "Primary",
        "type_name": "Community school",
        "pupil_headcount": pupils,
        "fsm_pct": fsm,
        **ZERO,
        **values,
    }


def test_activity_is_set_against_last_year_and_similar_schools_per_100_pupils() -> None:
    tracker = frame(
        TrackerRow,
        [
            _school(A, 200, 0.10, wcet_pupils=30, tuition_pupils=20),
            _school(B, 100, 0.40, loans=0),
            _school(D, 300, 0.12, wcet_pupils=10),
            # A special school is compared with special schools, not with the rest of GIAS's "Not applicable".
            _school(
                C, 50, 0.50, phase_name="Not applicable", type_name="Community special school", wcet_pupils=10
            ),
            _school(E, 40, 0.20, phase_name="Not applicable", type_name="Pupil referral unit"),
            _school(G, None, None, wcet_pupils=5),  # no pupils on roll recorded: no rate, and not in others'
        ],
    )
    # C is new this year (not in last year's universe).
    last_year = frame(TrackerRow, [{"urn": A, **ZERO, "wcet_pupils": 20}, {"urn": B, **ZERO, "loans": 1}])
    table = SchoolActivityRow.validate(activity_comparison(tracker, last_year).collect(), lazy=True)
    assert table.height == 6 * 7
    assert table.filter(pl.col("urn") == A).get_column("activity").to_list()[:2] == [
        "WCET pupils",
        "Tuition pupils",
    ]
    # Primary WCET: 40 pupils over 600 on roll; A and D are in the band under 15%: 40 over 500.
    assert _activity(table, A, "WCET pupils") == (
        30,
        20,
        "↑ up 10",
        15.0,
        pytest.approx(40 / 6),
        8.0,
        "Well above similar schools",
    )
    assert _activity(table, D, "WCET pupils") == (
        10,
        None,
        "No figure last year",
        pytest.approx(10 / 3),
        pytest.approx(40 / 6),
        8.0,
        "Well below similar schools",
    )
    # B is alone in its band with none: it is set against the phase.
    assert _activity(table, B, "WCET pupils")[4:] == (
        pytest.approx(40 / 6),
        0.0,
        "Well below similar schools",
    )
    assert _activity(table, B, "Instrument loans")[:3] == (0, 1, "↓ down 1")
    assert _activity(table, A, "Tuition pupils")[3:] == (
        10.0,
        pytest.approx(20 / 6),
        4.0,
        "Well above similar schools",
    )
    assert _activity(table, C, "WCET pupils") == (
        10,
        None,
        "No figure last year",
        20.0,
        20.0,
        20.0,
        "In line with similar schools",
    )
    assert _activity(table, E, "WCET pupils")[3:] == (0.0, 0.0, 0.0, "None, as similar schools")
    assert _activity(table, G, "WCET pupils")[3:] == (
        None,
        pytest.approx(40 / 6),
        None,
        "No pupils on roll recorded",
    )


def _log() -> pl.LazyFrame:
    return frame(
        Engagements,
        [
            {
                "engagement_id": "G0",
                "urn": A,
                "date": date(2025, 3, 1),
                "rag_curriculum": "A",
                "rag_cpd": "G",
            },
            {
                "engagement_id": "G1",
                "urn": A,
                "date": date(2025, 10, 1),
                "rag_curriculum": "R",
                "rag_cpd": "A",
                "actions": "Book WCET; Share the MDP template",
                "next_due": date(2025, 12, 1),
            },
            {
                "engagement_id": "G2",
                "urn": A,
                "date": date(2026, 1, 15),
                "kind": "network",
                "rag_curriculum": "G",
                "actions": "  Join the primary network ;; ",
                "next_due": date(2026, 4, 1),
            },
            {
                "engagement_id": "G3",
                "urn": A,
                "date": date(2026, 2, 1),
                "actions": None,
            },  # no actions: earlier stand
            {
                "engagement_id": "G4",
                "urn": B,
                "date": date(2025, 11, 1),
                "actions": "Visit",
                "next_due": None,
            },
            {
                "engagement_id": "G5",
                "urn": B,
                "date": date(2026, 6, 1),
                "actions": "Later",
            },  # after the as-of date
            {"engagement_id": "G6", "urn": C, "date": date(2025, 5, 1), "rag_curriculum": "G"},  # last year
        ],
        duration_minutes=30,
        kind="conversation",
        engagement_level=1,
    )


def test_every_area_of_every_school_has_its_rating_now_before_the_latest_contact_and_last_year() -> None:
    schools = pl.LazyFrame({"urn": [A, C]})
    table = SchoolRagRow.validate(rag_ratings(_log(), schools, window=WINDOW).collect(), lazy=True)
    assert table.height == 2 * 10
    rows = {(r["urn"], r["duty_area"]): tuple(r.values())[2:] for r in table.iter_rows(named=True)}
    # A's latest contact (G3, 1 February) rated nothing: before it, curriculum was G (G2) and CPD A (G1).
    assert rows[(A, "Curriculum")] == (
        "G",
        date(2026, 1, 15),
        "G",
        "A",
        "= the same (G)",
        "↑ better (A to G)",
    )
    assert rows[(A, "CPD")] == ("A", date(2025, 10, 1), "A", "G", "= the same (A)", "↓ worse (G to A)")
    assert rows[(A, "Choir")] == (None, None, None, None, "Not rated", "Not rated")
    assert rows[(C, "Curriculum")] == (None, None, None, "G", "Not rated", "Not rated this year")


def test_a_first_rating_says_so() -> None:
    log = frame(
        Engagements,
        [{"engagement_id": "H1", "urn": A, "date": date(2025, 10, 1), "rag_choir": "R"}],
        duration_minutes=30,
        kind="conversation",
        engagement_level=1,
    )
    table = rag_ratings(log, pl.LazyFrame({"urn": [A]}), window=WINDOW).collect()
    choir = table.filter(pl.col("duty_area") == "Choir").row(0, named=True)
    assert (choir["since_previous"], choir["since_last_year"]) == ("First rating", "Not rated last year")


def test_conversation_log_is_this_years_contacts_up_to_the_as_of_date() -> None:
    schools = pl.LazyFrame({"urn": [A, B, C]})
    table = ConversationLogRow.validate(conversation_log(_log(), schools, window=WINDOW).collect(), lazy=True)
    assert list(zip(table["urn"], table["date"], strict=True)) == [
        (A, date(2025, 10, 1)),
        (A, date(2026, 1, 15)),
        (A, date(2026, 2, 1)),
        (B, date(2025, 11, 1)),
    ]


def test_open_actions_are_the_latest_recorded_split_and_marked_overdue() -> None:
    schools = pl.LazyFrame({"urn": [A, B, C]})
    table = OpenActionRow.validate(
        open_actions(_log(), schools, window=WINDOW, as_of=AS_OF).collect(), lazy=True
    )
    assert [tuple(r.values()) for r in table.iter_rows(named=True)] == [
        (A, date(2026, 1, 15), "Join the primary network", date(2026, 4, 1), False, "Due in 31 days"),
        (B, date(2025, 11, 1), "Visit", None, False, "No due date"),
    ]


@pytest.mark.parametrize(
    "as_of, overdue, status",
    [
        (date(2026, 3, 31), False, "Due in 1 days"),
        (date(2026, 4, 1), False, "Due today"),
        (date(2026, 4, 2), True, "Overdue by 1 days"),
        # A closed year reads its actions at the year's end, not at the (later) as-of date.
        (date(2026, 11, 23), True, "Overdue at the year's end"),
    ],
)
def test_an_action_is_overdue_only_after_its_due_date(as_of: date, overdue: bool, status: str) -> None:
    window = ReportingWindow.for_year(YEAR, as_of=as_of)
    table = open_actions(_log(), pl.LazyFrame({"urn": [A]}), window=window, as_of=as_of).collect()
    assert table.select("is_overdue", "due_status").rows() == [(overdue, status)]


def test_an_action_due_after_a_closed_year_is_not_overdue() -> None:
    log = frame(
        Engagements,
        [
            {
                "engagement_id": "H1",
                "urn": A,
                "date": date(2026, 7, 1),
                "actions": "Plan",
                "next_due": date(2026, 9, 15),
            }
        ],
        duration_minutes=30,
        kind="conversation",
        engagement_level=1,
    )
    as_of = date(2026, 10, 1)
    window = ReportingWindow.for_year(YEAR, as_of=as_of)
    table = open_actions(log, pl.LazyFrame({"urn": [A]}), window=window, as_of=as_of).collect()
    assert table.select("is_overdue", "due_status").rows() == [(False, "Due after the year's end")]


def test_the_school_line_says_not_in_a_trust_only_for_a_maintained_school() -> None:
    from schemas.engagement import SchoolBriefRow
    from tests.outputs.test_school_engagement import tracker_row, tracker_table
    from transforms.school_reports import school_briefs

    tracker = tracker_table(
        tracker_row("100001"),  # a community school, no trust
        tracker_row("100002", type_name="Academy converter"),  # an academy whose trust is not recorded
        tracker_row("100003", type_name="Academy converter", trust_name="Peak Learning Trust"),
    )
    engagements = frame(Engagements, []).head(0)
    window = ReportingWindow.for_year(AcademicYear(2025), as_of=date(2026, 3, 1))
    lines = dict(
        school_briefs(tracker.lazy(), engagements, window=window, as_of=date(2026, 3, 1))
        .select(SchoolBriefRow.urn, SchoolBriefRow.school_line)
        .collect()
        .iter_rows()
    )
    assert "Community school, not in a trust;" in lines["100001"]
    assert "Academy converter, trust not recorded;" in lines["100002"]
    assert "Academy converter, trust: Peak Learning Trust;" in lines["100003"]
