"""The funder's five KPIs, as numbers and percentages, with last year's beside them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import polars as pl

from schemas.output_tables import FinanceFigures as Fin
from schemas.output_tables import IncomeKpiFigures as Inc
from schemas.output_tables import KpiFigures as Kpi
from schemas.output_tables import SchoolUniverseRow as Row
from schemas.periods import AcademicYear
from transforms.activity import HubData
from transforms.ensembles import ensemble_member_count
from transforms.figures import share
from transforms.periods import ReportingWindow
from transforms.schools import school_engagement, schools_engaged_count
from transforms.singing import regular_singer_count
from transforms.tuition import tuition_pupil_count
from transforms.universe import census_for_year, school_universe, universe_headcount
from transforms.wcet import wcet_pupil_count

COUNT = "count"
KPI_SHEET = "kpis"

KPI_MEASURES: tuple[tuple[str, str, Callable[..., pl.LazyFrame]], ...] = (
    ("KPI 1", "Pupils receiving whole-class ensemble teaching (WCET)", wcet_pupil_count),
    ("KPI 2", "Pupils playing or singing regularly in ensembles", ensemble_member_count),
    ("KPI 3", "Pupils learning an instrument or voice outside WCET", tuition_pupil_count),
    ("KPI 4", "Pupils singing regularly", regular_singer_count),
    ("KPI 5", "State-funded schools engaged on at least one core role", schools_engaged_count),
)


def kpi_values(
    data: HubData,
    *,
    la_codes: tuple[str, ...],
    year: AcademicYear,
    as_of: date,
    engaged_duties: Sequence[str],
) -> pl.LazyFrame:
    """The five KPIs for one year: code, measure, count and denominator (pupils on roll, or schools).

    ``engaged_duties`` are the Schools sheet's duty columns that make a school engaged (the layout's kpi5).
    """
    window = ReportingWindow.for_year(year, as_of=as_of)
    universe = school_universe(
        data.establishments, la_codes=la_codes, year=year, links=data.establishment_links
    )
    roll = universe_headcount(universe, census_for_year(data.census, year=year)).select(
        pl.col(Row.pupil_headcount).sum().cast(pl.Int64).alias(Kpi.denominator)
    )
    schools = universe.select(pl.len().cast(pl.Int64).alias(Kpi.denominator))
    counts = [
        wcet_pupil_count(data.wcet, data.wcet_participants, universe, year=year).join(roll, how="cross"),
        ensemble_member_count(
            data.ensemble_members, data.ensembles, data.pupils, universe, window=window
        ).join(roll, how="cross"),
        tuition_pupil_count(data.tuition, data.pupils, universe, window=window).join(roll, how="cross"),
        regular_singer_count(data.singing, universe, year=year).join(roll, how="cross"),
        schools_engaged_count(school_engagement(data, universe, window=window, counted=engaged_duties)).join(
            schools, how="cross"
        ),
    ]
    labelled = [
        frame.select(
            pl.lit(code).alias(Kpi.kpi_code),
            pl.lit(measure).alias(Kpi.measure),
            pl.col(COUNT).fill_null(0).cast(pl.Int64).alias(Kpi.count),
            pl.col(Kpi.denominator).fill_null(0).cast(pl.Int64),
        )
        for frame, (code, measure, _) in zip(counts, KPI_MEASURES, strict=True)
    ]
    return pl.concat(labelled)


PI1_CODE = "PI1"
# The store keeps PI1's figures on a sheet of their own, as '<PI1 source> count' (the amount in whole pounds),
# 'denominator' (total income) and 'count_pct'; runs before it kept them among the KPIs, under the same names.
INCOME_SHEET = "income"


def pi1_code(source: pl.Expr) -> pl.Expr:
    """A source's PI1 code, as the store names its figures: ``PI1 DfE grant``."""
    return pl.concat_str(pl.lit(PI1_CODE), source, separator=" ")


def income_kpi_table(income_shares: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.LazyFrame:
    """The hub's income from each of the return's five sources in whole pounds, and its share of their total.

    The amounts are the Finance sheet's income lines, rounded to whole pounds (income in other categories is
    on the Finance sheet only); last year's amount and share are from last year's published run
    (``previous``: kpi_code 'PI1 <source>', count and denominator in pounds). The change in the share is in
    percentage points, the change in the amount a percentage change.
    """
    total = pl.col(Fin.amount_gbp).sum().over(pl.lit(1))
    table = income_shares.select(
        pl.col(Fin.category).alias(Inc.source),
        pl.col(Fin.amount_gbp).round(0).cast(pl.Int64).alias(Inc.amount_gbp),
        total.round(0).cast(pl.Int64).alias(Inc.total_income_gbp),
    ).with_columns(share(Inc.amount_gbp, Inc.total_income_gbp).alias(Inc.share_pct))
    if previous is None:
        last = pl.LazyFrame(
            schema={
                Inc.source: pl.String,
                Inc.previous_amount_gbp: pl.Int64,
                Inc.previous_share_pct: pl.Float64,
            }
        )
    else:
        prefix = f"{PI1_CODE} "
        last = previous.filter(pl.col(Kpi.kpi_code).str.starts_with(prefix)).select(
            pl.col(Kpi.kpi_code).str.strip_prefix(prefix).alias(Inc.source),
            pl.col(Kpi.count).cast(pl.Int64).alias(Inc.previous_amount_gbp),
            share(Kpi.count, Kpi.denominator).alias(Inc.previous_share_pct),
        )
    return (
        table.join(last, on=Inc.source, how="left", maintain_order="left")
        .with_columns(
            ((pl.col(Inc.share_pct) - pl.col(Inc.previous_share_pct)) * 100).alias(Inc.change_points),
            pl.when(pl.col(Inc.previous_amount_gbp) > 0)
            .then(pl.col(Inc.amount_gbp) / pl.col(Inc.previous_amount_gbp) - 1)
            .alias(Inc.change_pct),
        )
        .select(list(Inc.to_schema().columns))
    )


def income_figures(table: pl.LazyFrame) -> pl.LazyFrame:
    """PI1's table as the store keeps it: code 'PI1 <source>', count (pounds), denominator and count_pct."""
    return table.select(
        pi1_code(pl.col(Inc.source)).alias(Kpi.kpi_code),
        pl.col(Inc.amount_gbp).alias(Kpi.count),
        pl.col(Inc.total_income_gbp).alias(Kpi.denominator),
        pl.col(Inc.share_pct).alias(Kpi.count_pct),
    )


def kpis_from_figures(figures: pl.LazyFrame) -> pl.LazyFrame:
    """A run's KPI numbers and denominators read back from the store's long figures, PI1's included."""
    parts = pl.col("measure").str.extract_groups(r"^(?P<code>.*) (?P<column>count|denominator)$")
    return (
        figures.filter(pl.col("sheet").is_in([KPI_SHEET, INCOME_SHEET]))
        .with_columns(
            parts.struct.field("code").alias(Kpi.kpi_code), parts.struct.field("column").alias("column")
        )
        .filter(pl.col("column").is_not_null())
        .group_by(Kpi.kpi_code)
        .agg(
            pl.col("value")
            .filter(pl.col("column") == Kpi.count)
            .first()
            .round(0)
            .cast(pl.Int64)
            .alias(Kpi.count),
            pl.col("value")
            .filter(pl.col("column") == Kpi.denominator)
            .first()
            .round(0)
            .cast(pl.Int64)
            .alias(Kpi.denominator),
        )
    )


def kpi_table(current: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.LazyFrame:
    """The KPIs sheet: this year's figures and shares, last year's where they are known, and the change.

    The change is in percentage points for the percentage and as a percentage change for the number.
    """
    table = current.with_columns(
        pl.col(Kpi.count).cast(pl.Int64), pl.col(Kpi.denominator).cast(pl.Int64)
    ).with_columns(share(Kpi.count, Kpi.denominator).alias(Kpi.count_pct))
    if previous is None:
        table = table.with_columns(
            pl.lit(None, dtype=pl.Int64).alias(Kpi.previous_count),
            pl.lit(None, dtype=pl.Float64).alias(Kpi.previous_count_pct),
        )
    else:
        last = previous.select(
            Kpi.kpi_code,
            pl.col(Kpi.count).alias(Kpi.previous_count),
            share(Kpi.count, Kpi.denominator).alias(Kpi.previous_count_pct),
        )
        table = table.join(last, on=Kpi.kpi_code, how="left", maintain_order="left")
    table = table.with_columns(
        ((pl.col(Kpi.count_pct) - pl.col(Kpi.previous_count_pct)) * 100).alias(Kpi.change_points),
        pl.when(pl.col(Kpi.previous_count) > 0)
        .then(pl.col(Kpi.count) / pl.col(Kpi.previous_count) - 1)
        .alias(Kpi.change_pct),
    )
    return table.select(list(Kpi.to_schema().columns))
