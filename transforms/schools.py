"""School engagement: which duties each school of the universe was engaged on in the year."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Engagements
from schemas.outputs import SchoolUniverseRow as Row
from transforms.activity import HubData
from transforms.ensembles import ensemble_host_schools, ensemble_players
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


def school_engagement(data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """One row per school of the universe with each duty it was engaged on (SchoolUniverseRow schema).

    A school is engaged when it hosted WCET, had pupils in tuition or ensembles, hosted an ensemble, ran a
    singing programme, or had a SMEP contact at engagement level 1 or above, during the year.
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
    table = universe_headcount(universe, census_for_year(data.census, year=year))
    table = _flag(table, wcet_schools(data.wcet, universe, year=year), Row.has_wcet)
    table = _flag(
        table, tuition_learners(data.tuition, data.pupils, universe, window=window).select(Row.urn), Row.has_tuition
    )
    table = _flag(table, ensemble_schools, Row.has_ensemble)
    table = _flag(table, singing_programmes(data.singing, universe, year=year).select(Row.urn), Row.has_singing)
    table = _flag(
        table,
        contacts.filter(pl.col(Engagements.engagement_level) >= 1).select(Row.urn),
        Row.has_smep_contact,
    )
    table = table.join(latest_engagement_level(data.engagements, window=window), on=Row.urn, how="left")
    return table.with_columns(
        pl.any_horizontal(
            Row.has_wcet, Row.has_tuition, Row.has_ensemble, Row.has_singing, Row.has_smep_contact
        ).alias(Row.is_engaged)
    ).select(
        *school_identity(),
        Row.pupil_headcount,
        Row.is_engaged,
        Row.has_wcet,
        Row.has_tuition,
        Row.has_ensemble,
        Row.has_singing,
        Row.has_smep_contact,
        pl.col(Engagements.engagement_level).cast(pl.Int64).alias(Row.engagement_level),
    ).sort(Row.urn)


def schools_engaged_count(school_rows: pl.LazyFrame) -> pl.LazyFrame:
    """State-funded schools of the hub's area engaged on at least one duty in the year (KPI 5)."""
    return school_rows.select(pl.col(Row.is_engaged).sum().cast(pl.Int64).alias(COUNT))
