"""What a sheet shows (the year's layout) and which of its cells the published variant hides."""

from __future__ import annotations

import polars as pl

from schemas.output_tables import DutyFigures
from schemas.output_tables import DutyFigures as Fig
from schemas.output_tables import DutySheetFigures as Sheet
from schemas.output_tables import KpiFigures as Kpi
from schemas.return_layout import RETURN_TABLES, ReturnLayout, SheetLayout
from schemas.vocabulary import PERSONAL_UNITS, SUPPRESSED
from transforms.figures import ALL
from transforms.suppression import suppression_mask

# The KPI whose count is the total of a duty measure: hiding one must hide the other.
KPI_MEASURE_IDS = {
    "KPI 1": "wcet_pupils",
    "KPI 2": "ensemble_members",
    "KPI 3": "tuition_pupils",
    "KPI 4": "singing_regular",
}
_PARENT_MEASURE = "_parent_measure_id"


def shown_rows(table: pl.DataFrame, sheet: SheetLayout) -> pl.DataFrame:
    """The rows of a duty table the year's layout asks for: each measure's total and the listed breakdowns."""
    if sheet.breakdowns is None or Fig.breakdown not in table.columns:
        return table
    return table.filter(pl.col(Fig.breakdown).is_in([ALL, *sheet.breakdowns]))


def _small(column: str, threshold: int) -> pl.Expr:
    return pl.col(column).is_between(1, threshold, closed="both").fill_null(False)


def duty_suppression(table: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Which counts, denominators and percentages of a duty table the published variant hides.

    Counts of pupils (and of their enrolments, loans and places) from 1 to ``threshold`` are hidden, and
    enough others that none can be worked out from the groups that add up to a total. A denominator that is
    itself a small count of pupils, or a hidden total, is hidden too; so is any percentage made from a hidden
    number. Returns the table with Boolean columns count, denominator and count_pct (True: hide).
    """
    personal = pl.col(Fig.unit).is_in(list(PERSONAL_UNITS))
    rows = table.with_row_index("_row")
    counted = rows.filter(personal).with_columns(
        pl.when(pl.col(Fig.parent_breakdown).is_not_null())
        .then(pl.col(Fig.measure_id))
        .alias(_PARENT_MEASURE)
    )
    mask = suppression_mask(
        counted.with_columns(pl.col(Fig.count).round(0).cast(pl.Int64)),
        value=Fig.count,
        key=[Fig.measure_id, Fig.breakdown, Fig.group],
        parent=[_PARENT_MEASURE, Fig.parent_breakdown, Fig.parent_group],
        threshold=threshold,
        within=[Fig.breakdown],
    )
    hidden = counted.select("_row", Fig.measure_id, Fig.breakdown, Fig.count).with_columns(
        mask.alias("_hidden")
    )
    hidden_totals = hidden.filter(pl.col("_hidden") & (pl.col(Fig.breakdown) == ALL)).select(
        Fig.measure_id, pl.col(Fig.count).alias("_hidden_total")
    )
    flags = (
        rows.join(hidden.select("_row", "_hidden"), on="_row", how="left")
        .join(hidden_totals, on=Fig.measure_id, how="left")
        .with_columns(pl.col("_hidden").fill_null(False))
        .with_columns(
            (
                personal
                & (_small(Fig.denominator, threshold) | (pl.col(Fig.denominator) == pl.col("_hidden_total")))
            )
            .fill_null(False)
            .alias("_hidden_denominator")
        )
        .sort("_row")
    )
    return pl.DataFrame(
        {
            Fig.count: flags.get_column("_hidden"),
            Fig.denominator: flags.get_column("_hidden_denominator"),
            Fig.count_pct: flags.get_column("_hidden") | flags.get_column("_hidden_denominator"),
        }
    )


def kpi_suppression(kpis: pl.DataFrame, duty_hidden_totals: set[str], *, threshold: int) -> pl.DataFrame:
    """Which KPI numbers and percentages the published variant hides: small pupil counts, and any KPI whose
    duty total is hidden on its own sheet.
    """
    pupil_kpi = pl.col(Kpi.kpi_code).is_in(list(KPI_MEASURE_IDS))
    linked = [code for code, measure in KPI_MEASURE_IDS.items() if measure in duty_hidden_totals]
    flags = kpis.select(
        (pupil_kpi & (_small(Kpi.count, threshold) | pl.col(Kpi.kpi_code).is_in(linked))).alias(Kpi.count),
        (pupil_kpi & _small(Kpi.previous_count, threshold)).alias(Kpi.previous_count),
    )
    flags = flags.with_columns(
        pl.col(Kpi.count).alias(Kpi.count_pct), pl.col(Kpi.previous_count).alias(Kpi.previous_count_pct)
    )
    # A change made from a hidden number would give it away.
    either = flags.get_column(Kpi.count) | flags.get_column(Kpi.previous_count)
    return flags.with_columns(either.alias(Kpi.change_points), either.alias(Kpi.change_pct))


def last_year_suppression(table: pl.DataFrame, flags: pl.DataFrame, *, threshold: int) -> pl.DataFrame:
    """Which of a duty sheet's last-year figures and changes the published variant hides.

    Last year's numbers are protected as this year's are (small counts of pupils and enough others that none
    can be worked out from its totals); a change is hidden when this year's or last year's number is.
    """
    last = table.with_columns(
        pl.col(Sheet.previous_count).alias(Fig.count),
        pl.lit(None, dtype=pl.Float64).alias(Fig.denominator),
        pl.col(Sheet.previous_count_pct).alias(Fig.count_pct),
    )
    hidden = duty_suppression(last.select(list(DutyFigures.to_schema().columns)), threshold=threshold)
    previous = hidden.get_column(Fig.count)
    return pl.DataFrame(
        {
            Sheet.previous_count: previous,
            Sheet.previous_count_pct: previous,
            Sheet.change_count: previous | flags.get_column(Fig.count),
        }
    )


def hidden_totals(table: pl.DataFrame, flags: pl.DataFrame) -> set[str]:
    """Measures of a duty table whose total ('All') the published variant hides."""
    hidden = table.filter(flags.get_column(Fig.count) & (pl.col(Fig.breakdown) == ALL))
    return set(hidden.get_column(Fig.measure_id).to_list())


def markers(flags: pl.DataFrame) -> dict[str, pl.Series]:
    """Flags turned into the workbook's cell markers: '[c]' where hidden, empty elsewhere."""
    return {
        column: pl.select(pl.when(flags.get_column(column)).then(pl.lit(SUPPRESSED)))
        .to_series()
        .alias(column)
        for column in flags.columns
        if flags.get_column(column).any()
    }


# The tidy duty tables: their pupil counts are what the published variant protects.
DUTY_TABLES = tuple(name for name, model in RETURN_TABLES.items() if issubclass(model, DutyFigures))


def shown_tables(tables: dict[str, pl.DataFrame], layout: ReturnLayout) -> dict[str, pl.DataFrame]:
    """The tables the year's layout shows, each cut to the rows it asks for."""
    return {
        sheet.table: shown_rows(tables[sheet.table], sheet)
        for sheet in layout.sheets
        if sheet.table in tables
    }


def published_markers(shown: dict[str, pl.DataFrame], *, threshold: int) -> dict[str, dict[str, pl.Series]]:
    """Per table, per column, '[c]' where the published variant hides a figure (see duty_suppression)."""
    result: dict[str, dict[str, pl.Series]] = {}
    hidden: set[str] = set()
    for name in DUTY_TABLES:
        if name in shown:
            flags = duty_suppression(
                shown[name].select(list(DutyFigures.to_schema().columns)), threshold=threshold
            )
            hidden |= hidden_totals(shown[name], flags)
            if Sheet.previous_count in shown[name].columns:
                flags = pl.concat(
                    [flags, last_year_suppression(shown[name], flags, threshold=threshold)], how="horizontal"
                )
            result[name] = markers(flags)
    if "kpis" in shown:
        result["kpis"] = markers(kpi_suppression(shown["kpis"], hidden, threshold=threshold))
    return result
