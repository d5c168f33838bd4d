"""The national roll-up: hubs' KPIs side by side, England totals from them, and a direct check of the totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date

import polars as pl

from schemas.national import HUB_LOCAL_IDS, KPI_COLUMNS, SCHOOLS_KPI, EnglandKpiRow, HubKpiRow
from schemas.output_tables import KpiFigures as Kpi
from schemas.periods import AcademicYear
from transforms.activity import HubData
from transforms.figures import share
from transforms.kpis import KPI_MEASURES, kpi_values

HUB_SLUG, HUB_NAME, LOCAL_AUTHORITIES, RUN_ID = "hub_slug", "hub_name", "local_authorities", "run_id"
# The hub-level KPIs the national summary is made of (kpi_code, count, denominator per hub).
HUB_KPI_SCHEMA = {
    HUB_SLUG: pl.String,
    Kpi.kpi_code: pl.String,
    Kpi.count: pl.Int64,
    Kpi.denominator: pl.Int64,
}
ACE_KPIS = tuple(code for code, _, _ in KPI_MEASURES)
_MEASURES = {code: measure for code, measure, _ in KPI_MEASURES}


def hubs_side_by_side(hubs: pl.LazyFrame, kpis: pl.LazyFrame) -> pl.LazyFrame:
    """One row per hub (``hubs``: hub_slug, hub_name, local_authorities, run_id) with its five KPIs.

    ``kpis`` holds each hub's kpi_code, count and denominator (HUB_KPI_SCHEMA); a hub with no published
    figures keeps its row, with the figures empty.
    """
    ace = kpis.filter(pl.col(Kpi.kpi_code).is_in(ACE_KPIS))
    per_kpi = [
        ace.filter(pl.col(Kpi.kpi_code) == code).select(
            HUB_SLUG,
            pl.col(Kpi.count).alias(number),
            share(Kpi.count, Kpi.denominator).alias(pct),
        )
        for code, (number, pct) in KPI_COLUMNS.items()
    ]
    pupils = ace.filter(pl.col(Kpi.kpi_code) == "KPI 1").select(
        HUB_SLUG, pl.col(Kpi.denominator).alias("pupils_on_roll")
    )
    schools = ace.filter(pl.col(Kpi.kpi_code) == SCHOOLS_KPI).select(
        HUB_SLUG, pl.col(Kpi.denominator).alias("schools")
    )
    table = hubs
    for part in (pupils, schools, *per_kpi):
        table = table.join(part, on=HUB_SLUG, how="left", maintain_order="left")
    return table.sort(HUB_NAME).select(list(HubKpiRow.to_schema().columns))


def england_totals(kpis: pl.LazyFrame) -> pl.LazyFrame:
    """Each of the five KPIs for England as the sum of the hubs' numbers and denominators."""
    return (
        kpis.filter(pl.col(Kpi.kpi_code).is_in(ACE_KPIS))
        .group_by(Kpi.kpi_code)
        .agg(pl.col(Kpi.count).sum().cast(pl.Int64), pl.col(Kpi.denominator).sum().cast(pl.Int64))
        .sort(Kpi.kpi_code)
    )


def reconcile(totals: pl.LazyFrame, direct: pl.LazyFrame | None) -> pl.LazyFrame:
    """England's totals beside the same KPIs computed directly over every hub's data (EnglandKpiRow).

    Without a direct computation the direct columns are empty and nothing is marked reconciled.
    """
    if direct is None:
        direct = pl.LazyFrame(
            schema={Kpi.kpi_code: pl.String, Kpi.count: pl.Int64, Kpi.denominator: pl.Int64}
        )
    checked = totals.join(
        direct.select(
            Kpi.kpi_code,
            pl.col(Kpi.count).cast(pl.Int64).alias("direct_count"),
            pl.col(Kpi.denominator).cast(pl.Int64).alias("direct_denominator"),
        ),
        on=Kpi.kpi_code,
        how="left",
        maintain_order="left",
    )
    return checked.select(
        Kpi.kpi_code,
        pl.col(Kpi.kpi_code).replace_strict(_MEASURES, default=pl.col(Kpi.kpi_code)).alias(Kpi.measure),
        Kpi.count,
        Kpi.denominator,
        share(Kpi.count, Kpi.denominator).alias(Kpi.count_pct),
        "direct_count",
        "direct_denominator",
        (pl.col("direct_count") - pl.col(Kpi.count)).alias("difference"),
        (
            (pl.col("direct_count") == pl.col(Kpi.count))
            & (pl.col("direct_denominator") == pl.col(Kpi.denominator))
        ).alias("reconciled"),
    ).select(list(EnglandKpiRow.to_schema().columns))


def qualified_by_hub(data: HubData, hub_slug: str) -> HubData:
    """The hub's data with every hub-local identifier prefixed by the hub, so hubs' data can be put together."""

    def qualify(name: str, frame: pl.LazyFrame) -> pl.LazyFrame:
        columns = HUB_LOCAL_IDS.get(name, ())
        return frame.with_columns(
            (pl.lit(f"{hub_slug}:") + pl.col(column)).alias(column) for column in columns
        )

    return HubData(**{f.name: qualify(f.name, getattr(data, f.name)) for f in fields(HubData)})


# DfE files hubs may share (a school near a boundary can be in two hubs' downloads): kept once each.
_SHARED_DFE_INPUTS = ("establishments", "census", "sen", "establishment_links")


def combined(hubs: dict[str, HubData]) -> HubData:
    """Every hub's data as one (identifiers qualified by hub, shared DfE rows kept once)."""
    qualified = [qualified_by_hub(data, slug) for slug, data in hubs.items()]
    frames = {}
    for f in fields(HubData):
        together = pl.concat([getattr(data, f.name) for data in qualified], how="vertical_relaxed")
        frames[f.name] = together.unique(maintain_order=True) if f.name in _SHARED_DFE_INPUTS else together
    return HubData(**frames)


def direct_kpis(
    data: HubData,
    *,
    la_codes: tuple[str, ...],
    year: AcademicYear,
    as_of: date,
    engaged_duties: Sequence[str],
) -> pl.LazyFrame:
    """The five KPIs computed at once over data of many hubs (kpi_code, count, denominator)."""
    return kpi_values(data, la_codes=la_codes, year=year, as_of=as_of, engaged_duties=engaged_duties).select(
        Kpi.kpi_code, Kpi.count, Kpi.denominator
    )
