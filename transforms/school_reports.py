"""The tables of the report for each school (SPEC 3.3): its activity against last year and its phase's average,
its latest rating per duty area, its conversation log and the actions still open. Every table holds all schools'
rows, keyed by URN, so the writer splits each once.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from schemas.engagement import (
    ACTIVITY_COLUMNS,
    DUTY_AREA_LABELS,
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolRagRow,
    TrackerRow,
)
from schemas.hub_exports import Engagements
from schemas.outputs import column_titles
from transforms.periods import ReportingWindow
from transforms.schools import smep_contacts

_ORDER = [Engagements.date, Engagements.engagement_id]


def activity_comparison(tracker: pl.LazyFrame, last_year: pl.LazyFrame) -> pl.LazyFrame:
    """Each school's activities this year (SchoolActivityRow) beside last year's and its phase's average.

    ``tracker`` is this year's tracker; ``last_year`` is last year's activity per school of last year's
    universe (urn and the tracker's activity columns). A school not in last year's universe has no last-year
    figure; the phase average is over all this year's schools of the phase, those with none counting as 0.
    """
    titles = column_titles(TrackerRow)
    labels = pl.LazyFrame(
        {
            "_column": list(ACTIVITY_COLUMNS),
            SchoolActivityRow.activity: [titles[c] for c in ACTIVITY_COLUMNS],
            "_order": list(range(len(ACTIVITY_COLUMNS))),
        }
    )

    def long(frame: pl.LazyFrame, value: str) -> pl.LazyFrame:
        return frame.unpivot(
            index=TrackerRow.urn, on=list(ACTIVITY_COLUMNS), variable_name="_column", value_name=value
        )

    averages = long(
        tracker.select(TrackerRow.urn, TrackerRow.phase_name, *ACTIVITY_COLUMNS)
        .with_columns(pl.col(list(ACTIVITY_COLUMNS)).mean().over(TrackerRow.phase_name))
        .drop(TrackerRow.phase_name)
        .cast({c: pl.Float64 for c in ACTIVITY_COLUMNS}),
        SchoolActivityRow.phase_average,
    )
    return (
        long(tracker.select(TrackerRow.urn, *ACTIVITY_COLUMNS), SchoolActivityRow.this_year)
        .join(
            long(last_year.select(TrackerRow.urn, *ACTIVITY_COLUMNS), SchoolActivityRow.last_year),
            on=[TrackerRow.urn, "_column"],
            how="left",
        )
        .join(averages, on=[TrackerRow.urn, "_column"], how="left")
        .join(labels, on="_column")
        .sort(TrackerRow.urn, "_order")
        .select(
            SchoolActivityRow.urn,
            SchoolActivityRow.activity,
            pl.col(SchoolActivityRow.this_year).cast(pl.Int64),
            pl.col(SchoolActivityRow.last_year).cast(pl.Int64),
            SchoolActivityRow.phase_average,
        )
    )


def rag_ratings(engagements: pl.LazyFrame, schools: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Every duty area of every school (``schools``: a frame of URNs) with its latest rating this year and the
    date of the contact that gave it (empty when the area was not rated this year).
    """
    columns = {f"rag_{area}": label for area, label in DUTY_AREA_LABELS.items()}
    areas = pl.LazyFrame(
        {
            "_column": list(columns),
            SchoolRagRow.duty_area: list(columns.values()),
            "_order": list(range(len(columns))),
        }
    )
    rated = (
        smep_contacts(engagements, window=window)
        .unpivot(
            index=[Engagements.urn, *_ORDER],
            on=list(columns),
            variable_name="_column",
            value_name=SchoolRagRow.rag,
        )
        .drop_nulls(SchoolRagRow.rag)
        .sort(_ORDER)
        .group_by(Engagements.urn, "_column")
        .agg(pl.col(SchoolRagRow.rag).last(), pl.col(Engagements.date).last().alias(SchoolRagRow.rated_on))
    )
    return (
        schools.select(SchoolRagRow.urn)
        .join(areas, how="cross")
        .join(rated, on=[SchoolRagRow.urn, "_column"], how="left")
        .sort(SchoolRagRow.urn, "_order")
        .select(SchoolRagRow.urn, SchoolRagRow.duty_area, SchoolRagRow.rag, SchoolRagRow.rated_on)
    )


def conversation_log(
    engagements: pl.LazyFrame, schools: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """The SMEP log's contacts this year with the schools of ``schools`` (ConversationLogRow), oldest first."""
    return (
        smep_contacts(engagements, window=window)
        .join(schools.select(Engagements.urn), on=Engagements.urn, how="semi")
        .sort([Engagements.urn, *_ORDER])
        .select(list(ConversationLogRow.to_schema().columns))
    )


def open_actions(
    engagements: pl.LazyFrame, schools: pl.LazyFrame, *, window: ReportingWindow, as_of: date
) -> pl.LazyFrame:
    """The actions agreed at each school's latest contact this year that recorded actions, one row per action
    (the log separates them with ';'); overdue when due before the as-of date.

    Actions stay open until a later contact records new ones: the log has no field that closes an action.
    """
    latest = (
        smep_contacts(engagements, window=window)
        .join(schools.select(Engagements.urn), on=Engagements.urn, how="semi")
        .filter(pl.col(Engagements.actions).str.strip_chars() != "")
        .sort(_ORDER)
        .group_by(Engagements.urn)
        .agg(pl.all().last())
    )
    return (
        latest.select(
            OpenActionRow.urn,
            pl.col(Engagements.date).alias(OpenActionRow.agreed_on),
            pl.col(Engagements.actions).str.split(";").alias(OpenActionRow.action),
            pl.col(Engagements.next_due).alias(OpenActionRow.due),
        )
        .explode(OpenActionRow.action)
        .with_columns(pl.col(OpenActionRow.action).str.strip_chars())
        .filter(pl.col(OpenActionRow.action) != "")
        .with_columns((pl.col(OpenActionRow.due) < as_of).fill_null(False).alias(OpenActionRow.is_overdue))
        .sort(OpenActionRow.urn, maintain_order=True)
    )
