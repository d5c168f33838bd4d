"""The DfE school census at school level (SPC and SEN files), as the pipeline types it after reading."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import CENSUS_PERIOD_REGEX, URN_REGEX


class SchoolCensus(pa.DataFrameModel):
    """One school in one year of 'Schools, pupils and their characteristics' (school-level underlying data)."""

    census_period: str = pa.Field(str_matches=CENSUS_PERIOD_REGEX, description="DfE time_period, e.g. 202526")
    urn: str = pa.Field(str_matches=URN_REGEX, description="Unique reference number (URN)")
    pupil_headcount: pl.Int64 = pa.Field(nullable=True, ge=0, description="Headcount of pupils on roll")
    reception_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in reception (year R)")
    ks1_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in key stage 1 (years 1 and 2)")
    ks2_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in key stage 2 (years 3 to 6)")
    ks3_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in key stage 3 (years 7 to 9)")
    ks4_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in key stage 4 (years 10 and 11)")
    ks5_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils in key stage 5 (years 12 to 14)")
    fsm_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils known to be eligible for free school meals"
    )
    male_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Headcount of male pupils")
    female_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Headcount of female pupils")

    class Config:
        strict = False


# The 18 census ethnicity groups, and the major group each belongs to.
CENSUS_ETHNICITY_GROUPS: dict[str, str] = {
    "white British": "White",
    "Irish": "White",
    "traveller of Irish heritage": "White",
    "any other white background": "White",
    "Gypsy/Roma": "White",
    "white and black Caribbean": "Mixed",
    "white and black African": "Mixed",
    "white and Asian": "Mixed",
    "any other mixed background": "Mixed",
    "Indian": "Asian",
    "Pakistani": "Asian",
    "Bangladeshi": "Asian",
    "any other Asian background": "Asian",
    "Caribbean": "Black",
    "African": "Black",
    "any other black background": "Black",
    "Chinese": "Chinese",
    "any other ethnic group": "Any other",
}


def ethnicity_count_header(group: str) -> str:
    """The SPC header for the number of pupils in one of the 18 ethnicity groups."""
    return f"number of pupils classified as {group} ethnic origin"


# SPC header -> canonical column (select by name; DfE renames and reorders between releases).
SPC_COLUMNS: dict[str, str] = {
    "time_period": SchoolCensus.census_period,
    "urn": SchoolCensus.urn,
    "headcount of pupils": SchoolCensus.pupil_headcount,
    "Number of reception pupils (year R)": SchoolCensus.reception_count,
    "Number of key stage 1 pupils (years 1 and 2)": SchoolCensus.ks1_count,
    "Number of key stage 2 pupils (years 3 to 6)": SchoolCensus.ks2_count,
    "Number of key stage 3 pupils (years 7 to 9)": SchoolCensus.ks3_count,
    "Number of key stage 4 pupils (years 10 and 11)": SchoolCensus.ks4_count,
    "Number of key stage 5 pupils (years 12 to 14)": SchoolCensus.ks5_count,
    "number of pupils known to be eligible for free school meals": SchoolCensus.fsm_count,
    "headcount total male": SchoolCensus.male_count,
    "headcount total female": SchoolCensus.female_count,
}
SPC_REQUIRED = ("time_period", "urn", "headcount of pupils")
# Older releases' spellings of the same columns.
SPC_ALIASES: dict[str, str] = {
    "URN": "urn",
    "number of pupils known to be eligible for and claiming free school meals": (
        "number of pupils known to be eligible for free school meals"
    ),
}


class SenCensus(pa.DataFrameModel):
    """One school in one year of 'Special educational needs in England' (school-level underlying data)."""

    census_period: str = pa.Field(str_matches=CENSUS_PERIOD_REGEX, description="DfE time_period, e.g. 202526")
    urn: str = pa.Field(str_matches=URN_REGEX, description="Unique reference number (URN)")
    sen_pupil_total: pl.Int64 = pa.Field(nullable=True, ge=0, description="Total pupils (SEN file)")
    sen_support_count: pl.Int64 = pa.Field(nullable=True, ge=0, description="Pupils on SEN support")
    ehcp_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils with an education, health and care plan"
    )

    class Config:
        strict = False


SEN_COLUMNS: dict[str, str] = {
    "time_period": SenCensus.census_period,
    "URN": SenCensus.urn,
    "Total pupils": SenCensus.sen_pupil_total,
    "SEN support": SenCensus.sen_support_count,
    "EHC plan": SenCensus.ehcp_count,
}
SEN_REQUIRED = ("time_period", "URN", "Total pupils", "SEN support", "EHC plan")
