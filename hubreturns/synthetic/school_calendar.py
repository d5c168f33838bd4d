"""School-term dates of an academic year, and random school days inside them (all from a seeded Random)."""

from __future__ import annotations

import functools
import random
from datetime import date, timedelta

from schemas.periods import AcademicYear

# Month and day each term starts and ends (English school terms, rounded to typical dates).
TERM_WINDOWS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "Autumn": ((9, 3), (12, 19)),
    "Spring": ((1, 6), (3, 27)),
    "Summer": ((4, 14), (7, 22)),
}


def term_span(year: AcademicYear, term: str) -> tuple[date, date]:
    """First and last day of a term of the year."""
    (m1, d1), (m2, d2) = TERM_WINDOWS[term]
    calendar_year = year.start_year if term == "Autumn" else year.start_year + 1
    return date(calendar_year, m1, d1), date(calendar_year, m2, d2)


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
    first, last = term_span(year, term)
    return school_day(rng, first, last)


@functools.cache
def census_day(year: AcademicYear) -> date:
    """The spring census day of the year: the third Thursday of January."""
    first = date(year.start_year + 1, 1, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=14)
