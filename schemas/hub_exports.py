"""The hub's activity exports (SPEC 2.2): the project's canonical file formats, one model per file.

A field whose metadata says ``optional`` may be missing from the file; it is then read as empty.
Every model's column names are the canonical headers a data officer's export must carry (aliases from
management systems are mapped onto them by the readers).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.periods import ACADEMIC_YEAR_REGEX
from schemas.vocabulary import (
    EMPLOYMENT_TYPES,
    ENGAGEMENT_KINDS,
    ENGAGEMENT_LEVELS,
    ENSEMBLE_LEADS,
    ENSEMBLE_TYPES,
    ETHNICITY_GROUPS,
    FINANCE_KINDS,
    GENDERS,
    INSTRUMENT_FAMILIES,
    LESSON_TYPES,
    LOAN_REMISSIONS,
    NC_YEARS,
    PROVISIONS,
    QUALITY_MARKS_REGEX,
    RAG_VALUES,
    SEN_STATUSES,
    STANDARDS,
    TERMS,
    UPN_REGEX,
    URN_REGEX,
)

OPTIONAL = {"optional": True}


class Pupils(pa.DataFrameModel):
    """A pupil known to the hub's management system."""

    pupil_ref: str = pa.Field(unique=True, description="Management system pupil id (pseudonymised on ingest)")
    upn: str = pa.Field(
        nullable=True, str_matches=UPN_REGEX, metadata=OPTIONAL, description="DfE unique pupil number"
    )
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the pupil's school")
    nc_year: str = pa.Field(isin=list(NC_YEARS), description="National curriculum year (R, 1-13)")
    gender: str = pa.Field(isin=list(GENDERS), description="Gender (F, M, X)")
    fsm: bool = pa.Field(description="Known to be eligible for free school meals")
    pupil_premium: bool = pa.Field(description="Eligible for pupil premium")
    sen_status: str = pa.Field(isin=list(SEN_STATUSES), description="SEN status: none, K (support), E (EHCP)")
    looked_after: bool = pa.Field(description="Looked-after child")
    ethnicity_group: str = pa.Field(
        nullable=True, isin=list(ETHNICITY_GROUPS), metadata=OPTIONAL, description="Census major ethnic group"
    )


class Wcet(pa.DataFrameModel):
    """A whole-class ensemble teaching programme: one class for one term."""

    programme_id: str = pa.Field(unique=True, description="Programme id (one class for one term)")
    academic_year: str = pa.Field(str_matches=ACADEMIC_YEAR_REGEX, description="Academic year, YYYY/YY")
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the school taught")
    nc_year: str = pa.Field(isin=list(NC_YEARS), description="National curriculum year of the class")
    class_name: str = pa.Field(description="The school's name for the class")
    instrument: str = pa.Field(description="Instrument taught")
    term: str = pa.Field(isin=list(TERMS), description="Term (Autumn, Spring, Summer)")
    weeks: pl.Int64 = pa.Field(ge=1, le=15, description="Weeks taught in the term")
    pupils: pl.Int64 = pa.Field(ge=0, le=60, description="Pupils in the class")
    first_time: bool = pa.Field(description="First time the class has had WCET")
    provision: str = pa.Field(isin=list(PROVISIONS), description="delivered by the hub or supported")
    partner: str = pa.Field(nullable=True, metadata=OPTIONAL, description="Delivery partner, if any")


class WcetParticipants(pa.DataFrameModel):
    """A pupil in a WCET programme (optional pupil-level rolls)."""

    programme_id: str = pa.Field(description="Programme id from the WCET export")
    pupil_ref: str = pa.Field(description="Pupil id (pseudonymised on ingest)")


class Tuition(pa.DataFrameModel):
    """An enrolment in instrumental or vocal tuition outside WCET."""

    enrolment_id: str = pa.Field(unique=True, description="Enrolment id")
    pupil_ref: str = pa.Field(description="Pupil id (pseudonymised on ingest)")
    instrument: str = pa.Field(description="Instrument or voice")
    lesson_type: str = pa.Field(isin=list(LESSON_TYPES), description="individual, small_group or large_group")
    start_date: pl.Date = pa.Field(description="First lesson")
    end_date: pl.Date = pa.Field(nullable=True, description="Last lesson (empty while learning)")
    remission_pct: pl.Float64 = pa.Field(ge=0, le=100, description="Fee remission, percent")
    remission_reason: str = pa.Field(nullable=True, metadata=OPTIONAL, description="Reason for remission")
    standard: str = pa.Field(isin=list(STANDARDS), description="entry, foundation, intermediate, advanced")
    provision: str = pa.Field(isin=list(PROVISIONS), description="delivered by the hub or supported")


class Ensembles(pa.DataFrameModel):
    """An ensemble, choir or group run or supported by the hub."""

    ensemble_id: str = pa.Field(unique=True, description="Ensemble id")
    name: str = pa.Field(description="Ensemble name")
    type: str = pa.Field(isin=list(ENSEMBLE_TYPES), description="Ensemble type")
    level: str = pa.Field(isin=list(STANDARDS), description="Standard the ensemble plays at")
    lead: str = pa.Field(isin=list(ENSEMBLE_LEADS), description="Led by the hub, a school or a partner")
    base_urn: str = pa.Field(nullable=True, str_matches=URN_REGEX, description="School it is based at")


class EnsembleMembers(pa.DataFrameModel):
    """A pupil's membership of an ensemble."""

    ensemble_id: str = pa.Field(description="Ensemble id from the ensembles export")
    pupil_ref: str = pa.Field(description="Pupil id (pseudonymised on ingest)")
    start_date: pl.Date = pa.Field(description="Joined")
    end_date: pl.Date = pa.Field(nullable=True, description="Left (empty while a member)")


class Singing(pa.DataFrameModel):
    """A school singing programme in one academic year."""

    academic_year: str = pa.Field(str_matches=ACADEMIC_YEAR_REGEX, description="Academic year, YYYY/YY")
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the school")
    programme: str = pa.Field(description="Programme name")
    pupils: pl.Int64 = pa.Field(ge=0, description="Pupils taking part")
    regular: bool = pa.Field(description="Pupils sing regularly (at least weekly for a term)")
    school_choir: bool = pa.Field(description="The school has a choir or vocal group")


class Engagements(pa.DataFrameModel):
    """A contact with a school: the School Music Education Plan (SMEP) log."""

    engagement_id: str = pa.Field(unique=True, description="Engagement id")
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the school")
    date: pl.Date = pa.Field(description="Date of the contact")
    duration_minutes: pl.Int64 = pa.Field(ge=0, le=1440, description="Length of the contact, minutes")
    kind: str = pa.Field(isin=list(ENGAGEMENT_KINDS), description="conversation, visit, MDP review, network")
    with_role: str = pa.Field(nullable=True, description="Role of the school contact")
    hub_officer: str = pa.Field(nullable=True, description="Hub officer")
    engagement_level: pl.Int64 = pa.Field(isin=list(ENGAGEMENT_LEVELS), description="Engagement level 0-3")
    rag_curriculum: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: curriculum")
    rag_wcet: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: WCET")
    rag_tuition: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: tuition")
    rag_choir: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: choir")
    rag_ensemble: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: ensembles")
    rag_performance: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: performance")
    rag_live_music: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: live music")
    rag_mdp: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: music development plan")
    rag_cpd: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: CPD")
    rag_loans: str = pa.Field(nullable=True, isin=list(RAG_VALUES), description="RAG: instrument loans")
    mdp_published: bool = pa.Field(
        nullable=True, description="School has published its music development plan"
    )
    mdp_url: str = pa.Field(
        nullable=True,
        metadata=OPTIONAL,
        str_matches=r"^https?://\S+$",
        description="Web address of the school's published music development plan summary",
    )
    quality_marks: str = pa.Field(
        nullable=True,
        metadata=OPTIONAL,
        str_matches=QUALITY_MARKS_REGEX,
        description="Quality marks held, separated by ';' (current names, or the older names they replace)",
    )
    actions: str = pa.Field(nullable=True, metadata=OPTIONAL, description="Actions agreed")
    next_due: pl.Date = pa.Field(nullable=True, metadata=OPTIONAL, description="Next contact due")


class Cpd(pa.DataFrameModel):
    """A school's attendance at a CPD event for school staff."""

    event_id: str = pa.Field(description="CPD event id")
    date: pl.Date = pa.Field(description="Event date")
    title: str = pa.Field(description="Event title")
    hours: pl.Float64 = pa.Field(ge=0, le=100, description="Length of the event, hours")
    audience: str = pa.Field(nullable=True, description="Intended audience")
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the attending school")
    attendees: pl.Int64 = pa.Field(ge=0, description="Staff attending from the school")


class Loans(pa.DataFrameModel):
    """An instrument loan to a pupil or a school."""

    loan_id: str = pa.Field(unique=True, description="Loan id")
    instrument: str = pa.Field(description="Instrument")
    family: str = pa.Field(isin=list(INSTRUMENT_FAMILIES), description="Instrument family")
    pupil_ref: str = pa.Field(nullable=True, description="Pupil borrowing (pseudonymised on ingest)")
    urn: str = pa.Field(
        nullable=True, str_matches=URN_REGEX, description="School borrowing or pupil's school"
    )
    start_date: pl.Date = pa.Field(description="Loan start")
    end_date: pl.Date = pa.Field(nullable=True, description="Loan end (empty while on loan)")
    charge_gbp: pl.Float64 = pa.Field(ge=0, description="Charge to the family or school, GBP")
    remission: str = pa.Field(isin=list(LOAN_REMISSIONS), description="none, subsidised or free")


class Events(pa.DataFrameModel):
    """A school's pupils at a large-scale or live music experience."""

    event_id: str = pa.Field(description="Event id")
    date: pl.Date = pa.Field(description="Event date")
    title: str = pa.Field(description="Event title")
    venue: str = pa.Field(nullable=True, description="Venue")
    professional_partner: str = pa.Field(nullable=True, description="Professional partner")
    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the school taking part")
    pupils: pl.Int64 = pa.Field(ge=0, description="Pupils from the school")


class Workforce(pa.DataFrameModel):
    """A member of the hub's staff in one academic year."""

    academic_year: str = pa.Field(str_matches=ACADEMIC_YEAR_REGEX, description="Academic year, YYYY/YY")
    staff_ref: str = pa.Field(description="Staff id")
    role: str = pa.Field(description="Role")
    employment: str = pa.Field(isin=list(EMPLOYMENT_TYPES), description="permanent, contract or freelance")
    fte: pl.Float64 = pa.Field(ge=0, le=1.5, description="Full-time equivalent")
    cpd_hours: pl.Float64 = pa.Field(ge=0, description="CPD hours received in the year")


class Finance(pa.DataFrameModel):
    """A line of the hub's ledger."""

    kind: str = pa.Field(isin=list(FINANCE_KINDS), description="income or expenditure")
    category: str = pa.Field(description="Income source or expenditure category")
    amount_gbp: pl.Float64 = pa.Field(ge=0, description="Amount, GBP")
    date: pl.Date = pa.Field(description="Date of the transaction")


# Source name (as used in hub.toml [inputs]) -> model.
HUB_EXPORTS: dict[str, type[pa.DataFrameModel]] = {
    "pupils": Pupils,
    "wcet": Wcet,
    "wcet_participants": WcetParticipants,
    "tuition": Tuition,
    "ensembles": Ensembles,
    "ensemble_members": EnsembleMembers,
    "singing": Singing,
    "engagements": Engagements,
    "cpd": Cpd,
    "loans": Loans,
    "events": Events,
    "workforce": Workforce,
    "finance": Finance,
}
# Exports a hub may leave out of its configuration.
OPTIONAL_EXPORTS = ("wcet_participants",)
# Columns holding pupil ids, pseudonymised on ingest.
PUPIL_REF_COLUMN = "pupil_ref"
UPN_COLUMN = "upn"
