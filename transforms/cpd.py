"""CPD for school staff: events held in the year, hours delivered, staff attending and schools reached."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Cpd
from transforms.figures import Measure, duty_table, tally
from transforms.periods import ReportingWindow, dated_within
from transforms.universe import school_reach, tally_by_phase

EVENTS = Measure("cpd_events", "CPD events for school staff", "events")
HOURS = Measure("cpd_hours", "Hours of CPD delivered", "hours")
ATTENDANCES = Measure("cpd_attendances", "School staff attending CPD", "attendances")
SCHOOLS = Measure("cpd_schools", "Schools reached by CPD", "schools")


def cpd_attendances(cpd: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """The CPD export's rows (one school at one event) for events dated inside the window."""
    return cpd.filter(dated_within(Cpd.date, window))


def cpd_events(cpd: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """One row per CPD event dated inside the window, with its length (the largest its rows give)."""
    return cpd_attendances(cpd, window=window).group_by(Cpd.event_id).agg(pl.col(Cpd.hours).max())


def cpd_event_figures(cpd: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """CPD events for school staff held in the year, each counted once however many schools attended."""
    return tally(cpd_events(cpd, window=window), EVENTS)


def cpd_hour_figures(cpd: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Hours of CPD delivered in the year: each event's length once, however many schools attended it.

    When an event's rows give different lengths, the largest is taken.
    """
    return tally(cpd_events(cpd, window=window), HOURS, weight=Cpd.hours)


def cpd_attendance_figures(
    cpd: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """School staff attending CPD in the year, by phase: attendees summed, so one at two events counts twice.

    Each school's staff count under their school's phase; schools outside the hub's area are counted too,
    in their own group, so the groups add up to the total.
    """
    return tally_by_phase(cpd_attendances(cpd, window=window), universe, ATTENDANCES, weight=Cpd.attendees)


def cpd_school_figures(cpd: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Schools of the hub's area with staff attending CPD in the year, by phase.

    Out of: the area's schools, and its schools of each phase.
    """
    reached = cpd_attendances(cpd, window=window).filter(pl.col(Cpd.attendees) > 0).select(Cpd.urn)
    return school_reach(universe, reached, SCHOOLS)


def cpd_sheet(cpd: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """The CPD sheet: events for school staff, hours delivered, staff attending and schools reached."""
    return duty_table(
        [
            cpd_event_figures(cpd, window=window),
            cpd_hour_figures(cpd, window=window),
            cpd_attendance_figures(cpd, universe, window=window),
            cpd_school_figures(cpd, universe, window=window),
        ]
    )
