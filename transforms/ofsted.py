"""Ofsted's eleven points for hubs (Music in Schools: what hubs must do, 2013), each beside the hub's evidence.

Where the hub's data has a figure for a point it is given with what it is out of; where it has none the row
says so, so the sheet never suggests evidence the data cannot give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from schemas.engagement import OfstedEvidenceRow as Row
from schemas.engagement import TrackerRow
from schemas.hub_exports import Engagements, Workforce
from schemas.outputs import DutyFigures
from schemas.vocabulary import OFSTED_2013_POINTS
from transforms.figures import ALL
from transforms.periods import ReportingWindow, in_academic_year
from transforms.progression import CONTINUING, STANDARD
from transforms.schools import smep_contacts

ADVANCED_STANDARDS = ("intermediate", "advanced")
NO_DATA = "Not in the hub's data: evidence for this point comes from outside hubreturns"


@dataclass(frozen=True)
class Evidence:
    """One evidence figure for a point: what it is, and the aggregations giving its number and 'out of'."""

    point: int
    text: str
    count: pl.Expr | None = None
    denominator: pl.Expr | None = None


def _schools(condition: pl.Expr) -> pl.Expr:
    return condition.sum().cast(pl.Float64)


def _tracker_evidence(tracker: pl.LazyFrame) -> pl.LazyFrame:
    """Points measured from the tracker's rows, one row each (point, evidence, count, denominator)."""
    all_schools = pl.len().cast(pl.Float64)
    curriculum = pl.col(TrackerRow.rag_curriculum)
    # Points 4 and 5 share one figure: schools reached by the hub's CPD.
    reached_by_cpd = (
        "Schools whose staff attended hub CPD this year",
        _schools(pl.col(TrackerRow.cpd_attendees) > 0),
        all_schools,
    )
    items = [
        Evidence(
            2,
            "Schools engaged with the hub on at least one duty this year",
            _schools(pl.col(TrackerRow.is_engaged)),
            all_schools,
        ),
        Evidence(
            3,
            "Schools with a conversation this year (conversation, visit or MDP review)",
            _schools(pl.col(TrackerRow.conversations) > 0),
            all_schools,
        ),
        Evidence(4, *reached_by_cpd),
        Evidence(
            4,
            "Schools whose curriculum the hub rated (RAG) in a SMEP conversation this year",
            _schools(curriculum.is_not_null()),
            all_schools,
        ),
        Evidence(5, *reached_by_cpd),
        Evidence(
            5,
            "School staff places at hub CPD this year",
            pl.col(TrackerRow.cpd_attendees).sum().cast(pl.Float64),
        ),
        Evidence(
            9,
            "Lead schools: schools at engagement level 3 (strategic partner / lead school)",
            _schools(pl.col(TrackerRow.engagement_level) == 3),
            all_schools,
        ),
        Evidence(
            10,
            "Schools rated green for curriculum, of the schools rated",
            _schools(curriculum == "G"),
            _schools(curriculum.is_not_null()),
        ),
    ]
    return _rows(tracker, items)


def _rows(frame: pl.LazyFrame, items: Sequence[Evidence]) -> pl.LazyFrame:
    nothing = pl.lit(None, dtype=pl.Float64)
    return pl.concat(
        [
            frame.select(
                pl.lit(item.point, dtype=pl.Int64).alias(Row.point),
                pl.lit(item.text).alias(Row.evidence),
                (item.count if item.count is not None else nothing).alias(Row.count),
                (item.denominator if item.denominator is not None else nothing).alias(Row.denominator),
            )
            for item in items
        ]
    )


def _staff_time_evidence(
    engagements: pl.LazyFrame,
    workforce: pl.LazyFrame,
    *,
    window: ReportingWindow,
    leader_roles: Sequence[str],
    hours_per_fte: float,
) -> pl.LazyFrame:
    """Point 7: hours of SMEP contact with school leaders, out of staff working hours and out of all contact."""
    leaders = [role.casefold() for role in leader_roles]
    contacts = smep_contacts(engagements, window=window)
    hours = (pl.col(Engagements.duration_minutes).sum() / 60).cast(pl.Float64)
    with_leaders = contacts.filter(pl.col(Engagements.with_role).str.to_lowercase().is_in(leaders)).select(
        hours.alias("leaders")
    )
    all_contact = contacts.select(hours.alias("all_contact"))
    staff = workforce.filter(in_academic_year(Workforce.academic_year, window.year)).select(
        pl.when(pl.len() > 0)
        .then(pl.col(Workforce.fte).sum() * hours_per_fte)
        .cast(pl.Float64)
        .alias("staff_hours")
    )
    frame = pl.concat([with_leaders, all_contact, staff], how="horizontal")
    items = [
        Evidence(
            7,
            f"Hours of SMEP contact with school leaders, out of hub staff working hours (FTE x {hours_per_fte:,.0f})",
            pl.col("leaders"),
            pl.col("staff_hours"),
        ),
        Evidence(
            7,
            "Hours of SMEP contact with school leaders, out of all SMEP contact hours",
            pl.col("leaders"),
            pl.col("all_contact"),
        ),
    ]
    return _rows(frame, items)


def _staff_cpd_evidence(workforce: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Point 6: hub staff who received CPD this year, out of hub staff."""
    staff = workforce.filter(in_academic_year(Workforce.academic_year, window.year))
    trained = staff.filter(pl.col(Workforce.cpd_hours) > 0).select(
        pl.col(Workforce.staff_ref).n_unique().cast(pl.Float64).alias("trained")
    )
    everyone = staff.select(
        pl.when(pl.len() > 0).then(pl.col(Workforce.staff_ref).n_unique()).cast(pl.Float64).alias("staff")
    )
    frame = pl.concat([trained, everyone], how="horizontal")
    return _rows(
        frame,
        [
            Evidence(
                6,
                "Hub staff who received CPD this year (workforce export)",
                pl.when(pl.col("staff").is_not_null()).then(pl.col("trained")),
                pl.col("staff"),
            )
        ],
    )


def _progression_evidence(progression: pl.LazyFrame) -> pl.LazyFrame:
    """Point 11: continuation from last year's WCET, and pupils at intermediate or advanced standard."""
    figures = progression.filter(pl.col(DutyFigures.breakdown) == ALL)
    continuing = figures.filter(pl.col(DutyFigures.measure_id) == CONTINUING.measure_id)
    standards = progression.filter(pl.col(DutyFigures.measure_id) == STANDARD.measure_id)
    advanced = standards.filter(pl.col(DutyFigures.group).is_in(ADVANCED_STANDARDS)).select(
        pl.col(DutyFigures.count).sum().alias(Row.count)
    )
    learners = standards.filter(pl.col(DutyFigures.breakdown) == ALL).select(
        pl.col(DutyFigures.count).first().alias(Row.denominator)
    )
    return pl.concat(
        [
            _labelled(
                continuing.select(
                    pl.col(DutyFigures.count).first().alias(Row.count),
                    pl.col(DutyFigures.denominator).first().alias(Row.denominator),
                ),
                "Continuation: last year's WCET pupils (on rolls) learning this year, in tuition or ensembles",
            ),
            _labelled(
                pl.concat([advanced, learners], how="horizontal"),
                "Pupils learning outside WCET at intermediate or advanced standard, of those learning",
            ),
        ]
    )


def _labelled(frame: pl.LazyFrame, text: str) -> pl.LazyFrame:
    return frame.select(
        pl.lit(11, dtype=pl.Int64).alias(Row.point),
        pl.lit(text).alias(Row.evidence),
        pl.col(Row.count).cast(pl.Float64),
        pl.col(Row.denominator).cast(pl.Float64),
    )


def _without_data(points: Sequence[int]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            Row.point: list(points),
            Row.evidence: [NO_DATA] * len(points),
            Row.count: [None] * len(points),
            Row.denominator: [None] * len(points),
        },
        schema={
            Row.point: pl.Int64,
            Row.evidence: pl.String,
            Row.count: pl.Float64,
            Row.denominator: pl.Float64,
        },
    )


def ofsted_evidence(
    tracker: pl.LazyFrame,
    engagements: pl.LazyFrame,
    workforce: pl.LazyFrame,
    progression: pl.LazyFrame,
    *,
    window: ReportingWindow,
    leader_roles: Sequence[str],
    hours_per_fte: float,
) -> pl.LazyFrame:
    """Each of Ofsted's eleven points for hubs with the hub's evidence figures (OfstedEvidenceRow).

    ``tracker`` is the SMEP tracker (TrackerRow), ``progression`` the return's Progression table. Point 7's
    school leaders are the SMEP log's ``with_role`` values in ``leader_roles`` (case ignored), and staff working
    hours are the year's workforce FTE times ``hours_per_fte``. Points 1 and 8 have no figure in the data.
    """
    rows = pl.concat(
        [
            _without_data([1, 8]),
            _tracker_evidence(tracker),
            _staff_cpd_evidence(workforce, window=window),
            _staff_time_evidence(
                engagements, workforce, window=window, leader_roles=leader_roles, hours_per_fte=hours_per_fte
            ),
            _progression_evidence(progression),
        ]
    ).with_row_index("_order")
    texts = pl.LazyFrame(
        {
            Row.point: list(range(1, len(OFSTED_2013_POINTS) + 1)),
            Row.what_hubs_must_do: list(OFSTED_2013_POINTS),
        },
        schema={Row.point: pl.Int64, Row.what_hubs_must_do: pl.String},
    )
    share = pl.when(pl.col(Row.denominator) > 0).then(pl.col(Row.count) / pl.col(Row.denominator))
    return (
        rows.join(texts, on=Row.point, how="left")
        .sort(Row.point, "_order")
        .select(
            Row.point,
            Row.what_hubs_must_do,
            Row.evidence,
            Row.count,
            Row.denominator,
            share.alias(Row.count_pct),
        )
    )
