"""Reading workbooks back in tests: a sheet's one Excel table as rows keyed by heading."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def table_rows(worksheet: Worksheet) -> list[dict]:
    """The sheet's (first) Excel table as a list of {heading: value}."""
    table = next(iter(worksheet.tables.values()))
    cells = [[c.value for c in row] for row in worksheet[table.ref]]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


# The annual return's sheets, in order, under the 2024-25 layout (config/returns), which applies to 2025/26.
RETURN_SHEETS = [
    "Cover",
    "Contents",
    "Notes",
    "KPIs",
    "PI1",
    "Functions",
    "Schools",
    "WCET",
    "Tuition",
    "Ensembles",
    "Singing",
    "Progression",
    "Instrument loans",
    "CPD",
    "Experiences",
    "Inclusion",
    "Workforce",
    "Finance",
    "Changes",
    "Data quality",
]
