"""The school engagement (SMEP) tracker: every school of the universe, what the hub did with it this year, and
what the SMEP log says of it; a summary by phase; the schools the exports name outside the universe.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from schemas.census import SchoolCensus
from schemas.engagement import (
    ACTIVITY_COLUMNS,
    DUTY_AREA_LABELS,
    LEVEL_COLUMNS,
    RAG_COLUMNS,
    EngagementSummaryRow,
    MapPointRow,
    OpenActionRow,
    OutsideUniverseRow,
    PriorityRow,
    SchoolBriefRow,
    TrackerRow,
)
from schemas.hub_exports import (
    Cpd,
    Engagements,
    EnsembleMembers,
    Events,
    Loans,
    Pupils,
    Singing,
    Tuition,
    Wcet,
    WcetParticipants,
)
from schemas.output_tables import SchoolUniverseRow
from schemas.register import Establishment
from schemas.vocabulary import (
    CONVERSATION_KINDS,
    ENGAGEMENT_LEVEL_NAMES,
    QUALITY_MARK_ALIASES,
    QUALITY_MARKS,
)
from transforms.activity import HubData
from transforms.cpd import cpd_attendances
from transforms.ensembles import active_members, ensemble_players
from transforms.experiences import experience_attendances
from transforms.loans import loans_by_school, loans_in_window
from transforms.periods import ReportingWindow, dated_within, in_academic_year, span_overlaps
from transforms.schools import school_engagement, smep_contacts
from transforms.singing import singing_programmes
from transforms.tuition import tuition_learners
from transforms.universe import census_for_year, school_identity
from transforms.wcet import wcet_units

ALL_PHASES = "All phases"
_ORDER = [Engagements.date, Engagements.engagement_id]


def _per_school(rows: pl.LazyFrame, column: str, value: pl.Expr) -> pl.LazyFrame:
    return rows.group_by(Establishment.urn).agg(value.cast(pl.Int64).alias(column))


def school_activity(data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Each school of the universe with its activity in the window (0 where it had none).

    Pupils are counted as on the return's duty sheets: unique WCET pupils at the school of their first
    programme, unique pupils in tuition and in ensembles at their own school, pupils in regular singing
    programmes, staff places at CPD, loans to the school or its pupils, pupil places at experiences.
    """
    year = window.year
    parts = [
        _per_school(
            wcet_units(data.wcet, data.wcet_participants, universe, year=year),
            TrackerRow.wcet_pupils,
            pl.col(Wcet.pupils).sum(),
        ),
        _per_school(
            tuition_learners(data.tuition, data.pupils, universe, window=window),
            TrackerRow.tuition_pupils,
            pl.col(Pupils.pupil_ref).n_unique(),
        ),
        _per_school(
            ensemble_players(data.ensemble_members, data.ensembles, data.pupils, universe, window=window),
            TrackerRow.ensemble_members,
            pl.col(Pupils.pupil_ref).n_unique(),
        ),
        _per_school(
            singing_programmes(data.singing, universe, year=year).filter(pl.col(Singing.regular)),
            TrackerRow.singing_pupils,
            pl.col(Singing.pupils).sum(),
        ),
        _per_school(
            cpd_attendances(data.cpd, window=window), TrackerRow.cpd_attendees, pl.col(Cpd.attendees).sum()
        ),
        _per_school(loans_by_school(data.loans, data.pupils, window=window), TrackerRow.loans, pl.len()),
        _per_school(
            experience_attendances(data.events, window=window),
            TrackerRow.experience_pupils,
            pl.col(Events.pupils).sum(),
        ),
    ]
    table = universe.select(Establishment.urn)
    for part in parts:
        table = table.join(part, on=Establishment.urn, how="left")
    return table.with_columns(pl.col(list(ACTIVITY_COLUMNS)).fill_null(0))


def _latest(column: str) -> pl.Expr:
    """The latest non-empty value of a column of the (date-sorted) SMEP log."""
    return pl.col(column).drop_nulls().last()


def smep_status(engagements: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Per school with SMEP contacts: conversations this year, the last and next, and the latest ratings.

    A RAG rating, MDP status and quality marks are each the latest the log recorded (a contact may rate only
    some areas); quality marks may have been recorded in an earlier year. The next conversation is the one
    the latest contact this year set.
    """
    this_year = smep_contacts(engagements, window=window).sort(_ORDER)
    is_conversation = pl.col(Engagements.kind).is_in(CONVERSATION_KINDS)
    contacts = this_year.group_by(Engagements.urn).agg(
        is_conversation.sum().cast(pl.Int64).alias(TrackerRow.conversations),
        pl.col(Engagements.date).filter(is_conversation).max().alias(TrackerRow.last_conversation),
        pl.col(Engagements.next_due).last().alias(TrackerRow.next_conversation),
        *[_latest(column) for column in RAG_COLUMNS],
        _latest(Engagements.mdp_published).alias(TrackerRow.mdp_published),
    )
    marks = (
        engagements.filter(pl.col(Engagements.date) <= window.last_day)
        .sort(_ORDER)
        .group_by(Engagements.urn)
        .agg(
            _latest(Engagements.quality_marks).alias(TrackerRow.quality_marks),
            _latest(Engagements.mdp_url).alias(TrackerRow.mdp_url),
            _latest(Engagements.hub_officer).alias(TrackerRow.hub_officer),
            pl.col(Engagements.date).filter(is_conversation).max().alias(LAST_CONVERSATION_EVER),
        )
        .with_columns(canonical_quality_marks(TrackerRow.quality_marks))
    )
    return contacts.join(marks, on=Engagements.urn, how="full", coalesce=True)


LAST_CONVERSATION_EVER = "_last_conversation_ever"


def canonical_quality_marks(column: str) -> pl.Expr:
    """The ';'-separated quality marks under their current names (old names and spellings mapped), in order."""
    names = {alias.lower(): name for alias, name in QUALITY_MARK_ALIASES.items()}
    names.update({name.lower(): name for name in QUALITY_MARKS})
    marks = (
        pl.col(column)
        .str.split(";")
        .list.eval(
            pl.element()
            .str.strip_chars()
            .str.replace_all(r"\s+", " ")
            .str.to_lowercase()
            .replace_strict(names, default=None, return_dtype=pl.String)
            .drop_nulls()
            .unique(maintain_order=True)
        )
    )
    return pl.when(marks.list.len() > 0).then(marks.list.join("; ")).alias(column)


def conversation_status(*, window: ReportingWindow, as_of: date, due_soon_days: int) -> list[pl.Expr]:
    """Overdue, due soon and the status in words, as of the as-of date; a closed year says its conversations.

    In a year in progress a school is overdue when the next conversation's date has passed, or when none is set
    and its last conversation (in any year) was more than a year before the as-of date, or there was none.
    """
    count = pl.col(TrackerRow.conversations)
    if as_of > window.year.end:
        held = pl.format(
            "{} conversation{} in the year, the last on {}",
            count,
            pl.when(count == 1).then(pl.lit("")).otherwise(pl.lit("s")),
            pl.col(TrackerRow.last_conversation).dt.strftime("%d/%m/%Y"),
        )
        return [
            pl.lit(False).alias(TrackerRow.is_overdue),
            pl.lit(False).alias(TrackerRow.is_due_soon),
            pl.when(count == 0)
            .then(pl.lit("No conversation in the year"))
            .otherwise(held)
            .alias(TrackerRow.conversation_status),
        ]
    today = window.last_day
    following = pl.col(TrackerRow.next_conversation)
    last_ever = pl.col(LAST_CONVERSATION_EVER)
    stale = last_ever.is_null() | (last_ever < pl.lit(today - timedelta(days=365)))
    overdue = (following < today).fill_null(False) | (following.is_null() & stale)
    due_soon = ~overdue & (following <= pl.lit(today + timedelta(days=due_soon_days))).fill_null(False)
    when = following.dt.strftime("%d/%m/%Y")
    status = (
        pl.when(overdue & following.is_not_null())
        .then(pl.format("Overdue: was due {}", when))
        .when(overdue & last_ever.is_null())
        .then(pl.lit("Overdue: no conversation on record and none booked"))
        .when(overdue)
        .then(pl.format("Overdue: none booked; the last was {}", last_ever.dt.strftime("%d/%m/%Y")))
        .when(due_soon)
        .then(pl.format("Due soon: {}", when))
        .when(following.is_not_null())
        .then(pl.format("Next due {}", when))
        .otherwise(pl.format("None booked; the last was {}", last_ever.dt.strftime("%d/%m/%Y")))
    )
    return [
        overdue.alias(TrackerRow.is_overdue),
        due_soon.alias(TrackerRow.is_due_soon),
        status.alias(TrackerRow.conversation_status),
    ]


def fsm_share(universe: pl.LazyFrame, census: pl.LazyFrame) -> pl.LazyFrame:
    """Each school's share of pupils eligible for free school meals: the census's, else GIAS's percentage."""
    counts = census.select(SchoolCensus.urn, SchoolCensus.fsm_count, SchoolCensus.pupil_headcount).unique(
        SchoolCensus.urn, keep="first"
    )
    census_share = pl.when(pl.col(SchoolCensus.pupil_headcount) > 0).then(
        pl.col(SchoolCensus.fsm_count) / pl.col(SchoolCensus.pupil_headcount)
    )
    return (
        universe.select(Establishment.urn, Establishment.fsm_pct)
        .join(counts, on=Establishment.urn, how="left")
        .select(
            Establishment.urn,
            pl.coalesce(census_share, pl.col(Establishment.fsm_pct) / 100)
            .clip(0, 1)
            .alias(TrackerRow.fsm_pct),
        )
    )


def _priority_reason(high_fsm_share: float) -> pl.Expr:
    red_areas = pl.concat_str(
        [
            pl.when(pl.col(f"rag_{area}") == "R").then(pl.lit(label))
            for area, label in DUTY_AREA_LABELS.items()
        ],
        separator=", ",
        ignore_nulls=True,
    )
    return (
        pl.when(~pl.col(TrackerRow.is_engaged))
        .then(pl.lit("Not engaged this year"))
        .when((red_areas != "") & (pl.col(TrackerRow.fsm_pct) >= high_fsm_share))
        .then(pl.lit("Red for ") + red_areas + pl.lit(" with a high FSM share"))
    )


def tracker_rows(
    data: HubData,
    universe: pl.LazyFrame,
    *,
    window: ReportingWindow,
    high_fsm_pct: float,
    as_of: date | None = None,
    due_soon_days: int = 28,
    engaged_duties: Sequence[str] | None = None,
) -> pl.LazyFrame:
    """One row per school of the universe (TrackerRow): profile, engagement, RAG, activity and conversations.

    Schools with no activity and no conversation are there (they are the point). Overdue and due soon are as
    of ``as_of`` (the window's last day when not given; see ``conversation_status``); a school is a priority
    when it is not engaged, or when it is rated red on a duty area and its FSM share is at least
    ``high_fsm_pct`` percent.
    """
    as_of = as_of or window.last_day
    engaged = school_engagement(data, universe, window=window, counted=engaged_duties).select(
        SchoolUniverseRow.urn,
        SchoolUniverseRow.pupil_headcount,
        SchoolUniverseRow.is_engaged,
        SchoolUniverseRow.engagement_level,
    )
    census = census_for_year(data.census, year=window.year)
    table = (
        # GIAS's percentage has the tracker's column name: the tracker's share replaces it.
        universe.drop(Establishment.fsm_pct)
        .join(engaged, on=Establishment.urn, how="left")
        .join(fsm_share(universe, census), on=Establishment.urn, how="left")
        .join(school_activity(data, universe, window=window), on=Establishment.urn, how="left")
        .join(smep_status(data.engagements, window=window), on=Establishment.urn, how="left")
        .with_columns(
            pl.col(TrackerRow.conversations).fill_null(0),
            pl.col(TrackerRow.engagement_level)
            .replace_strict(ENGAGEMENT_LEVEL_NAMES, default=None, return_dtype=pl.String)
            .alias(TrackerRow.engagement_level_name),
        )
        .with_columns(
            *conversation_status(window=window, as_of=as_of, due_soon_days=due_soon_days),
            _priority_reason(high_fsm_pct / 100).alias(TrackerRow.priority_reason),
        )
        .with_columns(pl.col(TrackerRow.priority_reason).is_not_null().alias(TrackerRow.is_priority))
    )
    return table.select(
        *school_identity(),
        pl.col(Establishment.trust_name).alias(TrackerRow.trust_name),
        pl.col(Establishment.postcode).alias(TrackerRow.postcode),
        pl.col(Establishment.easting).alias(TrackerRow.easting),
        pl.col(Establishment.northing).alias(TrackerRow.northing),
        TrackerRow.pupil_headcount,
        TrackerRow.fsm_pct,
        TrackerRow.engagement_level,
        TrackerRow.engagement_level_name,
        TrackerRow.is_engaged,
        *RAG_COLUMNS,
        *ACTIVITY_COLUMNS,
        TrackerRow.conversations,
        TrackerRow.last_conversation,
        TrackerRow.next_conversation,
        TrackerRow.is_overdue,
        TrackerRow.is_due_soon,
        TrackerRow.conversation_status,
        TrackerRow.hub_officer,
        TrackerRow.mdp_published,
        TrackerRow.mdp_url,
        TrackerRow.quality_marks,
        TrackerRow.is_priority,
        TrackerRow.priority_reason,
    ).sort(TrackerRow.urn)


def _summary_counts() -> list[pl.Expr]:
    level = pl.col(TrackerRow.engagement_level)
    schools = pl.len().cast(pl.Int64)
    engaged = pl.col(TrackerRow.is_engaged).sum().cast(pl.Int64)
    talked = (pl.col(TrackerRow.conversations) > 0).sum().cast(pl.Int64)
    return [
        schools.alias(EngagementSummaryRow.schools),
        engaged.alias(EngagementSummaryRow.engaged),
        (engaged / schools).alias(EngagementSummaryRow.engaged_pct),
        level.is_null().sum().cast(pl.Int64).alias(EngagementSummaryRow.level_none),
        *[
            (level == number).sum().cast(pl.Int64).alias(column)
            for number, column in enumerate(LEVEL_COLUMNS[1:])
        ],
        talked.alias(EngagementSummaryRow.with_conversation),
        (talked / schools).alias(EngagementSummaryRow.with_conversation_pct),
        pl.col(TrackerRow.is_overdue).sum().cast(pl.Int64).alias(EngagementSummaryRow.overdue),
        pl.col(TrackerRow.is_priority).sum().cast(pl.Int64).alias(EngagementSummaryRow.priority),
    ]


def engagement_summary(tracker: pl.LazyFrame) -> pl.LazyFrame:
    """Schools of the universe by phase and by engagement level, with conversations, overdue and priority
    schools; phases alphabetically, then 'All phases'.
    """
    by_phase = (
        tracker.group_by(pl.col(TrackerRow.phase_name).alias(EngagementSummaryRow.phase_name))
        .agg(_summary_counts())
        .sort(EngagementSummaryRow.phase_name)
    )
    everything = tracker.select(pl.lit(ALL_PHASES).alias(EngagementSummaryRow.phase_name), *_summary_counts())
    return pl.concat([by_phase, everything])


# -- Schools the exports name outside the universe -------------------------------------------------------------

EXPORT_URNS = "_urn"


def _pupils_active(data: HubData, window: ReportingWindow) -> pl.LazyFrame:
    """Pupils with tuition, an ensemble place, a WCET roll place or a loan in the window, with their school."""
    wcet_programmes = data.wcet.filter(in_academic_year(Wcet.academic_year, window.year)).select(
        Wcet.programme_id
    )
    active = pl.concat(
        [
            data.tuition.filter(span_overlaps(Tuition.start_date, Tuition.end_date, window)).select(
                Tuition.pupil_ref
            ),
            active_members(data.ensemble_members, data.ensembles, window=window).select(
                EnsembleMembers.pupil_ref
            ),
            data.wcet_participants.join(wcet_programmes, on=WcetParticipants.programme_id, how="semi").select(
                WcetParticipants.pupil_ref
            ),
            loans_in_window(data.loans, window=window).select(Loans.pupil_ref).drop_nulls(),
        ]
    ).unique()
    return data.pupils.join(active, on=Pupils.pupil_ref, how="semi")


def _named_schools(data: HubData, window: ReportingWindow) -> list[tuple[str, pl.LazyFrame]]:
    """Each export's rows in the window, as (export, frame of the URN each row names)."""
    year = window.year

    def urns(rows: pl.LazyFrame, column: str) -> pl.LazyFrame:
        return rows.select(pl.col(column).alias(EXPORT_URNS)).drop_nulls()

    return [
        ("pupils", urns(_pupils_active(data, window), Pupils.urn)),
        ("wcet", urns(data.wcet.filter(in_academic_year(Wcet.academic_year, year)), Wcet.urn)),
        ("singing", urns(data.singing.filter(in_academic_year(Singing.academic_year, year)), Singing.urn)),
        (
            "engagements",
            urns(data.engagements.filter(dated_within(Engagements.date, window)), Engagements.urn),
        ),
        ("cpd", urns(cpd_attendances(data.cpd, window=window), Cpd.urn)),
        ("loans", urns(loans_in_window(data.loans, window=window), Loans.urn)),
        ("events", urns(experience_attendances(data.events, window=window), Events.urn)),
    ]


def _outside_reason(la_codes: Sequence[str], year_start: date, year_end: date) -> pl.Expr:
    return (
        pl.when(pl.col(Establishment.school_name).is_null())
        .then(pl.lit("Not in the DfE register (GIAS)"))
        .when((pl.col(Establishment.open_date) > year_end) | (pl.col(Establishment.close_date) < year_start))
        .then(pl.lit("Not open during the year"))
        .when(~pl.col(Establishment.la_code).is_in(list(la_codes)))
        .then(pl.lit("In another local authority: ") + pl.col(Establishment.la_name))
        .otherwise(pl.lit("Not a state-funded school of the universe: ") + pl.col(Establishment.type_name))
    )


def outside_universe(
    data: HubData, universe: pl.LazyFrame, *, la_codes: Sequence[str], window: ReportingWindow
) -> pl.LazyFrame:
    """Schools the exports name this year that are not in the hub's universe, per export, with the reason."""
    named = pl.concat(
        [
            frame.group_by(EXPORT_URNS)
            .agg(pl.len().cast(pl.Int64).alias(OutsideUniverseRow.rows))
            .with_columns(pl.lit(source).alias(OutsideUniverseRow.source))
            for source, frame in _named_schools(data, window)
        ]
    ).join(universe.select(pl.col(Establishment.urn).alias(EXPORT_URNS)), on=EXPORT_URNS, how="anti")
    register = data.establishments.select(
        pl.col(Establishment.urn).alias(EXPORT_URNS),
        Establishment.school_name,
        Establishment.la_code,
        Establishment.la_name,
        Establishment.type_name,
        Establishment.open_date,
        Establishment.close_date,
    )
    return (
        named.join(register, on=EXPORT_URNS, how="left")
        .with_columns(
            _outside_reason(la_codes, window.year.start, window.year.end).alias(OutsideUniverseRow.reason)
        )
        .select(
            pl.col(EXPORT_URNS).alias(OutsideUniverseRow.urn),
            OutsideUniverseRow.source,
            OutsideUniverseRow.rows,
            pl.col(Establishment.school_name).alias(OutsideUniverseRow.school_name),
            pl.col(Establishment.la_name).alias(OutsideUniverseRow.la_name),
            pl.col(Establishment.type_name).alias(OutsideUniverseRow.type_name),
            OutsideUniverseRow.reason,
        )
        .sort(OutsideUniverseRow.urn, OutsideUniverseRow.source)
    )


# -- Priorities for the link officers ---------------------------------------------------------------------------

NO_OFFICER = "No link officer recorded"
URGENCIES = ("1 act now", "2 plan a conversation", "3 keep in view")


def priority_schools(tracker: pl.LazyFrame, briefs: pl.LazyFrame, actions: pl.LazyFrame) -> pl.LazyFrame:
    """Priority schools, and schools with an overdue conversation or action, with every reason (PriorityRow).

    ``briefs`` gives last year's engagement level (SchoolBriefRow), ``actions`` the open actions
    (OpenActionRow). Sorted for the link officers: by officer (none recorded last), then urgency (1 act now:
    an overdue conversation or action; 2 plan a conversation: due soon or not engaged; 3 keep in view), then URN.
    """
    overdue_actions = actions.group_by(OpenActionRow.urn).agg(
        pl.col(OpenActionRow.is_overdue).sum().cast(pl.Int64).alias("_overdue_actions")
    )
    level, before = pl.col(TrackerRow.engagement_level), pl.col(SchoolBriefRow.engagement_level_last_year)
    reasons = pl.concat_str(
        [
            pl.when(pl.col(TrackerRow.is_overdue)).then(pl.col(TrackerRow.conversation_status)),
            pl.when(pl.col("_overdue_actions") > 0).then(
                pl.format("{} open action(s) overdue", "_overdue_actions")
            ),
            pl.when(pl.col(TrackerRow.is_due_soon)).then(pl.col(TrackerRow.conversation_status)),
            pl.col(TrackerRow.priority_reason),
            pl.when(level < before).then(
                pl.format("Engagement fell from level {} last year to {}", before, level)
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    act_now = pl.col(TrackerRow.is_overdue) | (pl.col("_overdue_actions") > 0)
    plan = pl.col(TrackerRow.is_due_soon) | ~pl.col(TrackerRow.is_engaged)
    urgency = pl.when(act_now).then(pl.lit(URGENCIES[0])).when(plan).then(pl.lit(URGENCIES[1]))
    return (
        tracker.join(
            briefs.select(SchoolBriefRow.urn, SchoolBriefRow.engagement_level_last_year), on="urn", how="left"
        )
        .join(overdue_actions, on=TrackerRow.urn, how="left")
        .with_columns(pl.col("_overdue_actions").fill_null(0))
        .filter(pl.col(TrackerRow.is_priority) | act_now)
        .select(
            pl.coalesce(pl.col(TrackerRow.hub_officer), pl.lit(NO_OFFICER)).alias(PriorityRow.hub_officer),
            urgency.otherwise(pl.lit(URGENCIES[2])).alias(PriorityRow.urgency),
            PriorityRow.urn,
            PriorityRow.school_name,
            PriorityRow.phase_name,
            PriorityRow.conversation_status,
            reasons.alias(PriorityRow.reasons),
            (pl.col(TrackerRow.hub_officer).is_null()).alias("_no_officer"),
        )
        .sort("_no_officer", PriorityRow.hub_officer, PriorityRow.urgency, PriorityRow.urn)
        .drop("_no_officer")
    )


# -- The map on the Summary sheet ------------------------------------------------------------------------------

MAP_SERIES = ("Not engaged", "Priority", "Engaged")
NOT_PLOTTED = "No grid reference in GIAS (not plotted)"


def map_points(tracker: pl.LazyFrame) -> pl.LazyFrame:
    """Every school of the tracker with its grid reference and map series (MapPointRow), one series after the
    other, each by URN: not engaged (every one a priority); priority among the engaged (red with a high FSM
    share); the other engaged schools; then those GIAS gives no grid reference for (not plotted).
    """
    located = pl.col(TrackerRow.easting).is_not_null() & pl.col(TrackerRow.northing).is_not_null()
    series = (
        pl.when(~located)
        .then(pl.lit(NOT_PLOTTED))
        .when(~pl.col(TrackerRow.is_engaged))
        .then(pl.lit(MAP_SERIES[0]))
        .when(pl.col(TrackerRow.is_priority))
        .then(pl.lit(MAP_SERIES[1]))
        .otherwise(pl.lit(MAP_SERIES[2]))
    )
    order = {name: number for number, name in enumerate([*MAP_SERIES, NOT_PLOTTED])}
    return (
        tracker.select(
            series.alias(MapPointRow.series),
            MapPointRow.urn,
            MapPointRow.school_name,
            MapPointRow.easting,
            MapPointRow.northing,
        )
        .with_columns(pl.col(MapPointRow.series).replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("_order", MapPointRow.urn)
        .drop("_order")
    )
