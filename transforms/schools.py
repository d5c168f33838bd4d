"""School engagement: which duties each school of the universe was engaged on in the year."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from schemas.hub_exports import Cpd, Engagements, Events
from schemas.output_tables import SCHOOL_DUTIES
from schemas.output_tables import SchoolUniverseRow as Row
from transforms.activity import HubData
from transforms.cpd import cpd_attendances
from transforms.ensembles import ensemble_host_schools, ensemble_players
from transforms.experiences import experience_attendances
from transforms.loans import loan_schools
from transforms.periods import ReportingWindow, dated_within
from transforms.singing import singing_programmes
from transforms.tuition import tuition_learners
from transforms.universe import census_for_year, school_identity, universe_headcount
from transforms.wcet import wcet_schools

COUNT = "count"


def _flag(universe: pl.LazyFrame, urns: pl.LazyFrame, name: str) -> pl.LazyFrame:
    marked = urns.select(Row.urn).unique().with_columns(pl.lit(True).alias(name))
    return universe.join(marked, on=Row.urn, how="left").with_columns(pl.col(name).fill_null(False))


def smep_contacts(engagements: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """The SMEP log's contacts dated in the window."""
    return engagements.filter(dated_within(Engagements.date, window))


def latest_engagement_level(engagements: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Each school's engagement level at its latest contact in the window."""
    return (
        smep_contacts(engagements, window=window)
        .sort([Engagements.date, Engagements.engagement_id])
        .group_by(Engagements.urn)
        .agg(pl.col(Engagements.engagement_level).last())
    )


def school_engagement(
    data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow, counted: Sequence[str] | None = None
) -> pl.LazyFrame:
    """The Schools sheet: one row per school of the hub's area with Y or N for each duty in the year.

    The duties are: hosted WCET; had pupils learning an instrument or voice outside WCET; had pupils in a hub
    ensemble or hosted one; ran a regular or other singing programme with the hub; borrowed instruments or had
    pupils who did; had staff at a CPD event; had pupils at a large-scale or live experience; had a School
    Music Education Plan contact at engagement level 1 or above. Engaged is Y when at least one of the duties
    that count for KPI 5 is Y (the year's layout says which; the Notes list them).
    """
    year = window.year
    contacts = smep_contacts(data.engagements, window=window)
    ensemble_schools = pl.concat(
        [
            ensemble_players(
                data.ensemble_members, data.ensembles, data.pupils, universe, window=window
            ).select(Row.urn),
            ensemble_host_schools(data.ensemble_members, data.ensembles, window=window),
        ]
    )
    reached = {
        Row.has_wcet: wcet_schools(data.wcet, universe, year=year),
        Row.has_tuition: tuition_learners(data.tuition, data.pupils, universe, window=window).select(Row.urn),
        Row.has_ensemble: ensemble_schools,
        Row.has_singing: singing_programmes(data.singing, universe, year=year).select(Row.urn),
        Row.has_loan: loan_schools(data.loans, data.pupils, window=window),
        Row.has_cpd: cpd_attendances(data.cpd, window=window)
        .filter(pl.col(Cpd.attendees) > 0)
        .select(Cpd.urn),
        Row.has_experience: experience_attendances(data.events, window=window)
        .filter(pl.col(Events.pupils) > 0)
        .select(Events.urn),
        Row.has_smep_contact: contacts.filter(pl.col(Engagements.engagement_level) >= 1).select(Row.urn),
    }
    table = universe_headcount(universe, census_for_year(data.census, year=year))
    for duty in SCHOOL_DUTIES:
        table = _flag(table, reached[duty], duty)
    table = table.join(latest_engagement_level(data.engagements, window=window), on=Row.urn, how="left")
    return (
        table.with_columns(
            pl.any_horizontal(*(counted if counted is not None else SCHOOL_DUTIES)).alias(Row.is_engaged)
        )
        .select(
            *school_identity(),
            Row.pupil_headcount,
            Row.is_engaged,
            *SCHOOL_DUTIES,
            pl.col(Engagements.engagement_level).cast(pl.Int64).alias(Row.engagement_level),
        )
        .sort(Row.urn)
    )


def schools_engaged_count(school_rows: pl.LazyFrame) -> pl.LazyFrame:
    """State-funded schools of the hub's area with Y in the Schools sheet's Engaged column (KPI 5)."""
    return school_rows.select(pl.col(Row.is_engaged).sum().cast(pl.Int64).alias(COUNT))
