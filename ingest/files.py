"""Read a CSV or XLSX file into text columns, whatever its encoding or delimiter, with Excel row numbers.

Every value is read as text: typing happens later, against the schema, so that a bad value becomes a
report row rather than a crash or a silent zero. A file that cannot be read at all, or is too big to read
safely, is refused with an InputFileError that names it and says what to do.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from foundation.errors import InputFileError

SOURCE_ROW = "source_row"
# The first data row is row 2 in Excel when the header is row 1.
FIRST_DATA_ROW = 2
ENCODINGS = ("utf-8-sig", "cp1252")
XLSX_MAGIC = b"PK\x03\x04"
# Byte-order marks of the UTF-16 and UTF-32 text that Excel's "Unicode Text" export writes (longest first).
UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
SEPARATORS = (",", "\t", ";", "|")
SEPARATOR_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

# Size limits: an input over any of them is refused before it is read, so that a huge or maliciously
# compressed file cannot exhaust the machine's memory. The largest real input (the full GIAS file for
# England) is about 70 MB; hub exports are a few MB. Change them here (they could move into Settings).
MAX_CSV_BYTES = 512 * 1024 * 1024
"""Largest CSV read, in bytes on disk (it is held in memory about three times over while read)."""
MAX_XLSX_BYTES = 100 * 1024 * 1024
"""Largest workbook read, in bytes on disk (compressed)."""
MAX_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
"""Largest total size of a workbook's parts once unzipped, in bytes: what the reader must hold."""
MAX_COMPRESSION_RATIO = 100
"""Largest unzipped-to-zipped size ratio of one workbook part; real sheets compress about 5 to 20 times."""
RATIO_CHECK_MIN_BYTES = 4 * 1024 * 1024
"""Parts smaller than this once unzipped are not ratio-checked (tiny repetitive XML compresses very well)."""
_VERIFY_CHUNK_BYTES = 1024 * 1024
_POLARS_DUPLICATE = re.compile(r"(.*)_duplicated_\d+")
# The names the readers give a column whose header cell is empty (fastexcel: __UNNAMED__3, counting from 0).
_READER_BLANK_HEADER = re.compile(r"__UNNAMED__\d+")
XLSX = "xlsx"


@dataclass(frozen=True)
class TextTable:
    """A file read as text: its rows (with their Excel row numbers), how it was written, and what was skipped."""

    frame: pl.DataFrame
    encoding: str
    # The CSV delimiter; None for a workbook, whose numbers are stored as numbers.
    separator: str | None
    # Excel row numbers of the rows left out because every cell in them was empty.
    blank_rows: tuple[int, ...] = ()


def blank_heading(position: int) -> str:
    """How a column without a heading is named in the report: by its position, as a person counts columns."""
    return f"column {position} (no heading)"


def _size_in_words(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _refuse_if_larger(path: Path, size: int, limit: int, what: str) -> None:
    if size > limit:
        raise InputFileError(
            f"the {what} is too big to read safely ({_size_in_words(size)}; the limit is "
            f"{_size_in_words(limit)}). Check it is the right file, or split it into smaller files.",
            file=path.name,
            rule="file size limit",
        )


def _row_of_offset(raw: bytes, offset: int) -> int:
    """The Excel row (header = 1) of a byte offset, counting line breaks before it."""
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-16/32 (with a BOM), UTF-8 (with or without BOM) or else Windows-1252; say which."""
    for bom, encoding in UNICODE_BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"the file starts as {encoding.upper()} text but is damaged after byte {exc.start:,}. "
                    "Export it again, preferably as CSV UTF-8.",
                    file=path.name,
                    rule="text encoding",
                ) from exc
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            "this is not a text file (it contains binary data). Export it again as CSV or XLSX. "
            "If it was saved as 'Unicode Text', save it as 'CSV UTF-8' instead.",
            file=path.name,
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputFileError(
            "the file contains binary data (a NUL character) part-way through, so it is probably damaged. "
            "Export it again as CSV or XLSX.",
            file=path.name,
            row=_row_of_offset(raw, nul),
        )
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    # cp1252 leaves five bytes undefined; latin-1 accepts every byte and matches it elsewhere.
    return raw.decode("latin-1"), "latin-1"


def _separator(header_line: str) -> str:
    """The delimiter used most in the header line: comma, tab, semicolon or pipe (comma when none is)."""
    counts = {separator: header_line.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])  # ties go to the earlier one
    return best if counts[best] else ","


def _locate_table_problem(text: str, separator: str) -> tuple[int | None, str]:
    """The first row that breaks the table's shape, and what is wrong with it, as a data officer would say."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    width = None
    row = 0
    try:
        for row, fields in enumerate(reader, start=1):
            if width is None:
                width = len(fields)
            elif len(fields) > width:
                return row, f"it has {len(fields)} values but the header has {width} columns"
    except csv.Error:
        return row + 1, "a quotation mark is not closed, or a quoted value is followed by other characters"
    return None, "its rows do not form one table"


def read_csv_text(path: Path) -> tuple[pl.DataFrame, str, str]:
    """Read a CSV (comma, tab, semicolon or pipe separated, common encodings) as text, with encoding and delimiter."""
    _refuse_if_larger(path, path.stat().st_size, MAX_CSV_BYTES, "file")
    raw = path.read_bytes()
    text, encoding = _decode(raw, path)
    del raw
    if not text.strip():
        raise InputFileError(
            "the file is empty. Export it again with its header row and data.", file=path.name
        )
    if "\n" not in text:
        # Old Mac Excel ("CSV (Macintosh)") ends lines with a carriage return alone.
        text = text.replace("\r", "\n")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    separator = _separator(first_line)
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        row, problem = _locate_table_problem(text, separator)
        raise InputFileError(
            f"the file cannot be read as a table: {problem}. Check that every row has the same number of "
            f"columns as the header (the file is read as {SEPARATOR_NAMES[separator]}-separated) and that "
            "quotation marks come in pairs.",
            file=path.name,
            row=row,
        ) from exc
    return frame, encoding, separator


def _check_workbook_zip(path: Path) -> None:
    """Refuse a workbook that is not a sound zip, is not an Excel workbook, or would unzip to a dangerous size.

    Only the zip directory is trusted for the size checks; the parts are then unzipped in small chunks (and
    thrown away) to prove the directory tells the truth, since a forged directory can understate sizes.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                raise InputFileError(
                    "this is a zip archive, not an Excel workbook (it has no workbook inside). "
                    "Unzip it, or save the data again as .xlsx or CSV.",
                    file=path.name,
                )
            declared = sum(member.file_size for member in members)
            _refuse_if_larger(path, declared, MAX_XLSX_UNCOMPRESSED_BYTES, "workbook, once unzipped,")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
                    raise InputFileError(
                        f"the workbook part '{member.filename}' unzips to {ratio:,.0f} times its stored size "
                        f"({_size_in_words(member.file_size)}), far beyond what a real spreadsheet does "
                        f"(the limit is {MAX_COMPRESSION_RATIO} times). The file is not safe to open: "
                        "save the data again from the original system.",
                        file=path.name,
                        rule="compression ratio limit",
                    )
            for member in members:
                with archive.open(member) as part:
                    # zipfile stops at the declared size and checks the CRC: a lie surfaces as BadZipFile.
                    while part.read(_VERIFY_CHUNK_BYTES):
                        pass
    except InputFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, ValueError,
            OSError, RuntimeError) as exc:  # fmt: skip
        raise InputFileError(
            f"the workbook cannot be opened: it is damaged or not a real .xlsx file ({exc}). "
            "Save it again as .xlsx.",
            file=path.name,
        ) from exc


def read_xlsx_text(path: Path, sheet: str | None) -> pl.DataFrame:
    """Read one sheet of a workbook (the first unless named) as text columns, after the size checks."""
    _refuse_if_larger(path, path.stat().st_size, MAX_XLSX_BYTES, "workbook")
    _check_workbook_zip(path)
    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
    except (Exception, pl.exceptions.PanicException) as exc:  # fastexcel raises its own family, or panics
        raise InputFileError(
            "the workbook cannot be opened: it is damaged, protected by a password, or not a real .xlsx file. "
            "Open it in Excel and save it again as .xlsx (without a password).",
            file=path.name,
        ) from exc
    if not names:
        raise InputFileError(
            "the workbook has no sheets. Save it again with the data on a sheet.", file=path.name
        )
    if sheet is not None and sheet not in names:
        raise InputFileError(
            f"the workbook has no sheet called '{sheet}' (it has: {', '.join(names)}). "
            "Correct the sheet name in the hub configuration.",
            file=path.name,
        )
    try:
        frame = reader.load_sheet(sheet if sheet is not None else 0, dtypes="string").to_polars()
    except (Exception, pl.exceptions.PanicException) as exc:
        raise InputFileError(
            f"the sheet '{sheet or names[0]}' cannot be read as a table. Check it holds one table with a header "
            "row, and save it again as .xlsx.",
            file=path.name,
        ) from exc
    return frame


def _clean_headers(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """Headers without surrounding spaces or BOM; a header written twice is an error, blank ones stay apart."""
    renamed: dict[str, str] = {}
    seen: dict[str, int] = {}
    for position, column in enumerate(frame.columns, start=1):
        clean = column.strip().lstrip("\ufeff").strip()
        if _READER_BLANK_HEADER.fullmatch(clean):
            clean = ""
        # The CSV reader renames a repeated header 'x' to 'x_duplicated_0': it is still 'x' written twice.
        repeated = _POLARS_DUPLICATE.fullmatch(clean)
        if repeated and repeated.group(1) in seen:
            clean = repeated.group(1)
        if clean and clean in seen:
            raise InputFileError(
                f"the header '{clean}' appears twice (columns {seen[clean]} and {position}), so it is not "
                "clear which one to read. Rename or remove one of them.",
                file=path.name,
                column=clean,
                rule="unique headers",
            )
        seen[clean] = position
        if not clean:
            clean = blank_heading(position)
        renamed[column] = clean
    return frame.rename(renamed)


def _without_blank_rows(frame: pl.DataFrame) -> tuple[pl.DataFrame, tuple[int, ...]]:
    """The rows that hold something, and the Excel row numbers of those whose every cell is empty."""
    cells = [c for c in frame.columns if c != SOURCE_ROW]
    if not cells:
        return frame, ()
    empty = pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells)
    blank = frame.filter(empty).get_column(SOURCE_ROW).to_list()
    return (frame.filter(~empty), tuple(blank)) if blank else (frame, ())


def read_table(path: Path, *, sheet: str | None = None) -> TextTable:
    """Read a CSV or XLSX input as text with its Excel row numbers; rows with every cell empty are set aside."""
    if not path.is_file():
        raise InputFileError(
            "the file does not exist. Check the path in the hub configuration.", file=str(path)
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    separator: str | None
    if magic == XLSX_MAGIC or path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame, encoding, separator = read_xlsx_text(path, sheet), XLSX, None
    else:
        frame, encoding, separator = read_csv_text(path)
    if frame.width == 0 or (frame.height == 0 and all(not c.strip() for c in frame.columns)):
        raise InputFileError("the file has no header row. Export it again with headers.", file=path.name)
    frame = _clean_headers(frame, path)
    frame = frame.with_columns(pl.int_range(FIRST_DATA_ROW, pl.len() + FIRST_DATA_ROW).alias(SOURCE_ROW))
    frame, blank = _without_blank_rows(frame)
    return TextTable(frame=frame, encoding=encoding, separator=separator, blank_rows=blank)


def read_text_table(path: Path, *, sheet: str | None = None) -> tuple[pl.DataFrame, str]:
    """Read a CSV or XLSX input as text, add its Excel row number, and return it with the encoding used."""
    table = read_table(path, sheet=sheet)
    return table.frame, table.encoding
