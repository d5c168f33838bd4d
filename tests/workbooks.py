"""Reading workbooks back in tests: a sheet's one Excel table as rows keyed by heading."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def table_rows(worksheet: Worksheet) -> list[dict]:
    """The sheet's (first) Excel table as a list of {heading: value}."""
    table = next(iter(worksheet.tables.values()))
    cells = [[c.value for c in row] for row in worksheet[table.ref]]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]
