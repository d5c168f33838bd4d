"""Progression: whether last year's WCET pupils carried on learning, and the standards pupils reach."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import EnsembleMembers, Tuition, WcetParticipants
from schemas.periods import AcademicYear
from schemas.vocabulary import STANDARDS
from transforms.ensembles import active_members
from transforms.figures import (
    ALL,
    Breakdown,
    Measure,
    denominator_rows,
    duty_table,
    tally,
    tally_overlapping,
    with_denominators,
)
from transforms.periods import ReportingWindow, span_overlaps
from transforms.tuition import tuition_enrolments
from transforms.universe import DENOMINATOR, GROUP
from transforms.wcet import ON_ROLL, wcet_units

CONTINUING = Measure("continuation", "Last year's WCET pupils learning this year", "pupils")
STANDARD = Measure(
    "tuition_standard", "Pupils learning outside WCET, by the highest standard reached", "pupils"
)
CONTINUED_IN = "Continuing in"
TUITION, ENSEMBLES = "Tuition", "Ensembles"
_RANK = "standard_rank"


def continuation_figures(
    data_wcet: pl.LazyFrame,
    participants: pl.LazyFrame,
    tuition: pl.LazyFrame,
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    last_year_universe: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """Pupils on last year's WCET rolls with tuition or an ensemble this year (continuation), as a share of
    last year's WCET pupils on rolls; by what they continued in (a pupil in both counts under each).

    Only pupil-level rolls can be followed from one year to the next, so classes without a roll are not in
    the denominator.
    """
    last_year: AcademicYear = window.year.previous()
    cohort = (
        wcet_units(data_wcet, participants, last_year_universe, year=last_year)
        .filter(pl.col(ON_ROLL))
        .select(WcetParticipants.pupil_ref)
    )
    learning = pl.concat(
        [
            tuition.filter(span_overlaps(Tuition.start_date, Tuition.end_date, window)).select(
                Tuition.pupil_ref, pl.lit(TUITION).alias(CONTINUED_IN)
            ),
            active_members(members, ensembles, window=window).select(
                EnsembleMembers.pupil_ref, pl.lit(ENSEMBLES).alias(CONTINUED_IN)
            ),
        ]
    ).join(cohort, on=WcetParticipants.pupil_ref, how="semi")
    continuing = learning.select(WcetParticipants.pupil_ref).unique()
    rows = pl.concat(
        [
            tally(continuing, CONTINUING),
            tally_overlapping(
                learning,
                CONTINUING,
                key=WcetParticipants.pupil_ref,
                breakdown=Breakdown(CONTINUED_IN, pl.col(CONTINUED_IN), [TUITION, ENSEMBLES]),
            ),
        ]
    )
    cohort_size = cohort.select(pl.lit(ALL).alias(GROUP), pl.len().cast(pl.Int64).alias(DENOMINATOR))
    denominators = pl.concat(
        [
            denominator_rows(CONTINUING.measure_id, ALL, cohort_size),
            denominator_rows(
                CONTINUING.measure_id,
                CONTINUED_IN,
                pl.concat([cohort_size.with_columns(pl.lit(g).alias(GROUP)) for g in (TUITION, ENSEMBLES)]),
            ),
        ]
    )
    return with_denominators(rows, denominators)


def standard_figures(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Unique pupils learning outside WCET by the highest standard of their enrolments in the year."""
    ranks = {standard: rank for rank, standard in enumerate(STANDARDS)}
    learners = (
        tuition_enrolments(tuition, pupils, universe, window=window)
        .with_columns(pl.col(Tuition.standard).replace_strict(ranks, return_dtype=pl.Int64).alias(_RANK))
        .group_by(Tuition.pupil_ref)
        .agg(pl.col(Tuition.standard).sort_by(_RANK).last())
    )
    return tally(
        learners, STANDARD, breakdowns=[Breakdown("Standard", pl.col(Tuition.standard), list(STANDARDS))]
    )


def progression_sheet(
    wcet: pl.LazyFrame,
    participants: pl.LazyFrame,
    tuition: pl.LazyFrame,
    pupils: pl.LazyFrame,
    members: pl.LazyFrame,
    ensembles: pl.LazyFrame,
    universe: pl.LazyFrame,
    last_year_universe: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """The Progression sheet: continuation from last year's WCET, and pupils by standard."""
    return duty_table(
        [
            continuation_figures(
                wcet, participants, tuition, members, ensembles, last_year_universe, window=window
            ),
            standard_figures(tuition, pupils, universe, window=window),
        ]
    )
