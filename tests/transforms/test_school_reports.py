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
A, B, C = "100001", "100002", "100003"
ZERO = {"wcet_pupils": 0, "tuition_pupils": 0, "ensemble_members": 0, "singing_pupils": 0, "cpd_attendees": 0,
        "loans": 0, "experience_pupils": 0}


def _activity(table: pl.DataFrame, urn: str, activity: str) -> tuple:
    row = table.filter((pl.col("urn") == urn) & (pl.col("activity") == activity)).row(0, named=True)
    return row["this_year"], row["last_year"], row["phase_average"]


def test_activity_is_set_against_last_year_and_the_phase_average() -> None:
    tracker = frame(
        TrackerRow,
        [
            {"urn": A, "phase_name": "Primary", **ZERO, "wcet_pupils": 30, "loans": 2},
            {"urn": B, "phase_name": "Primary", **ZERO, "wcet_pupils": 0},
            {"urn": C, "phase_name": "Secondary", **ZERO, "wcet_pupils": 10},
        ],
    )
    # C is new this year (not in last year's universe).
    last_year = frame(TrackerRow, [{"urn": A, **ZERO, "wcet_pupils": 20}, {"urn": B, **ZERO, "loans": 1}])
    table = SchoolActivityRow.validate(activity_comparison(tracker, last_year).collect(), lazy=True)
    assert table.height == 3 * 7
    assert table.filter(pl.col("urn") == A).get_column("activity").to_list()[:2] == ["WCET pupils", "Tuition pupils"]
    assert _activity(table, A, "WCET pupils") == (30, 20, 15.0)  # primary average of 30 and 0
    assert _activity(table, B, "Instrument loans") == (0, 1, 1.0)
    assert _activity(table, C, "WCET pupils") == (10, None, 10.0)


def _log() -> pl.LazyFrame:
    return frame(
        Engagements,
        [
            {"engagement_id": "G1", "urn": A, "date": date(2025, 10, 1), "rag_curriculum": "R", "rag_cpd": "A",
             "actions": "Book WCET; Share the MDP template", "next_due": date(2025, 12, 1)},
            {"engagement_id": "G2", "urn": A, "date": date(2026, 1, 15), "kind": "network", "rag_curriculum": "G",
             "actions": "  Join the primary network ;; ", "next_due": date(2026, 4, 1)},
            {"engagement_id": "G3", "urn": A, "date": date(2026, 2, 1), "actions": None},  # no actions: earlier stand
            {"engagement_id": "G4", "urn": B, "date": date(2025, 11, 1), "actions": "Visit", "next_due": None},
            {"engagement_id": "G5", "urn": B, "date": date(2026, 6, 1), "actions": "Later"},  # after the as-of date
            {"engagement_id": "G6", "urn": C, "date": date(2025, 5, 1), "rag_curriculum": "G"},  # last year
        ],
        duration_minutes=30, kind="conversation", engagement_level=1,
    )


def test_every_area_of_every_school_has_its_latest_rating_this_year() -> None:
    schools = pl.LazyFrame({"urn": [A, C]})
    table = SchoolRagRow.validate(rag_ratings(_log(), schools, window=WINDOW).collect(), lazy=True)
    assert table.height == 2 * 10
    rows = {(r["urn"], r["duty_area"]): (r["rag"], r["rated_on"]) for r in table.iter_rows(named=True)}
    assert rows[(A, "Curriculum")] == ("G", date(2026, 1, 15))
    assert rows[(A, "CPD")] == ("A", date(2025, 10, 1))
    assert rows[(A, "Choir")] == (None, None)
    assert rows[(C, "Curriculum")] == (None, None)  # rated last year only


def test_conversation_log_is_this_years_contacts_up_to_the_as_of_date() -> None:
    schools = pl.LazyFrame({"urn": [A, B, C]})
    table = ConversationLogRow.validate(conversation_log(_log(), schools, window=WINDOW).collect(), lazy=True)
    assert list(zip(table["urn"], table["date"], strict=True)) == [
        (A, date(2025, 10, 1)), (A, date(2026, 1, 15)), (A, date(2026, 2, 1)), (B, date(2025, 11, 1)),
    ]


def test_open_actions_are_the_latest_recorded_split_and_marked_overdue() -> None:
    schools = pl.LazyFrame({"urn": [A, B, C]})
    table = OpenActionRow.validate(open_actions(_log(), schools, window=WINDOW, as_of=AS_OF).collect(), lazy=True)
    assert [tuple(r.values()) for r in table.iter_rows(named=True)] == [
        (A, date(2026, 1, 15), "Join the primary network", date(2026, 4, 1), False),
        (B, date(2025, 11, 1), "Visit", None, False),
    ]


@pytest.mark.parametrize("as_of, overdue", [(date(2026, 3, 31), False), (date(2026, 4, 2), True)])
def test_an_action_is_overdue_only_after_its_due_date(as_of: date, overdue: bool) -> None:
    window = ReportingWindow.for_year(YEAR, as_of=as_of)
    table = open_actions(_log(), pl.LazyFrame({"urn": [A]}), window=window, as_of=as_of).collect()
    assert table.get_column("is_overdue").to_list() == [overdue]
