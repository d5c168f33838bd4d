"""Ofsted's eleven points for hubs (Music in Schools: what hubs must do, 2013), each beside the hub's evidence,
then the evaluation areas of the school inspection framework the hub's settings name (a file of config/ofsted/),
each beside the hub's figures that speak to it.

Every figure has a key; a framework file lists keys per area, so a new framework is a new file. Where the hub's
data has a figure it is given with what it is out of; where it has none the row says so, so the sheet never
suggests evidence the data cannot give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from foundation.ofsted_frameworks import OfstedFramework
from schemas.engagement import OfstedEvidenceRow as Row
from schemas.engagement import TrackerRow
from schemas.hub_exports import Engagements, Workforce
from schemas.output_tables import DutyFigures
from schemas.vocabulary import OFSTED_2013_POINTS
from transforms.figures import ALL
from transforms.periods import ReportingWindow, in_academic_year
from transforms.progression import CONTINUING, STANDARD
from transforms.school_reports import SPECIAL_SCHOOLS, comparison_group
from transforms.schools import smep_contacts

ADVANCED_STANDARDS = ("intermediate", "advanced")
NO_DATA = "Not in the hub's data: evidence for this point comes from outside hubreturns"


FRAMEWORK_2013 = "Ofsted 2013: what hubs must do"
NO_AREA_DATA = "No figure in the hub's data speaks to this area"
# Figures that answer no 2013 point (only a framework's areas): their point number.
NOT_A_2013_POINT = 0


@dataclass(frozen=True)
class Evidence:
    """One evidence figure: its key, the 2013 point it answers (0: none), what it is, its number and 'out of'."""

    key: str
    point: int
    text: str
    count: pl.Expr | None = None
    denominator: pl.Expr | None = None


def _schools(condition: pl.Expr) -> pl.Expr:
    return condition.sum().cast(pl.Float64)


def _tracker_evidence(tracker: pl.LazyFrame, high_fsm_pct: float) -> pl.LazyFrame:
    """Figures measured from the tracker's rows, one row each (key, point, evidence, count, denominator)."""
    all_schools = pl.len().cast(pl.Float64)
    curriculum = pl.col(TrackerRow.rag_curriculum)
    # Points 4 and 5 share one figure: schools reached by the hub's CPD.
    reached_by_cpd = (
        "Schools whose staff attended hub CPD this year",
        _schools(pl.col(TrackerRow.cpd_attendees) > 0),
        all_schools,
    )
    engaged = pl.col(TrackerRow.is_engaged)
    high_fsm = (pl.col(TrackerRow.fsm_pct) >= high_fsm_pct / 100).fill_null(False)
    special = comparison_group() == SPECIAL_SCHOOLS
    items = [
        Evidence(
            "engaged",
            2,
            "Schools engaged with the hub on at least one duty this year",
            _schools(engaged),
            all_schools,
        ),
        Evidence(
            "conversation",
            3,
            "Schools with a conversation this year (conversation, visit or MDP review)",
            _schools(pl.col(TrackerRow.conversations) > 0),
            all_schools,
        ),
        Evidence("cpd_schools", 4, *reached_by_cpd),
        Evidence(
            "curriculum_rated",
            4,
            "Schools whose curriculum the hub rated (RAG) in a SMEP conversation this year",
            _schools(curriculum.is_not_null()),
            all_schools,
        ),
        Evidence("cpd_schools", 5, *reached_by_cpd),
        Evidence(
            "cpd_places",
            5,
            "School staff places at hub CPD this year",
            pl.col(TrackerRow.cpd_attendees).sum().cast(pl.Float64),
        ),
        Evidence(
            "lead_schools",
            9,
            "Lead schools: schools at engagement level 3 (strategic partner / lead school)",
            _schools(pl.col(TrackerRow.engagement_level) == 3),
            all_schools,
        ),
        Evidence(
            "curriculum_green",
            10,
            "Schools rated green for curriculum, of the schools rated",
            _schools(curriculum == "G"),
            _schools(curriculum.is_not_null()),
        ),
        Evidence(
            "high_fsm_engaged",
            NOT_A_2013_POINT,
            f"Schools with at least {high_fsm_pct:g}% of pupils eligible for free school meals engaged this year, "
            "of those schools",
            _schools(engaged & high_fsm),
            _schools(high_fsm),
        ),
        Evidence(
            "special_engaged",
            NOT_A_2013_POINT,
            "Special schools engaged with the hub this year, of the special schools",
            _schools(engaged & special),
            _schools(special),
        ),
        Evidence(
            "singing_schools",
            NOT_A_2013_POINT,
            "Schools with a regular singing programme this year",
            _schools(pl.col(TrackerRow.singing_pupils) > 0),
            all_schools,
        ),
        Evidence(
            "ensemble_schools",
            NOT_A_2013_POINT,
            "Schools with pupils in the hub's ensembles this year",
            _schools(pl.col(TrackerRow.ensemble_members) > 0),
            all_schools,
        ),
        Evidence(
            "live_music_schools",
            NOT_A_2013_POINT,
            "Schools whose pupils went to the hub's live and large-scale events this year",
            _schools(pl.col(TrackerRow.experience_pupils) > 0),
            all_schools,
        ),
        Evidence(
            "mdp_published",
            NOT_A_2013_POINT,
            "Schools whose music development plan summary is published, as the SMEP log last recorded",
            _schools(pl.col(TrackerRow.mdp_published).fill_null(False)),
            all_schools,
        ),
    ]
    return _rows(tracker, items)


def _rows(frame: pl.LazyFrame, items: Sequence[Evidence]) -> pl.LazyFrame:
    """One row per item (key, point, evidence, count, denominator), all aggregated in one pass over ``frame``."""
    nothing = pl.lit(None, dtype=pl.Float64)
    columns = [f"_item_{number}" for number in range(len(items))]
    return (
        frame.select(
            pl.struct(
                pl.lit(item.key).alias(KEY),
                pl.lit(item.point, dtype=pl.Int64).alias(Row.point),
                pl.lit(item.text).alias(Row.evidence),
                (item.count if item.count is not None else nothing).cast(pl.Float64).alias(Row.count),
                (item.denominator if item.denominator is not None else nothing)
                .cast(pl.Float64)
                .alias(Row.denominator),
            ).alias(column)
            for item, column in zip(items, columns, strict=True)
        )
        .unpivot(on=columns, variable_name="_item", value_name="_figure")
        .select(pl.col("_figure").struct.unnest())
    )


def _staff_time_evidence(
    engagements: pl.LazyFrame,
    workforce: pl.LazyFrame,
    *,
    window: ReportingWindow,
    leader_roles: Sequence[str],
    hours_per_fte: float,
) -> pl.LazyFrame:
    """Point 7: hours of SMEP contact with school leaders, out of staff working hours and out of all contact."""
    leaders = [role.casefold() for role in leader_roles]
    contacts = smep_contacts(engagements, window=window)
    hours = (pl.col(Engagements.duration_minutes).sum() / 60).cast(pl.Float64)
    with_leaders = contacts.filter(pl.col(Engagements.with_role).str.to_lowercase().is_in(leaders)).select(
        hours.alias("leaders")
    )
    all_contact = contacts.select(hours.alias("all_contact"))
    staff = workforce.filter(in_academic_year(Workforce.academic_year, window.year)).select(
        pl.when(pl.len() > 0)
        .then(pl.col(Workforce.fte).sum() * hours_per_fte)
        .cast(pl.Float64)
        .alias("staff_hours")
    )
    frame = pl.concat([with_leaders, all_contact, staff], how="horizontal")
    items = [
        Evidence(
            "leader_hours_of_staff",
            7,
            f"Hours of SMEP contact with school leaders, out of hub staff working hours (FTE x {hours_per_fte:,.0f})",
            pl.col("leaders"),
            pl.col("staff_hours"),
        ),
        Evidence(
            "leader_hours_of_contact",
            7,
            "Hours of SMEP contact with school leaders, out of all SMEP contact hours",
            pl.col("leaders"),
            pl.col("all_contact"),
        ),
    ]
    return _rows(frame, items)


def _staff_cpd_evidence(workforce: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Point 6: hub staff who received CPD this year, out of hub staff."""
    staff = workforce.filter(in_academic_year(Workforce.academic_year, window.year))
    trained = staff.filter(pl.col(Workforce.cpd_hours) > 0).select(
        pl.col(Workforce.staff_ref).n_unique().cast(pl.Float64).alias("trained")
    )
    everyone = staff.select(
        pl.when(pl.len() > 0).then(pl.col(Workforce.staff_ref).n_unique()).cast(pl.Float64).alias("staff")
    )
    frame = pl.concat([trained, everyone], how="horizontal")
    return _rows(
        frame,
        [
            Evidence(
                "staff_cpd",
                6,
                "Hub staff who received CPD this year (workforce export)",
                pl.when(pl.col("staff").is_not_null()).then(pl.col("trained")),
                pl.col("staff"),
            )
        ],
    )


def _progression_evidence(progression: pl.LazyFrame) -> pl.LazyFrame:
    """Point 11: continuation from last year's WCET, and pupils at intermediate or advanced standard."""
    figures = progression.filter(pl.col(DutyFigures.breakdown) == ALL)
    continuing = figures.filter(pl.col(DutyFigures.measure_id) == CONTINUING.measure_id)
    standards = progression.filter(pl.col(DutyFigures.measure_id) == STANDARD.measure_id)
    advanced = standards.filter(pl.col(DutyFigures.group).is_in(ADVANCED_STANDARDS)).select(
        pl.col(DutyFigures.count).sum().alias(Row.count)
    )
    learners = standards.filter(pl.col(DutyFigures.breakdown) == ALL).select(
        pl.col(DutyFigures.count).first().alias(Row.denominator)
    )
    return pl.concat(
        [
            _labelled(
                "continuation",
                continuing.select(
                    pl.col(DutyFigures.count).first().alias(Row.count),
                    pl.col(DutyFigures.denominator).first().alias(Row.denominator),
                ),
                "Continuation: last year's WCET pupils (on rolls) learning this year, in tuition or ensembles",
            ),
            _labelled(
                "advanced_standard",
                pl.concat([advanced, learners], how="horizontal"),
                "Pupils learning outside WCET at intermediate or advanced standard, of those learning",
            ),
        ]
    )


def _labelled(key: str, frame: pl.LazyFrame, text: str) -> pl.LazyFrame:
    return frame.select(
        pl.lit(key).alias(KEY),
        pl.lit(11, dtype=pl.Int64).alias(Row.point),
        pl.lit(text).alias(Row.evidence),
        pl.col(Row.count).cast(pl.Float64),
        pl.col(Row.denominator).cast(pl.Float64),
    )


def _without_data(points: Sequence[int]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            KEY: [f"no_data_{point}" for point in points],
            Row.point: list(points),
            Row.evidence: [NO_DATA] * len(points),
            Row.count: [None] * len(points),
            Row.denominator: [None] * len(points),
        },
        schema={
            KEY: pl.String,
            Row.point: pl.Int64,
            Row.evidence: pl.String,
            Row.count: pl.Float64,
            Row.denominator: pl.Float64,
        },
    )


def ofsted_evidence(
    tracker: pl.LazyFrame,
    engagements: pl.LazyFrame,
    workforce: pl.LazyFrame,
    progression: pl.LazyFrame,
    *,
    window: ReportingWindow,
    leader_roles: Sequence[str],
    hours_per_fte: float,
    framework: OfstedFramework | None = None,
    high_fsm_pct: float = 25.0,
) -> pl.LazyFrame:
    """Ofsted's eleven points for hubs with the hub's evidence (OfstedEvidenceRow), then ``framework``'s areas.

    ``tracker`` is the SMEP tracker (TrackerRow), ``progression`` the return's Progression table. Point 7's
    school leaders are the SMEP log's ``with_role`` values in ``leader_roles`` (case ignored), and staff working
    hours are the year's workforce FTE times ``hours_per_fte``. Points 1 and 8 have no figure in the data. Each
    area of ``framework`` (numbered in its file's order) gets the figures its file names by key, or a row saying
    no figure speaks to it; a key the data does not give is refused.
    """
    pool = pl.concat(
        [
            _without_data([1, 8]),
            _tracker_evidence(tracker, high_fsm_pct),
            _staff_cpd_evidence(workforce, window=window),
            _staff_time_evidence(
                engagements, workforce, window=window, leader_roles=leader_roles, hours_per_fte=hours_per_fte
            ),
            _progression_evidence(progression),
        ]
    ).with_row_index("_order")
    texts = pl.LazyFrame(
        {
            Row.point: list(range(1, len(OFSTED_2013_POINTS) + 1)),
            Row.what_hubs_must_do: list(OFSTED_2013_POINTS),
        },
        schema={Row.point: pl.Int64, Row.what_hubs_must_do: pl.String},
    )
    points = (
        pool.filter(pl.col(Row.point) != NOT_A_2013_POINT)
        .join(texts, on=Row.point, how="left")
        .sort(Row.point, "_order")
        .with_columns(pl.lit(FRAMEWORK_2013).alias(Row.framework))
    )
    parts = [points]
    if framework is not None:
        parts.append(_framework_rows(pool, framework))
    share = pl.when(pl.col(Row.denominator) > 0).then(pl.col(Row.count) / pl.col(Row.denominator))
    return pl.concat(parts, how="diagonal_relaxed").select(
        Row.framework,
        Row.point,
        Row.what_hubs_must_do,
        Row.evidence,
        Row.count,
        Row.denominator,
        share.alias(Row.count_pct),
    )


def _framework_rows(pool: pl.LazyFrame, framework: OfstedFramework) -> pl.LazyFrame:
    """Each area of ``framework`` beside the figures its file names (by key), in the file's order."""
    known = set(EVIDENCE_KEYS)
    unknown = sorted({key for area in framework.areas for key in area.evidence} - known)
    if unknown:
        raise ValueError(
            f"config/ofsted/{framework.version}.toml names evidence the hub's data does not give: "
            f"{', '.join(unknown)}. Use keys among: {', '.join(sorted(known))}"
        )
    wanted = pl.LazyFrame(
        {
            KEY: [key for area in framework.areas for key in (area.evidence or (None,))],
            Row.point: [
                n for n, area in enumerate(framework.areas, start=1) for _ in (area.evidence or (None,))
            ],
            Row.what_hubs_must_do: [
                area.title for area in framework.areas for _ in (area.evidence or (None,))
            ],
        },
        schema={KEY: pl.String, Row.point: pl.Int64, Row.what_hubs_must_do: pl.String},
    ).with_row_index("_wanted")
    figures = pool.unique(KEY, keep="first").drop(Row.point, "_order")
    return (
        wanted.join(figures, on=KEY, how="left")
        .sort("_wanted")
        .with_columns(
            pl.lit(framework.title).alias(Row.framework),
            pl.col(Row.evidence).fill_null(NO_AREA_DATA),
        )
    )


KEY = "_key"
# Every key a framework file may name, as the figures above give them.
EVIDENCE_KEYS = (
    "engaged",
    "conversation",
    "cpd_schools",
    "curriculum_rated",
    "cpd_places",
    "staff_cpd",
    "leader_hours_of_staff",
    "leader_hours_of_contact",
    "lead_schools",
    "curriculum_green",
    "continuation",
    "advanced_standard",
    "high_fsm_engaged",
    "special_engaged",
    "singing_schools",
    "ensemble_schools",
    "live_music_schools",
    "mdp_published",
)
