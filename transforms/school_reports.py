"""The tables of the report for each school (SPEC 3.3): the conversation brief's facts and prompts, its activity
against last year and similar schools per 100 pupils, its ratings now, at the previous contact and last year,
its conversation log and the actions still open. Every table holds all schools' rows, keyed by URN, so the
writer splits each once.

Dates are read against the run's as-of date; in a closed year (as-of date after 31 August) against the year's
end, so nothing reads overdue merely because the year is over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl
from polars.expr.whenthen import ChainedThen, Then

from schemas.census import SchoolCensus, SenCensus
from schemas.engagement import (
    ACTIVITY_COLUMNS,
    DUTY_AREA_LABELS,
    RAG_COLUMNS,
    BriefPromptRow,
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolBriefRow,
    SchoolRagRow,
    TrackerRow,
)
from schemas.hub_exports import Engagements, Pupils
from schemas.output_tables import column_titles
from schemas.vocabulary import MAINTAINED_SCHOOL_TYPES
from transforms.activity import HubData
from transforms.inclusion import activity_pupils
from transforms.periods import ReportingWindow
from transforms.schools import latest_engagement_level, smep_contacts
from transforms.universe import census_for_year

_ORDER = [Engagements.date, Engagements.engagement_id]
_RAG_SCORE = {"R": 0, "A": 1, "G": 2}
_DATE = "%d/%m/%Y"
SPECIAL_SCHOOLS = "Special schools"
# Prompt areas: the keys a framework file must give a title for (the planning call is not an evaluation area).
PROMPT_AREAS = ("curriculum_and_teaching", "inclusion", "personal_development", "leadership", "planning_call")


@dataclass(frozen=True)
class BriefRules:
    """The hub's settings the brief applies: FSM bands, what counts as well below or above, gaps, due-soon days."""

    fsm_band_edges_pct: tuple[float, ...] = (15.0, 30.0)
    well_below_ratio: float = 0.5
    well_above_ratio: float = 1.5
    inclusion_gap_pct: float = 5.0
    due_soon_days: int = 28


def year_is_closed(window: ReportingWindow, as_of: date) -> bool:
    """Whether the as-of date is after the academic year's end."""
    return as_of > window.year.end


def comparison_group() -> pl.Expr:
    """The group a school is compared within: its phase, special schools together whatever GIAS's phase."""
    special = pl.col(TrackerRow.type_name).str.to_lowercase().str.contains("special")
    return pl.when(special).then(pl.lit(SPECIAL_SCHOOLS)).otherwise(pl.col(TrackerRow.phase_name))


def fsm_band(edges_pct: Sequence[float]) -> pl.Expr:
    """The school's FSM band ("FSM under 15%", "FSM 15% to under 30%", "FSM 30% or more"); unknown when empty."""
    share = pl.col(TrackerRow.fsm_pct) * 100
    bounds = [0.0, *edges_pct]
    expr: Then | ChainedThen = pl.when(share.is_null()).then(pl.lit("FSM share not known"))
    for low, high in zip(bounds, [*edges_pct, None], strict=True):
        if high is None:
            expr = expr.when(share >= low).then(pl.lit(f"FSM {low:g}% or more"))
        elif low == 0:
            expr = expr.when(share < high).then(pl.lit(f"FSM under {high:g}%"))
        else:
            expr = expr.when(share < high).then(pl.lit(f"FSM {low:g}% to under {high:g}%"))
    return expr.otherwise(pl.lit("FSM share not known"))


def _change_words(now: pl.Expr, before: pl.Expr) -> pl.Expr:
    """A count now against before: '↑ up 5', '↓ down 3', '= the same', or no figure before."""
    difference = now - before
    return (
        pl.when(before.is_null())
        .then(pl.lit("No figure last year"))
        .when(difference > 0)
        .then(pl.format("↑ up {}", difference))
        .when(difference < 0)
        .then(pl.format("↓ down {}", -difference))
        .otherwise(pl.lit("= the same"))
    )


def activity_comparison(
    tracker: pl.LazyFrame, last_year: pl.LazyFrame, *, rules: BriefRules = BriefRules()
) -> pl.LazyFrame:
    """Each school's activities this year (SchoolActivityRow) beside last year's and similar schools' per 100 pupils.

    ``tracker`` is this year's tracker; ``last_year`` is last year's activity per school of last year's
    universe (urn and the tracker's activity columns). Similar schools are this year's schools of the same
    comparison group (phase; special schools together), and of the same group and FSM band; their rate is their
    total over their pupils on roll, per 100. A school is well below or above when its rate is under
    ``well_below_ratio`` or over ``well_above_ratio`` times its band's rate (the group's when the band has none).
    """
    titles = column_titles(TrackerRow)
    labels = pl.LazyFrame(
        {
            "_column": list(ACTIVITY_COLUMNS),
            SchoolActivityRow.activity: [titles[c] for c in ACTIVITY_COLUMNS],
            "_order": list(range(len(ACTIVITY_COLUMNS))),
        }
    )
    pupils = pl.col(TrackerRow.pupil_headcount)
    this_year = (
        tracker.select(
            TrackerRow.urn,
            pupils,
            comparison_group().alias("_group"),
            fsm_band(rules.fsm_band_edges_pct).alias("_band"),
            *ACTIVITY_COLUMNS,
        )
        .unpivot(
            index=[TrackerRow.urn, TrackerRow.pupil_headcount, "_group", "_band"],
            on=list(ACTIVITY_COLUMNS),
            variable_name="_column",
            value_name=SchoolActivityRow.this_year,
        )
        .with_columns(pl.col(SchoolActivityRow.this_year).cast(pl.Int64))
    )
    # Schools without pupils on roll recorded count in neither the total nor the pupils (a when, not a filter:
    # a filter inside a window can fail on some plans).
    on_roll = pupils.fill_null(0) > 0
    counted = pl.when(on_roll).then(pl.col(SchoolActivityRow.this_year)).otherwise(0)

    def rate(over: list[str]) -> pl.Expr:
        total = pl.when(on_roll).then(pupils).otherwise(0).sum().over(over)
        return pl.when(total > 0).then(counted.sum().over(over) * 100 / total).cast(pl.Float64)

    last = last_year.select(TrackerRow.urn, *ACTIVITY_COLUMNS).unpivot(
        index=TrackerRow.urn, on=list(ACTIVITY_COLUMNS), variable_name="_column", value_name="_last"
    )
    own = pl.col(SchoolActivityRow.per_100_pupils)
    reference = pl.coalesce(
        pl.when(pl.col(SchoolActivityRow.band_per_100) > 0).then(pl.col(SchoolActivityRow.band_per_100)),
        pl.col(SchoolActivityRow.similar_per_100),
    )
    compared = (
        pl.when(own.is_null())
        .then(pl.lit("No pupils on roll recorded"))
        .when(reference.is_null() | (reference == 0))
        .then(
            pl.when(own > 0)
            .then(pl.lit("Above: similar schools have none"))
            .otherwise(pl.lit("None, as similar schools"))
        )
        .when(own < reference * rules.well_below_ratio)
        .then(pl.lit("Well below similar schools"))
        .when(own > reference * rules.well_above_ratio)
        .then(pl.lit("Well above similar schools"))
        .otherwise(pl.lit("In line with similar schools"))
    )
    return (
        this_year.with_columns(
            pl.when(pupils > 0)
            .then(pl.col(SchoolActivityRow.this_year) * 100 / pupils)
            .cast(pl.Float64)
            .alias(SchoolActivityRow.per_100_pupils),
            rate(["_column", "_group"]).alias(SchoolActivityRow.similar_per_100),
            rate(["_column", "_group", "_band"]).alias(SchoolActivityRow.band_per_100),
        )
        .join(last, on=[TrackerRow.urn, "_column"], how="left")
        .join(labels, on="_column")
        .sort(TrackerRow.urn, "_order")
        .select(
            SchoolActivityRow.urn,
            SchoolActivityRow.activity,
            SchoolActivityRow.this_year,
            pl.col("_last").cast(pl.Int64).alias(SchoolActivityRow.last_year),
            _change_words(pl.col(SchoolActivityRow.this_year), pl.col("_last")).alias(
                SchoolActivityRow.since_last_year
            ),
            SchoolActivityRow.per_100_pupils,
            SchoolActivityRow.similar_per_100,
            SchoolActivityRow.band_per_100,
            compared.alias(SchoolActivityRow.compared),
        )
    )


def _rag_change(now: str, before: str, when_before_missing: str) -> pl.Expr:
    """A rating now against before, in words with an arrow (colour is never the only signal)."""
    score_now = pl.col(now).replace_strict(_RAG_SCORE, default=None, return_dtype=pl.Int64)
    score_before = pl.col(before).replace_strict(_RAG_SCORE, default=None, return_dtype=pl.Int64)
    pair = pl.format("({} to {})", pl.col(before), pl.col(now))
    return (
        pl.when(pl.col(now).is_null() & pl.col(before).is_null())
        .then(pl.lit("Not rated"))
        .when(pl.col(now).is_null())
        .then(pl.lit("Not rated this year"))
        .when(pl.col(before).is_null())
        .then(pl.lit(when_before_missing))
        .when(score_now > score_before)
        .then(pl.format("↑ better {}", pair))
        .when(score_now < score_before)
        .then(pl.format("↓ worse {}", pair))
        .otherwise(pl.format("= the same ({})", pl.col(now)))
    )


def _latest_ratings(contacts: pl.LazyFrame, columns: Sequence[str], name: str) -> pl.LazyFrame:
    """Each school's and area's latest rating among ``contacts`` (urn, _column, ``name``)."""
    return (
        contacts.unpivot(
            index=[Engagements.urn, *_ORDER], on=list(columns), variable_name="_column", value_name=name
        )
        .drop_nulls(name)
        .sort(_ORDER)
        .group_by(Engagements.urn, "_column")
        .agg(pl.col(name).last(), pl.col(Engagements.date).last().alias(f"{name}_on"))
    )


def rag_ratings(
    engagements: pl.LazyFrame,
    schools: pl.LazyFrame,
    *,
    window: ReportingWindow,
    last_year: ReportingWindow | None = None,
) -> pl.LazyFrame:
    """Every duty area of every school (``schools``: a frame of URNs) with its latest rating this year, the rating
    as it stood before the school's latest contact this year (this year's or last year's contacts), and last
    year's latest rating (SchoolRagRow).
    """
    last_year = last_year or ReportingWindow.for_year(window.year.previous(), as_of=window.last_day)
    columns = {f"rag_{area}": label for area, label in DUTY_AREA_LABELS.items()}
    areas = pl.LazyFrame(
        {
            "_column": list(columns),
            SchoolRagRow.duty_area: list(columns.values()),
            "_order": list(range(len(columns))),
        }
    )
    this_year = smep_contacts(engagements, window=window)
    latest_contact = (
        this_year.sort(_ORDER)
        .group_by(Engagements.urn)
        .agg(
            pl.col(Engagements.date).last().alias("_day"),
            pl.col(Engagements.engagement_id).last().alias("_id"),
        )
    )
    both_years = engagements.filter(pl.col(Engagements.date).is_between(last_year.first_day, window.last_day))
    before_latest = both_years.join(latest_contact, on=Engagements.urn).filter(
        (pl.col(Engagements.date) < pl.col("_day"))
        | ((pl.col(Engagements.date) == pl.col("_day")) & (pl.col(Engagements.engagement_id) < pl.col("_id")))
    )
    now = _latest_ratings(this_year, list(columns), SchoolRagRow.rag)
    previous = _latest_ratings(before_latest, list(columns), SchoolRagRow.rag_previous)
    last = _latest_ratings(
        smep_contacts(engagements, window=last_year), list(columns), SchoolRagRow.rag_last_year
    )
    keys = [SchoolRagRow.urn, "_column"]
    return (
        schools.select(SchoolRagRow.urn)
        .join(areas, how="cross")
        .join(now, on=keys, how="left")
        .join(previous, on=keys, how="left")
        .join(last, on=keys, how="left")
        .sort(SchoolRagRow.urn, "_order")
        .select(
            SchoolRagRow.urn,
            SchoolRagRow.duty_area,
            SchoolRagRow.rag,
            pl.col(f"{SchoolRagRow.rag}_on").alias(SchoolRagRow.rated_on),
            SchoolRagRow.rag_previous,
            SchoolRagRow.rag_last_year,
            _rag_change(SchoolRagRow.rag, SchoolRagRow.rag_previous, "First rating").alias(
                SchoolRagRow.since_previous
            ),
            _rag_change(SchoolRagRow.rag, SchoolRagRow.rag_last_year, "Not rated last year").alias(
                SchoolRagRow.since_last_year
            ),
        )
    )


def conversation_log(
    engagements: pl.LazyFrame, schools: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """The SMEP log's contacts this year with the schools of ``schools`` (ConversationLogRow), oldest first."""
    return (
        smep_contacts(engagements, window=window)
        .join(schools.select(Engagements.urn), on=Engagements.urn, how="semi")
        .sort([Engagements.urn, *_ORDER])
        .select(list(ConversationLogRow.to_schema().columns))
    )


def _due_status(*, reference: date, closed: bool) -> pl.Expr:
    """When an action is due, in words, against the as-of date (a closed year: against its end)."""
    due = pl.col(OpenActionRow.due)
    days = (due - pl.lit(reference)).dt.total_days()
    if closed:
        return (
            pl.when(due.is_null())
            .then(pl.lit("No due date"))
            .when(due < reference)
            .then(pl.lit("Overdue at the year's end"))
            .otherwise(pl.lit("Due after the year's end"))
        )
    return (
        pl.when(due.is_null())
        .then(pl.lit("No due date"))
        .when(days < 0)
        .then(pl.format("Overdue by {} days", -days))
        .when(days == 0)
        .then(pl.lit("Due today"))
        .otherwise(pl.format("Due in {} days", days))
    )


def open_actions(
    engagements: pl.LazyFrame, schools: pl.LazyFrame, *, window: ReportingWindow, as_of: date
) -> pl.LazyFrame:
    """The actions agreed at each school's latest contact this year that recorded actions, one row per action
    (the log separates them with ';'); overdue when due before the as-of date, or in a closed year before its end.

    Actions stay open until a later contact records new ones: the log has no field that closes an action.
    """
    reference = window.last_day
    latest = (
        smep_contacts(engagements, window=window)
        .join(schools.select(Engagements.urn), on=Engagements.urn, how="semi")
        .filter(pl.col(Engagements.actions).str.strip_chars() != "")
        .sort(_ORDER)
        .group_by(Engagements.urn)
        .agg(pl.all().last())
    )
    return (
        latest.select(
            OpenActionRow.urn,
            pl.col(Engagements.date).alias(OpenActionRow.agreed_on),
            pl.col(Engagements.actions).str.split(";").alias(OpenActionRow.action),
            pl.col(Engagements.next_due).alias(OpenActionRow.due),
        )
        .explode(OpenActionRow.action)
        .with_columns(pl.col(OpenActionRow.action).str.strip_chars())
        .filter(pl.col(OpenActionRow.action) != "")
        .with_columns(
            (pl.col(OpenActionRow.due) < reference).fill_null(False).alias(OpenActionRow.is_overdue),
            _due_status(reference=reference, closed=year_is_closed(window, as_of)).alias(
                OpenActionRow.due_status
            ),
        )
        .sort(OpenActionRow.urn, maintain_order=True)
    )


# -- The brief ----------------------------------------------------------------------------------------------


def _engagement_change() -> pl.Expr:
    now, before = pl.col(SchoolBriefRow.engagement_level), pl.col(SchoolBriefRow.engagement_level_last_year)
    return (
        pl.when(now.is_null() & before.is_null())
        .then(pl.lit("No level recorded this year or last"))
        .when(now.is_null())
        .then(pl.format("No level recorded this year (level {} last year)", before))
        .when(before.is_null())
        .then(pl.format("Level {} this year; none recorded last year", now))
        .when(now > before)
        .then(pl.format("↑ up from level {} last year to {}", before, now))
        .when(now < before)
        .then(pl.format("↓ down from level {} last year to {}", before, now))
        .otherwise(pl.format("= level {}, as last year", now))
    )


def school_briefs(
    tracker: pl.LazyFrame,
    engagements: pl.LazyFrame,
    *,
    window: ReportingWindow,
    as_of: date,
    rules: BriefRules = BriefRules(),
) -> pl.LazyFrame:
    """The facts heading each school's conversation brief (SchoolBriefRow), one row per school of the tracker."""
    last_window = ReportingWindow.for_year(window.year.previous(), as_of=as_of)
    last_level = latest_engagement_level(engagements, window=last_window).select(
        Engagements.urn, pl.col(Engagements.engagement_level).alias(SchoolBriefRow.engagement_level_last_year)
    )
    headcount = pl.col(TrackerRow.pupil_headcount)
    fsm = pl.col(TrackerRow.fsm_pct)
    school_line = pl.format(
        "{}, {}, {}; {} pupils on roll; FSM {}",
        pl.col(TrackerRow.phase_name),
        pl.col(TrackerRow.type_name),
        pl.coalesce(
            pl.format("trust: {}", pl.col(TrackerRow.trust_name)),
            # Not in a trust only when the local authority maintains it; an academy's missing trust is unknown.
            pl.when(pl.col(TrackerRow.type_name).is_in(MAINTAINED_SCHOOL_TYPES))
            .then(pl.lit("not in a trust"))
            .otherwise(pl.lit("trust not recorded")),
        ),
        pl.coalesce(headcount.cast(pl.String), pl.lit("[x]")),
        pl.coalesce(pl.format("{}%", (fsm * 100).round(1)), pl.lit("[x]")),
    )
    published, url = pl.col(TrackerRow.mdp_published), pl.col(TrackerRow.mdp_url)
    mdp = (
        pl.when(published & url.is_not_null())
        .then(pl.format("Summary published: {}", url))
        .when(published)
        .then(pl.lit("Summary published (no web address recorded)"))
        .when(published.not_())
        .then(pl.lit("Summary not published, as last recorded"))
        .otherwise(pl.lit("Not recorded in the SMEP log"))
    )
    return (
        tracker.join(last_level, on=TrackerRow.urn, how="left")
        .with_columns(pl.col(TrackerRow.engagement_level).alias(SchoolBriefRow.engagement_level))
        .select(
            SchoolBriefRow.urn,
            school_line.alias(SchoolBriefRow.school_line),
            comparison_group().alias(SchoolBriefRow.comparison_group),
            fsm_band(rules.fsm_band_edges_pct).alias(SchoolBriefRow.fsm_band),
            SchoolBriefRow.engagement_level,
            SchoolBriefRow.engagement_level_last_year,
            _engagement_change().alias(SchoolBriefRow.engagement_change),
            SchoolBriefRow.last_conversation,
            SchoolBriefRow.next_conversation,
            SchoolBriefRow.conversation_status,
            pl.lit(year_is_closed(window, as_of)).alias(SchoolBriefRow.year_is_closed),
            mdp.alias(SchoolBriefRow.mdp),
            pl.coalesce(pl.col(TrackerRow.quality_marks), pl.lit("None recorded in the SMEP log")).alias(
                SchoolBriefRow.quality_marks
            ),
        )
        .sort(SchoolBriefRow.urn)
    )


def learner_inclusion(data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Per school: pupils learning with the hub (WCET on a roll, tuition, ensembles), how many are FSM and SEN,
    and the school's own SEN share from the SEN census (urn, _learners, _fsm_learners, _sen_learners, _sen_share).
    """
    learners = (
        activity_pupils(data, universe, window=window)["any"]
        .group_by(Pupils.urn)
        .agg(
            pl.len().cast(pl.Int64).alias("_learners"),
            pl.col(Pupils.fsm).sum().cast(pl.Int64).alias("_fsm_learners"),
            pl.col(Pupils.sen_status).is_in(["K", "E"]).sum().cast(pl.Int64).alias("_sen_learners"),
        )
    )
    total = pl.col(SenCensus.sen_pupil_total)
    sen = (
        census_for_year(data.sen, year=window.year)
        .unique(SenCensus.urn, keep="first")
        .select(
            SenCensus.urn,
            pl.when(total > 0)
            .then((pl.col(SenCensus.sen_support_count) + pl.col(SenCensus.ehcp_count)) / total)
            .alias("_sen_share"),
        )
    )
    return (
        universe.select(SchoolCensus.urn)
        .join(learners, on=SchoolCensus.urn, how="left")
        .join(sen, on=SchoolCensus.urn, how="left")
        .with_columns(pl.col("_learners", "_fsm_learners", "_sen_learners").fill_null(0))
    )


@dataclass(frozen=True)
class _Prompt:
    """One prompt rule: its area (a key of PROMPT_AREAS), when it applies, and its text."""

    area: str
    applies: pl.Expr | None  # None: for every school
    text: pl.Expr


def _pct(share: pl.Expr) -> pl.Expr:
    return pl.format("{}%", (share * 100).round(0).cast(pl.Int64))


def _prompt_rules(rules: BriefRules, *, closed: bool) -> list[_Prompt]:
    """The prompt rules, in the order they are shown within each area."""
    col = pl.col
    curriculum = col(TrackerRow.rag_curriculum)
    learners = col("_learners")
    gap = rules.inclusion_gap_pct / 100
    fsm_learners_share = col("_fsm_learners") / learners
    sen_learners_share = col("_sen_learners") / learners
    level, level_before = col(TrackerRow.engagement_level), col(SchoolBriefRow.engagement_level_last_year)
    greens = col("_greens")
    strength = ((col("_rated") >= 3) & (greens == col("_rated"))) | (
        (col("_well_above") >= 2) & (col("_reds") == 0)
    )
    always = None
    return [
        _Prompt(
            "curriculum_and_teaching",
            always,
            pl.when(curriculum.is_null())
            .then(
                pl.lit(
                    "Is the music curriculum well sequenced, so pupils build knowledge and skill year on "
                    "year? The hub has not rated the curriculum this year."
                )
            )
            .otherwise(
                pl.format(
                    "Is the music curriculum well sequenced, so pupils build knowledge and skill "
                    "year on year? The hub rates the curriculum {}.",
                    curriculum,
                )
            ),
        ),
        _Prompt(
            "curriculum_and_teaching",
            always,
            pl.lit("How do teachers adapt music lessons for pupils with different starting points?"),
        ),
        _Prompt(
            "curriculum_and_teaching",
            always,
            pl.lit("Does assessment in music inform teaching, rather than make evidence for inspectors?"),
        ),
        _Prompt(
            "curriculum_and_teaching",
            col(TrackerRow.wcet_pupils) == 0,
            pl.lit(
                "No whole-class instrumental teaching (WCET) with the hub this year: how do pupils learn to "
                "play an instrument in class?"
            ),
        ),
        _Prompt(
            "inclusion",
            learners == 0,
            pl.lit(
                "No pupils learn with the hub (WCET, lessons or ensembles) this year: which pupils, "
                "disadvantaged pupils and those with SEND first, could start?"
            ),
        ),
        _Prompt(
            "inclusion",
            (learners > 0) & (fsm_learners_share < col(TrackerRow.fsm_pct) - gap),
            pl.format(
                "Pupils eligible for free school meals are {} of the school's pupils but {} of its {} "
                "pupils learning with the hub: what would help them take part?",
                _pct(col(TrackerRow.fsm_pct)),
                _pct(fsm_learners_share),
                learners,
            ),
        ),
        _Prompt(
            "inclusion",
            (learners > 0) & (sen_learners_share < col("_sen_share") - gap),
            pl.format(
                "Pupils with SEND are {} of the school's pupils but {} of its {} pupils learning with the "
                "hub: what would help them take part?",
                _pct(col("_sen_share")),
                _pct(sen_learners_share),
                learners,
            ),
        ),
        _Prompt(
            "inclusion",
            col("_special"),
            pl.format(
                "A special school: which adaptive instruments, resources or approaches would widen pupils' "
                "access to music? Instrument loans this year: {}.",
                col(TrackerRow.loans),
            ),
        ),
        _Prompt(
            "personal_development",
            col(TrackerRow.singing_pupils) == 0,
            pl.lit(
                "No regular singing programme recorded this year: do all pupils sing regularly, in class or "
                "a choir?"
            ),
        ),
        _Prompt(
            "personal_development",
            col(TrackerRow.ensemble_members) == 0,
            pl.lit("No pupils in the hub's ensembles this year: which pupils could join one?"),
        ),
        _Prompt(
            "personal_development",
            col(TrackerRow.experience_pupils) == 0,
            pl.lit(
                "No pupils at the hub's live music events this year: when will pupils next hear live music?"
            ),
        ),
        _Prompt(
            "leadership",
            col(TrackerRow.mdp_published).fill_null(False).not_(),
            pl.lit(
                "The music development plan summary is not recorded as published: when will leaders "
                "publish it, and does it name the partnership with the hub?"
            ),
        ),
        _Prompt(
            "leadership",
            col(TrackerRow.mdp_published).fill_null(False),
            pl.lit("The music development plan summary is published: is it up to date for this year?"),
        ),
        _Prompt(
            "leadership",
            col(TrackerRow.cpd_attendees) == 0,
            pl.lit(
                "No staff at the hub's CPD this year: what training would help the staff who teach music?"
            ),
        ),
        _Prompt(
            "leadership",
            level < level_before,
            pl.format(
                "Engagement fell from level {} last year to level {}: what has changed for music at the "
                "school?",
                level_before,
                level,
            ),
        ),
        _Prompt(
            "leadership",
            col("_overdue_actions") > 0,
            pl.format(
                "{} action(s) agreed at the last contact are overdue: what stands in the way?",
                col("_overdue_actions"),
            ),
        ),
        *(
            []
            if closed  # nothing is overdue in a closed year
            else [
                _Prompt(
                    "leadership",
                    col(TrackerRow.is_overdue),
                    pl.format(
                        "The conversation is overdue ({}): agree the next date.",
                        col(TrackerRow.conversation_status),
                    ),
                )
            ]
        ),
        _Prompt(
            "planning_call",
            strength,
            pl.format(
                "Music looks a strength ({} of {} rated areas green; {} activities well above similar "
                "schools): if music is a strength, leaders can say so in Ofsted's planning call.",
                greens,
                col("_rated"),
                col("_well_above"),
            ),
        ),
    ]


def brief_prompts(
    tracker: pl.LazyFrame,
    briefs: pl.LazyFrame,
    activity: pl.LazyFrame,
    actions: pl.LazyFrame,
    inclusion: pl.LazyFrame,
    *,
    area_titles: Mapping[str, str],
    closed: bool,
    rules: BriefRules = BriefRules(),
) -> pl.LazyFrame:
    """The prompts for each school's conversation (BriefPromptRow), grouped by area in ``area_titles``' order.

    ``area_titles`` maps each key of PROMPT_AREAS to its title under the configured Ofsted framework.
    """
    missing = [key for key in PROMPT_AREAS if key not in area_titles]
    if missing:
        raise ValueError(f"The Ofsted framework file gives no title for the brief's prompt areas {missing}")
    rags = [pl.col(column) for column in RAG_COLUMNS]
    well_above = activity.group_by(SchoolActivityRow.urn).agg(
        (pl.col(SchoolActivityRow.compared) == "Well above similar schools").sum().alias("_well_above")
    )
    overdue = actions.group_by(OpenActionRow.urn).agg(
        pl.col(OpenActionRow.is_overdue).sum().alias("_overdue_actions")
    )
    base = (
        tracker.join(briefs.select(SchoolBriefRow.urn, SchoolBriefRow.engagement_level_last_year), on="urn")
        .join(inclusion, on=TrackerRow.urn, how="left")
        .join(well_above, on=TrackerRow.urn, how="left")
        .join(overdue, on=TrackerRow.urn, how="left")
        .with_columns(
            pl.col("_well_above", "_overdue_actions").fill_null(0),
            pl.col("_learners").fill_null(0),
            (comparison_group() == SPECIAL_SCHOOLS).alias("_special"),
            pl.sum_horizontal([r.is_not_null() for r in rags]).alias("_rated"),
            pl.sum_horizontal([r == "G" for r in rags]).alias("_greens"),
            pl.sum_horizontal([(r == "R").fill_null(False) for r in rags]).alias("_reds"),
        )
    )
    order = {key: number for number, key in enumerate(area_titles)}
    prompt_rules = _prompt_rules(rules, closed=closed)
    # One column per rule (its text where it applies), then one row per prompt: a single pass over the schools.
    columns = [f"_rule_{number}" for number in range(len(prompt_rules))]
    texts = [
        (rule.text if rule.applies is None else pl.when(rule.applies.fill_null(False)).then(rule.text)).alias(
            column
        )
        for rule, column in zip(prompt_rules, columns, strict=True)
    ]
    areas = pl.LazyFrame(
        {
            "_rule": columns,
            BriefPromptRow.area: [area_titles[rule.area] for rule in prompt_rules],
            "_order": [order[rule.area] * 100 + number for number, rule in enumerate(prompt_rules)],
        }
    )
    return (
        base.select(TrackerRow.urn, *texts)
        .unpivot(index=TrackerRow.urn, on=columns, variable_name="_rule", value_name=BriefPromptRow.prompt)
        .drop_nulls(BriefPromptRow.prompt)
        .join(areas, on="_rule")
        .sort(TrackerRow.urn, "_order")
        .select(TrackerRow.urn, BriefPromptRow.area, BriefPromptRow.prompt)
    )
