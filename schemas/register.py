"""The DfE school register (GIAS establishments and links), as the pipeline types it after reading."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import LA_CODE_REGEX, URN_REGEX


class Establishment(pa.DataFrameModel):
    """One establishment of the GIAS 'Establishment fields' download (every school that ever existed)."""

    urn: str = pa.Field(str_matches=URN_REGEX, unique=True, description="Unique reference number (URN)")
    la_code: str = pa.Field(str_matches=LA_CODE_REGEX, description="DfE 3-digit local authority code")
    la_name: str = pa.Field(description="Local authority name as GIAS spells it")
    establishment_number: str = pa.Field(
        nullable=True, str_matches=r"^\d{4}$", description="DfE establishment number (4 digits)"
    )
    school_name: str = pa.Field(description="Establishment name")
    type_name: str = pa.Field(description="Type of establishment")
    type_group_name: str = pa.Field(description="Establishment type group")
    status_name: str = pa.Field(
        isin=["Open", "Closed", "Open, but proposed to close", "Proposed to open"],
        description="Establishment status",
    )
    open_date: pl.Date = pa.Field(nullable=True, description="Date opened")
    close_date: pl.Date = pa.Field(nullable=True, description="Date closed")
    phase_name: str = pa.Field(description="Phase of education")
    low_age: pl.Int64 = pa.Field(nullable=True, ge=0, le=99, description="Statutory low age")
    high_age: pl.Int64 = pa.Field(nullable=True, ge=0, le=99, description="Statutory high age")
    register_pupil_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Number of pupils recorded on GIAS (January census)"
    )
    fsm_pct: pl.Float64 = pa.Field(nullable=True, ge=0, le=100, description="Percentage FSM recorded on GIAS")
    trust_name: str = pa.Field(nullable=True, description="Academy trust")
    postcode: str = pa.Field(nullable=True, description="Postcode")
    gss_la_code: str = pa.Field(nullable=True, description="ONS 9-character local authority code")
    # Ordnance Survey national grid, metres (optional: older extracts and hand-made files may lack them).
    easting: pl.Int64 = pa.Field(
        nullable=True, ge=0, le=700_000, metadata={"optional": True}, description="Easting (OS grid, metres)"
    )
    northing: pl.Int64 = pa.Field(
        nullable=True,
        ge=0,
        le=1_300_000,
        metadata={"optional": True},
        description="Northing (OS grid, metres)",
    )

    class Config:
        strict = False


# GIAS header -> canonical column. Columns are selected by name, never position: DfE reorders them.
GIAS_COLUMNS: dict[str, str] = {
    "URN": Establishment.urn,
    "LA (code)": Establishment.la_code,
    "LA (name)": Establishment.la_name,
    "EstablishmentNumber": Establishment.establishment_number,
    "EstablishmentName": Establishment.school_name,
    "TypeOfEstablishment (name)": Establishment.type_name,
    "EstablishmentTypeGroup (name)": Establishment.type_group_name,
    "EstablishmentStatus (name)": Establishment.status_name,
    "OpenDate": Establishment.open_date,
    "CloseDate": Establishment.close_date,
    "PhaseOfEducation (name)": Establishment.phase_name,
    "StatutoryLowAge": Establishment.low_age,
    "StatutoryHighAge": Establishment.high_age,
    "NumberOfPupils": Establishment.register_pupil_count,
    "PercentageFSM": Establishment.fsm_pct,
    "Trusts (name)": Establishment.trust_name,
    "Postcode": Establishment.postcode,
    "GSSLACode (name)": Establishment.gss_la_code,
    "Easting": Establishment.easting,
    "Northing": Establishment.northing,
}
GIAS_DATE_FORMAT = "%d-%m-%Y"


class EstablishmentLink(pa.DataFrameModel):
    """One row of the GIAS links file: a link from one URN to a related one (predecessor, successor)."""

    urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the establishment")
    link_urn: str = pa.Field(str_matches=URN_REGEX, description="URN of the linked establishment")
    link_name: str = pa.Field(nullable=True, description="Name of the linked establishment")
    link_type: str = pa.Field(description="Kind of link, e.g. Successor, Predecessor - merged")
    link_date: pl.Date = pa.Field(nullable=True, description="Date the link was established")

    class Config:
        strict = False


GIAS_LINK_COLUMNS: dict[str, str] = {
    "URN": EstablishmentLink.urn,
    "LinkURN": EstablishmentLink.link_urn,
    "LinkName": EstablishmentLink.link_name,
    "LinkType": EstablishmentLink.link_type,
    "LinkEstablishedDate": EstablishmentLink.link_date,
}
