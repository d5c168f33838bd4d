"""The national summary (SPEC 3.5): every hub's KPIs side by side, England totals and their reconciliation."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

# KPI code -> (number column, percentage column) in the hubs-side-by-side table.
KPI_COLUMNS: dict[str, tuple[str, str]] = {
    "KPI 1": ("wcet_pupils", "wcet_pct"),
    "KPI 2": ("ensemble_pupils", "ensemble_pct"),
    "KPI 3": ("tuition_pupils", "tuition_pct"),
    "KPI 4": ("singing_pupils", "singing_pct"),
    "KPI 5": ("schools_engaged", "schools_engaged_pct"),
}
# The KPI whose denominator is schools; the others are out of the pupils on roll.
SCHOOLS_KPI = "KPI 5"

# Columns whose values are identifiers within one hub's exports only (management-system ids, and pupil refs
# pseudonymised with the hub's own key): qualified by the hub before hubs' data are put together.
HUB_LOCAL_IDS: dict[str, tuple[str, ...]] = {
    "pupils": ("pupil_ref",),
    "wcet": ("programme_id",),
    "wcet_participants": ("programme_id", "pupil_ref"),
    "tuition": ("enrolment_id", "pupil_ref"),
    "ensembles": ("ensemble_id",),
    "ensemble_members": ("ensemble_id", "pupil_ref"),
    "engagements": ("engagement_id",),
    "cpd": ("event_id",),
    "loans": ("loan_id", "pupil_ref"),
    "events": ("event_id",),
}

HUB_STATUSES = ("published", "unchanged", "failed", "not run")


class HubKpiRow(pa.DataFrameModel):
    """One hub's five KPIs, from its latest published run for the year."""

    hub_name: str = pa.Field(title="Hub", description="The hub's name, as on its return")
    hub_slug: str = pa.Field(unique=True, title="Hub code", description="Short name used in file names")
    local_authorities: str = pa.Field(title="Local authorities", description="DfE codes of the hub's area")
    pupils_on_roll: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Pupils on roll", description="Census headcount of the hub's schools"
    )
    schools: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Schools", description="State-funded schools in the hub's universe"
    )
    wcet_pupils: pl.Int64 = pa.Field(nullable=True, ge=0, title="KPI 1 WCET pupils", description="KPI 1")
    wcet_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="KPI 1 %", description="Of pupils on roll")
    ensemble_pupils: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="KPI 2 ensemble pupils", description="KPI 2"
    )
    ensemble_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="KPI 2 %", description="Of pupils on roll")
    tuition_pupils: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="KPI 3 pupils learning outside WCET", description="KPI 3"
    )
    tuition_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="KPI 3 %", description="Of pupils on roll")
    singing_pupils: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="KPI 4 pupils singing", description="KPI 4"
    )
    singing_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="KPI 4 %", description="Of pupils on roll")
    schools_engaged: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="KPI 5 schools engaged", description="KPI 5"
    )
    schools_engaged_pct: pl.Float64 = pa.Field(nullable=True, ge=0, title="KPI 5 %", description="Of schools")
    run_id: str = pa.Field(nullable=True, title="Run", description="The published run the figures come from")

    class Config:
        strict = True
        coerce = False


class EnglandKpiRow(pa.DataFrameModel):
    """One KPI for England: the sum of the hubs' figures beside a direct computation over all hubs' data."""

    kpi_code: str = pa.Field(unique=True, title="KPI", description="Arts Council England KPI number")
    measure: str = pa.Field(title="Measure", description="What is counted")
    count: pl.Int64 = pa.Field(ge=0, title="Number", description="Sum of the hubs' numbers")
    denominator: pl.Int64 = pa.Field(
        ge=0, title="Out of", description="Sum of the hubs' pupils on roll or schools"
    )
    count_pct: pl.Float64 = pa.Field(
        nullable=True, ge=0, title="Percentage", description="Number out of total"
    )
    direct_count: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Number computed directly", description="Over every hub's data at once"
    )
    direct_denominator: pl.Int64 = pa.Field(
        nullable=True, ge=0, title="Out of, computed directly", description="Over every hub's data at once"
    )
    difference: pl.Int64 = pa.Field(
        nullable=True, title="Difference", description="Number computed directly minus the sum of the hubs"
    )
    reconciled: bool = pa.Field(
        nullable=True, title="Reconciled", description="Both numbers and denominators agree"
    )

    class Config:
        strict = True
        coerce = False


class HubRunRow(pa.DataFrameModel):
    """What the national run did for one hub."""

    hub_name: str = pa.Field(title="Hub", description="The hub's name")
    hub_slug: str = pa.Field(unique=True, title="Hub code", description="Short name used in file names")
    status: str = pa.Field(
        isin=list(HUB_STATUSES), title="This run", description="What this run did for the hub"
    )
    figures_from: str = pa.Field(
        nullable=True, title="Figures from run", description="The published run whose figures are shown"
    )
    message: str = pa.Field(nullable=True, title="Message", description="Why a hub failed, in plain words")
    annual_return: str = pa.Field(nullable=True, title="Annual return", description="The workbook written")

    class Config:
        strict = True
        coerce = False
