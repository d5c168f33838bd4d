"""Read a CSV or XLSX file into text columns, whatever its encoding or delimiter, with Excel row numbers.

Every value is read as text: typing happens later, against the schema, so that a bad value becomes a
report row rather than a crash or a silent zero.
"""

from __future__ import annotations

import io
from pathlib import Path

import fastexcel
import polars as pl

from hubreturns.errors import InputFileError

SOURCE_ROW = "source_row"
# The first data row is row 2 in Excel when the header is row 1.
FIRST_DATA_ROW = 2
ENCODINGS = ("utf-8-sig", "cp1252")
XLSX_MAGIC = b"PK\x03\x04"


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or else Windows-1252; say which one worked."""
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            "this is not a text file (it contains binary data). Export it again as CSV or XLSX.",
            file=path.name,
        )
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five bytes undefined; latin-1 accepts every byte and matches it elsewhere.
    return raw.decode("latin-1"), "latin-1"


def _separator(header_line: str) -> str:
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


def read_csv_text(path: Path) -> tuple[pl.DataFrame, str]:
    """Read a CSV (comma or tab separated, any common encoding) as text columns; return it and the encoding."""
    raw = path.read_bytes()
    text, encoding = _decode(raw, path)
    if not text.strip():
        raise InputFileError("the file is empty. Export it again with its header row and data.", file=path.name)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=_separator(first_line),
            infer_schema=False,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError) as exc:
        raise InputFileError(
            f"the file cannot be read as a table ({str(exc).splitlines()[0]}). "
            "Check that every row has the same number of columns as the header.",
            file=path.name,
        ) from exc
    return frame, encoding


def read_xlsx_text(path: Path, sheet: str | None) -> pl.DataFrame:
    """Read one sheet of a workbook (the first unless named) as text columns."""
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own family for corrupt or non-xlsx files
        raise InputFileError(
            f"the workbook cannot be opened ({exc.__class__.__name__}). Save it again as .xlsx.", file=path.name
        ) from exc
    names = reader.sheet_names
    if sheet is not None and sheet not in names:
        raise InputFileError(
            f"the workbook has no sheet called '{sheet}' (it has: {', '.join(names)}). "
            "Correct the sheet name in the hub configuration.",
            file=path.name,
        )
    try:
        frame = reader.load_sheet(sheet if sheet is not None else 0, dtypes="string").to_polars()
    except Exception as exc:
        raise InputFileError(
            f"the sheet '{sheet or names[0]}' cannot be read ({exc}). Check it holds one table with a header row.",
            file=path.name,
        ) from exc
    return frame


def read_text_table(path: Path, *, sheet: str | None = None) -> tuple[pl.DataFrame, str]:
    """Read a CSV or XLSX input as text, add its Excel row number, and return it with the encoding used."""
    if not path.is_file():
        raise InputFileError(
            "the file does not exist. Check the path in the hub configuration.", file=str(path)
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == XLSX_MAGIC or path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame, encoding = read_xlsx_text(path, sheet), "xlsx"
    else:
        frame, encoding = read_csv_text(path)
    if frame.width == 0 or (frame.height == 0 and all(not c.strip() for c in frame.columns)):
        raise InputFileError("the file has no header row. Export it again with headers.", file=path.name)
    frame = frame.rename({column: column.strip().lstrip("\ufeff").strip() for column in frame.columns})
    frame = frame.with_columns(pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW).alias(SOURCE_ROW))
    return frame, encoding
