"""Singing: pupils singing regularly in school singing programmes supported by the hub."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Singing
from schemas.periods import AcademicYear
from transforms.periods import in_academic_year

COUNT = "count"


def singing_programmes(singing: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The year's singing programmes at schools of the universe."""
    return singing.filter(in_academic_year(Singing.academic_year, year)).join(
        universe.select(Singing.urn), on=Singing.urn, how="semi"
    )


def regular_singer_count(singing: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """Pupils singing regularly in hub-supported programmes at the hub's schools in the year (KPI 4).

    Schools report programme totals, not pupils, so this is the sum of `pupils` over regular programmes.
    """
    return (
        singing_programmes(singing, universe, year=year)
        .filter(pl.col(Singing.regular))
        .select(pl.col(Singing.pupils).sum().cast(pl.Int64).alias(COUNT))
    )
