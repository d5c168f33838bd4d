"""The school engagement (SMEP) tracker workbook (``<hub>-<year>-school-engagement.xlsx``, SPEC 3.2).

Sheets: Cover, Contents, Notes, then Schools (one row per school of the universe, red-amber-green ratings
coloured by conditional formatting), Summary (schools by phase and engagement level, with a stacked column
chart, and below it a map of the schools: a scatter chart of their grid references), Map (the map's figures:
each school's series and grid reference), Priorities (the schools to act on, by link officer then urgency,
with every reason), Ofsted points (the 2013 points for hubs and the school inspection framework's areas, beside
the hub's evidence) and Exceptions (schools the exports name outside the universe). The tables arrive computed;
each is validated against its schema and laid out under its schema's column titles. Nothing is computed here
but where a cell is not applicable ([z], GSS) rather than not available ([x]).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from outputs.house_style import (
    BarChart,
    Note,
    TableLayout,
    TableSheet,
    WorkbookMeta,
    safe_sheet_name,
    set_document_properties,
    write_contents,
    write_cover,
    write_notes,
    write_sheet,
)
from outputs.school_brief import print_data_sheet
from outputs.theme import RAG_FILLS, house_formats
from outputs.workbook_files import collection_paused, open_workbook, write_bytes_atomically
from schemas import one_pass
from schemas.engagement import (
    LEVEL_COLUMNS,
    RAG_COLUMNS,
    EngagementSummaryRow,
    MapPointRow,
    OfstedEvidenceRow,
    OutsideUniverseRow,
    PriorityRow,
    TrackerRow,
)
from schemas.output_tables import column_titles
from schemas.vocabulary import MAINTAINED_SCHOOL_TYPES, NO_WCET_PHASES, NOT_APPLICABLE

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
        table=one_pass.validate(model, table),
        column_titles=column_titles(model),
        description=description,
    )


def _z_where(table: pl.DataFrame, column: str, condition: pl.Expr) -> pl.Series:
    """[z] where ``column`` is empty and ``condition`` holds, else null (the cell shows its value, or [x])."""
    return table.select(
        pl.when(pl.col(column).is_null() & condition).then(pl.lit(NOT_APPLICABLE)).alias(column)
    ).to_series()


def tracker_not_applicable(tracker: pl.DataFrame) -> dict[str, pl.Series]:
    """The Schools sheet's [z] cells (GSS: not applicable, where [x] is not available).

    A school maintained by its local authority is in no academy trust, and a secondary school has no
    whole-class ensemble teaching to rate; an empty trust of an academy, or an empty rating of a primary
    school, is not available ([x]).
    """
    return {
        str(TrackerRow.trust_name): _z_where(
            tracker, TrackerRow.trust_name, pl.col(TrackerRow.type_name).is_in(MAINTAINED_SCHOOL_TYPES)
        ),
        str(TrackerRow.rag_wcet): _z_where(
            tracker, TrackerRow.rag_wcet, pl.col(TrackerRow.phase_name).is_in(NO_WCET_PHASES)
        ),
    }


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
    map_points: pl.DataFrame,
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
        map_points: Every school with its grid reference and map series, series after series (``MapPointRow``).
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
        "One row per school. RAG: R red, A amber, G green (the letter is in the cell; the fill repeats it). "
        "[z]: not applicable (a school maintained by its local authority is in no trust; a secondary school "
        "has no WCET to rate); [x]: not recorded.",
    )
    by_phase = _sheet(
        EngagementSummaryRow,
        summary,
        "Summary",
        "Schools by phase and engagement level",
        "One row per phase, then all phases. Below the column chart, a map of the schools (a scatter chart of "
        "their grid references); its figures are on the Map sheet.",
    )
    points = _sheet(
        MapPointRow,
        map_points,
        MAP_SHEET,
        "Where the hub's schools are: priority, engaged and not engaged",
        "One row per school, series after series, with its Ordnance Survey grid reference from GIAS (metres): "
        "the figures of the map on the Summary sheet. Schools GIAS gives no grid reference for are last, not "
        "plotted.",
    )
    sheets = [
        replace(schools, value_fills=RAG_VALUE_FILLS, markers=tracker_not_applicable(schools.table)),
        replace(by_phase, chart=_summary_chart()),
        points,
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
    with collection_paused():  # see house_style.collection_paused: a third of the time of writing
        return _write(Path(path), meta, sheets, list(notes))


MAP_SHEET = "Map"
# Each series its own marker shape, so the map does not rest on colour alone.
# Colours from the Okabe-Ito palette, told apart with colour blindness too.
_MARKERS = {
    "Not engaged": ("triangle", "#E69F00"),
    "Priority": ("diamond", "#CC79A7"),
    "Engaged": ("circle", "#0072B2"),
}
_GRID_STEP = 10_000  # axes start and end on whole 10 km lines around the schools
_MAP_DESCRIPTION = (
    "Map of the hub's schools: a scatter chart of each school's grid reference from GIAS (easting across, "
    "northing up, metres): schools not engaged as orange triangles, engaged schools that are a priority as pink "
    "diamonds, other engaged schools as blue circles. The same figures are in the table on the Map sheet."
)


def _write(path: Path, meta: WorkbookMeta, sheets: Sequence[TableSheet], notes: Sequence[Note]) -> str:
    """Cover, Contents, Notes, then the sheets (as the house style lays them out), and the map on Summary."""
    buffer = io.BytesIO()
    workbook = open_workbook(buffer)
    set_document_properties(workbook, meta)
    formats = house_formats(workbook)
    write_cover(workbook, meta, formats=formats)
    taken = ["Cover", "Contents", "Notes"]
    for sheet in sheets:
        taken.append(safe_sheet_name(sheet.sheet_name, taken))
    contents = [
        ("Cover", "About this workbook: hub, period, run, code version and source files"),
        ("Notes", "Notes referred to in the tables"),
        *((name, sheet.title) for name, sheet in zip(taken[3:], sheets, strict=True)),
    ]
    write_contents(workbook, contents, formats=formats)
    write_notes(workbook, notes, formats=formats)
    layouts: dict[str, TableLayout] = {}
    for sheet in sheets:
        layout = write_sheet(workbook, sheet, formats)
        print_data_sheet(layout.worksheet, layout, meta.title)
        layouts[sheet.sheet_name] = layout
    points = next(sheet.table for sheet in sheets if sheet.sheet_name == MAP_SHEET)
    _add_map(workbook, layouts["Summary"], layouts[MAP_SHEET], points)
    workbook.close()
    return write_bytes_atomically(path, buffer.getvalue())


def _add_map(workbook: Any, summary: TableLayout, layout: TableLayout, points: pl.DataFrame) -> None:
    """A scatter chart on Summary, below its column chart, reading each series' rows of the Map table."""
    if points.is_empty():
        return
    name = layout.worksheet.get_name()
    east, north = (
        layout.column_index(str(MapPointRow.easting)),
        layout.column_index(str(MapPointRow.northing)),
    )
    chart = workbook.add_chart({"type": "scatter"})
    series = points.get_column(str(MapPointRow.series)).to_list()
    plotted = 0
    for label, (marker, colour) in _MARKERS.items():
        rows = [number for number, value in enumerate(series) if value == label]
        if not rows:
            continue
        first, last = layout.first_data_row + rows[0], layout.first_data_row + rows[-1]
        chart.add_series(
            {
                "name": label,
                "categories": [name, first, east, last, east],
                "values": [name, first, north, last, north],
                "marker": {
                    "type": marker,
                    "size": 6,
                    "fill": {"color": colour},
                    "border": {"color": colour},
                },
            }
        )
        plotted += 1
    if not plotted:
        return
    chart.set_title({"name": "Where the schools are"})
    for axis, column, title in ((chart.set_x_axis, east, "Easting"), (chart.set_y_axis, north, "Northing")):
        values = points.get_column(layout.columns[column]).drop_nulls()
        axis(
            {
                "name": f"{title} (metres)",
                "min": int(values.min()) // _GRID_STEP * _GRID_STEP,  # type: ignore[arg-type]
                "max": -(-int(values.max()) // _GRID_STEP) * _GRID_STEP,  # type: ignore[arg-type]
                "major_gridlines": {"visible": True},
                "num_format": "#,##0",
            }
        )
    chart.set_legend({"position": "bottom"})
    summary.worksheet.insert_chart(
        summary.header_row + 22,
        len(summary.columns) + 1,
        chart,
        {"description": _MAP_DESCRIPTION, "x_scale": 1.3, "y_scale": 1.6},
    )
