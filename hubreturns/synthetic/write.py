"""Writers for the synthetic files: DfE-style quoted CSV, plain CSV in a chosen encoding, XLSX and hub.toml.

Every writer is byte-for-byte deterministic: no clock, fixed workbook properties, fixed line endings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter


def cell_text(value: object) -> str:
    """A value as the exports write it: Y/N booleans, ISO dates, empty for missing, 2-decimal numbers."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def write_dfe_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Mapping[str, str]],
    *,
    unquoted: frozenset[str],
    encoding: str = "cp1252",
) -> None:
    """A CSV the way GIAS writes it: every header quoted, values quoted except the numeric columns, CRLF."""

    def quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [",".join(quote(name) for name in header)]
    for row in rows:
        lines.append(
            ",".join(row.get(name, "") if name in unquoted else quote(row.get(name, "")) for name in header)
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Mapping[str, object]],
    *,
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> None:
    """A plain CSV (quoted only where needed) in the given encoding; characters it cannot encode are an error."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell_text(row.get(name)) for name in header])
    path.write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(
    path: Path, sheet: str, header: Sequence[str], rows: Iterable[Mapping[str, object]], *, created: datetime
) -> None:
    """One table on one named sheet; numbers stay numbers, text is never read as a formula or a link."""
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    workbook.set_properties(
        {"created": created, "author": "hubreturns synthetic data", "title": "Hub workforce"}
    )
    worksheet = workbook.add_worksheet(sheet)
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, list(header), bold)
    for row_number, row in enumerate(rows, start=1):
        for column, name in enumerate(header):
            value = row.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                worksheet.write_number(row_number, column, value)
            elif value is not None:
                worksheet.write_string(row_number, column, cell_text(value))
    worksheet.set_column(0, len(header) - 1, 16)
    workbook.close()


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_value(value: object) -> str:
    """A TOML literal for a string, a list of strings, a number, a boolean or a table of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_toml(
    path: Path,
    sections: Mapping[str, Mapping[str, object]],
    *,
    comment: str,
    arrays: Mapping[str, Sequence[Mapping[str, object]]] | None = None,
) -> None:
    """A small TOML file: one table per section, keys in the order given, then any arrays of tables."""
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    for section, values in sections.items():
        lines.append("")
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
    for name, tables in (arrays or {}).items():
        for values in tables:
            lines.append("")
            lines.append(f"[[{name}]]")
            lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
