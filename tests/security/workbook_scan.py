"""Read every cell and document property of the workbooks a run wrote, for the security tests."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

# xlsxwriter stores these control characters as _xHHHH_ escapes, which openpyxl hands back as they are.
_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f]")


def as_stored(text: str) -> str:
    """``text`` as openpyxl reads it back from a cell xlsxwriter wrote (control characters as _xHHHH_)."""
    return _ESCAPED.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


@dataclass(frozen=True)
class Cell:
    """One non-empty cell of one workbook."""

    workbook: Path
    sheet: str
    coordinate: str
    value: object
    data_type: str
    quote_prefix: bool


def cells(path: Path, *, read_only: bool = False) -> Iterator[Cell]:
    """Every non-empty cell of every sheet of the workbook at ``path``, formulas as written (not values).

    ``read_only`` is faster but cannot see styles: every cell's ``quote_prefix`` is then False.
    """
    workbook = openpyxl.load_workbook(path, data_only=False, read_only=read_only)
    try:
        for worksheet in workbook.worksheets:
            for row in worksheet.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        quoted = False if read_only else bool(cell.quotePrefix)
                        yield Cell(path, worksheet.title, cell.coordinate, cell.value, cell.data_type, quoted)
    finally:
        workbook.close()


def package_text(path: Path) -> str:
    """Every XML part of the workbook package as text: sheets, shared strings, tables, charts and docProps."""
    with zipfile.ZipFile(path) as package:
        return "\n".join(
            package.read(name).decode("utf-8", errors="replace")
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        )


def metadata_text(path: Path) -> str:
    """The document properties (docProps/core.xml, app.xml, custom.xml) as text."""
    with zipfile.ZipFile(path) as package:
        return "\n".join(
            package.read(name).decode("utf-8", errors="replace")
            for name in package.namelist()
            if name.startswith("docProps/")
        )


def workbooks_under(folder: Path) -> list[Path]:
    """Every .xlsx file below ``folder``, in a stable order."""
    return sorted(folder.rglob("*.xlsx"))
