"""The house style's sheet writers, which every workbook shares: cover, contents and notes, table sheets.

The layout follows the Government Analysis Function's "Releasing statistics in spreadsheets": a cover sheet,
a contents sheet, a notes sheet, then one table per sheet, each a real Excel table with one header row
starting directly below the title and its description, no merged cells and no blank rows inside tables.
Missing values are shown with the guidance's shorthand in square brackets (``[c]`` suppressed, ``[x]`` not
available, ``[z]`` not applicable).

Writers only lay out what they are given: they never compute a figure. Workbooks are deterministic: the
``created`` document property comes from the run (``WorkbookMeta.created``), never from the wall clock, so
the same inputs give byte-identical files and a workbook's SHA-256 can go into provenance. The look (fonts,
number formats, symbols) is outputs/theme.py; opening and writing the file safely, outputs/workbook_files.py.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from outputs.theme import (
    A4_PAPER,
    DISPLAY_TIME_ZONE,
    EMPTY_TABLE_TEXT,
    FILL_TEXT_COLOUR,
    HEX_COLOUR,
    NO,
    NUMBER_FORMATS,
    SYMBOLS,
    TABLE_STYLE,
    WORKBOOK_STATE,
    YES,
    HouseFormats,
    house_formats,
    workbook_state,
)
from outputs.workbook_files import collection_paused, open_workbook, write_bytes_atomically
from schemas.provenance import InputFileRecord
from schemas.vocabulary import NOT_AVAILABLE

_MAX_SHEET_NAME = 31
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"history"}
# Text starting with these would be read as a formula if a user re-entered it: mark it as text in Excel too.
_FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
_MIN_WIDTH, _MAX_WIDTH, _WRAP_TEXT_FROM = 6, 62, 60
_NOTE_NUMBER = re.compile(r"^(?:N|note\s*)?(\d+)$", re.IGNORECASE)


# -- What a workbook is made of -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookMeta:
    """What the cover sheet and document properties say about a workbook: the run that made it."""

    title: str
    hub_name: str
    period_label: str
    as_of: date
    run_id: str
    code_version: str
    created: datetime
    sources: tuple[InputFileRecord, ...]
    published: bool = False
    previous_run_id: str | None = None
    # The cover's "about" lines (GSS checklist): who makes the workbook, whom to ask, and what it is for.
    lead_organisation: str = ""
    contact: str = ""
    purpose: str = ""
    # The publication status line ("Published" / "Management information") belongs to the return's workbooks.
    show_status: bool = True


@dataclass(frozen=True)
class Note:
    """One row of the Notes sheet; tables refer to it by ``note_id``."""

    note_id: str
    text: str


@dataclass(frozen=True)
class BarChart:
    """A column chart of some numeric columns of a table sheet, placed to the right of the table.

    Series read the table's own cells, so the chart shows exactly the figures in the table.
    """

    title: str
    category_column: str
    value_columns: tuple[str, ...]
    value_axis_title: str = ""
    description: str = ""
    # Stacked columns: each category's bar is the sum of its series (e.g. schools by level within a phase).
    stacked: bool = False
    # Leave the table's last rows out of the chart, e.g. a total row that would dwarf the rest.
    skip_last_rows: int = 0

    def __post_init__(self) -> None:
        # xlsxwriter reads a chart title starting with "=" as a reference to a cell: titles are only text.
        for text in (self.title, self.value_axis_title):
            if text.startswith("="):
                raise ValueError(f"A chart title must not start with '=': {text!r}")
        if self.skip_last_rows < 0:
            raise ValueError(f"skip_last_rows must not be negative: {self.skip_last_rows}")


@dataclass(frozen=True)
class TableSheet:
    """A sheet holding one table.

    ``column_titles`` maps each column name to its heading. ``notes`` are note ids shown in a line above the
    table. ``markers`` maps a column name to a String series aligned with ``table``: where the series is not
    null its text (a shorthand such as ``[c]``) is shown instead of the value, so a numeric column can carry
    suppressed cells and stay numeric. ``value_fills`` maps a column name to {cell text: fill colour
    ``#RRGGBB``}: Excel conditional formatting over the column's data cells, so the colours follow the
    values when the table is sorted or filtered (``RAG_FILLS`` for red-amber-green columns).
    """

    sheet_name: str
    title: str
    table: pl.DataFrame
    column_titles: dict[str, str]
    description: str = ""
    notes: tuple[str, ...] = ()
    markers: Mapping[str, pl.Series] = field(default_factory=dict)
    chart: BarChart | None = None
    value_fills: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordSheet:
    """A sheet holding one record (one school's profile, say) as a two-column table: "Item" and "Value".

    ``record`` maps a field name to its value, in the order shown; ``titles`` maps each field name to the
    label shown in the Item column. Each value keeps its type, as in a table column of that type: numbers are
    numbers (``_pct`` fields as percentages, ``_gbp`` as pounds), dates are dates, booleans Y/N, a missing
    value ``[x]``, and text is never a formula. ``value_fills`` colours a field's value cell as
    ``TableSheet.value_fills`` colours a column.
    """

    sheet_name: str
    title: str
    record: Mapping[str, Any]
    titles: Mapping[str, str]
    description: str = ""
    notes: tuple[str, ...] = ()
    value_fills: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


Sheet = TableSheet | RecordSheet
RECORD_HEADINGS = ("Item", "Value")


@dataclass(frozen=True)
class TableLayout:
    """Where a table landed on its sheet (zero-indexed, header row included)."""

    worksheet: Worksheet
    header_row: int
    first_data_row: int
    last_row: int
    columns: tuple[str, ...]

    def column_index(self, name: str) -> int:
        """Zero-indexed sheet column of the table column ``name``."""
        return self.columns.index(name)


# -- Names ------------------------------------------------------------------------------------------------


def safe_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    cleaned = _INVALID_SHEET_CHARS.sub("-", name)
    cleaned = "".join(ch for ch in cleaned if ch.isprintable()).strip().strip("'").strip()
    if not cleaned or cleaned.lower() in _RESERVED_SHEET_NAMES:
        cleaned = f"Sheet {cleaned}".strip()
    cleaned = cleaned[:_MAX_SHEET_NAME].rstrip().rstrip("'")
    taken_lower = {t.lower() for t in taken}
    candidate, n = cleaned, 1
    while candidate.lower() in taken_lower:
        n += 1
        suffix = f" ({n})"
        candidate = cleaned[: _MAX_SHEET_NAME - len(suffix)].rstrip().rstrip("'") + suffix
    return candidate


def _table_name(workbook: Workbook, sheet_name: str, suffix: str = "") -> str:
    """An Excel table name made from the sheet name, unique in the workbook (Excel ignores case)."""
    stem = re.sub(r"[^0-9A-Za-z_]+", "_", sheet_name + suffix).strip("_") or "table"
    base = f"tbl_{stem}"[:200]
    taken = workbook_state(workbook).table_names
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate.lower())
    return candidate


def internal_link(sheet_name: str, cell: str = "A1") -> str:
    """An xlsxwriter URL that jumps to ``cell`` of ``sheet_name`` in the same workbook."""
    return f"internal:'{sheet_name.replace(chr(39), chr(39) * 2)}'!{cell}"


def note_label(note_id: str) -> str:
    """A note's number as the Notes sheet shows it: ``note 3`` for ``N3`` (GSS style), else the id as given."""
    match = _NOTE_NUMBER.match(note_id.strip())
    return f"note {match.group(1)}" if match else note_id


def note_marker(note_id: str) -> str:
    """A note's marker as a table shows it: ``[note 3]``."""
    return f"[{note_label(note_id)}]"


def _utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without tzinfo; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _display_time(moment: datetime) -> datetime:
    """``moment`` as UK wall-clock time without tzinfo (Excel has no time zones)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(DISPLAY_TIME_ZONE)).replace(tzinfo=None)


def set_document_properties(workbook: Workbook, meta: WorkbookMeta) -> None:
    """Document properties from the run, including ``created``, so equal runs give equal bytes."""
    workbook.set_properties(
        {
            "title": meta.title,
            "subject": f"{meta.hub_name}, {meta.period_label}",
            "author": "hubreturns",
            "company": meta.hub_name,
            "keywords": f"Music Hub, {meta.hub_name}, {meta.period_label}",
            "comments": f"Run {meta.run_id}; code version {meta.code_version}",
            "status": "Published" if meta.published else "Not for publication",
            "created": _utc_naive(meta.created),
        }
    )
    workbook.set_custom_property("Hub", meta.hub_name)
    workbook.set_custom_property("Period", meta.period_label)
    workbook.set_custom_property("As at", meta.as_of.isoformat())
    workbook.set_custom_property("Run id", meta.run_id)
    workbook.set_custom_property("Code version", meta.code_version)
    workbook.set_custom_property("Published", meta.published)


# -- Cells --------------------------------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """Whether Excel would read ``text`` as a formula if a user typed it in (or pasted it as values)."""
    return text.startswith(_FORMULA_LEADERS)


def write_text(
    worksheet: Worksheet, row: int, col: int, text: str, cell_format: Format | None, formats: HouseFormats
) -> None:
    """Write ``text`` as a text cell, never a formula; formula-like text also gets Excel's quote prefix."""
    chosen = formats.quoted(cell_format) if looks_like_formula(text) else cell_format
    # As in table cells, text beyond Excel's 32,767 characters is cut there rather than failing the run.
    worksheet.write_string(row, col, text, chosen)


def _write_lines(
    worksheet: Worksheet, first_row: int, lines: Sequence[str], cell_format: Format, formats: HouseFormats
) -> int:
    """Write each line as text in column A; return the next free row."""
    for offset, line in enumerate(lines):
        write_text(worksheet, first_row + offset, 0, line, cell_format, formats)
    return first_row + len(lines)


def _write_label_values(
    worksheet: Worksheet, first_row: int, pairs: Sequence[tuple[str, Any]], formats: HouseFormats
) -> int:
    """Write label/value pairs in columns A and B; dates are real dates; return the next free row."""
    for offset, (label, value) in enumerate(pairs):
        row = first_row + offset
        worksheet.write_string(row, 0, label, formats.style("label"))
        if isinstance(value, datetime):
            worksheet.write_datetime(
                row, 1, value, formats.get(num_format=NUMBER_FORMATS["datetime"], align="left")
            )
        elif isinstance(value, date):
            worksheet.write_datetime(
                row, 1, value, formats.get(num_format=NUMBER_FORMATS["date"], align="left")
            )
        else:
            write_text(worksheet, row, 1, str(value), formats.style("wrapped_text"), formats)
    return first_row + len(pairs)


def _check(result: int, what: str) -> None:
    # xlsxwriter reports many errors as return codes and a warning; make them real errors.
    if result != 0:
        raise ValueError(f"xlsxwriter could not {what} (code {result})")


# -- The standard sheets ------------------------------------------------------------------------------------


def write_cover(
    workbook: Workbook,
    meta: WorkbookMeta,
    *,
    summary_lines: Sequence[str] = (),
    formats: HouseFormats | None = None,
) -> Worksheet:
    """The cover sheet: title, hub, period, as-of date, run, code version, shorthand and source files."""
    formats = formats or house_formats(workbook)
    worksheet = workbook.add_worksheet("Cover")
    worksheet.set_column(0, 0, 26)
    worksheet.set_column(1, 1, 44)
    worksheet.set_column(2, 2, 68)
    worksheet.set_column(3, 5, 16)
    write_text(worksheet, 0, 0, meta.title, formats.style("title"), formats)
    row = _write_lines(
        worksheet, 1, [f"{meta.hub_name}, {meta.period_label}"], formats.style("subtitle"), formats
    )
    if meta.purpose:
        row = _write_lines(worksheet, row, [meta.purpose], formats.style("text"), formats)
    status = (
        "Published: small numbers are suppressed and shown as [c]"
        if meta.published
        else "Management information, not for publication: small numbers are not suppressed"
    )
    row = _write_label_values(
        worksheet,
        row,
        [
            ("Hub", meta.hub_name),
            *([("Lead organisation", meta.lead_organisation)] if meta.lead_organisation else []),
            ("Period", meta.period_label),
            ("Figures as at", meta.as_of),
            ("Publication date", _display_time(meta.created).date()),
            *([("Status", status)] if meta.show_status else []),
            *([("Contact", meta.contact)] if meta.contact else []),
            ("Run id", meta.run_id),
            *([("Compared with run", meta.previous_run_id)] if meta.previous_run_id else []),
            ("Code version", meta.code_version),
            (f"Created ({DISPLAY_TIME_ZONE} time)", _display_time(meta.created)),
        ],
        formats,
    )
    if summary_lines:
        row = _write_lines(worksheet, row, ["Summary"], formats.style("subtitle"), formats)
        row = _write_lines(worksheet, row, list(summary_lines), formats.style("text"), formats)
    row = _write_lines(
        worksheet, row, ["Shorthand used in this workbook"], formats.style("subtitle"), formats
    )
    row = _write_label_values(worksheet, row, list(SYMBOLS.items()), formats)
    row = _write_lines(worksheet, row, ["Source files"], formats.style("subtitle"), formats)
    if not meta.sources:
        _write_lines(
            worksheet, row, ["No source files were recorded for this run."], formats.style("text"), formats
        )
        return worksheet
    sources = pl.DataFrame(
        {
            "source": [s.source for s in meta.sources],
            "file": [s.file_name for s in meta.sources],
            "sha256": [s.sha256 for s in meta.sources],
            "rows_read": [s.rows_read for s in meta.sources],
            "rows_kept": [s.rows_kept for s in meta.sources],
            "rows_quarantined": [s.rows_quarantined for s in meta.sources],
        },
        schema={
            "source": pl.String,
            "file": pl.String,
            "sha256": pl.String,
            "rows_read": pl.Int64,
            "rows_kept": pl.Int64,
            "rows_quarantined": pl.Int64,
        },
    )
    titles = {
        "source": "Source",
        "file": "File",
        "sha256": "SHA-256",
        "rows_read": "Rows read",
        "rows_kept": "Rows kept",
        "rows_quarantined": "Rows quarantined",
    }
    _write_table(
        workbook, worksheet, row, sources, titles, {}, formats, table_suffix="_sources", widths=False
    )
    return worksheet


def write_contents(
    workbook: Workbook, sheets: Sequence[tuple[str, str]], *, formats: HouseFormats | None = None
) -> Worksheet:
    """The contents sheet: one row per sheet (name, description), each name a link to the sheet."""
    formats = formats or house_formats(workbook)
    worksheet = workbook.add_worksheet("Contents")
    worksheet.write_string(0, 0, "Contents", formats.style("title"))
    worksheet.write_string(
        1,
        0,
        "This worksheet contains one table. Select a sheet name to go to that sheet.",
        formats.style("text"),
    )
    header_row = 2
    worksheet.set_column(0, 0, max([12, *(len(name) + 2 for name, _ in sheets)]))
    worksheet.set_column(1, 1, 90, formats.style("wrapped_text"))
    if not sheets:
        _write_empty_table(
            workbook, worksheet, header_row, ("Sheet name", "Description"), formats, "Contents"
        )
        return worksheet
    workbook_state(workbook).header_rows.setdefault(worksheet.get_name(), header_row)
    for offset, (name, description) in enumerate(sheets):
        row = header_row + 1 + offset
        _check(worksheet.write_url(row, 0, internal_link(name), None, string=name), f"link to sheet {name!r}")
        write_text(worksheet, row, 1, description, formats.style("wrapped_text"), formats)
    _check(
        worksheet.add_table(
            header_row,
            0,
            header_row + len(sheets),
            1,
            {
                "name": _table_name(workbook, "Contents"),
                "style": TABLE_STYLE,
                "columns": [
                    {"header": "Sheet name", "header_format": formats.style("column_heading")},
                    {"header": "Description", "header_format": formats.style("column_heading")},
                ],
            },
        ),
        "add the contents table",
    )
    worksheet.freeze_panes(header_row + 1, 0)
    return worksheet


def write_notes(
    workbook: Workbook, notes: Sequence[Note], *, formats: HouseFormats | None = None
) -> Worksheet:
    """The notes sheet: one row per note (id, text); tables refer to notes by id."""
    formats = formats or house_formats(workbook)
    worksheet = workbook.add_worksheet("Notes")
    worksheet.write_string(0, 0, "Notes", formats.style("title"))
    worksheet.write_string(
        1,
        0,
        "This worksheet contains one table. Tables refer to these notes by number, as [note 1]."
        if notes
        else "This worksheet contains one table. There are no notes for this workbook.",
        formats.style("text"),
    )
    labels = [note_label(note.note_id) for note in notes]
    if len({label.lower() for label in labels}) != len(labels):
        raise ValueError(f"Note ids must be unique: {[note.note_id for note in notes]}")
    cells = workbook_state(workbook).note_cells
    for offset, note in enumerate(notes):
        cells[note.note_id] = f"A{2 + 1 + offset + 1}"
    table = pl.DataFrame(
        {"note_id": labels, "text": [note.text for note in notes]},
        schema={"note_id": pl.String, "text": pl.String},
    )
    _write_table(
        workbook,
        worksheet,
        2,
        table,
        {"note_id": "Note number", "text": "Note text"},
        {},
        formats,
        widths=False,
    )
    worksheet.set_column(0, 0, 14)
    worksheet.set_column(1, 1, 100, formats.style("wrapped_text"))
    return worksheet


# -- Table sheets -------------------------------------------------------------------------------------------


def _column_kind(name: str, dtype: pl.DataType) -> str:
    """How a column is shown, from its dtype and its name's suffix."""
    if dtype == pl.Boolean:
        return "bool"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype.is_numeric():
        if name.endswith("_pct"):
            return "pct"
        if name.endswith("_gbp"):
            return "gbp"
        if dtype.is_integer():
            # Years and codes are labels, not quantities: no thousands separator.
            return "plain_integer" if name.endswith(("_year", "_code")) else "integer"
        return "float"
    return "text"


def _display_width(kind: str, values: Sequence[Any]) -> int:
    """The characters needed to show the column's longest value (``values`` as from ``_prepared_values``)."""
    # Plain Python over the prepared values: tables here are small, and a Polars call per column costs more.
    non_null = [v for v in values if v is not None]
    if not non_null:
        return 3
    if kind == "text":
        return (
            max(map(len, non_null))
            if all(v.__class__ is str for v in non_null)
            else max(len(str(v)) for v in non_null)
        )
    if kind == "bool":
        return 1
    if kind == "date":
        return 10
    if kind == "datetime":
        return 16
    finite = [abs(float(v)) for v in non_null if math.isfinite(float(v))]
    if not finite:
        return 3
    largest = max(finite)
    if kind == "pct":
        return len(f"{largest * 100:,.1f}%") + 1
    if kind == "gbp":
        return len(f"£{largest:,.2f}") + 1
    if kind == "float":
        return len(f"{largest:,.2f}") + 1
    if kind == "plain_integer":
        return len(f"{largest:.0f}") + 1
    return len(f"{largest:,.0f}") + 1


def _column_width(title: str, kind: str, values: Sequence[Any], display_width: int | None = None) -> float:
    """A column's width: its heading's longest word (or the heading, up to 24) or its longest value.

    ``display_width`` is ``_display_width(kind, values)`` when the caller has it already.
    """
    longest_word = max((len(word) for word in title.split()), default=0)
    header = max(longest_word, min(len(title), 24))
    shown = _display_width(kind, values) if display_width is None else display_width
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, header, shown) + 2))


def _prepared_values(values: pl.Series, kind: str) -> list[Any]:
    """Python values ready for xlsxwriter: datetimes as UK wall-clock time without tzinfo."""
    if kind == "datetime" and isinstance(values.dtype, pl.Datetime) and values.dtype.time_zone is not None:
        values = values.dt.convert_time_zone(DISPLAY_TIME_ZONE).dt.replace_time_zone(None)
    if kind == "text" and values.dtype != pl.String:
        try:
            values = values.cast(pl.String)
        except pl.exceptions.PolarsError:
            # Nested and object values have no String cast: show their Python text.
            return [None if v is None else str(v) for v in values.to_list()]
    return values.to_list()


def _write_column(
    worksheet: Worksheet,
    first_row: int,
    col: int,
    kind: str,
    values: Sequence[Any],
    markers: Sequence[str | None] | None,
    formats: HouseFormats,
    wrap: bool,
) -> Format | None:
    """Write one column's values below its header; return the column's data format."""
    numeric = kind not in ("text", "bool")
    symbol_format = formats.style("symbol") if numeric else formats.style("text")
    if kind == "text":
        value_format = formats.style("wrapped_text" if wrap else "text")
        quoted_format = formats.style("wrapped_text" if wrap else "text", quote_prefix=True)
    elif kind == "bool":
        value_format = formats.get(align="center", valign="top")
    else:
        value_format = formats.number(kind)
    if kind == "float" and all(
        float(v).is_integer() for v in values if v is not None and math.isfinite(float(v))
    ):
        # A column of decimals holding only whole numbers (counts) is shown without decimals: one format
        # per column either way (GSS checklist), never a count beside hours in two formats.
        value_format = formats.number("integer")
    # xlsxwriter's own cell writers, without the public methods' argument parsing (A1 or row/column): one
    # call per cell instead of three. They take the same arguments and store the same cells.
    write_string, write_number = worksheet._write_string, worksheet._write_number
    rows = range(first_row, first_row + len(values))
    shown_markers: Iterable[str | None] = markers if markers is not None else repeat(None)
    if kind == "text":
        for row, value, marker in zip(rows, values, shown_markers, strict=False):
            if marker is not None:
                write_string(row, col, marker, symbol_format)
            elif value is None:
                write_string(row, col, NOT_AVAILABLE, symbol_format)
            else:
                text = value if value.__class__ is str else str(value)
                write_string(
                    row, col, text, quoted_format if text.startswith(_FORMULA_LEADERS) else value_format
                )
    elif kind == "bool":
        for row, value, marker in zip(rows, values, shown_markers, strict=False):
            if marker is not None:
                write_string(row, col, marker, symbol_format)
            elif value is None:
                write_string(row, col, NOT_AVAILABLE, symbol_format)
            else:
                write_string(row, col, YES if value else NO, value_format)
    elif kind in ("date", "datetime"):
        write_datetime = worksheet._write_datetime
        for row, value, marker in zip(rows, values, shown_markers, strict=False):
            if marker is not None:
                write_string(row, col, marker, symbol_format)
            elif value is None:
                write_string(row, col, NOT_AVAILABLE, symbol_format)
            else:
                write_datetime(row, col, value, value_format)
    else:
        for row, value, marker in zip(rows, values, shown_markers, strict=False):
            if marker is not None:
                write_string(row, col, marker, symbol_format)
            elif value is None or (isinstance(value, float) and not math.isfinite(value)):
                write_string(row, col, NOT_AVAILABLE, symbol_format)
            else:
                write_number(row, col, value if isinstance(value, int) else float(value), value_format)
    return value_format


def _write_empty_table(
    workbook: Workbook,
    worksheet: Worksheet,
    header_row: int,
    headings: Sequence[str],
    formats: HouseFormats,
    name_stem: str,
    *,
    description: str | None = None,
    columns: Sequence[str] | None = None,
) -> TableLayout:
    """An Excel table with its headings and one row saying it has no rows (GSS: a table even when empty)."""
    heading = formats.style("column_heading")
    worksheet.write_string(header_row + 1, 0, EMPTY_TABLE_TEXT, formats.style("text"))
    options: dict[str, Any] = {
        "name": _table_name(workbook, name_stem),
        "style": TABLE_STYLE,
        "columns": [{"header": title, "header_format": heading} for title in headings],
        "autofilter": False,
    }
    if description:
        options["description"] = description[:255]
    _check(
        worksheet.add_table(header_row, 0, header_row + 1, len(headings) - 1, options),
        f"add the empty table on sheet {worksheet.get_name()!r}",
    )
    workbook_state(workbook).header_rows.setdefault(worksheet.get_name(), header_row)
    return TableLayout(worksheet, header_row, header_row + 1, header_row, tuple(columns or headings))


def _write_table(
    workbook: Workbook,
    worksheet: Worksheet,
    header_row: int,
    table: pl.DataFrame,
    column_titles: Mapping[str, str],
    markers: Mapping[str, pl.Series],
    formats: HouseFormats,
    *,
    table_suffix: str = "",
    widths: bool = True,
    description: str | None = None,
) -> TableLayout:
    """Write ``table`` as an Excel table with its header at ``header_row``, column A."""
    columns = tuple(table.columns)
    missing = [c for c in columns if c not in column_titles]
    if missing:
        raise ValueError(f"No column title for {missing} on sheet {worksheet.get_name()!r}")
    unknown_markers = [c for c in markers if c not in columns]
    if unknown_markers:
        raise ValueError(f"Markers given for columns not in the table: {unknown_markers}")
    for name, series in markers.items():
        if series.len() != table.height:
            raise ValueError(f"Markers for {name!r} have {series.len()} rows; the table has {table.height}")
    heading = formats.style("column_heading")
    if table.is_empty():
        if widths:
            for col, name in enumerate(columns):
                worksheet.set_column(col, col, _column_width(column_titles[name], "text", []))
        return _write_empty_table(
            workbook,
            worksheet,
            header_row,
            tuple(column_titles[c] for c in columns),
            formats,
            worksheet.get_name() + table_suffix,
            description=description,
            columns=columns,
        )
    state = workbook_state(workbook)
    state.header_rows.setdefault(worksheet.get_name(), header_row)
    table_columns = []
    for col, name in enumerate(columns):
        series = table[name]
        kind = _column_kind(name, series.dtype)
        values = _prepared_values(series, kind)
        shown_width = _display_width(kind, values)
        width = _column_width(column_titles[name], kind, values, shown_width)
        wrap = kind == "text" and shown_width > _WRAP_TEXT_FROM
        marker_series = markers.get(name)
        data_format = _write_column(
            worksheet,
            header_row + 1,
            col,
            kind,
            values,
            marker_series.cast(pl.String).to_list() if marker_series is not None else None,
            formats,
            wrap,
        )
        if widths:
            worksheet.set_column(col, col, width)
        if kind == "text":
            state.text_ranges.setdefault(worksheet.get_name(), []).append(
                xl_range(header_row + 1, col, header_row + table.height, col)
            )
        table_columns.append({"header": column_titles[name], "header_format": heading, "format": data_format})
    options: dict[str, Any] = {
        "name": _table_name(workbook, worksheet.get_name(), table_suffix),
        "style": TABLE_STYLE,
        "columns": table_columns,
        "autofilter": True,
    }
    if description:
        options["description"] = description[:255]
    last_row = header_row + table.height
    _check(
        worksheet.add_table(header_row, 0, last_row, len(columns) - 1, options),
        f"add the table on sheet {worksheet.get_name()!r}",
    )
    return TableLayout(worksheet, header_row, header_row + 1, last_row, columns)


def _has_chart(sheet: TableSheet) -> bool:
    """Whether the sheet gets a chart: one is asked for and some row is left to plot."""
    return sheet.chart is not None and sheet.table.height > sheet.chart.skip_last_rows


def _add_chart(workbook: Workbook, layout: TableLayout, sheet: TableSheet) -> None:
    """A column chart of ``sheet.chart`` reading the table's cells, placed to the right of the table."""
    spec = sheet.chart
    if spec is None or not _has_chart(sheet):
        return
    name = layout.worksheet.get_name()
    category = layout.column_index(spec.category_column)
    last_plotted = layout.last_row - spec.skip_last_rows
    chart = workbook.add_chart({"type": "column", **({"subtype": "stacked"} if spec.stacked else {})})
    for column in spec.value_columns:
        col = layout.column_index(column)
        chart.add_series(
            {
                "name": [name, layout.header_row, col],
                "categories": [name, layout.first_data_row, category, last_plotted, category],
                "values": [name, layout.first_data_row, col, last_plotted, col],
            }
        )
    chart.set_title({"name": spec.title})
    value_axis: dict[str, Any] = {"major_gridlines": {"visible": True}}
    if spec.value_axis_title:
        value_axis["name"] = spec.value_axis_title
    if spec.value_columns and all(c.endswith("_pct") for c in spec.value_columns):
        value_axis["num_format"] = "0%"
    chart.set_y_axis(value_axis)
    chart.set_legend({"position": "bottom"})
    _check(
        layout.worksheet.insert_chart(
            layout.header_row,
            len(layout.columns) + 1,
            chart,
            {"description": spec.description or spec.title, "x_scale": 1.3, "y_scale": 1.3},
        ),
        f"insert the chart on sheet {name!r}",
    )


def write_table_sheet(
    workbook: Workbook, sheet: TableSheet, formats: HouseFormats | None = None
) -> TableLayout:
    """A sheet with a title in A1, its description and notes, then one Excel table with frozen headings."""
    formats = formats or house_formats(workbook)
    name = safe_sheet_name(sheet.sheet_name, [ws.get_name() for ws in workbook.worksheets()])
    worksheet = workbook.add_worksheet(name)
    header_row = _write_intro(
        workbook,
        worksheet,
        sheet.title,
        sheet.description,
        "This worksheet contains one table."
        + (" A chart is to the right of the table." if _has_chart(sheet) else ""),
        sheet.notes,
        formats,
    )
    layout = _write_table(
        workbook,
        worksheet,
        header_row,
        sheet.table,
        sheet.column_titles,
        sheet.markers,
        formats,
        description=sheet.description or sheet.title,
    )
    worksheet.freeze_panes(header_row + 1, 0)
    _add_value_fills(worksheet, _column_fill_ranges(layout, sheet.value_fills), formats)
    _add_chart(workbook, layout, sheet)
    return layout


def _write_intro(
    workbook: Workbook,
    worksheet: Worksheet,
    title: str,
    description: str,
    about: str,
    notes: Sequence[str],
    formats: HouseFormats,
) -> int:
    """The lines above a sheet's table: title in A1, its description and what the sheet holds.

    The table's notes are marked in its title, GSS style (``Title [note 1] [note 3]``), and the title then
    links to the first of them on the Notes sheet. Returns the row of the table's header.
    """
    lines = [description] if description else []
    lines.append(about)
    if not notes:
        write_text(worksheet, 0, 0, title, formats.style("title"), formats)
        return _write_lines(worksheet, 1, lines, formats.style("text"), formats)
    marked = " ".join([title, *(note_marker(note_id) for note_id in notes)])
    style = formats.style("title")
    cell = workbook_state(workbook).note_cells.get(notes[0], "A1")
    _check(
        worksheet.write_url(
            0,
            0,
            internal_link("Notes", cell),
            formats.quoted(style) if looks_like_formula(marked) else style,
            string=marked,
        ),
        f"link the notes of sheet {worksheet.get_name()!r} to the Notes sheet",
    )
    lines.append("The notes marked in the title apply to the whole table: select the title to read them.")
    return _write_lines(worksheet, 1, lines, formats.style("text"), formats)


def _excel_text_literal(text: str) -> str:
    """``text`` as a string constant in an Excel formula: in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


CellRange = tuple[int, int, int, int]


def _column_fill_ranges(
    layout: TableLayout, value_fills: Mapping[str, Mapping[str, str]]
) -> list[tuple[CellRange, Mapping[str, str]]]:
    """Each filled column's data cells (first row, col, last row, col) with its fills."""
    unknown = [column for column in value_fills if column not in layout.columns]
    if unknown:
        raise ValueError(
            f"Value fills given for {unknown}, not columns of sheet {layout.worksheet.get_name()!r}"
        )
    return [
        ((layout.first_data_row, col, layout.last_row, col), fills)
        for col, fills in ((layout.column_index(column), fills) for column, fills in value_fills.items())
    ]


def _add_value_fills(
    worksheet: Worksheet, fills_by_range: Sequence[tuple[CellRange, Mapping[str, str]]], formats: HouseFormats
) -> None:
    """Conditional formats filling each range's (first row, first col, last row, last col) cells equal to a text.

    Ranges with the same fills share one rule per text (one multi-range rule, not one per column or cell):
    fewer rules make a smaller file, and xlsxwriter's cost of writing a rule's formula is high.
    """
    grouped: dict[tuple[tuple[str, str], ...], list[CellRange]] = {}
    for cells, fills in fills_by_range:
        bad = [colour for colour in fills.values() if not HEX_COLOUR.match(colour)]
        if bad:
            raise ValueError(f"Fill colours must be #RRGGBB: {bad}")
        ranges = grouped.setdefault(tuple(fills.items()), [])
        if cells[2] >= cells[0]:
            ranges.append(cells)
    for fills, ranges in grouped.items():
        if not ranges:
            continue
        multi_range = (
            {"multi_range": " ".join(xl_range(*cells) for cells in ranges)} if len(ranges) > 1 else {}
        )
        for text, colour in fills:
            _check(
                worksheet.conditional_format(
                    *ranges[0],
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": _excel_text_literal(text),
                        "format": formats.get(bg_color=colour, font_color=FILL_TEXT_COLOUR),
                        **multi_range,
                    },
                ),
                f"add a fill for {text!r} on sheet {worksheet.get_name()!r}",
            )


# -- Record sheets ------------------------------------------------------------------------------------------


def _value_kind(name: str, value: Any) -> str:
    """How one record value is shown: as a table column of its Python type and field name would be."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, int):
        return _column_kind(name, pl.Int64)
    if isinstance(value, float):
        return _column_kind(name, pl.Float64)
    return "text"


def _record_value(kind: str, value: Any) -> Any:
    """A record value ready for xlsxwriter: datetimes as UK wall-clock time, other non-text values as text."""
    if kind == "datetime" and value.tzinfo is not None:
        return _display_time(value)
    if kind == "text" and value is not None and not isinstance(value, str):
        return str(value)
    return value


def _record_value_width(values: Iterable[Any]) -> float:
    """A width for the Value column: its longest value's text, within the house limits."""
    longest = max((len(str(v)) for v in values if v is not None), default=3)
    return float(min(_MAX_WIDTH, max(_MIN_WIDTH, len(RECORD_HEADINGS[1]), longest) + 2))


def write_record_sheet(
    workbook: Workbook, sheet: RecordSheet, formats: HouseFormats | None = None
) -> TableLayout:
    """A sheet with a title in A1, its description and notes, then the record as an Item/Value table."""
    formats = formats or house_formats(workbook)
    missing = [name for name in sheet.record if name not in sheet.titles]
    if missing:
        raise ValueError(f"No title for {missing} on sheet {sheet.sheet_name!r}")
    name = safe_sheet_name(sheet.sheet_name, [ws.get_name() for ws in workbook.worksheets()])
    worksheet = workbook.add_worksheet(name)
    header_row = _write_intro(
        workbook,
        worksheet,
        sheet.title,
        sheet.description,
        "This worksheet contains one table: one item of the record per row.",
        sheet.notes,
        formats,
    )
    fields = list(sheet.record)
    labels = [sheet.titles[f] for f in fields]
    worksheet.set_column(0, 0, _column_width(RECORD_HEADINGS[0], "text", labels))
    worksheet.set_column(1, 1, _record_value_width(sheet.record.values()))
    heading = formats.style("column_heading")
    if not fields:
        return _write_empty_table(
            workbook, worksheet, header_row, RECORD_HEADINGS, formats, name, description=sheet.description
        )
    workbook_state(workbook).header_rows.setdefault(name, header_row)
    text_rows = [
        xl_range(header_row + 1 + offset, 1, header_row + 1 + offset, 1)
        for offset, (field_name, value) in enumerate(sheet.record.items())
        if _value_kind(field_name, value) == "text"
    ]
    workbook_state(workbook).text_ranges.setdefault(name, []).extend(
        [xl_range(header_row + 1, 0, header_row + len(fields), 0), *text_rows]
    )
    _write_column(worksheet, header_row + 1, 0, "text", labels, None, formats, wrap=False)
    for offset, (field_name, value) in enumerate(sheet.record.items()):
        kind = _value_kind(field_name, value)
        row = header_row + 1 + offset
        shown_value = _record_value(kind, value)
        wrap = kind == "text" and len(str(shown_value)) > _WRAP_TEXT_FROM
        _write_column(worksheet, row, 1, kind, [shown_value], None, formats, wrap)
    unknown_fills = [f for f in sheet.value_fills if f not in sheet.record]
    if unknown_fills:
        raise ValueError(f"Value fills given for {unknown_fills}, not fields of sheet {name!r}")
    first_data_row = header_row + 1
    rows = {field_name: first_data_row + offset for offset, field_name in enumerate(fields)}
    _add_value_fills(
        worksheet, [((rows[f], 1, rows[f], 1), fills) for f, fills in sheet.value_fills.items()], formats
    )
    last_row = header_row + len(fields)
    _check(
        worksheet.add_table(
            header_row,
            0,
            last_row,
            1,
            {
                "name": _table_name(workbook, name),
                "style": TABLE_STYLE,
                "columns": [{"header": title, "header_format": heading} for title in RECORD_HEADINGS],
                "autofilter": True,
                "description": (sheet.description or sheet.title)[:255],
            },
        ),
        f"add the table on sheet {name!r}",
    )
    worksheet.freeze_panes(header_row + 1, 0)
    return TableLayout(worksheet, header_row, header_row + 1, last_row, RECORD_HEADINGS)


def write_sheet(workbook: Workbook, sheet: Sheet, formats: HouseFormats | None = None) -> TableLayout:
    """Write a table sheet or a record sheet."""
    if isinstance(sheet, RecordSheet):
        return write_record_sheet(workbook, sheet, formats)
    return write_table_sheet(workbook, sheet, formats)


# -- Whole workbooks ----------------------------------------------------------------------------------------


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """The sanitised, unique names the table sheets will get after Cover, Contents and Notes."""
    taken = ["Cover", "Contents", "Notes"]
    names = []
    for sheet in sheets:
        name = safe_sheet_name(sheet.sheet_name, taken)
        taken.append(name)
        names.append(name)
    return names


def render_workbook(
    meta: WorkbookMeta,
    sheets: Sequence[Sheet],
    notes: Sequence[Note],
    *,
    summary_lines: Sequence[str] = (),
) -> bytes:
    """The bytes of a workbook: Cover, Contents, Notes, then one sheet per table or record."""
    with collection_paused():
        return _render(meta, sheets, notes, summary_lines)


def _render(
    meta: WorkbookMeta, sheets: Sequence[Sheet], notes: Sequence[Note], summary_lines: Sequence[str]
) -> bytes:
    """``render_workbook``'s work, with the collector paused."""
    buffer = io.BytesIO()
    workbook = open_workbook(buffer)
    try:
        set_document_properties(workbook, meta)
        formats = house_formats(workbook)
        write_cover(workbook, meta, summary_lines=summary_lines, formats=formats)
        names = _sheet_names(sheets)
        contents = [("Cover", "About this workbook: hub, period, run, code version and source files")]
        contents.append(("Notes", "Notes referred to in the tables"))
        contents.extend((name, sheet.title) for name, sheet in zip(names, sheets, strict=True))
        write_contents(workbook, contents, formats=formats)
        write_notes(workbook, notes, formats=formats)
        for name, sheet in zip(names, sheets, strict=True):
            layout = write_sheet(workbook, sheet, formats)
            if layout.worksheet.get_name() != name:
                raise RuntimeError(f"Sheet {name!r} was written as {layout.worksheet.get_name()!r}")
        finish_sheets(workbook)
        workbook.close()
    finally:
        WORKBOOK_STATE.pop(workbook, None)
    return buffer.getvalue()  # in the document's language already (open_workbook)


def finish_sheets(workbook: Workbook) -> None:
    """Every sheet set to print (A4 landscape, fit to one page wide, the table's header row on every page),
    and Excel told not to flag the text codes of tables (URN, LAESTAB) as "number stored as text".
    """
    state = workbook_state(workbook)
    for worksheet in workbook.worksheets():
        name = worksheet.get_name()
        worksheet.set_landscape()
        worksheet.set_paper(A4_PAPER)
        worksheet.fit_to_pages(1, 0)
        if name in state.header_rows:
            worksheet.repeat_rows(state.header_rows[name])
        if state.text_ranges.get(name):
            _check(
                worksheet.ignore_errors({"number_stored_as_text": " ".join(state.text_ranges[name])}),
                f"mark the text cells of sheet {name!r}",
            )


def write_workbook(
    path: Path,
    meta: WorkbookMeta,
    sheets: Sequence[Sheet],
    notes: Sequence[Note],
    *,
    summary_lines: Sequence[str] = (),
) -> str:
    """Write Cover, Contents, Notes and the table sheets to ``path`` atomically; return the file's SHA-256."""
    # Rendering to memory first means nothing touches the folder until the whole workbook exists.
    content = render_workbook(meta, sheets, notes, summary_lines=summary_lines)
    return write_bytes_atomically(Path(path), content)
