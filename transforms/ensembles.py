"""Ensembles: who played or sang regularly in a hub-led or hub-supported ensemble, and which ensembles ran."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils
from schemas.vocabulary import ENSEMBLE_LEAD_LABELS, ENSEMBLE_TYPES, GENDER_LABELS, KEY_STAGES, STANDARDS
from transforms.figures import (
    Breakdown,
    Measure,
    duty_table,
    labels,
    tally,
    tally_overlapping,
    with_denominators,
)
from transforms.periods import ReportingWindow, span_overlaps
from transforms.tuition import KEY_STAGE, key_stage
from transforms.universe import roll_denominators

COUNT = "count"
ENSEMBLES = Measure("ensembles", "Ensembles with members during the year", "ensembles")
MEMBERS = Measure("ensemble_members", "Pupils playing or singing regularly in ensembles", "pupils")
PLACES = Measure("ensemble_places", "Ensemble places (a pupil in two ensembles has two)", "places")


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


def _lead() -> pl.Expr:
    return labels(ENSEMBLE_LEAD_LABELS, Ensembles.lead)


def ensemble_figures(
    members: pl.LazyFrame, ensembles: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Ensembles with at least one member during the year, by type, level and lead (hub-led or school-based)."""
    active = active_members(members, ensembles, window=window).select(EnsembleMembers.ensemble_id).unique()
    running = ensembles.join(active, on=Ensembles.ensemble_id, how="semi")
    return tally(
        running,
        ENSEMBLES,
        breakdowns=[
            Breakdown("Type", pl.col(Ensembles.type), list(ENSEMBLE_TYPES)),
            Breakdown("Level", pl.col(Ensembles.level), list(STANDARDS)),
            Breakdown("Lead", _lead(), list(ENSEMBLE_LEAD_LABELS.values())),
        ],
    )


def ensemble_member_figures(
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """Unique ensemble members at the hub's schools by key stage and gender (adding up), and by ensemble type
    and lead (a pupil in two ensembles counts under each, so those do not add up). Out of: pupils on roll.
    """
    memberships = (
        active_members(members, ensembles, window=window)
        .join(ensembles, on=EnsembleMembers.ensemble_id)
        .join(pupils, on=EnsembleMembers.pupil_ref)
        .join(universe.select(Pupils.urn), on=Pupils.urn, how="semi")
        .with_columns(key_stage().alias(KEY_STAGE))
    )
    players = memberships.group_by(EnsembleMembers.pupil_ref).agg(
        pl.col(KEY_STAGE).first(), pl.col(Pupils.gender).first()
    )
    rows = pl.concat(
        [
            tally(
                players,
                MEMBERS,
                breakdowns=[
                    Breakdown("Key stage", pl.col(KEY_STAGE), list(KEY_STAGES)),
                    Breakdown("Gender", labels(GENDER_LABELS, Pupils.gender), list(GENDER_LABELS.values())),
                ],
            ),
            tally_overlapping(
                memberships,
                MEMBERS,
                key=EnsembleMembers.pupil_ref,
                breakdown=Breakdown("Ensemble type", pl.col(Ensembles.type), list(ENSEMBLE_TYPES)),
            ),
            tally_overlapping(
                memberships,
                MEMBERS,
                key=EnsembleMembers.pupil_ref,
                breakdown=Breakdown("Lead", _lead(), list(ENSEMBLE_LEAD_LABELS.values())),
            ),
            tally(
                memberships.unique([EnsembleMembers.ensemble_id, EnsembleMembers.pupil_ref]),
                PLACES,
                breakdowns=[Breakdown("Lead", _lead(), list(ENSEMBLE_LEAD_LABELS.values()))],
            ),
        ]
    )
    denominators = roll_denominators(MEMBERS, universe, census, key_stage_breakdown="Key stage")
    return with_denominators(rows, denominators)


def ensembles_sheet(
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """The Ensembles sheet: ensembles that ran, their unique members and places."""
    return duty_table(
        [
            ensemble_figures(members, ensembles, window=window),
            ensemble_member_figures(members, ensembles, pupils, universe, census, window=window),
        ]
    )
