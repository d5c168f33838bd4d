"""Type text columns against a schema; every value that cannot be read becomes a failure row, not a crash.

Values are read as a person sees them in Excel, or refused: numbers in the file's own decimal convention
(decimal point, or decimal comma as a European-locale Excel writes them), dates in the forms exports and
spreadsheets write (ISO dates and date-times, day-first UK dates, month names, Excel date cells), and never
a number that a spreadsheet has shortened to scientific notation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl

from foundation.errors import InputFileError
from ingest.files import SOURCE_ROW
from schemas.validation import FAILURE_SCHEMA, ValidationFailure

TRUE_WORDS = ("y", "yes", "true", "1", "t")
FALSE_WORDS = ("n", "no", "false", "0", "f")
POINT, COMMA = "point", "comma"
DECIMAL_CONVENTIONS = (POINT, COMMA)
NUMERIC_TYPES = ("Int64", "Float64")

PARSE_RULES = {
    "Int64": "must be a whole number",
    "Float64": "must be a number",
    "Date": "must be a real date, written YYYY-MM-DD or DD/MM/YYYY",
    "Boolean": "must be Y or N",
}
COMMA_NUMBER_RULE = "must be a number (this file writes decimals with a comma, such as 1.234,56)"
MONTH_FIRST_RULE = (
    "could be either day or month first: other dates in this file are written month first (such as {example}, "
    "as Excel set up for the US writes them). Write the dates as YYYY-MM-DD, or day first throughout"
)
SCIENTIFIC_RULE = (
    "is written in scientific notation, so the file was re-saved by a spreadsheet, which shortened the number "
    "and lost its last digits. Fix column '{header}': take the values from the original file, or format the "
    "column as Number with no decimal places (or as Text) before saving"
)

# Anything Excel writes around a number that is not part of it: the pound sign, percent sign and spaces
# (including the no-break and narrow no-break spaces a European locale groups thousands with).
_NOT_NUMBER = r"[£%\s\u00a0\u202f]"
_SCIENTIFIC = r"^[+-]?\d+(?:[.,]\d+)?[Ee][+-]?\d+$"
# A number as each convention writes it: optional sign, digits optionally grouped in thousands, decimals.
_NUMBER = {
    POINT: r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?$",
    COMMA: r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*)(?:,\d+)?$",
}
_WHOLE = {
    POINT: r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?$",
    COMMA: r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,0+)?$",
}
_THOUSANDS = {POINT: ",", COMMA: "."}

# The date forms accepted. ISO dates may carry a time (as exports and XLSX date cells give them); UK dates
# are day first with slashes, dots or hyphens (GIAS writes 29-05-1993, Excel re-saves it as 29/05/1993).
_ISO_DATE = (
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DAY_FIRST_DATE = (
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?)?$"
)
_NAMED_MONTH_DATE = r"^(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4}|\d{2})$"
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(_MONTHS, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTHS, start=1)},
    "sept": 9,
}
# Excel reads a two-digit year 00-29 as 20xx and 30-99 as 19xx.
TWO_DIGIT_YEAR_PIVOT = 30


@dataclass(frozen=True)
class NumberExample:
    """A value that shows how a file writes its numbers, and where it is."""

    column: str
    row: int
    value: str


def _clean_text(column: str) -> pl.Expr:
    """A cell's text trimmed, empty as null."""
    text = pl.col(column).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _number_text(column: str) -> pl.Expr:
    """A cell's text without what Excel writes around a number (pound and percent signs, spaces)."""
    return _clean_text(column).str.replace_all(_NOT_NUMBER, "")


def _number(text: pl.Expr, decimal: str, *, whole: bool) -> pl.Expr:
    """The number a text means in the decimal convention, or null when it is not written that way."""
    pattern = _WHOLE[decimal] if whole else _NUMBER[decimal]
    digits = text.str.replace_all(_THOUSANDS[decimal], "", literal=True)
    if decimal == COMMA:
        digits = digits.str.replace(",", ".", literal=True)
    readable = text.str.contains(pattern) & text.str.contains(r"\d")
    if whole:
        return pl.when(readable).then(digits.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False))
    return pl.when(readable).then(digits.cast(pl.Float64, strict=False))


def _full_year(text: pl.Expr) -> pl.Expr:
    """A year as written, with a two-digit year read as Excel reads it."""
    year = text.cast(pl.Int32, strict=False)
    century = pl.when(year < TWO_DIGIT_YEAR_PIVOT).then(2000).otherwise(1900)
    return pl.when(text.str.len_chars() == 2).then(century + year).otherwise(year)


def _date_of(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The real date of year, month and day numbers (null when there is no such day, such as 31/09)."""
    iso = pl.concat_str(
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
        separator="-",
    )
    return iso.str.to_date("%Y-%m-%d", strict=False, exact=True)


def _date(text: pl.Expr) -> pl.Expr:
    """A date written in any accepted form (null when it is in none, or is no real day)."""
    iso = text.str.extract_groups(_ISO_DATE)
    uk = text.str.extract_groups(_DAY_FIRST_DATE)
    named = text.str.extract_groups(_NAMED_MONTH_DATE)
    month_word = (
        named.struct.field("2")
        .str.to_lowercase()
        .replace_strict(MONTH_NUMBERS, default=None, return_dtype=pl.Int32)
    )
    return pl.coalesce(
        _date_of(iso.struct.field("1"), iso.struct.field("2"), iso.struct.field("3")),
        _date_of(_full_year(uk.struct.field("3")), uk.struct.field("2"), uk.struct.field("1")),
        _date_of(_full_year(named.struct.field("3")), month_word, named.struct.field("1")),
    )


def _day_first_parts(column: str) -> tuple[pl.Expr, pl.Expr]:
    """The first and second numbers of a date written with slashes, dots or hyphens, day first or not."""
    parts = _clean_text(column).str.extract_groups(_DAY_FIRST_DATE)
    return parts.struct.field("1").cast(pl.Int32), parts.struct.field("2").cast(pl.Int32)


def _month_first_example(frame: pl.DataFrame, date_columns: list[str]) -> str | None:
    """A date of the file that can only be month first (9/13/2025), when no date in it is only day first."""
    month_first: str | None = None
    for name in date_columns:
        first, second = _day_first_parts(name)
        found = frame.select(
            pl.col(name).filter((first <= 12) & (second > 12)).first().alias("month_first"),
            ((first > 12) & (second <= 12)).any().alias("day_first"),
        ).row(0, named=True)
        if found["day_first"]:
            return None
        month_first = month_first or found["month_first"]
    return month_first


def _parsed(column: str, dtype_name: str, decimal: str) -> pl.Expr:
    """A text column read as the schema's type (null where the text is not such a value)."""
    text = _clean_text(column)
    if dtype_name == "Int64":
        return _number(_number_text(column), decimal, whole=True)
    if dtype_name == "Float64":
        return _number(_number_text(column), decimal, whole=False)
    if dtype_name == "Date":
        return _date(text)
    if dtype_name == "Boolean":
        lower = text.str.to_lowercase()
        return pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False)
    return text


def _examples(frame: pl.DataFrame, name: str, condition: pl.Expr) -> NumberExample | None:
    """The first value of the column meeting the condition, with its row, if any does."""
    found = frame.filter(condition).select(SOURCE_ROW, pl.col(name).str.strip_chars())
    if not found.height:
        return None
    row, value = found.row(0)
    return NumberExample(column=name, row=row, value=value)


def decimal_convention(
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    separator: str | None,
    configured: str | None,
    file_name: str,
    headers: dict[str, str] | None = None,
) -> str:
    """How the file writes decimals (point or comma), from its numbers; an InputFileError when it cannot tell.

    A workbook stores numbers as numbers and a comma-separated file cannot use a decimal comma, so both use
    the decimal point. Otherwise ``1.234,56`` or ``0,5`` means a decimal comma and ``1,234.56`` or ``0.5`` a
    decimal point; a file whose only clues are values such as ``1,234`` (a thousand, or one and a bit) must
    say which in its configuration, and a file that writes numbers both ways is refused.
    """
    if configured is not None:
        return configured
    if separator is None or separator == ",":
        return POINT
    names = [
        n
        for n, c in model.to_schema().columns.items()
        if str(c.dtype) in NUMERIC_TYPES and n in frame.columns
    ]
    clues: dict[str, NumberExample | None] = {POINT: None, COMMA: None}
    ambiguous: NumberExample | None = None
    for name in names:
        text = _number_text(name)
        both = text.str.contains(r"[.,]") & ~text.str.contains(_SCIENTIFIC)
        one_group = text.str.contains(r"^[+-]?\d{1,3}[.,]\d{3}$")
        clues[COMMA] = clues[COMMA] or _examples(
            frame,
            name,
            both & ~one_group
            & (text.str.contains(r"\..*,") | text.str.contains(r"^[+-]?\d*,\d+$") | text.str.contains(r"^\d{1,3}(\.\d{3}){2,}$")),  # noqa: E501 - the three patterns side by side, as the other decimal's line
        )  # fmt: skip
        clues[POINT] = clues[POINT] or _examples(
            frame,
            name,
            both & ~one_group
            & (text.str.contains(r",.*\.") | text.str.contains(r"^[+-]?\d*\.\d+$") | text.str.contains(r"^\d{1,3}(,\d{3}){2,}$")),  # noqa: E501 - the three patterns side by side, as the other decimal's line
        )  # fmt: skip
        ambiguous = ambiguous or _examples(frame, name, one_group)
    point, comma = clues[POINT], clues[COMMA]
    if point is not None and comma is not None:
        raise InputFileError(
            f"the file writes numbers in two ways: {comma.value} in column '{_heading(headers, comma.column)}' (row "
            f"{comma.row}) has a decimal comma, but {point.value} in column '{_heading(headers, point.column)}' (row "
            f"{point.row}) has a decimal point, so it is not clear how to read them. Export the file again "
            "from one program, with one setting for decimals.",
            file=file_name,
            row=point.row,
            column=point.column,
            rule="decimal convention",
        )
    if point is not None or comma is not None:
        return POINT if point is not None else COMMA
    if ambiguous is not None:
        thousand, fraction = (
            ambiguous.value.replace(",", "").replace(".", ""),
            ambiguous.value.replace(",", "."),
        )
        raise InputFileError(
            f"the value {ambiguous.value} in column '{_heading(headers, ambiguous.column)}' "
            f"(row {ambiguous.row}) could be "
            f"{int(thousand):,} or {fraction}, and no other number in the file shows which way it writes "
            'decimals. Say which in the hub configuration: give this file as { path = ..., decimal = "comma" } '
            "when 1.234,56 means one thousand two hundred and thirty-four pounds fifty-six (as a European-style "
            'Excel writes it), or decimal = "point" when it is written 1,234.56.',
            file=file_name,
            row=ambiguous.row,
            column=ambiguous.column,
            rule="decimal convention",
        )
    return POINT


def _heading(headers: dict[str, str] | None, name: str) -> str:
    """The file's own heading for a canonical column, when known."""
    return (headers or {}).get(name, name)


def _failure_rows(bad: pl.DataFrame, *, source: str, file_name: str, column: str, rule: str) -> pl.DataFrame:
    """Report rows (errors) for the rows and values given."""
    return bad.select(
        pl.lit(source).alias(ValidationFailure.source),
        pl.lit(file_name).alias(ValidationFailure.file),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row),
        pl.lit(column).alias(ValidationFailure.column),
        pl.lit(rule).alias(ValidationFailure.rule),
        pl.col("value").alias(ValidationFailure.value),
        pl.lit("error").alias(ValidationFailure.severity),
    )


def type_columns(
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    source: str,
    file_name: str,
    null_tokens: tuple[str, ...] = (),
    decimal: str = POINT,
    headers: dict[str, str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast each column to the model's type; return the typed frame and one failure row per unreadable value.

    A value that cannot be read is left empty in the typed frame, so the row is quarantined by validation.
    ``null_tokens`` (for DfE files: x, z, c, ...) are read as missing, never as failures. ``decimal`` is the
    file's decimal convention; ``headers`` (canonical name -> the file's heading) words the messages.
    """
    columns = model.to_schema().columns
    if null_tokens:
        frame = frame.with_columns(
            pl.when(pl.col(name).str.strip_chars().is_in(null_tokens))
            .then(None)
            .otherwise(pl.col(name))
            .alias(name)
            for name in columns
            if name in frame.columns
        )
    scientific = {name: _clean_text(name).str.contains(_SCIENTIFIC).fill_null(False) for name in columns}
    typed = frame.with_columns(
        pl.when(scientific[name]).then(None).otherwise(_parsed(name, str(column.dtype), decimal)).alias(name)
        for name, column in columns.items()
    )
    date_columns = [name for name, column in columns.items() if str(column.dtype) == "Date"]
    month_first = _month_first_example(frame, date_columns) if date_columns else None
    failures = []
    for name, column in columns.items():
        bad_code = frame.filter(scientific[name]).select(SOURCE_ROW, pl.col(name).alias("value"))
        if bad_code.height:
            rule_text = SCIENTIFIC_RULE.format(header=_heading(headers, name))
            failures.append(
                _failure_rows(bad_code, source=source, file_name=file_name, column=name, rule=rule_text)
            )
        rule = PARSE_RULES.get(str(column.dtype))
        if rule is None:
            continue
        if str(column.dtype) == "Float64" and decimal == COMMA:
            rule = COMMA_NUMBER_RULE
        unreadable = (
            frame.select(_clean_text(name).is_not_null() & ~scientific[name]).to_series()
            & typed.get_column(name).is_null()
        )
        bad = frame.filter(unreadable).select(SOURCE_ROW, pl.col(name).alias("value"))
        if bad.height:
            failures.append(_failure_rows(bad, source=source, file_name=file_name, column=name, rule=rule))
        if month_first is not None and name in date_columns:
            first, second = _day_first_parts(name)
            either = frame.filter(((first <= 12) & (second <= 12) & (first != second)).fill_null(False))
            if either.height:
                typed = typed.with_columns(
                    pl.when(pl.col(SOURCE_ROW).is_in(either.get_column(SOURCE_ROW).implode()))
                    .then(None)
                    .otherwise(pl.col(name))
                    .alias(name)
                )
                failures.append(
                    _failure_rows(
                        either.select(SOURCE_ROW, pl.col(name).alias("value")),
                        source=source,
                        file_name=file_name,
                        column=name,
                        rule=MONTH_FIRST_RULE.format(example=month_first),
                    )
                )
    failure_frame = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    return typed, failure_frame.cast(FAILURE_SCHEMA)
