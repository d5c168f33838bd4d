"""School-term dates of an academic year, and random school days inside them (all from a seeded Random)."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from schemas.periods import AcademicYear


@dataclass(frozen=True)
class TermWindow:
    """The month and day a term starts and ends, whatever the year."""

    start_month: int
    start_day: int
    end_month: int
    end_day: int


@dataclass(frozen=True)
class TermSpan:
    """The first and last day of one term of one year."""

    first: date
    last: date


# English school terms, rounded to typical dates.
TERM_WINDOWS: dict[str, TermWindow] = {
    "Autumn": TermWindow(start_month=9, start_day=3, end_month=12, end_day=19),
    "Spring": TermWindow(start_month=1, start_day=6, end_month=3, end_day=27),
    "Summer": TermWindow(start_month=4, start_day=14, end_month=7, end_day=22),
}


def term_span(year: AcademicYear, term: str) -> TermSpan:
    """First and last day of a term of the year."""
    window = TERM_WINDOWS[term]
    calendar_year = year.start_year if term == "Autumn" else year.start_year + 1
    return TermSpan(
        first=date(calendar_year, window.start_month, window.start_day),
        last=date(calendar_year, window.end_month, window.end_day),
    )


def school_day(rng: random.Random, first: date, last: date) -> date:
    """A random weekday between two dates (inclusive); the first day when there is none."""
    span = (last - first).days
    for _ in range(20):
        day = first + timedelta(days=rng.randint(0, max(span, 0)))
        if day.weekday() < 5:
            return day
    return first


def term_day(rng: random.Random, year: AcademicYear, term: str | None = None) -> date:
    """A random weekday in a term of the year (a random term, weighted by length, when none is given)."""
    if term is None:
        term = rng.choices(("Autumn", "Spring", "Summer"), weights=(15, 11, 14))[0]
    span = term_span(year, term)
    return school_day(rng, span.first, span.last)


@functools.cache
def census_day(year: AcademicYear) -> date:
    """The spring census day of the year: the third Thursday of January."""
    first = date(year.start_year + 1, 1, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=14)
