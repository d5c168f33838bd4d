"""The house style's theme: fonts and fills, number formats, symbols, and each workbook's shared formats.

Every workbook of the project takes its look from here (GSS "Releasing statistics in spreadsheets": plain
fonts, no colour as the only signal, one number format per column); outputs/house_style.py lays the sheets
out with it and outputs/workbook_files.py writes the files.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from schemas.vocabulary import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

# -- The house style as data (gptables keeps its theme in YAML; one dict here is enough) -------------------

# A format's Excel cell style, when it is a heading: not an xlsxwriter property (it has no cell styles), so
# HouseFormats keeps it on the format and outputs/workbook_files.py writes the style (built-in ids 16 and 17).
HEADING = "heading_style"
HEADING_STYLES: dict[str, int] = {"Heading 1": 16, "Heading 2": 17}
THEME: dict[str, dict[str, Any]] = {
    # GSS: titles are marked as headings, with Excel's own cell styles (a screen reader announces them).
    "title": {"bold": True, "font_size": 15, HEADING: "Heading 1"},
    "subtitle": {"bold": True, "font_size": 12, HEADING: "Heading 2"},
    "label": {"bold": True, "valign": "top"},
    "text": {"valign": "top"},
    "wrapped_text": {"valign": "top", "text_wrap": True},
    # gptables' column_heading: bold, bottom border, wrapped, top-aligned.
    "column_heading": {"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"},
    # A shorthand symbol standing in for a number sits where the number would.
    "symbol": {"align": "right", "valign": "top"},
}
# A light style with no header fill: a filled (dark) header would fight the bold heading format above.
TABLE_STYLE = "Table Style Light 1"
NUMBER_FORMATS: dict[str, str] = {
    "integer": "#,##0",
    "plain_integer": "0",
    "float": "#,##0.0#",
    "pct": "0.0%",
    "gbp": "£#,##0.00",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
DISPLAY_TIME_ZONE = "Europe/London"
SYMBOLS: dict[str, str] = {
    SUPPRESSED: "Suppressed to protect confidentiality",
    NOT_AVAILABLE: "Not available",
    NOT_APPLICABLE: "Not applicable",
}
YES, NO = "Y", "N"
# Fills for a red-amber-green rating (``TableSheet.value_fills``): light tints under dark text, so the letter
# stays readable (contrast above 12:1) and the colour is never the only signal. Amber is a yellow tint, not
# orange, so it stays apart from red for readers with red-green colour blindness.
RAG_FILLS: dict[str, str] = {"R": "#F4C7C3", "A": "#FFE89A", "G": "#C9E7C3"}
FILL_TEXT_COLOUR = "#0B0C0C"
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

# The document's language (GSS checklist: set it so screen readers read the text in the right voice).
LANGUAGE = "en-GB"
EMPTY_TABLE_TEXT = "There are no rows in this table."
A4_PAPER = 9


# -- Formats and per-workbook state -------------------------------------------------------------------------


class HouseFormats:
    """The workbook's formats, created once each and shared by every sheet."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._properties: dict[int, dict[str, Any]] = {}

    def get(self, **properties: Any) -> Format:
        """The format with exactly these xlsxwriter properties."""
        key = tuple(sorted(properties.items()))
        if key not in self._cache:
            own = {name: value for name, value in properties.items() if name != HEADING}
            created = self._workbook.add_format(own)
            if HEADING in properties:
                setattr(created, HEADING, properties[HEADING])
            self._cache[key] = created
            self._properties[id(created)] = dict(properties)
        return self._cache[key]

    def quoted(self, cell_format: Format | None) -> Format:
        """``cell_format`` (one of these formats, or none) with Excel's quote prefix: the cell is text."""
        properties = self._properties.get(id(cell_format), {}) if cell_format is not None else {}
        if cell_format is not None and id(cell_format) not in self._properties:
            raise ValueError("quoted() needs a format made by this HouseFormats")
        return self.get(**{**properties, "quote_prefix": True})

    def style(self, name: str, **extra: Any) -> Format:
        """A named format of ``THEME``, optionally with extra properties."""
        return self.get(**{**THEME[name], **extra})

    def number(self, kind: str) -> Format:
        """The format for values of a kind of ``NUMBER_FORMATS``."""
        return self.get(num_format=NUMBER_FORMATS[kind], valign="top")


@dataclass
class WorkbookState:
    """What the house style keeps about one workbook while it is written."""

    formats: HouseFormats
    table_names: set[str] = field(default_factory=set)
    # Where each note is on the Notes sheet (note id -> cell), for the links from the tables' note markers.
    note_cells: dict[str, str] = field(default_factory=dict)
    # Per sheet: the first table's header row (repeated on every printed page) and the ranges of text cells
    # (codes such as URN are text: Excel is told not to warn "number stored as text" there).
    header_rows: dict[str, int] = field(default_factory=dict)
    text_ranges: dict[str, list[str]] = field(default_factory=dict)


WORKBOOK_STATE: weakref.WeakKeyDictionary[Workbook, WorkbookState] = weakref.WeakKeyDictionary()


def workbook_state(workbook: Workbook) -> WorkbookState:
    """What the house style keeps about one workbook while it is written (formats, names, notes' places)."""
    if workbook not in WORKBOOK_STATE:
        WORKBOOK_STATE[workbook] = WorkbookState(HouseFormats(workbook))
    return WORKBOOK_STATE[workbook]


def house_formats(workbook: Workbook) -> HouseFormats:
    """The shared formats of ``workbook``."""
    return workbook_state(workbook).formats
