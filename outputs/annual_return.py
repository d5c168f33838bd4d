"""The annual funder return workbook (``<hub>-<year>-annual-return.xlsx``) for the funder the layout names.

Sheets: Cover, Contents, Notes, then one table per sheet of the year's layout (``config/returns``). The
tables arrive computed and are validated against their output schema before anything is written; this module
only lays them out as the layout says: which sheets, in what order, which columns under which headings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import polars as pl

from outputs.house_style import BarChart, Note, TableSheet, WorkbookMeta, write_workbook
from schemas import one_pass
from schemas.output_tables import DutyFigures, IncomeKpiFigures, KpiFigures
from schemas.return_layout import RETURN_TABLES, ReturnLayout, SheetLayout
from schemas.vocabulary import NOT_APPLICABLE

# Pandera gives model attributes as column names; str() says so to the type checker.
_KPI_CODE, _PCT, _PREVIOUS_PCT = (
    str(KpiFigures.kpi_code),
    str(KpiFigures.count_pct),
    str(KpiFigures.previous_count_pct),
)


def annual_return_path(output_dir: Path, hub_slug: str, year_slug: str, *, published: bool = False) -> Path:
    """The annual return's path: ``<output_dir>/<hub>/<year>/<hub>-<year>-annual-return[-published].xlsx``."""
    suffix = "-published" if published else ""
    return Path(output_dir) / hub_slug / year_slug / f"{hub_slug}-{year_slug}-annual-return{suffix}.xlsx"


_DENOMINATOR, _COUNT_PCT = str(DutyFigures.denominator), str(DutyFigures.count_pct)
_CHANGE_PCT, _PREVIOUS_COUNT = str(KpiFigures.change_pct), str(KpiFigures.previous_count)
_CHANGE_POINTS = str(KpiFigures.change_points)
_TOTAL_INCOME, _SHARE, _PREVIOUS_AMOUNT = (
    str(IncomeKpiFigures.total_income_gbp),
    str(IncomeKpiFigures.share_pct),
    str(IncomeKpiFigures.previous_amount_gbp),
)


def return_purpose(layout: ReturnLayout, *, published: bool) -> str:
    """What the return's workbook is for, as its cover says."""
    use = (
        "This is the published variant: small numbers are suppressed, so it can be shared."
        if published
        else "It is management information for the hub and the funder: small numbers are not suppressed, so "
        "do not publish it; publish the variant marked Published on its cover."
    )
    return (
        f"The hub's annual data return to {layout.funder}, with the figures its template "
        f"'{layout.template}' asks for, for the hub's own schools and pupils. {use}"
    )


def _with_z(markers: dict[str, pl.Series], columns: tuple[str, ...], where: pl.Series) -> None:
    """[z] in ``columns`` where ``where`` is true, keeping a marker already given (such as [c])."""
    if not where.any():
        return
    z = pl.select(pl.when(pl.lit(where)).then(pl.lit(NOT_APPLICABLE))).to_series()
    for column in columns:
        given = markers.get(column)
        markers[column] = (given.cast(pl.String).fill_null(z) if given is not None else z).alias(column)


def not_applicable(table: pl.DataFrame, markers: Mapping[str, pl.Series]) -> dict[str, pl.Series]:
    """A table's markers with [z] where a figure cannot exist (GSS: not applicable, not [x] not available).

    A duty measure with no denominator has no Out of and no Percentage; a KPI that was 0 last year has no
    percentage change, and neither has PI1's amount; a share of no income at all does not exist. A marker
    already given (such as [c]) is kept.
    """
    result = dict(markers)
    if _DENOMINATOR in table.columns and _COUNT_PCT in table.columns and _KPI_CODE not in table.columns:
        _with_z(result, (_DENOMINATOR, _COUNT_PCT), table.get_column(_DENOMINATOR).is_null())
    if _TOTAL_INCOME in table.columns:
        # PI1 with no income at all: a share of nothing does not exist.
        _with_z(result, (_SHARE, _CHANGE_POINTS), table.get_column(_TOTAL_INCOME) == 0)
    previous = next((c for c in (_PREVIOUS_COUNT, _PREVIOUS_AMOUNT) if c in table.columns), None)
    if _CHANGE_PCT in table.columns and previous is not None:
        _with_z(result, (_CHANGE_PCT,), (table.get_column(previous) == 0).fill_null(False))
    return result


def _kpi_chart(kpis: pl.DataFrame) -> BarChart:
    """A chart of this year's percentages (and last year's, when all are known)."""
    value_columns = [_PCT]
    # Excel plots a text cell such as [x] as zero, so last year's series is drawn only when it is complete.
    if kpis.get_column(_PREVIOUS_PCT).is_not_null().all():
        value_columns.append(_PREVIOUS_PCT)
    return BarChart(
        title="KPI percentages",
        category_column=_KPI_CODE,
        value_columns=tuple(value_columns),
        value_axis_title="Percentage",
        description="Column chart of each KPI's percentage, read from the table to its left.",
    )


def _table_sheet(
    sheet: SheetLayout, table: pl.DataFrame, markers: Mapping[str, pl.Series], notes: Sequence[str]
) -> TableSheet:
    shown = table.select(list(sheet.columns))
    return TableSheet(
        sheet_name=sheet.name,
        title=sheet.title,
        table=shown,
        column_titles=sheet.column_titles(),
        description=sheet.description,
        notes=tuple(notes),
        markers={column: series for column, series in markers.items() if column in sheet.columns},
        chart=_kpi_chart(table) if sheet.table == "kpis" and _PCT in sheet.columns else None,
    )


def write_annual_return(
    path: Path,
    meta: WorkbookMeta,
    *,
    layout: ReturnLayout,
    tables: Mapping[str, pl.DataFrame],
    notes: Sequence[Note],
    table_notes: Mapping[str, Sequence[str]] | None = None,
    markers: Mapping[str, Mapping[str, pl.Series]] | None = None,
) -> str:
    """Validate the return's tables and write the workbook atomically; return its SHA-256.

    Args:
        path: Where the workbook goes (see ``annual_return_path``); parent folders are created.
        meta: The run that made the figures, shown on the cover; ``meta.published`` leaves out the sheets
            the layout marks as not published.
        layout: The year's layout: sheets in order, their columns and headings.
        tables: Each table the layout names, validated against its schema (RETURN_TABLES).
        notes: The Notes sheet's rows; ``table_notes`` the note numbers each table refers to.
        markers: Per table, per column, text shown instead of the value where not null (e.g. ``[c]``).

    Raises:
        pandera.errors.SchemaErrors: a table does not match its schema; nothing is written.
        KeyError: the layout names a table that was not given.
    """
    sheets = []
    for sheet in layout.sheets:
        if meta.published and not sheet.published:
            continue
        table = one_pass.validate(RETURN_TABLES[sheet.table], tables[sheet.table])
        sheets.append(
            _table_sheet(
                sheet,
                table,
                not_applicable(table, (markers or {}).get(sheet.table, {})),
                (table_notes or {}).get(sheet.table, ()),
            )
        )
    about = replace(meta, purpose=meta.purpose or return_purpose(layout, published=meta.published))
    return write_workbook(Path(path), about, sheets, list(notes))
