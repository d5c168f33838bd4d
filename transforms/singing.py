"""Singing: pupils singing regularly in school singing programmes supported by the hub."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Singing
from schemas.periods import AcademicYear
from schemas.register import Establishment
from transforms.figures import Breakdown, Measure, duty_table, tally, with_denominators
from transforms.periods import in_academic_year
from transforms.universe import roll_denominators, school_reach

COUNT = "count"
REGULAR = Measure("singing_regular", "Pupils singing regularly", "pupils")
ALL_SINGERS = Measure("singing_pupils", "Pupils in hub-supported singing programmes", "pupils")
CHOIR_SCHOOLS = Measure("choir_schools", "Schools with a choir or vocal group", "schools")
SINGING_SCHOOLS = Measure("singing_schools", "Schools running a singing programme with the hub", "schools")


def singing_programmes(singing: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The year's singing programmes at schools of the universe."""
    return singing.filter(in_academic_year(Singing.academic_year, year)).join(
        universe.select(Singing.urn), on=Singing.urn, how="semi"
    )


def regular_singer_count(
    singing: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Pupils singing regularly in hub-supported programmes at the hub's schools in the year (KPI 4).

    Schools report programme totals, not pupils, so this is the sum of `pupils` over regular programmes.
    """
    return (
        singing_programmes(singing, universe, year=year)
        .filter(pl.col(Singing.regular))
        .select(pl.col(Singing.pupils).sum().cast(pl.Int64).alias(COUNT))
    )


def singing_sheet(
    singing: pl.LazyFrame, universe: pl.LazyFrame, census: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Pupils singing regularly and in all singing programmes (by phase), schools with a choir, schools singing.

    Schools report each programme's pupils, so a pupil in two programmes may be counted twice.
    Out of: pupils on roll at the hub's schools.
    """
    programmes = singing_programmes(singing, universe, year=year).join(
        universe.select(Establishment.urn, Establishment.phase_name), on=Singing.urn
    )
    by_phase = [Breakdown("Phase", pl.col(Establishment.phase_name))]
    pupils = pl.concat(
        [
            tally(
                programmes.filter(pl.col(Singing.regular)),
                REGULAR,
                weight=Singing.pupils,
                breakdowns=by_phase,
            ),
            tally(programmes, ALL_SINGERS, weight=Singing.pupils, breakdowns=by_phase),
        ]
    )
    denominators = pl.concat([roll_denominators(m, universe, census) for m in (REGULAR, ALL_SINGERS)])
    return duty_table(
        [
            with_denominators(pupils, denominators),
            school_reach(universe, programmes.filter(pl.col(Singing.school_choir)), CHOIR_SCHOOLS),
            school_reach(universe, programmes, SINGING_SCHOOLS),
        ]
    )
