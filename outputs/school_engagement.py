"""The school engagement (SMEP) tracker workbook (``<hub>-<year>-school-engagement.xlsx``, SPEC 3.2).

Sheets: Cover, Contents, Notes, then Schools (one row per school of the universe, red-amber-green ratings
coloured by conditional formatting), Summary (schools by phase and engagement level, with a stacked column
chart), Priorities (the schools to act on, by link officer then urgency, with every reason), Ofsted points (the eleven things hubs must do, beside the hub's evidence) and Exceptions (schools the
exports name outside the universe). The tables arrive computed; each is validated against its schema and laid
out under its schema's column titles. Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandera.polars as pa
import polars as pl

from outputs.house_style import RAG_FILLS, BarChart, Note, TableSheet, WorkbookMeta, write_workbook
from schemas.engagement import (
    LEVEL_COLUMNS,
    RAG_COLUMNS,
    EngagementSummaryRow,
    OfstedEvidenceRow,
    OutsideUniverseRow,
    PriorityRow,
    TrackerRow,
)
from schemas.outputs import column_titles

RAG_VALUE_FILLS = {column: RAG_FILLS for column in RAG_COLUMNS}


def school_engagement_path(output_dir: Path, hub_slug: str, year_slug: str) -> Path:
    """The tracker's path: ``<output_dir>/<hub>/<year>/<hub>-<year>-school-engagement.xlsx``."""
    return Path(output_dir) / hub_slug / year_slug / f"{hub_slug}-{year_slug}-school-engagement.xlsx"


def _sheet(
    model: type[pa.DataFrameModel], table: pl.DataFrame, sheet_name: str, title: str, description: str
) -> TableSheet:
    """A table sheet of ``table`` validated against ``model``, headed by the model's column titles."""
    return TableSheet(
        sheet_name=sheet_name,
        title=title,
        table=model.validate(table, lazy=True),
        column_titles=column_titles(model),
        description=description,
    )


def _summary_chart() -> BarChart:
    """Schools by engagement level, one stacked column per phase; the 'All phases' total row is left out."""
    return BarChart(
        title="Schools by phase and engagement level",
        category_column=str(EngagementSummaryRow.phase_name),
        value_columns=LEVEL_COLUMNS,
        value_axis_title="Schools",
        description="Stacked column chart of the number of schools at each engagement level in each phase, "
        "read from the table to its left (the all-phases row is not plotted).",
        stacked=True,
        skip_last_rows=1,
    )


def write_school_engagement(
    path: Path,
    meta: WorkbookMeta,
    *,
    tracker: pl.DataFrame,
    summary: pl.DataFrame,
    priorities: pl.DataFrame,
    ofsted: pl.DataFrame,
    exceptions: pl.DataFrame,
    notes: Sequence[Note],
) -> str:
    """Validate the tracker's tables and write the workbook atomically; return its SHA-256.

    Args:
        path: Where the workbook goes (see ``school_engagement_path``); parent folders are created.
        meta: The run that made the figures, shown on the cover.
        tracker: One row per school of the universe (``TrackerRow``).
        summary: Schools by phase, the 'All phases' row last (``EngagementSummaryRow``).
        priorities: Priority and overdue schools with their reasons, sorted for the link officers
            (``PriorityRow``).
        ofsted: Ofsted's eleven points beside the hub's evidence (``OfstedEvidenceRow``).
        exceptions: Schools named in the exports outside the universe (``OutsideUniverseRow``); may be empty.
        notes: The Notes sheet's rows.

    Raises:
        pandera.errors.SchemaErrors: a table does not match its schema; nothing is written.
    """
    schools = _sheet(
        TrackerRow,
        tracker,
        "Schools",
        "Schools of the hub's universe: engagement, ratings and activity this year",
        "One row per school. RAG: R red, A amber, G green (the letter is in the cell; the fill repeats it).",
    )
    by_phase = _sheet(
        EngagementSummaryRow,
        summary,
        "Summary",
        "Schools by phase and engagement level",
        "One row per phase, then all phases.",
    )
    sheets = [
        replace(schools, value_fills=RAG_VALUE_FILLS),
        replace(by_phase, chart=_summary_chart()),
        _sheet(
            PriorityRow,
            priorities,
            "Priorities",
            "Schools to act on, by link officer and urgency, with every reason",
            "One row per priority school or school with an overdue conversation or action, sorted by link officer "
            "(none recorded last), then urgency (1 act now, 2 plan a conversation, 3 keep in view), then URN.",
        ),
        _sheet(
            OfstedEvidenceRow,
            ofsted,
            "Ofsted points",
            "What Ofsted asks: its 2013 points for hubs and its school inspection framework, beside the hub's "
            "evidence",
            "One row per figure: first Ofsted's eleven points for hubs (Music in Schools, 2013), then each "
            "evaluation area of the school inspection framework the hub's settings name (config/ofsted/), with "
            "the hub's figures that speak to it. Ofsted asks schools for no music evidence of their own.",
        ),
        _sheet(
            OutsideUniverseRow,
            exceptions,
            "Exceptions",
            "Schools named in the exports that are not in the hub's universe",
            "One row per school and export. These schools are not on the Schools sheet.",
        ),
    ]
    return write_workbook(Path(path), meta, sheets, list(notes))
