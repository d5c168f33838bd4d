"""The annual funder return workbook (``<hub>-<year>-annual-return.xlsx``) for Arts Council England.

Sheets: Cover, Contents, Notes, then one table per duty. The tables arrive computed and are validated
against their output schema before anything is written; this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from outputs.house_style import BarChart, Note, TableSheet, WorkbookMeta, write_workbook
from schemas.outputs import KpiFigures, SchoolUniverseRow, column_titles

KPI_SHEET = "KPIs"
KPI_TITLE = "Arts Council England key performance indicators"
SCHOOLS_SHEET = "Schools"
SCHOOLS_TITLE = "Schools in the hub's area"
# Pandera gives model attributes as column names; str() says so to the type checker.
_KPI_CODE, _PCT, _PREVIOUS_PCT = (
    str(KpiFigures.kpi_code),
    str(KpiFigures.count_pct),
    str(KpiFigures.previous_count_pct),
)


def annual_return_path(output_dir: Path, hub_slug: str, year_slug: str) -> Path:
    """The annual return's path: ``<output_dir>/<hub>/<year>/<hub>-<year>-annual-return.xlsx``."""
    return Path(output_dir) / hub_slug / year_slug / f"{hub_slug}-{year_slug}-annual-return.xlsx"


def _kpi_sheet(kpis: pl.DataFrame) -> TableSheet:
    """The KPI table with a chart of this year's percentages (and last year's, when all are known)."""
    value_columns = [_PCT]
    # Excel plots a text cell such as [x] as zero, so last year's series is drawn only when it is complete.
    if kpis.get_column(_PREVIOUS_PCT).is_not_null().all():
        value_columns.append(_PREVIOUS_PCT)
    return TableSheet(
        sheet_name=KPI_SHEET,
        title=KPI_TITLE,
        table=kpis,
        column_titles=column_titles(KpiFigures),
        description=(
            "The five Arts Council England KPIs for the hub's area: each number, what it is out of, and the "
            "percentage, with last year's figures where the run history has them."
        ),
        chart=BarChart(
            title="KPI percentages",
            category_column=_KPI_CODE,
            value_columns=tuple(value_columns),
            value_axis_title="Percentage",
            description="Column chart of each KPI's percentage, read from the table to its left.",
        ),
    )


def _schools_sheet(schools: pl.DataFrame) -> TableSheet:
    """One row per school of the universe with the duties it was engaged on (Y/N)."""
    return TableSheet(
        sheet_name=SCHOOLS_SHEET,
        title=SCHOOLS_TITLE,
        table=schools,
        column_titles=column_titles(SchoolUniverseRow),
        description=(
            "One row per state-funded school in the hub's local authorities that was open during the year, "
            "with whether the hub engaged it on each duty (Y or N)."
        ),
    )


def write_annual_return(
    path: Path,
    meta: WorkbookMeta,
    *,
    kpis: pl.DataFrame,
    schools: pl.DataFrame,
    notes: Sequence[Note],
) -> str:
    """Validate the return's tables and write the workbook atomically; return its SHA-256.

    Args:
        path: Where the workbook goes (see ``annual_return_path``); parent folders are created.
        meta: The run that made the figures, shown on the cover.
        kpis: One row per KPI, validated against ``KpiFigures``.
        schools: One row per school of the universe, validated against ``SchoolUniverseRow``.
        notes: The Notes sheet's rows, as the caller built them.

    Raises:
        pandera.errors.SchemaErrors: a table does not match its schema; nothing is written.
    """
    kpis = KpiFigures.validate(kpis, lazy=True)
    schools = SchoolUniverseRow.validate(schools, lazy=True)
    sheets = [_kpi_sheet(kpis), _schools_sheet(schools)]
    return write_workbook(Path(path), meta, sheets, list(notes))
