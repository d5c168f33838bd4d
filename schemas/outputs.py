"""Output tables of the workbooks: each is validated before it is written.

A field's ``title`` is the column heading in the workbook; its ``description`` is the definition printed on
the Notes sheet. Columns ending ``_pct`` hold fractions (0.25 is shown as 25.0%).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import LAESTAB_REGEX, URN_REGEX


class KpiFigures(pa.DataFrameModel):
    """The five Arts Council England KPIs for one hub and academic year, with last year's figures."""

    kpi_code: str = pa.Field(unique=True, title="KPI", description="Arts Council England KPI number")
    measure: str = pa.Field(title="Measure", description="What is counted")
    count: pl.Int64 = pa.Field(ge=0, title="Number", description="Unique pupils, or schools for KPI 5")
    denominator: pl.Int64 = pa.Field(
        ge=0, title="Out of", description="Pupils on roll (census headcount), or schools, in the hub's universe"
    )
    count_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Percentage", description="Number as a share of the denominator"
    )
    previous_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Number last year", description="The same measure for the previous year"
    )
    previous_count_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Percentage last year", description="Last year's share"
    )

    class Config:
        strict = True


class SchoolUniverseRow(pa.DataFrameModel):
    """One school of the hub's universe with the duties it was engaged on in the year."""

    urn: str = pa.Field(str_matches=URN_REGEX, unique=True, title="URN", description="Unique reference number")
    laestab: str = pa.Field(
        str_matches=LAESTAB_REGEX, nullable=True, title="LAESTAB", description="LA code x 10000 + establishment"
    )
    school_name: str = pa.Field(title="School", description="Establishment name from GIAS")
    phase_name: str = pa.Field(title="Phase", description="Phase of education from GIAS")
    type_name: str = pa.Field(title="Type", description="Type of establishment from GIAS")
    la_name: str = pa.Field(title="Local authority", description="Local authority from GIAS")
    pupil_headcount: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Pupils on roll", description="Census headcount of pupils"
    )
    is_engaged: bool = pa.Field(
        title="Engaged", description="Engaged with the hub on at least one duty during the year"
    )
    has_wcet: bool = pa.Field(title="WCET", description="Hosted whole-class ensemble teaching")
    has_tuition: bool = pa.Field(title="Tuition", description="Has pupils learning an instrument outside WCET")
    has_ensemble: bool = pa.Field(title="Ensembles", description="Has pupils in hub ensembles, or hosts one")
    has_singing: bool = pa.Field(title="Singing", description="Runs a regular singing programme with the hub")
    has_smep_contact: bool = pa.Field(
        title="SMEP contact", description="Had a School Music Education Plan contact at level 1 or above"
    )
    engagement_level: pl.Int64 = pa.Field(
        nullable=True, isin=[0, 1, 2, 3], title="Engagement level", description="Latest SMEP engagement level"
    )

    class Config:
        strict = True


def column_titles(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Column name -> heading shown in the workbook."""
    return {name: (column.title or name) for name, column in model.to_schema().columns.items()}


def column_descriptions(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Column name -> definition shown on the Notes sheet."""
    return {name: (column.description or "") for name, column in model.to_schema().columns.items()}
