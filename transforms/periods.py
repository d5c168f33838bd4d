"""Predicates that place dated rows in a reporting window (an academic year, cut at the as-of date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from schemas.periods import AcademicYear


@dataclass(frozen=True)
class ReportingWindow:
    """The days whose activity counts: the academic year, up to the as-of date if that falls inside it."""

    year: AcademicYear
    first_day: date
    last_day: date

    @classmethod
    def for_year(cls, year: AcademicYear, *, as_of: date) -> ReportingWindow:
        """The window of a year as known on the as-of date."""
        return cls(year=year, first_day=year.start, last_day=min(year.end, max(as_of, year.start)))


def dated_within(column: str, window: ReportingWindow) -> pl.Expr:
    """A date falls inside the window."""
    return pl.col(column).is_between(window.first_day, window.last_day, closed="both")


def span_overlaps(start_column: str, end_column: str, window: ReportingWindow) -> pl.Expr:
    """A start-end span (open-ended when the end is empty) overlaps the window."""
    return (pl.col(start_column) <= window.last_day) & (
        pl.col(end_column).is_null() | (pl.col(end_column) >= window.first_day)
    )


def in_academic_year(column: str, year: AcademicYear) -> pl.Expr:
    """A YYYY/YY label names the year."""
    return pl.col(column) == year.label
