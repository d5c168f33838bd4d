"""The first sheet of each school report: the brief a link officer takes into the conversation with the school.

It prints on one A4 page (portrait, fitted to the page's width; at most two pages tall). It says who the school
is, its engagement and conversations as of the run's date, each duty area's rating now, at the previous contact
and last year, this year's activity against last year and similar schools, the open actions, the music
development plan and quality marks, and prompts for the conversation grouped under Ofsted's framework. Its
ratings, activity and actions are Excel tables (every row of the school's figures); the writer computes nothing.

Print setup for the other sheets is here too (house_style lays sheets out for the screen): landscape A4, fitted
to the page's width, the header row repeated on every page. So is ``SheetWriter``, which lays a sheet out row by
row with several Excel tables on it (the brief, and the report's data sheets).
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from outputs.house_style import TableLayout, write_text
from outputs.theme import (
    EMPTY_TABLE_TEXT,
    FILL_TEXT_COLOUR,
    NO,
    NUMBER_FORMATS,
    RAG_FILLS,
    TABLE_STYLE,
    YES,
    HouseFormats,
)
from schemas.engagement import BriefPromptRow, OpenActionRow, SchoolActivityRow, SchoolBriefRow, SchoolRagRow
from schemas.output_tables import column_titles
from schemas.vocabulary import ENGAGEMENT_LEVEL_NAMES, NOT_AVAILABLE

A4 = 9
BRIEF_SHEET = "Brief"
# Columns A to H: labels and first columns, then figures, then the comparison in words.
_WIDTHS = (26, 9, 11, 16, 19, 19, 13, 30)
_ROW_HEIGHT = 15
_LINE = 130  # characters of text a line of the sheet holds across columns A to H
_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}
_RAG_COLUMNS = (
    SchoolRagRow.duty_area,
    SchoolRagRow.rag,
    SchoolRagRow.rag_previous,
    SchoolRagRow.rag_last_year,
    SchoolRagRow.since_previous,
    SchoolRagRow.since_last_year,
)
# The rating columns (now, at the previous contact, last year), filled by their letter wherever shown.
RAG_TABLE_COLUMNS = (SchoolRagRow.rag, SchoolRagRow.rag_previous, SchoolRagRow.rag_last_year)
_ACTIVITY_COLUMNS = (
    SchoolActivityRow.activity,
    SchoolActivityRow.this_year,
    SchoolActivityRow.last_year,
    SchoolActivityRow.since_last_year,
    SchoolActivityRow.per_100_pupils,
    SchoolActivityRow.similar_per_100,
    SchoolActivityRow.band_per_100,
    SchoolActivityRow.compared,
)
_ACTION_COLUMNS = (OpenActionRow.action, OpenActionRow.agreed_on, OpenActionRow.due, OpenActionRow.due_status)


@dataclass(frozen=True)
class SchoolBrief:
    """One school's brief, as computed: its facts (a SchoolBriefRow) and its rows of each brief table."""

    school_name: str
    urn: str
    facts: Mapping[str, Any]
    rag: pl.DataFrame
    activity: pl.DataFrame
    actions: pl.DataFrame
    prompts: pl.DataFrame
    framework_title: str
    evidence_note: str


def print_data_sheet(worksheet: Worksheet, layout: TableLayout | int | None, footer: str) -> None:
    """Landscape A4, fitted to the page's width, the table's header row repeated on every page, a footer.

    ``layout`` is the table as house_style laid it out, or the header row (zero-indexed) to repeat.
    """
    worksheet.set_paper(A4)
    worksheet.set_landscape()
    worksheet.fit_to_pages(1, 0)
    worksheet.set_margins(**_MARGINS)
    if layout is not None:
        worksheet.repeat_rows(layout if isinstance(layout, int) else layout.header_row)
    worksheet.set_footer(_footer(footer))


def print_one_page(worksheet: Worksheet, footer: str, *, landscape: bool = True) -> None:
    """A4 fitted to one page (the provenance cover: fine print rather than a second page)."""
    worksheet.set_paper(A4)
    if landscape:
        worksheet.set_landscape()
    else:
        worksheet.set_portrait()
    worksheet.fit_to_pages(1, 1)
    worksheet.set_margins(**_MARGINS)
    worksheet.set_footer(_footer(footer))


def _lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    if len(text) < width:
        return 1  # most cells: no need to wrap (and textwrap is slow, called thousands of times a run)
    return _wrapped_lines(text, width)


@functools.lru_cache(maxsize=4096)
def _wrapped_lines(text: str, width: int) -> int:
    """``_lines`` for a text that may wrap (headings and most words in the tables recur in every report)."""
    return max(1, len(textwrap.wrap(text, max(1, width - 1))))


def _footer(text: str) -> str:
    """A page footer: the report on the left, page x of y on the right ('&' doubled, as Excel needs)."""
    return f"&L{text.replace('&', '&&')[:120]}&RPage &P of &N"


def _shown(value: Any) -> Any:
    """A cell value as the brief shows it: a missing value is [x], booleans Y/N."""
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return YES if value else NO
    return value


class SheetWriter:
    """Writes a sheet row by row: lines of text, label-value pairs and Excel tables, in columns of given widths."""

    def __init__(
        self,
        workbook: Workbook,
        worksheet: Worksheet,
        formats: HouseFormats,
        *,
        widths: Sequence[int] = _WIDTHS,
        table_prefix: str = f"tbl_{BRIEF_SHEET}",
        empty_tables: bool = False,
        filters: bool = False,
    ) -> None:
        self.workbook, self.ws, self.formats = workbook, worksheet, formats
        # An empty table: on the brief a line "None."; on a data sheet its headings and a row saying so (GSS).
        self.widths, self.table_prefix, self.empty_tables = tuple(widths), table_prefix, empty_tables
        self.filters = filters  # filter buttons on the tables' headings (a data sheet's, not the brief's)
        for col, width in enumerate(self.widths):
            worksheet.set_column(col, col, width)
        self.row = 0
        self.heights: dict[int, int] = {}  # rows given a height: lines tall
        self.date_format = formats.get(num_format=NUMBER_FORMATS["date"], align="left", valign="top")
        self.number_format = formats.get(num_format="#,##0.0", valign="top")
        self.integer_format = formats.number("integer")
        self.text = formats.style("text")
        # Indented, so text after a right-aligned number does not run into it.
        self.wrapped = formats.style("wrapped_text", indent=1)
        self.heading_format = formats.style("column_heading")

    def line(self, text: str, style: str = "text", *, col: int = 0, **extra: Any) -> None:
        """One line of text in column ``col`` (it runs on across the empty cells to its right)."""
        write_text(self.ws, self.row, col, text, self.formats.style(style, **extra), self.formats)
        self.row += 1

    def paragraph(self, text: str, *, indent: str = "") -> None:
        """Text wrapped to the sheet's width, one line per row."""
        for number, piece in enumerate(textwrap.wrap(text, _LINE - len(indent)) or [""]):
            self.line((indent if number == 0 else " " * len(indent)) + piece)

    def heading(self, text: str, *, col: int = 0) -> None:
        """A section heading, with a blank row before it."""
        self.row += 1
        self.line(text, "subtitle", col=col)

    def label_value(self, label: str, value: Any) -> None:
        """A label in column A and its value in column B (dates as dates; text runs on to the right)."""
        self.ws.write_string(self.row, 0, label, self.formats.style("label"))
        if isinstance(value, date):
            self.ws.write_datetime(self.row, 1, value, self.date_format)
        else:
            write_text(self.ws, self.row, 1, str(_shown(value)), self.text, self.formats)
        self.row += 1

    def table(
        self,
        name: str,
        frame: pl.DataFrame,
        columns: Sequence[str],
        titles: Mapping[str, str],
        *,
        col: int = 0,
        description: str = "",
    ) -> int:
        """An Excel table of ``frame``'s ``columns`` from column ``col``; return its header row.

        An empty frame is a line "None." (the brief), or with ``empty_tables`` the table's headings and one row
        saying it has no rows.
        """
        first = self.row
        if frame.is_empty() and not self.empty_tables:
            self.line("None.", col=col)
            return first
        specs = []
        lines = [1] * max(1, frame.height)
        for offset_col, column in enumerate(columns):
            dtype = frame.schema[column]
            values = frame.get_column(column).to_list()
            cell_format = self._format(dtype)
            for offset, value in enumerate(values):
                self._cell(first + 1 + offset, col + offset_col, value, dtype, cell_format)
                if isinstance(value, str):
                    lines[offset] = max(lines[offset], _lines(value, self.widths[col + offset_col]))
            specs.append(
                {"header": titles[column], "header_format": self.heading_format, "format": cell_format}
            )
        if frame.is_empty():
            self.ws.write_string(first + 1, col, EMPTY_TABLE_TEXT, self.text)
        last = first + max(1, frame.height)
        self.ws.add_table(
            first,
            col,
            last,
            col + len(columns) - 1,
            {
                "name": f"{self.table_prefix}_{name}",
                "style": TABLE_STYLE,
                "columns": specs,
                "autofilter": self.filters,
                **({"description": description[:255]} if description else {}),
            },
        )
        self._row_heights(first, [titles[column] for column in columns], col, lines)
        self.row = last + 1
        return first

    def record(
        self,
        name: str,
        items: Sequence[tuple[str, Any, str]],
        headings: tuple[str, str],
        description: str = "",
    ) -> int:
        """A two-column Excel table from column A: (label, value, kind) rows, each value as its kind shows it.

        Kinds: "text", "integer", "pct" (a fraction shown as a percentage), "date", "bool" (Y/N). A missing
        value is [x]. Returns the header row.
        """
        first = self.row
        # A record's values are one column of mixed kinds: all aligned left, as its text is.
        formats = {
            kind: self.formats.get(num_format=NUMBER_FORMATS[kind], align="left", valign="top")
            for kind in ("integer", "pct", "date")
        }
        lines = []
        label_format = self.formats.style("label")
        for offset, (label, value, kind) in enumerate(items):
            row = first + 1 + offset
            self.ws.write_string(row, 0, label, label_format)
            if value is None:
                self.ws.write_string(row, 1, NOT_AVAILABLE, self.text)
            elif kind == "date":
                self.ws.write_datetime(row, 1, value, formats[kind])
            elif kind in formats:
                self.ws.write_number(row, 1, value, formats[kind])
            else:
                write_text(self.ws, row, 1, str(_shown(value)), self.wrapped, self.formats)
            lines.append(max(_lines(label, self.widths[0]), _lines(str(_shown(value)), self.widths[1])))
        last = first + len(items)
        self.ws.add_table(
            first,
            0,
            last,
            1,
            {
                "name": f"{self.table_prefix}_{name}",
                "style": TABLE_STYLE,
                "columns": [{"header": h, "header_format": self.heading_format} for h in headings],
                "autofilter": self.filters,
                **({"description": description[:255]} if description else {}),
            },
        )
        self._row_heights(first, list(headings), 0, lines)
        self.row = last + 1
        return first

    def _row_heights(self, header_row: int, headings: Sequence[str], col: int, lines: Sequence[int]) -> None:
        """Wrapped cells: each row as tall as its longest text needs (Excel does not size rows on opening)."""
        header_lines = max(_lines(title, self.widths[col + offset]) for offset, title in enumerate(headings))
        self._set_height(header_row, header_lines, always=True)
        for offset, count in enumerate(lines):
            self._set_height(header_row + 1 + offset, count)

    def _set_height(self, row: int, count: int, *, always: bool = False) -> None:
        """Make ``row`` ``count`` lines tall, never lower than a table beside it on the same row needs."""
        count = max(count, self.heights.get(row, 0))
        if count > 1 or always or row in self.heights:
            self.ws.set_row(row, _ROW_HEIGHT * count)
            self.heights[row] = count

    def _format(self, dtype: pl.DataType) -> Any:
        if dtype == pl.Date:
            return self.date_format
        if dtype.is_integer():
            return self.integer_format
        if dtype.is_float():
            return self.number_format
        return self.wrapped

    def _cell(self, row: int, col: int, value: Any, dtype: pl.DataType, cell_format: Any) -> None:
        if value is None:
            self.ws.write_string(row, col, NOT_AVAILABLE, self.formats.style("symbol"))
        elif dtype == pl.Date:
            self.ws.write_datetime(row, col, value, cell_format)
        elif dtype.is_numeric():
            self.ws.write_number(row, col, value, cell_format)
        elif isinstance(value, bool):
            self.ws.write_string(row, col, _shown(value), self.formats.style("text"))
        else:
            write_text(self.ws, row, col, str(value), cell_format, self.formats)

    def rag_fills(self, first_row: int, last_row: int, columns: Sequence[int]) -> None:
        """Fill rating cells by their letter (the letter stays in the cell: colour is never the only signal)."""
        # One rule per letter over all the columns (fewer rules: a smaller file, written faster).
        ranges = " ".join(xl_range(first_row, col, last_row, col) for col in columns)
        for text, colour in RAG_FILLS.items():
            self.ws.conditional_format(
                first_row,
                columns[0],
                last_row,
                columns[0],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{text}"',
                    "format": self.formats.get(bg_color=colour, font_color=FILL_TEXT_COLOUR),
                    "multi_range": ranges,
                },
            )


def write_brief(workbook: Workbook, brief: SchoolBrief, meta_line: str, formats: HouseFormats) -> Worksheet:
    """The Brief sheet, first in the report: portrait A4, one page wide, at most two pages tall."""
    worksheet = workbook.add_worksheet(BRIEF_SHEET)
    writer = SheetWriter(workbook, worksheet, formats)
    facts = brief.facts
    writer.line(f"Conversation brief: {brief.school_name} (URN {brief.urn})", "title")
    writer.line(meta_line)
    writer.paragraph(brief.evidence_note)

    writer.heading("The school")
    level = facts[SchoolBriefRow.engagement_level]
    writer.label_value("School", facts[SchoolBriefRow.school_line])
    group = str(facts[SchoolBriefRow.comparison_group])
    writer.label_value(
        "Compared with",
        f"{group if group.endswith('schools') else group + ' schools'} of the hub, and those in its band: "
        f"{facts[SchoolBriefRow.fsm_band]}",
    )
    writer.label_value(
        "Engagement",
        (f"Level {level}: {ENGAGEMENT_LEVEL_NAMES[level]}" if level is not None else "No level this year")
        + f" ({facts[SchoolBriefRow.engagement_change]})",
    )
    writer.label_value("Last conversation", facts[SchoolBriefRow.last_conversation])
    writer.label_value("Next conversation", facts[SchoolBriefRow.next_conversation])
    writer.label_value("Conversations", facts[SchoolBriefRow.conversation_status])

    writer.heading("Ratings by duty area: now, at the previous contact and last year")
    first = writer.row + 1
    writer.table("ratings", brief.rag, _RAG_COLUMNS, column_titles(SchoolRagRow))
    if not brief.rag.is_empty():
        writer.rag_fills(
            first, first + brief.rag.height - 1, [_RAG_COLUMNS.index(c) for c in RAG_TABLE_COLUMNS]
        )

    writer.heading("Activity this year, against last year and similar schools (per 100 pupils on roll)")
    writer.table("activity", brief.activity, _ACTIVITY_COLUMNS, column_titles(SchoolActivityRow))

    writer.heading("Open actions")
    writer.table("actions", brief.actions, _ACTION_COLUMNS, column_titles(OpenActionRow))

    writer.heading("Music development plan and quality marks")
    writer.label_value("Music development plan", facts[SchoolBriefRow.mdp])
    writer.label_value("Quality marks", facts[SchoolBriefRow.quality_marks])

    writer.heading(f"Prompts for the conversation, under {brief.framework_title}")
    area = None
    for prompt_area, prompt in brief.prompts.select(BriefPromptRow.area, BriefPromptRow.prompt).iter_rows():
        if prompt_area != area:
            writer.line(prompt_area, "label")
            area = prompt_area
        writer.paragraph(prompt, indent="- ")

    worksheet.set_paper(A4)
    worksheet.set_portrait()
    worksheet.fit_to_pages(1, 2)
    worksheet.set_margins(**_MARGINS)
    worksheet.print_area(0, 0, writer.row - 1, len(_WIDTHS) - 1)
    worksheet.set_footer(_footer(f"Conversation brief: {brief.school_name}"))
    worksheet.activate()
    return worksheet
