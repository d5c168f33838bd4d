"""Instrument loans: instruments on loan in the year, the pupils borrowing them and the schools reached."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Loans, Pupils
from schemas.register import Establishment
from schemas.vocabulary import INSTRUMENT_FAMILIES, LOAN_REMISSION_LABELS
from transforms.figures import Breakdown, Measure, duty_table, labels, tally
from transforms.periods import ReportingWindow, span_overlaps
from transforms.universe import school_reach

LOANS = Measure("loans", "Instruments on loan", "loans")
LOAN_PUPILS = Measure("loan_pupils", "Pupils with an instrument on loan", "pupils")
LOAN_SCHOOLS = Measure("loan_schools", "Schools with instruments on loan", "schools")
REMISSION = "Remission"
# How generous each remission is: a pupil with several loans is shown under the most generous one.
REMISSION_RANK = {"none": 0, "subsidised": 1, "free": 2}
_PUPIL_URN = "pupil_urn"


def _remission_breakdown() -> Breakdown:
    return Breakdown(
        REMISSION, labels(LOAN_REMISSION_LABELS, Loans.remission), list(LOAN_REMISSION_LABELS.values())
    )


def loans_in_window(loans: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Loans whose start-end span overlaps the window (a loan without an end date is still out)."""
    return loans.filter(span_overlaps(Loans.start_date, Loans.end_date, window))


def loan_figures(loans: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Instruments on loan at any time in the year, by remission and instrument family (each loan once)."""
    return tally(
        loans_in_window(loans, window=window),
        LOANS,
        breakdowns=[
            _remission_breakdown(),
            Breakdown("Instrument family", pl.col(Loans.family), list(INSTRUMENT_FAMILIES)),
        ],
    )


def loan_borrowers(loans: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Each pupil with a loan overlapping the window once, with the most generous remission of their loans."""
    rank = pl.col(Loans.remission).replace_strict(REMISSION_RANK, default=-1)
    return (
        loans_in_window(loans, window=window)
        .filter(pl.col(Loans.pupil_ref).is_not_null())
        .group_by(Loans.pupil_ref)
        .agg(pl.col(Loans.remission).sort_by(rank, descending=True).first())
    )


def loan_pupil_figures(loans: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Unique pupils with an instrument on loan at any time in the year, by their most generous remission.

    A pupil with several loans is counted once, under the most generous remission (free, then subsidised,
    then full charge), so the groups add up to the total. Loans to schools have no pupil and are not counted.
    """
    borrowers = loan_borrowers(loans, window=window)
    return tally(borrowers, LOAN_PUPILS, breakdowns=[_remission_breakdown()])


def loans_by_school(loans: pl.LazyFrame, pupils: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Loans overlapping the window, each with its school's URN: the loan's URN, or else its pupil's school."""
    return (
        loans_in_window(loans, window=window)
        .join(
            pupils.select(Pupils.pupil_ref, pl.col(Pupils.urn).alias(_PUPIL_URN)),
            on=Loans.pupil_ref,
            how="left",
        )
        .with_columns(pl.coalesce(Loans.urn, _PUPIL_URN).alias(Establishment.urn))
        .drop(_PUPIL_URN)
    )


def loan_schools(loans: pl.LazyFrame, pupils: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """URNs of the schools with a loan overlapping the window: the loan's URN, or else its pupil's school."""
    return loans_by_school(loans, pupils, window=window).select(Establishment.urn).drop_nulls().unique()


def loan_school_figures(
    loans: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Schools of the hub's area with an instrument on loan, to the school or a pupil, by phase.

    Out of: the area's schools, and its schools of each phase.
    """
    return school_reach(universe, loan_schools(loans, pupils, window=window), LOAN_SCHOOLS)


def loans_sheet(
    loans: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """The Loans sheet: instruments on loan, the pupils borrowing them and the schools reached."""
    return duty_table(
        [
            loan_figures(loans, window=window),
            loan_pupil_figures(loans, window=window),
            loan_school_figures(loans, pupils, universe, window=window),
        ]
    )
