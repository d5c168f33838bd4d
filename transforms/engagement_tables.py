"""Every table of the SMEP tracker and of the school reports for one hub and year, and their notes.

Pure: takes the validated inputs and the return's Progression table, returns LazyFrames by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from foundation.ofsted_frameworks import OfstedFramework
from schemas.periods import AcademicYear
from schemas.vocabulary import CONVERSATION_KINDS
from transforms.activity import HubData
from transforms.engagement import (
    engagement_summary,
    map_points,
    outside_universe,
    priority_schools,
    school_activity,
    tracker_rows,
)
from transforms.figures import computed_once
from transforms.ofsted import ofsted_evidence
from transforms.periods import ReportingWindow
from transforms.school_reports import (
    BriefRules,
    activity_comparison,
    brief_prompts,
    conversation_log,
    learner_inclusion,
    open_actions,
    rag_ratings,
    school_briefs,
    year_is_closed,
)
from transforms.universe import school_universe

TRACKER_TABLES = ("tracker", "summary", "map", "priorities", "ofsted", "exceptions")
REPORT_TABLES = ("brief", "prompts", "activity", "rag", "conversations", "actions")


@dataclass(frozen=True)
class EngagementRules:
    """The hub's settings the tracker applies (from its configuration file) and the Ofsted framework it follows."""

    high_fsm_pct: float
    school_leader_roles: tuple[str, ...]
    staff_hours_per_fte: float
    framework: OfstedFramework
    brief: BriefRules = field(default_factory=BriefRules)
    # The Schools sheet's duty columns that make a school engaged, as the year's return layout says (KPI 5),
    # so that the tracker's Engaged agrees with the return; None: any duty.
    engaged_duties: tuple[str, ...] | None = None


def engagement_tables(
    data: HubData,
    progression: pl.LazyFrame,
    *,
    la_codes: Sequence[str],
    year: AcademicYear,
    as_of: date,
    rules: EngagementRules,
) -> dict[str, pl.LazyFrame]:
    """The tracker's tables (TRACKER_TABLES) and the school reports' tables (REPORT_TABLES), all schools."""
    window = ReportingWindow.for_year(year, as_of=as_of)
    links = data.establishment_links
    universe = computed_once(school_universe(data.establishments, la_codes=la_codes, year=year, links=links))
    tracker = tracker_rows(
        data,
        universe,
        window=window,
        high_fsm_pct=rules.high_fsm_pct,
        as_of=as_of,
        due_soon_days=rules.brief.due_soon_days,
        engaged_duties=rules.engaged_duties,
    )
    last_year = year.previous()
    last_window = ReportingWindow.for_year(last_year, as_of=as_of)
    last_year_activity = school_activity(
        data,
        computed_once(school_universe(data.establishments, la_codes=la_codes, year=last_year, links=links)),
        window=last_window,
    )
    activity = activity_comparison(tracker, last_year_activity, rules=rules.brief)
    actions = open_actions(data.engagements, universe, window=window, as_of=as_of)
    briefs = school_briefs(tracker, data.engagements, window=window, as_of=as_of, rules=rules.brief)
    prompts = brief_prompts(
        tracker,
        briefs,
        activity,
        actions,
        learner_inclusion(data, universe, window=window),
        area_titles=rules.framework.prompt_area_titles(),
        closed=year_is_closed(window, as_of),
        rules=rules.brief,
    )
    return {
        "tracker": tracker,
        "summary": engagement_summary(tracker),
        "map": map_points(tracker),
        "priorities": priority_schools(tracker, briefs, actions),
        "ofsted": ofsted_evidence(
            tracker,
            data.engagements,
            data.workforce,
            progression,
            window=window,
            leader_roles=rules.school_leader_roles,
            hours_per_fte=rules.staff_hours_per_fte,
            framework=rules.framework,
            high_fsm_pct=rules.high_fsm_pct,
        ),
        "exceptions": outside_universe(data, universe, la_codes=la_codes, window=window),
        "brief": briefs,
        "prompts": prompts,
        "activity": activity,
        "rag": rag_ratings(data.engagements, universe, window=window, last_year=last_window),
        "conversations": conversation_log(data.engagements, universe, window=window),
        "actions": actions,
    }


def engagement_notes(*, year: AcademicYear, as_of: date, rules: EngagementRules) -> list[tuple[str, str]]:
    """The Notes sheet's (number, text) rows for the tracker and the school reports."""
    kinds = ", ".join(CONVERSATION_KINDS)
    texts = [
        f"Academic year {year.label}: 1 September {year.start.year} to 31 August {year.end.year}. Activity and "
        f"contacts are counted up to the as-of date, {as_of:%d/%m/%Y}.",
        "The hub's schools are the open state-funded schools of its local authorities during the year (GIAS), "
        "whether or not the hub worked with them. Schools the exports name outside them are on the Exceptions "
        "sheet of the tracker.",
        "A school is engaged as for KPI 5 of the annual return: when the hub worked with it during the year on "
        "at least one of the duties the year's return counts (WCET, tuition, ensembles and singing unless the "
        "return's Notes say otherwise).",
        f"Conversations are the SMEP log's contacts of kind {kinds} with the school (network meetings are with "
        "many schools and are not counted). The next conversation is the date the latest contact set. As of "
        f"{as_of:%d/%m/%Y}, a school is overdue when that date has passed, or when none is set and its last "
        f"conversation was more than a year before (or there was none); due soon when it falls within "
        f"{rules.brief.due_soon_days} days. Once the year is over nothing is overdue: the tracker says how many "
        "conversations the year had, and an open action is overdue if it was due before 31 August.",
        "Engagement level, each RAG rating and MDP published are the latest the SMEP log recorded this year; a "
        "contact that leaves a rating empty does not clear it. Quality marks and the MDP summary's address are "
        "the latest recorded, in any year; quality marks are shown under their current names.",
        f"A school is a priority when it is not engaged, or when it is rated red on a duty area and at least "
        f"{rules.high_fsm_pct:g}% of its pupils are eligible for free school meals (school census, else GIAS).",
        "Activity is counted as on the annual return's duty sheets: unique pupils for WCET, tuition and "
        "ensembles; pupils in regular singing programmes; staff places at CPD and pupil places at experiences "
        "(one person at two events counts twice); loans to the school or its pupils.",
        f"Ofsted point 7: school leaders are the SMEP log's contacts with {', '.join(rules.school_leader_roles)}. "
        f"Hub staff working hours are the workforce export's FTE times {rules.staff_hours_per_fte:,.0f} hours.",
        "Management information about schools, not for publication: small numbers are not suppressed.",
    ]
    return [(f"N{number}", text) for number, text in enumerate(texts, start=1)]
