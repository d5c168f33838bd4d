"""Output tables of the school engagement (SMEP) tracker and of the report for each school (SPEC 3.2, 3.3).

Each table is validated before it is written. A field's ``title`` is the column heading in the workbook and its
``description`` the definition on the Notes sheet. Columns ending ``_pct`` hold fractions (0.25 is 25.0%).
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import DUTY_AREAS, ENGAGEMENT_LEVELS, LAESTAB_REGEX, RAG_VALUES, URN_REGEX

_LEVELS = list(ENGAGEMENT_LEVELS)
_RAG = list(RAG_VALUES)


def _rag(area: str) -> str:
    """A duty area's red, amber or green column, empty when the school has no rating this year."""
    # Declared as its cells' type, as every model field is (pa.Field is typed as returning Any).
    field: str = pa.Field(
        nullable=True,
        isin=_RAG,
        title=f"RAG: {DUTY_AREA_LABELS[area]}",
        description=f"Red, amber or green for {DUTY_AREA_LABELS[area].lower()}: the latest rating this year",
    )
    return field


DUTY_AREA_LABELS: dict[str, str] = {
    "curriculum": "Curriculum",
    "wcet": "WCET",
    "tuition": "Tuition",
    "choir": "Choir",
    "ensemble": "Ensembles",
    "performance": "Performance",
    "live_music": "Live music",
    "mdp": "Music development plan",
    "cpd": "CPD",
    "loans": "Instrument loans",
}
assert tuple(DUTY_AREA_LABELS) == DUTY_AREAS


class TrackerRow(pa.DataFrameModel):
    """One school of the hub's universe on the SMEP tracker: profile, engagement, RAG, activity, contacts."""

    urn: str = pa.Field(
        str_matches=URN_REGEX, unique=True, title="URN", description="Unique reference number"
    )
    laestab: str = pa.Field(
        str_matches=LAESTAB_REGEX,
        nullable=True,
        title="LAESTAB",
        description="LA code x 10000 + establishment",
    )
    school_name: str = pa.Field(title="School", description="Establishment name from GIAS")
    phase_name: str = pa.Field(title="Phase", description="Phase of education from GIAS")
    type_name: str = pa.Field(title="Type", description="Type of establishment from GIAS")
    la_name: str = pa.Field(title="Local authority", description="Local authority from GIAS")
    trust_name: str = pa.Field(nullable=True, title="Trust", description="Academy trust from GIAS")
    postcode: str = pa.Field(nullable=True, title="Postcode", description="Postcode from GIAS")
    easting: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Easting", description="Ordnance Survey grid easting from GIAS, metres"
    )
    northing: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Northing", description="Ordnance Survey grid northing from GIAS, metres"
    )
    pupil_headcount: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Pupils on roll", description="School census headcount"
    )
    fsm_pct: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        le=1,
        title="FSM",
        description="Share of pupils known to be eligible for free school meals (school census, else GIAS)",
    )
    engagement_level: pl.Int64 = pa.Field(
        nullable=True, isin=_LEVELS, title="Engagement level", description="Level at the latest SMEP contact"
    )
    engagement_level_name: str = pa.Field(
        nullable=True, title="Engagement", description="What the engagement level means"
    )
    is_engaged: bool = pa.Field(
        title="Engaged", description="Engaged with the hub on at least one duty this year"
    )
    rag_curriculum: str = _rag("curriculum")
    rag_wcet: str = _rag("wcet")
    rag_tuition: str = _rag("tuition")
    rag_choir: str = _rag("choir")
    rag_ensemble: str = _rag("ensemble")
    rag_performance: str = _rag("performance")
    rag_live_music: str = _rag("live_music")
    rag_mdp: str = _rag("mdp")
    rag_cpd: str = _rag("cpd")
    rag_loans: str = _rag("loans")
    wcet_pupils: pl.Int64 = pa.Field(
        ge=0, title="WCET pupils", description="Unique pupils taught WCET this year"
    )
    tuition_pupils: pl.Int64 = pa.Field(
        ge=0, title="Tuition pupils", description="Unique pupils learning outside WCET this year"
    )
    ensemble_members: pl.Int64 = pa.Field(
        ge=0, title="Ensemble members", description="Unique pupils in ensembles this year"
    )
    singing_pupils: pl.Int64 = pa.Field(
        ge=0, title="Pupils singing regularly", description="Pupils in regular singing programmes this year"
    )
    cpd_attendees: pl.Int64 = pa.Field(
        ge=0, title="CPD attendees", description="School staff attending hub CPD this year (one per event)"
    )
    loans: pl.Int64 = pa.Field(
        ge=0,
        title="Instrument loans",
        description="Loans to the school or its pupils out at some time this year",
    )
    experience_pupils: pl.Int64 = pa.Field(
        ge=0,
        title="Pupils at experiences",
        description="Pupil places at large-scale and live events this year",
    )
    conversations: pl.Int64 = pa.Field(
        ge=0,
        title="Conversations this year",
        description="SMEP conversations, visits and MDP reviews with the school this year (network meetings not "
        "counted)",
    )
    last_conversation: pl.Date = pa.Field(
        nullable=True, title="Last conversation", description="Date of the latest conversation this year"
    )
    next_conversation: pl.Date = pa.Field(
        nullable=True,
        title="Next conversation due",
        description="Next contact due, from the latest SMEP contact",
    )
    is_overdue: bool = pa.Field(
        title="Overdue",
        description="On the as-of date, the next conversation's date has passed, or none is set and the last "
        "conversation was over a year before (never in a closed year)",
    )
    is_due_soon: bool = pa.Field(
        title="Due soon",
        description="The next conversation falls within the hub's due-soon days of the as-of date",
    )
    conversation_status: str = pa.Field(
        title="Conversation status",
        description="Overdue, due soon, booked or none booked as of the as-of date; in a closed year, the "
        "conversations in the year",
    )
    hub_officer: str = pa.Field(
        nullable=True, title="Link officer", description="Hub officer at the latest SMEP contact (any year)"
    )
    mdp_published: bool = pa.Field(
        nullable=True,
        title="MDP published",
        description="The school has published its music development plan summary",
    )
    mdp_url: str = pa.Field(
        nullable=True,
        title="MDP summary address",
        description="Web address of the school's published music development plan summary, as last recorded",
    )
    quality_marks: str = pa.Field(
        nullable=True,
        title="Quality marks",
        description="Music Mark of Recognition, Music Mark school membership, Artsmark: as last recorded in the "
        "SMEP log",
    )
    is_priority: bool = pa.Field(
        title="Priority", description="Not engaged, or rated red on a duty area with a high FSM share"
    )
    priority_reason: str = pa.Field(
        nullable=True, title="Why a priority", description="What made it a priority"
    )

    class Config:
        strict = True


RAG_COLUMNS: tuple[str, ...] = tuple(f"rag_{area}" for area in DUTY_AREAS)
ACTIVITY_COLUMNS: tuple[str, ...] = (
    TrackerRow.wcet_pupils,
    TrackerRow.tuition_pupils,
    TrackerRow.ensemble_members,
    TrackerRow.singing_pupils,
    TrackerRow.cpd_attendees,
    TrackerRow.loans,
    TrackerRow.experience_pupils,
)


class EngagementSummaryRow(pa.DataFrameModel):
    """Schools of the universe by phase and engagement level, with an 'All phases' row last."""

    phase_name: str = pa.Field(unique=True, title="Phase", description="Phase of education, or all phases")
    schools: pl.Int64 = pa.Field(ge=0, title="Schools", description="Schools of the hub's universe")
    engaged: pl.Int64 = pa.Field(ge=0, title="Engaged", description="Engaged on at least one duty this year")
    engaged_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, le=1, title="Engaged (%)", description="Of schools"
    )
    level_none: pl.Int64 = pa.Field(ge=0, title="No level recorded", description="No SMEP contact this year")
    level_0: pl.Int64 = pa.Field(ge=0, title="Level 0: not engaged", description="Latest level 0")
    level_1: pl.Int64 = pa.Field(ge=0, title="Level 1: buys services", description="Latest level 1")
    level_2: pl.Int64 = pa.Field(ge=0, title="Level 2: plan agreed", description="Latest level 2")
    level_3: pl.Int64 = pa.Field(ge=0, title="Level 3: strategic partner", description="Latest level 3")
    with_conversation: pl.Int64 = pa.Field(
        ge=0, title="With a conversation", description="Schools with a conversation this year"
    )
    with_conversation_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, le=1, title="With a conversation (%)", description="Of schools"
    )
    overdue: pl.Int64 = pa.Field(ge=0, title="Overdue", description="Schools with no conversation this year")
    priority: pl.Int64 = pa.Field(ge=0, title="Priority", description="Schools flagged as a priority")

    class Config:
        strict = True


LEVEL_COLUMNS: tuple[str, ...] = (
    EngagementSummaryRow.level_none,
    EngagementSummaryRow.level_0,
    EngagementSummaryRow.level_1,
    EngagementSummaryRow.level_2,
    EngagementSummaryRow.level_3,
)


class OfstedEvidenceRow(pa.DataFrameModel):
    """One of the eleven things Ofsted said hubs must do (2013), or an evaluation area of the school inspection
    framework the hub follows, beside a figure of the hub's evidence for it.
    """

    framework: str = pa.Field(
        title="Framework", description="Ofsted 2013 (what hubs must do), or the school inspection framework"
    )
    point: pl.Int64 = pa.Field(
        ge=1, le=11, title="Point", description="Number of the point in Ofsted's 2013 list, or of the area"
    )
    what_hubs_must_do: str = pa.Field(
        title="What Ofsted asks",
        description="The 2013 point (Music in Schools: what hubs must do), or the framework's evaluation area",
    )
    evidence: str = pa.Field(
        title="Evidence", description="The figure from the hub's data, or why there is none"
    )
    count: pl.Float64 = pa.Field(nullable=True, ge=0, title="Number", description="The figure ([x]: no data)")
    denominator: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Out of", description="What it is a share of"
    )
    count_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="Percentage", description="Number / out of")

    class Config:
        strict = True


class OutsideUniverseRow(pa.DataFrameModel):
    """A school named in the hub's exports this year that is not in the hub's universe: not silently dropped."""

    urn: str = pa.Field(title="URN", description="URN as given in the export")
    source: str = pa.Field(title="Export", description="The export naming the school")
    rows: pl.Int64 = pa.Field(ge=1, title="Rows", description="Rows of the export naming it this year")
    school_name: str = pa.Field(nullable=True, title="School", description="Name in GIAS, if it is there")
    la_name: str = pa.Field(nullable=True, title="Local authority", description="Local authority in GIAS")
    type_name: str = pa.Field(nullable=True, title="Type", description="Type of establishment in GIAS")
    reason: str = pa.Field(
        title="Why it is outside", description="Why the school is not in the hub's universe"
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["urn", "source"]


class SchoolActivityRow(pa.DataFrameModel):
    """One activity of one school this year, against last year and similar schools per 100 pupils on roll."""

    urn: str = pa.Field(str_matches=URN_REGEX, title="URN", description="Unique reference number")
    activity: str = pa.Field(title="Activity", description="What is counted (as on the tracker)")
    this_year: pl.Int64 = pa.Field(ge=0, title="This year", description="The school's figure this year")
    last_year: pl.Int64 = pa.Field(
        nullable=True,
        ge=0,
        title="Last year",
        description="The school's figure last year ([x]: not in last year's universe)",
    )
    since_last_year: str = pa.Field(
        title="Since last year",
        description="Change from last year in words, with an arrow (up, down, the same, or no figure last year)",
    )
    per_100_pupils: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Per 100 pupils on roll",
        description="This year's figure per 100 pupils on roll ([x]: no pupils on roll recorded)",
    )
    similar_per_100: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Similar schools per 100 pupils",
        description="The hub's schools of the same phase (special schools together) this year, per 100 pupils on "
        "roll: their total over their pupils",
    )
    band_per_100: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Same phase and FSM band per 100 pupils",
        description="As similar schools, within the school's band of free school meals share",
    )
    compared: str = pa.Field(
        title="Against similar schools",
        description="Well below, below, in line with, above or well above similar schools per 100 pupils",
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["urn", "activity"]


class SchoolRagRow(pa.DataFrameModel):
    """One duty area's red-amber-green rating for one school: now, at the previous contact and last year."""

    urn: str = pa.Field(str_matches=URN_REGEX, title="URN", description="Unique reference number")
    duty_area: str = pa.Field(title="Duty area", description="Area of the hub's work with the school")
    rag: str = pa.Field(
        nullable=True, isin=_RAG, title="RAG now", description="Latest rating this year ([x]: none)"
    )
    rated_on: pl.Date = pa.Field(
        nullable=True, title="Rated on", description="Date of the contact that rated it"
    )
    rag_previous: str = pa.Field(
        nullable=True,
        isin=_RAG,
        title="At the previous contact",
        description="The rating as it stood before the school's latest SMEP contact (this year or last)",
    )
    rag_last_year: str = pa.Field(
        nullable=True, isin=_RAG, title="Last year", description="Latest rating last year ([x]: none)"
    )
    since_previous: str = pa.Field(
        title="Since the previous contact", description="Better, worse or the same, with an arrow"
    )
    since_last_year: str = pa.Field(
        title="Since last year", description="Better, worse or the same, with an arrow"
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["urn", "duty_area"]


class ConversationLogRow(pa.DataFrameModel):
    """One SMEP contact with a school this year (the conversation log)."""

    urn: str = pa.Field(str_matches=URN_REGEX, title="URN", description="Unique reference number")
    date: pl.Date = pa.Field(title="Date", description="Date of the contact")
    kind: str = pa.Field(title="Kind", description="Conversation, visit, MDP review or network meeting")
    with_role: str = pa.Field(nullable=True, title="With", description="Role of the school's contact")
    hub_officer: str = pa.Field(nullable=True, title="Hub officer", description="Hub officer")
    duration_minutes: pl.Int64 = pa.Field(ge=0, title="Minutes", description="Length of the contact")
    engagement_level: pl.Int64 = pa.Field(
        isin=_LEVELS, title="Engagement level", description="Level recorded"
    )
    actions: str = pa.Field(nullable=True, title="Actions agreed", description="Actions recorded")
    next_due: pl.Date = pa.Field(nullable=True, title="Next contact due", description="Next contact due")

    class Config:
        strict = True


class OpenActionRow(pa.DataFrameModel):
    """An action agreed at the school's latest contact that recorded actions, open until the next contact."""

    urn: str = pa.Field(str_matches=URN_REGEX, title="URN", description="Unique reference number")
    agreed_on: pl.Date = pa.Field(title="Agreed on", description="Date of the contact that agreed it")
    action: str = pa.Field(title="Action", description="One action (the log separates them with ';')")
    due: pl.Date = pa.Field(nullable=True, title="Due", description="Next contact due at that contact")
    is_overdue: bool = pa.Field(
        title="Overdue", description="Due before the as-of date (a closed year: before the year's end)"
    )
    due_status: str = pa.Field(
        title="When due", description="Due date against the as-of date, in words (a closed year: at its end)"
    )

    class Config:
        strict = True


class SchoolBriefRow(pa.DataFrameModel):
    """The facts heading one school's conversation brief: who it is, its engagement and its conversations."""

    urn: str = pa.Field(
        str_matches=URN_REGEX, unique=True, title="URN", description="Unique reference number"
    )
    school_line: str = pa.Field(
        title="The school", description="Phase, type, trust, pupils on roll and FSM share in one line"
    )
    comparison_group: str = pa.Field(
        title="Compared with", description="The phase it is compared within (special schools together)"
    )
    fsm_band: str = pa.Field(title="FSM band", description="The school's band of free school meals share")
    engagement_level: pl.Int64 = pa.Field(
        nullable=True, isin=_LEVELS, title="Engagement level", description="Latest level this year"
    )
    engagement_level_last_year: pl.Int64 = pa.Field(
        nullable=True, isin=_LEVELS, title="Engagement level last year", description="Latest level last year"
    )
    engagement_change: str = pa.Field(
        title="Engagement since last year", description="The level now against last year, in words"
    )
    last_conversation: pl.Date = pa.Field(
        nullable=True, title="Last conversation", description="Latest conversation this year"
    )
    next_conversation: pl.Date = pa.Field(
        nullable=True, title="Next conversation", description="Set by the latest contact this year"
    )
    conversation_status: str = pa.Field(title="Conversation status", description="As on the tracker")
    year_is_closed: bool = pa.Field(
        title="Year closed", description="The as-of date is after the academic year's end"
    )
    mdp: str = pa.Field(title="Music development plan", description="Its summary's publication, in words")
    quality_marks: str = pa.Field(title="Quality marks", description="As the SMEP log records them, in words")

    class Config:
        strict = True


class BriefPromptRow(pa.DataFrameModel):
    """One prompt for the conversation with a school, under an area of Ofsted's school inspection framework."""

    urn: str = pa.Field(str_matches=URN_REGEX, title="URN", description="Unique reference number")
    area: str = pa.Field(title="Area", description="Area of Ofsted's framework the prompt belongs to")
    prompt: str = pa.Field(title="Prompt", description="What to raise, and the hub's figure behind it")

    class Config:
        strict = True


class PriorityRow(pa.DataFrameModel):
    """A priority school on the tracker's Priorities sheet, with every reason, for its link officer."""

    hub_officer: str = pa.Field(title="Link officer", description="Hub officer at the latest SMEP contact")
    urgency: str = pa.Field(
        title="Urgency", description="1 act now (overdue), 2 plan a conversation, 3 keep in view"
    )
    urn: str = pa.Field(
        str_matches=URN_REGEX, unique=True, title="URN", description="Unique reference number"
    )
    school_name: str = pa.Field(title="School", description="Establishment name from GIAS")
    phase_name: str = pa.Field(title="Phase", description="Phase of education from GIAS")
    conversation_status: str = pa.Field(title="Conversation status", description="As on the Schools sheet")
    reasons: str = pa.Field(
        title="Reasons", description="Every reason the school needs attention, most urgent first"
    )

    class Config:
        strict = True


class MapPointRow(pa.DataFrameModel):
    """One school of the universe on the map of the tracker's Summary: where it is and which series it is in."""

    series: str = pa.Field(
        title="Series",
        description="Priority; engaged; not engaged; or no grid reference in GIAS (not plotted)",
    )
    urn: str = pa.Field(
        str_matches=URN_REGEX, unique=True, title="URN", description="Unique reference number"
    )
    school_name: str = pa.Field(title="School", description="Establishment name from GIAS")
    easting: pl.Int64 = pa.Field(nullable=True, ge=0, title="Easting", description="OS grid easting, metres")
    northing: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Northing", description="OS grid northing, metres"
    )

    class Config:
        strict = True
