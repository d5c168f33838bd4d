"""The DfE school census at school level (SPC and SEN files), as the pipeline types it after reading."""

from __future__ import annotations

import re

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
    ethnicity_white_british_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of white British ethnic origin"
    )
    ethnicity_irish_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Irish ethnic origin"
    )
    ethnicity_traveller_of_irish_heritage_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of traveller of Irish heritage ethnic origin"
    )
    ethnicity_any_other_white_background_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of any other white background ethnic origin"
    )
    ethnicity_gypsy_roma_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Gypsy/Roma ethnic origin"
    )
    ethnicity_white_and_black_caribbean_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of white and black Caribbean ethnic origin"
    )
    ethnicity_white_and_black_african_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of white and black African ethnic origin"
    )
    ethnicity_white_and_asian_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of white and Asian ethnic origin"
    )
    ethnicity_any_other_mixed_background_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of any other mixed background ethnic origin"
    )
    ethnicity_indian_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Indian ethnic origin"
    )
    ethnicity_pakistani_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Pakistani ethnic origin"
    )
    ethnicity_bangladeshi_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Bangladeshi ethnic origin"
    )
    ethnicity_any_other_asian_background_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of any other Asian background ethnic origin"
    )
    ethnicity_caribbean_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Caribbean ethnic origin"
    )
    ethnicity_african_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of African ethnic origin"
    )
    ethnicity_any_other_black_background_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of any other black background ethnic origin"
    )
    ethnicity_chinese_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of Chinese ethnic origin"
    )
    ethnicity_any_other_ethnic_group_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils of any other ethnic group ethnic origin"
    )
    ethnicity_unclassified_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, description="Pupils whose ethnicity is unclassified"
    )

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


# The census column counting each of the 18 groups (and the unclassified pupils).
ETHNICITY_COUNT_COLUMNS: dict[str, str] = {
    group: f"ethnicity_{re.sub('[^a-z0-9]+', '_', group.lower()).strip('_')}_count"
    for group in CENSUS_ETHNICITY_GROUPS
}
UNCLASSIFIED_ETHNICITY_HEADER = "number of pupils unclassified"


def major_group_columns() -> dict[str, tuple[str, ...]]:
    """Major ethnic group (as in the hub's pupils export) -> the census columns that add up to it."""
    groups: dict[str, list[str]] = {}
    for group, major in CENSUS_ETHNICITY_GROUPS.items():
        groups.setdefault(major, []).append(ETHNICITY_COUNT_COLUMNS[group])
    groups["Unclassified"] = [SchoolCensus.ethnicity_unclassified_count]
    return {major: tuple(columns) for major, columns in groups.items()}


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
    **{ethnicity_count_header(group): column for group, column in ETHNICITY_COUNT_COLUMNS.items()},
    UNCLASSIFIED_ETHNICITY_HEADER: SchoolCensus.ethnicity_unclassified_count,
}
SPC_REQUIRED = ("time_period", "urn", "headcount of pupils")
# Older releases' spellings of the same columns (alias -> the current header). Case, spaces and punctuation
# never matter (URN is urn), and a heading cut at 64 characters, as files before 2023/24 have them, matches
# the heading it starts (ingest/headers.py); only different words need listing here.
SPC_ALIASES: dict[str, str] = {
    "URN": "urn",
    # Before about 2021/22.
    "number of pupils known to be eligible for and claiming free school meals": (
        "number of pupils known to be eligible for free school meals"
    ),
    # Up to 2022/23 the census said boys and girls, where 2023/24 says male and female.
    "headcount total boys": "headcount total male",
    "headcount total girls": "headcount total female",
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
# Older releases' spellings (alias -> the current header): before the 2014 Code of Practice, and in the
# transition years, the plan column counted statements as well.
SEN_ALIASES: dict[str, str] = {
    "Statement or EHC plan": "EHC plan",
}
