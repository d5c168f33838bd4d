"""Output tables of the workbooks: each is validated before it is written.

A field's ``title`` is the column heading in the workbook; its ``description`` is the definition printed on
the Notes sheet. Columns ending ``_pct`` hold fractions (0.25 is shown as 25.0%).
"""

from __future__ import annotations

from typing import ClassVar

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import FIGURE_UNITS, LAESTAB_REGEX, URN_REGEX


class KpiFigures(pa.DataFrameModel):
    """The five Arts Council England KPIs for one hub and academic year, with last year's figures."""

    kpi_code: str = pa.Field(unique=True, title="KPI", description="Arts Council England KPI number")
    measure: str = pa.Field(title="Measure", description="What is counted")
    count: pl.Int64 = pa.Field(ge=0, title="Number", description="Unique pupils, or schools for KPI 5")
    denominator: pl.Int64 = pa.Field(
        ge=0,
        title="Out of",
        description="Pupils on roll (census headcount), or schools, in the hub's area",
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
    change_points: pl.Float64 = pa.Field(
        nullable=True,
        title="Change in percentage points",
        description="This year's percentage minus last year's, in percentage points",
    )
    change_pct: pl.Float64 = pa.Field(
        nullable=True,
        title="Change in the number",
        description="This year's number against last year's, as a percentage change",
    )

    class Config:
        strict = True


class IncomeKpiFigures(pa.DataFrameModel):
    """PI1: the hub's income from each of the return's sources, out of its total income, with last year's.

    Money has columns of its own, in pounds, so that no column mixes pounds with counts of pupils.
    """

    source: str = pa.Field(unique=True, title="Source of income", description="One of the return's sources")
    amount_gbp: pl.Int64 = pa.Field(
        ge=0, title="Amount (£)", description="Income from the source in the year, in whole pounds"
    )
    total_income_gbp: pl.Int64 = pa.Field(
        ge=0,
        title="All the sources (£)",
        description="Income from all the return's sources in the year, in whole pounds",
    )
    share_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Share of income", description="Amount as a share of all the sources"
    )
    previous_amount_gbp: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Amount last year (£)", description="The same source's income last year"
    )
    previous_share_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Share last year", description="Last year's share of total income"
    )
    change_points: pl.Float64 = pa.Field(
        nullable=True,
        title="Change in share in percentage points",
        description="This year's share minus last year's, in percentage points",
    )
    change_pct: pl.Float64 = pa.Field(
        nullable=True,
        title="Change in the amount",
        description="This year's amount against last year's, as a percentage change",
    )

    class Config:
        strict = True


class SchoolUniverseRow(pa.DataFrameModel):
    """One school of the hub's universe with the duties it was engaged on in the year."""

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
    pupil_headcount: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Pupils on roll", description="Census headcount of pupils"
    )
    is_engaged: bool = pa.Field(
        title="Engaged",
        description="Y when at least one of the duty columns that count for KPI 5 is Y (see the Notes)",
    )
    has_wcet: bool = pa.Field(title="WCET", description="Hosted whole-class ensemble teaching")
    has_tuition: bool = pa.Field(
        title="Tuition", description="Has pupils learning an instrument outside WCET"
    )
    has_ensemble: bool = pa.Field(title="Ensembles", description="Has pupils in hub ensembles, or hosts one")
    has_singing: bool = pa.Field(title="Singing", description="Runs a regular singing programme with the hub")
    has_loan: bool = pa.Field(
        title="Instrument loans", description="Borrowed instruments, or has pupils who did"
    )
    has_cpd: bool = pa.Field(title="CPD", description="Had staff at a hub CPD event")
    has_experience: bool = pa.Field(
        title="Experiences", description="Had pupils at a large-scale or live event"
    )
    has_smep_contact: bool = pa.Field(
        title="SMEP contact", description="Had a School Music Education Plan contact at level 1 or above"
    )
    engagement_level: pl.Int64 = pa.Field(
        nullable=True, isin=[0, 1, 2, 3], title="Engagement level", description="Latest SMEP engagement level"
    )

    class Config:
        strict = True


# The Schools sheet's Y/N columns, one per duty: the return's layout says which of them count for KPI 5.
SCHOOL_DUTIES: tuple[str, ...] = tuple(
    name for name in SchoolUniverseRow.to_schema().columns if name.startswith("has_")
)


class DutyFigures(pa.DataFrameModel):
    """A duty sheet's figures, one row per measure and breakdown group (a tidy table).

    The row whose breakdown is "All" is the measure's total. ``parent_breakdown`` and ``parent_group`` name the
    row a group adds up to (the measure's total, or a group of another breakdown for a nested one); they are
    empty when the groups do not add up (a pupil may be counted in several, e.g. several instruments).
    """

    measure_id: str = pa.Field(title="Measure id", description="Stable identifier of the measure")
    measure: str = pa.Field(title="Measure", description="What is counted")
    unit: str = pa.Field(
        isin=list(FIGURE_UNITS), title="Unit", description="What one is: pupils, schools, ..."
    )
    breakdown: str = pa.Field(title="Breakdown", description="How the total is split ('All' for the total)")
    group: str = pa.Field(title="Group", description="The group of the breakdown this row counts")
    count: pl.Float64 = pa.Field(nullable=True, ge=0, title="Number", description="The figure")
    denominator: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Out of", description="What the figure is a share of, where there is one"
    )
    count_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Percentage", description="Number as a share of 'Out of'"
    )
    parent_breakdown: str = pa.Field(
        nullable=True, title="Adds up to breakdown", description="Breakdown of the row this group adds up to"
    )
    parent_group: str = pa.Field(
        nullable=True, title="Adds up to group", description="Group of the row this group adds up to"
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["measure_id", "breakdown", "group"]


class DutySheetFigures(DutyFigures):
    """A duty sheet as the return shows it: each figure with last year's and the change beside it."""

    previous_count: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Number last year", description="The same figure in last year's return"
    )
    previous_count_pct: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Percentage last year",
        description="The same percentage in last year's return",
    )
    change_count: pl.Float64 = pa.Field(
        nullable=True, title="Change in the number", description="This year's number minus last year's"
    )


class InclusionFigures(DutyFigures):
    """Who each activity reaches, beside the area's census base rate for the same characteristic."""

    base_rate_pct: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Area base rate",
        description="Share of pupils on roll at the hub's schools with the characteristic (school census)",
    )
    difference_pct: pl.Float64 = pa.Field(
        nullable=True,
        title="Difference from base rate",
        description="Percentage minus the area base rate, in percentage points",
    )


class InclusionSheetFigures(InclusionFigures):
    """The Inclusion sheet as the return shows it: each share with last year's and the change beside it."""

    previous_count: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Number last year", description="The same figure in last year's return"
    )
    previous_count_pct: pl.Float64 = pa.Field(
        nullable=True,
        ge=0,
        title="Percentage last year",
        description="The same percentage in last year's return",
    )
    change_count: pl.Float64 = pa.Field(
        nullable=True, title="Change in the number", description="This year's number minus last year's"
    )


class WorkforceFigures(pa.DataFrameModel):
    """The hub's staff in the year by employment type, with an 'All' row."""

    employment: str = pa.Field(unique=True, title="Employment", description="permanent, contract, freelance")
    staff_count: pl.Int64 = pa.Field(ge=0, title="Headcount", description="Staff in the workforce export")
    fte: pl.Float64 = pa.Field(ge=0, title="FTE", description="Full-time equivalent, summed")
    cpd_hours: pl.Float64 = pa.Field(ge=0, title="CPD hours", description="CPD hours received, summed")

    class Config:
        strict = True


class WorkforceSheetFigures(WorkforceFigures):
    """The Workforce sheet as the return shows it: each figure with last year's and the change beside it."""

    previous_staff_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Headcount last year", description="The same figure in last year's return"
    )
    change_staff_count: pl.Int64 = pa.Field(
        nullable=True, title="Change in headcount", description="This year's headcount minus last year's"
    )
    previous_fte: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="FTE last year", description="The same figure in last year's return"
    )
    change_fte: pl.Float64 = pa.Field(
        nullable=True, title="Change in FTE", description="This year's FTE minus last year's"
    )
    previous_cpd_hours: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="CPD hours last year", description="The same figure in last year's return"
    )
    change_cpd_hours: pl.Float64 = pa.Field(
        nullable=True, title="Change in CPD hours", description="This year's CPD hours minus last year's"
    )


class FinanceFigures(pa.DataFrameModel):
    """Income by source and expenditure by category in the year, with totals and the balance."""

    kind: str = pa.Field(title="Income or expenditure", description="income, expenditure or balance")
    category: str = pa.Field(title="Source or category", description="Ledger category, or a total")
    amount_gbp: pl.Float64 = pa.Field(title="Amount (£)", description="Sum of the ledger lines, GBP")
    share_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Share", description="Share of total income or of total expenditure (PI1)"
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["kind", "category"]


class FunctionMapRow(pa.DataFrameModel):
    """A sheet of the return mapped to the 2022 plan's functions and the 2011 core and extension roles."""

    sheet: str = pa.Field(unique=True, title="Sheet", description="Sheet of this workbook")
    functions_2022: str = pa.Field(title="2022 plan functions", description="The five strategic functions")
    roles_2011: str = pa.Field(title="2011 plan roles", description="Core and extension roles of 2011")

    class Config:
        strict = True


class FigureChange(pa.DataFrameModel):
    """A figure that differs from the previous published run for the same hub and year."""

    sheet: str = pa.Field(title="Sheet", description="Sheet the figure is on")
    measure: str = pa.Field(title="Measure", description="The figure's measure and column")
    breakdown: str = pa.Field(title="Breakdown", description="The figure's breakdown and group")
    previous_value: pl.Float64 = pa.Field(
        nullable=True, title="Previous value", description="In the previous run ([x]: not there)"
    )
    value: pl.Float64 = pa.Field(
        nullable=True, title="Value", description="In this run ([x]: no longer there)"
    )

    class Config:
        strict = True
        unique: ClassVar[list[str]] = ["sheet", "measure", "breakdown"]


def column_titles(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Column name -> heading shown in the workbook."""
    return {name: (column.title or name) for name, column in model.to_schema().columns.items()}


def column_descriptions(model: type[pa.DataFrameModel]) -> dict[str, str]:
    """Column name -> definition shown on the Notes sheet."""
    return {name: (column.description or "") for name, column in model.to_schema().columns.items()}
