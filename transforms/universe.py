"""The hub's school universe (SPEC 2.1) and the census figures that give every percentage its denominator."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from schemas.census import SchoolCensus
from schemas.outputs import SchoolUniverseRow
from schemas.periods import AcademicYear
from schemas.register import Establishment
from schemas.vocabulary import (
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
)


def is_state_funded(extra_types: Sequence[str] = ()) -> pl.Expr:
    """State-funded school types of the universe (16-19-only types excluded; extra types by configuration)."""
    return (
        (
            pl.col(Establishment.type_group_name).is_in(UNIVERSE_TYPE_GROUPS)
            | pl.col(Establishment.type_name).is_in([*UNIVERSE_EXTRA_TYPES, *extra_types])
        )
        & ~pl.col(Establishment.type_name).is_in(UNIVERSE_EXCLUDED_TYPES)
        & ~pl.col(Establishment.status_name).is_in(UNIVERSE_EXCLUDED_STATUSES)
    )


def is_open_during(year: AcademicYear) -> pl.Expr:
    """Open at some point in the academic year."""
    return (pl.col(Establishment.open_date).is_null() | (pl.col(Establishment.open_date) <= year.end)) & (
        pl.col(Establishment.close_date).is_null() | (pl.col(Establishment.close_date) >= year.start)
    )


def laestab() -> pl.Expr:
    """LAESTAB: LA code x 10000 + establishment number, as 7 digits (empty without an establishment number)."""
    return pl.concat_str(pl.col(Establishment.la_code), pl.col(Establishment.establishment_number))


def school_universe(
    establishments: pl.LazyFrame,
    *,
    la_codes: Sequence[str],
    year: AcademicYear,
    extra_types: Sequence[str] = (),
) -> pl.LazyFrame:
    """The open state-funded schools of the hub's local authorities during the year, one row per URN.

    Args:
        establishments: the GIAS register (Establishment schema).
        la_codes: the hub's DfE 3-digit local authority codes.
        year: the academic year.
        extra_types: types added by configuration (e.g. Non-maintained special school).
    """
    return (
        establishments.filter(
            pl.col(Establishment.la_code).is_in(list(la_codes)) & is_state_funded(extra_types) & is_open_during(year)
        )
        .with_columns(laestab().alias(SchoolUniverseRow.laestab))
        .sort(Establishment.urn)
    )


def census_for_year(census: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The census rows of the year's own January census, or of the latest earlier census when it is not out yet."""
    periods = census.select(pl.col(SchoolCensus.census_period).unique())
    chosen = (
        periods.filter(pl.col(SchoolCensus.census_period) <= year.census_period)
        .select(pl.col(SchoolCensus.census_period).max())
    )
    return census.join(chosen, on=SchoolCensus.census_period, how="semi")


def universe_headcount(universe: pl.LazyFrame, census: pl.LazyFrame) -> pl.LazyFrame:
    """Each universe school with its census headcount (empty when the census has no row for it)."""
    return universe.join(
        census.select(SchoolCensus.urn, SchoolCensus.pupil_headcount).unique(SchoolCensus.urn, keep="first"),
        on=Establishment.urn,
        how="left",
    )
