"""A hint for a check run on the wrong year: which academic year the hub's activity exports cover.

``validate`` without a year checks the year containing today. Exports from a year that has ended then hold
no activity in it, and every figure would be empty: the hint says which year their dates fall in and how to
check that year instead.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl

from ingest.sources import LoadedInput
from schemas.hub_exports import (
    Cpd,
    Engagements,
    EnsembleMembers,
    Events,
    Finance,
    Loans,
    Singing,
    Tuition,
    Wcet,
    Workforce,
)
from schemas.periods import AcademicYear

# Each activity export's columns that date its rows: a YYYY/YY label, or dates. The pupils, ensembles and
# WCET participants exports are lists, not activity, and are not dated.
YEAR_LABEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "wcet": (Wcet.academic_year,),
    "singing": (Singing.academic_year,),
    "workforce": (Workforce.academic_year,),
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "tuition": (str(Tuition.start_date), str(Tuition.end_date)),
    "ensemble_members": (str(EnsembleMembers.start_date), str(EnsembleMembers.end_date)),
    "engagements": (str(Engagements.date),),
    "cpd": (str(Cpd.date),),
    "loans": (str(Loans.start_date), str(Loans.end_date)),
    "events": (str(Events.date),),
    "finance": (str(Finance.date),),
}


def _rows(item: LoadedInput) -> pl.DataFrame:
    """The rows the export's dates are read from: every row read when kept (quarantined ones too), else kept."""
    return item.all_rows if item.all_rows is not None else item.frame


def _years_of(item: LoadedInput) -> Counter[AcademicYear]:
    """How many dates (or year labels) of one export fall in each academic year."""
    rows, years = _rows(item), Counter[AcademicYear]()
    for column in YEAR_LABEL_COLUMNS.get(item.source, ()):
        if column in rows.columns:
            for label in rows.get_column(column).drop_nulls().to_list():
                try:
                    years[AcademicYear.parse(str(label))] += 1
                except ValueError:
                    continue
    for column in DATE_COLUMNS.get(item.source, ()):
        if column in rows.columns and rows.schema[column] == pl.Date:
            for day in rows.get_column(column).drop_nulls().to_list():
                if isinstance(day, date):
                    years[AcademicYear.containing(day)] += 1
    return years


def _listed(labels: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def exports_year_hint(loaded: list[LoadedInput], year: AcademicYear) -> str | None:
    """The sentence telling the officer the exports hold no activity in ``year``, and which year they cover.

    None when any activity export has a date (or a YYYY/YY year) in ``year``, or none has any date at all.
    The year suggested is the one most of the exports' dates fall in (the latest, when two have as many).
    """
    years: Counter[AcademicYear] = Counter()
    for item in loaded:
        years += _years_of(item)
    if not years or year in years:
        return None
    covered = sorted(years, key=lambda y: y.start)
    suggested = max(covered, key=lambda y: (years[y], y.start))
    return (
        f"The activity exports hold no activity in {year.label}: their dates fall in "
        f"{_listed([y.label for y in covered])}. To check {'that year' if len(covered) == 1 else suggested.label}, "
        f"run validate with --year {suggested.label}."
    )
