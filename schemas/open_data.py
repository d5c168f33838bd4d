"""The open-data CSV beside the return: DfE's open data standard for statistics (explore education statistics).

A tidy file: the time and geography columns the standard requires, then the filters, then one indicator column
per kind of thing counted (``pupil_count``, ``school_percent``, ...). Its ``.meta.csv`` describes the filters
and indicators (time and geography columns are not listed there).
"""

from __future__ import annotations

from dataclasses import dataclass

# Time and geography, in the standard's order.
TIME_PERIOD, TIME_IDENTIFIER, GEOGRAPHIC_LEVEL = "time_period", "time_identifier", "geographic_level"
COUNTRY_CODE, COUNTRY_NAME = "country_code", "country_name"
OLD_LA_CODE, NEW_LA_CODE, LA_NAME = "old_la_code", "new_la_code", "la_name"
TIME_AND_GEOGRAPHY = (TIME_PERIOD, TIME_IDENTIFIER, GEOGRAPHIC_LEVEL, COUNTRY_CODE, COUNTRY_NAME)
LA_COLUMNS = (OLD_LA_CODE, NEW_LA_CODE, LA_NAME)
ACADEMIC_YEAR = "Academic year"
NATIONAL, LOCAL_AUTHORITY = "National", "Local authority"
ENGLAND_CODE, ENGLAND_NAME = "E92000001", "England"
# The aggregate entry of every filter.
TOTAL = "Total"
# The standard's symbols: c suppressed, x not available, z not applicable.
SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE = "c", "x", "z"
META_COLUMNS = (
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
)


@dataclass(frozen=True)
class Filter:
    """A filter column: its name, label and hint (the .meta.csv row)."""

    name: str
    label: str
    hint: str


MUSIC_HUB = Filter("music_hub", "Music hub", "The music hub whose area the figures cover")
ACTIVITY = Filter("activity", "Activity", "The sheet of the hub's annual return the figure is on")
MEASURE = Filter("measure", "Measure", "What is counted")
BREAKDOWN_TOPIC = Filter("breakdown_topic", "Breakdown topic", "How the total is split")
BREAKDOWN = Filter("breakdown", "Breakdown", "The group of the breakdown counted")
FILTERS = (MUSIC_HUB, ACTIVITY, MEASURE, BREAKDOWN_TOPIC, BREAKDOWN)


@dataclass(frozen=True)
class Indicator:
    """An indicator column: its name, label, unit and decimal places (the .meta.csv row)."""

    name: str
    label: str
    unit: str = ""
    dp: int = 0


# The return's units (schemas/vocabulary.FIGURE_UNITS) -> the stem of their indicators' names.
UNIT_STEMS: dict[str, str] = {
    "pupils": "pupil",
    "enrolments": "enrolment",
    "loans": "loan",
    "places": "place",
    "schools": "school",
    "classes": "class",
    "programmes": "programme",
    "ensembles": "ensemble",
    "events": "event",
    "hours": "hour",
    "attendances": "attendance",
    "pounds": "income",
}
# Indicators whose figures are money: summed pounds, not counts.
MONEY_UNIT = "pounds"


def count_indicator(unit: str) -> Indicator:
    """The indicator of a unit's numbers: ``pupil_count``, ``hour_count`` (one place), ``income_sum`` (£)."""
    stem = UNIT_STEMS[unit]
    if unit == MONEY_UNIT:
        return Indicator(f"{stem}_sum", "Income (£)", "£", 0)
    return Indicator(f"{stem}_count", f"Number of {unit}", "", 1 if unit == "hours" else 0)


def percent_indicator(unit: str) -> Indicator:
    """The indicator of a unit's percentages: ``pupil_percent``, ``income_percent``."""
    stem = UNIT_STEMS[unit]
    label = "Share of total income" if unit == MONEY_UNIT else f"Percentage of {unit}"
    return Indicator(f"{stem}_percent", label, "%", 1)
