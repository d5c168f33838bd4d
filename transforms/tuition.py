"""Instrumental and vocal tuition outside WCET."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Pupils, Tuition
from transforms.periods import ReportingWindow, span_overlaps

COUNT = "count"


def tuition_learners(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Pupils of the universe's schools with an enrolment overlapping the window, one row per pupil and school."""
    return (
        tuition.filter(span_overlaps(Tuition.start_date, Tuition.end_date, window))
        .select(Tuition.pupil_ref)
        .unique()
        .join(pupils.select(Pupils.pupil_ref, Pupils.urn), on=Pupils.pupil_ref)
        .join(universe.select(Pupils.urn), on=Pupils.urn, how="semi")
    )


def tuition_pupil_count(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Unique pupils of the hub's schools learning an instrument or voice outside WCET in the year (KPI 3)."""
    learners = tuition_learners(tuition, pupils, universe, window=window)
    return learners.select(pl.col(Pupils.pupil_ref).n_unique().cast(pl.Int64).alias(COUNT))
