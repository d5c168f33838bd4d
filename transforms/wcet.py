"""Whole-class ensemble teaching (WCET): who received it in the year."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Wcet, WcetParticipants
from schemas.periods import AcademicYear
from transforms.periods import in_academic_year

_CLASS_KEY = [Wcet.urn, Wcet.nc_year, Wcet.class_name]
COUNT = "count"


def wcet_programmes(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The year's WCET programmes (class x term) at schools of the universe."""
    return wcet.filter(in_academic_year(Wcet.academic_year, year)).join(
        universe.select(Wcet.urn), on=Wcet.urn, how="semi"
    )


def wcet_pupil_count(
    wcet: pl.LazyFrame, participants: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Unique pupils receiving at least one term of WCET in the year at the hub's schools (KPI 1).

    Pupils on a programme's roll are counted once however many terms or classes they had; a class with no
    roll counts its largest term's `pupils`, once.
    """
    programmes = wcet_programmes(wcet, universe, year=year)
    on_roll = participants.join(programmes.select(Wcet.programme_id, *_CLASS_KEY), on=Wcet.programme_id)
    classes_with_roll = on_roll.select(_CLASS_KEY).unique()
    roll_pupils = on_roll.select(pl.col(WcetParticipants.pupil_ref).n_unique().cast(pl.Int64).alias(COUNT))
    class_pupils = (
        programmes.join(classes_with_roll, on=_CLASS_KEY, how="anti")
        .group_by(_CLASS_KEY)
        .agg(pl.col(Wcet.pupils).max())
        .select(pl.col(Wcet.pupils).sum().cast(pl.Int64).alias(COUNT))
    )
    return pl.concat([roll_pupils, class_pupils]).select(pl.col(COUNT).sum().cast(pl.Int64))


def wcet_schools(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """URNs of the universe schools hosting WCET in the year."""
    return wcet_programmes(wcet, universe, year=year).select(Wcet.urn).unique()
