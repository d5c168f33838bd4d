"""Ensembles: who played or sang regularly in a hub-led or hub-supported ensemble."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils
from transforms.periods import ReportingWindow, span_overlaps

COUNT = "count"


def active_members(
    members: pl.LazyFrame, ensembles: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Memberships of known ensembles overlapping the window."""
    return members.filter(span_overlaps(EnsembleMembers.start_date, EnsembleMembers.end_date, window)).join(
        ensembles.select(Ensembles.ensemble_id), on=EnsembleMembers.ensemble_id, how="semi"
    )


def ensemble_players(
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """Pupils of the universe's schools in at least one ensemble in the window, one row per pupil and school."""
    return (
        active_members(members, ensembles, window=window)
        .select(EnsembleMembers.pupil_ref)
        .unique()
        .join(pupils.select(Pupils.pupil_ref, Pupils.urn), on=Pupils.pupil_ref)
        .join(universe.select(Pupils.urn), on=Pupils.urn, how="semi")
    )


def ensemble_member_count(
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """Unique pupils of the hub's schools playing or singing regularly in ensembles in the year (KPI 2).

    A pupil in several ensembles is counted once.
    """
    players = ensemble_players(members, ensembles, pupils, universe, window=window)
    return players.select(pl.col(Pupils.pupil_ref).n_unique().cast(pl.Int64).alias(COUNT))


def ensemble_host_schools(
    members: pl.LazyFrame, ensembles: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """URNs of schools hosting an ensemble with members in the window."""
    active = active_members(members, ensembles, window=window).select(EnsembleMembers.ensemble_id).unique()
    return (
        ensembles.join(active, on=Ensembles.ensemble_id, how="semi")
        .filter(pl.col(Ensembles.base_urn).is_not_null())
        .select(pl.col(Ensembles.base_urn).alias(Pupils.urn))
        .unique()
    )
