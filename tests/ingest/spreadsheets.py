"""Write test files the way real programs write them: GIAS downloads, Excel re-saves, European-locale Excel.

Each writer follows what the program does, not what the reader wants: Excel's 'CSV (Comma delimited)'
re-save writes Windows-1252 with CRLF, quotes only where a value needs it, dates as the UK locale shows them
(dd/mm/yyyy) and numbers as formatted; a European-locale Excel's 'CSV UTF-8' writes a BOM, ';' between
values and a decimal comma with '.' grouping thousands.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from hubreturns.synthetic.gias import GIAS_HEADER, LINK_HEADER, UNQUOTED
from hubreturns.synthetic.write import write_dfe_csv


@dataclass(frozen=True)
class Locale:
    """How one Excel set-up writes a CSV: delimiter, decimal and thousands marks, dates, encoding."""

    name: str
    delimiter: str
    decimal: str
    thousands: str
    date_format: str
    encoding: str = "utf-8-sig"


UK = Locale("UK Excel, CSV UTF-8", ",", ".", ",", "%d/%m/%Y")
UK_PLAIN = Locale("UK Excel, CSV (Comma delimited)", ",", ".", "", "%d/%m/%Y", encoding="cp1252")
GERMAN = Locale("German Excel, CSV UTF-8", ";", ",", ".", "%d.%m.%Y")
FRENCH = Locale("French Excel, CSV UTF-8", ";", ",", "\u202f", "%d/%m/%Y")
DUTCH_TAB = Locale("Dutch Excel, Unicode-free tab text", "\t", ",", ".", "%d-%m-%Y", encoding="cp1252")
LOCALES = (UK, UK_PLAIN, GERMAN, FRENCH, DUTCH_TAB)


def number_text(value: Decimal | float, locale: Locale, *, places: int) -> str:
    """A number as Excel shows it in a cell formatted #,##0.00 (or with no thousands mark) in the locale."""
    amount = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    sign = "-" if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + locale.thousands.join(groups)
    return text + (locale.decimal + fraction if places else "")


def cell(value: object, locale: Locale, *, places: int = 2) -> str:
    """A cell's text as the locale's Excel writes it to CSV."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(locale.date_format)
    if isinstance(value, (Decimal, float)) or (isinstance(value, int) and not isinstance(value, bool)):
        return number_text(value, locale, places=places)
    return str(value)


def write_locale_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], locale: Locale, *, places: int = 2
) -> Path:
    """A CSV saved by Excel in the locale: its delimiter, quoting only where needed, CRLF, its encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=locale.delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value, locale, places=places) for value in row])
    path.write_bytes(buffer.getvalue().encode(locale.encoding))
    return path


def write_gias(path: Path, rows: Iterable[Mapping[str, str]]) -> Path:
    """An establishments file as GIAS writes it (every column of its header; dates dd-mm-yyyy; cp1252)."""
    write_dfe_csv(path, GIAS_HEADER, rows, unquoted=UNQUOTED)
    return path


def write_links(path: Path, rows: Iterable[Mapping[str, str]]) -> Path:
    """A links file as GIAS writes it."""
    write_dfe_csv(path, LINK_HEADER, rows, unquoted=frozenset({"URN", "LinkURN"}))
    return path


def excel_resave(
    source: Path,
    target: Path,
    *,
    date_columns: Sequence[str] = (),
    scientific: Mapping[str, int] | None = None,
    blank_rows: int = 0,
    width: int | None = None,
) -> Path:
    """The file opened in UK Excel and saved again as 'CSV (Comma delimited)'.

    Excel reads each dd-mm-yyyy as a date and writes it back as dd/mm/yyyy; a number in a column formatted
    as Scientific (``scientific``: heading -> decimal places) is written as Excel shows it, e.g. 1.00E+05;
    quotes are kept only where a value needs them; rows Excel counts as used but empty come out as ',,,,'
    (``blank_rows`` of them, as wide as the header or ``width``).
    """
    text = source.read_bytes().decode("cp1252")
    table = list(csv.reader(io.StringIO(text, newline="")))
    header, body = table[0], table[1:]
    for row in body:
        for position, name in enumerate(header):
            value = row[position]
            if name in date_columns and value:
                day, month, year = value.split("-")
                row[position] = f"{day}/{month}/{year}"
            if scientific and name in scientific and value:
                row[position] = f"{float(value):.{scientific[name]}E}"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows([header, *body])
    buffer.write(("," * ((width or len(header)) - 1) + "\r\n") * blank_rows)
    target.write_bytes(buffer.getvalue().encode("cp1252"))
    return target
