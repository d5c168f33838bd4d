"""Large-scale and live music experiences: events held in the year, pupil places and schools taking part."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Events
from transforms.figures import Breakdown, Measure, duty_table, tally, yes_no
from transforms.periods import ReportingWindow, dated_within
from transforms.universe import school_reach, tally_by_phase

EVENTS = Measure("experience_events", "Large-scale and live music experiences", "events")
PLACES = Measure("experience_places", "Pupil places at experiences", "places")
SCHOOLS = Measure("experience_schools", "Schools taking part in experiences", "schools")
HAS_PARTNER = "has_professional_partner"


def experience_attendances(events: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """The events export's rows (one school's pupils at one event) for events dated inside the window."""
    return events.filter(dated_within(Events.date, window))


def experience_events(events: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """One row per event dated inside the window, and whether any of its rows names a professional partner."""
    names_partner = pl.col(Events.professional_partner).str.strip_chars().str.len_chars() > 0
    return (
        experience_attendances(events, window=window)
        .group_by(Events.event_id)
        .agg(names_partner.fill_null(False).any().alias(HAS_PARTNER))
    )


def experience_event_figures(events: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Large-scale and live music experiences held in the year, each event once, by professional partner.

    An event has a professional partner when any school's row of it names one.
    """
    return tally(
        experience_events(events, window=window),
        EVENTS,
        breakdowns=[Breakdown("Professional partner", yes_no(HAS_PARTNER), ["Yes", "No"])],
    )


def experience_place_figures(
    events: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Pupil places at experiences in the year, by phase: pupils summed (a pupil at two events counts twice).

    Each school's pupils count under their school's phase; schools outside the hub's area are counted too,
    in their own group, so the groups add up to the total.
    """
    attendances = experience_attendances(events, window=window)
    return tally_by_phase(attendances, universe, PLACES, weight=Events.pupils)


def experience_school_figures(
    events: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Schools of the hub's area with pupils at an experience in the year, by phase.

    Out of: the area's schools, and its schools of each phase.
    """
    attendances = experience_attendances(events, window=window)
    reached = attendances.filter(pl.col(Events.pupils) > 0).select(Events.urn)
    return school_reach(universe, reached, SCHOOLS)


def experiences_sheet(
    events: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """The Experiences sheet: large-scale and live music events, pupil places and schools taking part."""
    return duty_table(
        [
            experience_event_figures(events, window=window),
            experience_place_figures(events, universe, window=window),
            experience_school_figures(events, universe, window=window),
        ]
    )
