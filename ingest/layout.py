"""Rows that are part of a spreadsheet's layout, not its data: empty rows and Total footers.

Excel re-saving a file can leave thousands of empty ``,,,,`` rows; a hand-kept export often ends with a
``Total`` row. Neither is data: empty rows are skipped and counted, and a total row is left out with a
warning that compares it with the sum of the rows it totals.
"""

from __future__ import annotations

import re

import pandera.polars as pa
import polars as pl

from ingest.files import SOURCE_ROW
from schemas.validation import FAILURE_SCHEMA, ValidationFailure

# The words a footer row starts with.
TOTAL_WORDS = re.compile(r"(?i)^(grand\s+|sub[\s-]?)?totals?\s*:?$")
SUM_TOLERANCE = 0.005
NUMERIC_TYPES = ("Int64", "Float64")


def _warning_rows(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Report rows from dictionaries in the report's shape."""
    return pl.DataFrame(rows, schema=FAILURE_SCHEMA) if rows else pl.DataFrame(schema=FAILURE_SCHEMA)


def blank_rows_warning(blank_rows: tuple[int, ...], *, source: str, file_name: str) -> pl.DataFrame:
    """One warning counting the empty rows skipped (the report row is the first of them)."""
    if not blank_rows:
        return pl.DataFrame(schema=FAILURE_SCHEMA)
    count = len(blank_rows)
    first, last = blank_rows[0], blank_rows[-1]
    where = f"row {first}" if count == 1 else f"rows {first:,} to {last:,}"
    noun = "empty row was" if count == 1 else "empty rows were"
    return _warning_rows(
        [
            {
                ValidationFailure.source: source,
                ValidationFailure.file: file_name,
                ValidationFailure.row: first,
                ValidationFailure.column: None,
                ValidationFailure.rule: f"{count:,} {noun} skipped ({where}; every cell empty, as a spreadsheet leaves "
                "them when it re-saves a file). Nothing to fix unless data is missing",
                ValidationFailure.value: None,
                ValidationFailure.severity: "warning",
            }
        ]
    )


def total_rows(text: pl.DataFrame) -> pl.DataFrame:
    """The rows whose first filled cell says Total (or Grand total, Subtotal, Totals:), as read."""
    cells = [c for c in text.columns if c != SOURCE_ROW]
    if not cells or not text.height:
        return text.clear()
    first_filled = pl.coalesce(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c).str.strip_chars()) for c in cells
    )
    return text.filter(first_filled.str.contains(TOTAL_WORDS.pattern).fill_null(False))


def total_row_warnings(
    totals: pl.DataFrame,
    rows: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    source: str,
    file_name: str,
) -> pl.DataFrame:
    """A warning per total row and figure: it is left out, and its figure matches the sum of the rows, or not.

    ``totals`` are the total rows typed against the model, ``rows`` every other row, typed.
    """
    numeric = [n for n, c in model.to_schema().columns.items() if str(c.dtype) in NUMERIC_TYPES]
    warnings: list[dict[str, object]] = []
    for total in totals.iter_rows(named=True):
        base = {
            ValidationFailure.source: source,
            ValidationFailure.file: file_name,
            ValidationFailure.row: total[SOURCE_ROW],
            ValidationFailure.severity: "warning",
        }
        above = rows.filter(pl.col(SOURCE_ROW) < total[SOURCE_ROW])
        figures = [name for name in numeric if total.get(name) is not None]
        for name in figures:
            summed = above.get_column(name).sum()
            agrees = abs(float(total[name]) - float(summed)) < SUM_TOLERANCE
            verdict = "matches" if agrees else "does not match"
            advice = "" if agrees else ": check that no rows are missing, added twice or quarantined"
            warnings.append(
                {
                    **base,
                    ValidationFailure.column: name,
                    ValidationFailure.rule: f"this is a total row, so it is left out; its total {verdict} the sum "
                    f"of the {above.height:,} rows above it ({_figure(summed)}){advice}",
                    ValidationFailure.value: _figure(total[name]),
                }
            )
        if not figures:
            warnings.append(
                {
                    **base,
                    ValidationFailure.column: None,
                    ValidationFailure.rule: "this is a total row, so it is left out",
                    ValidationFailure.value: None,
                }
            )
    return _warning_rows(warnings)


def _figure(value: object) -> str:
    """A figure as the report shows it: thousands separated, decimals only when it has them."""
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
