"""Type text columns against a schema; every value that cannot be read becomes a failure row, not a crash."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from ingest.files import SOURCE_ROW
from schemas.validation import FAILURE_SCHEMA, ValidationFailure

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%y", "%d.%m.%Y")
TRUE_WORDS = ("y", "yes", "true", "1", "t")
FALSE_WORDS = ("n", "no", "false", "0", "f")

PARSE_RULES = {
    "Int64": "must be a whole number",
    "Float64": "must be a number",
    "Date": "must be a real date, written YYYY-MM-DD or DD/MM/YYYY",
    "Boolean": "must be Y or N",
}


def _clean_text(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _parsed(column: str, dtype_name: str, date_formats: tuple[str, ...]) -> pl.Expr:
    text = _clean_text(column)
    if dtype_name == "Int64":
        number = text.str.replace_all(",", "").str.replace(r"\.0+$", "")
        return number.cast(pl.Int64, strict=False)
    if dtype_name == "Float64":
        return text.str.replace_all(r"[£,%\s]", "").cast(pl.Float64, strict=False)
    if dtype_name == "Date":
        return pl.coalesce([text.str.to_date(fmt, strict=False, exact=True) for fmt in date_formats])
    if dtype_name == "Boolean":
        lower = text.str.to_lowercase()
        return pl.when(lower.is_in(TRUE_WORDS)).then(True).when(lower.is_in(FALSE_WORDS)).then(False)
    return text


def type_columns(
    frame: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    source: str,
    file_name: str,
    date_formats: tuple[str, ...] = DATE_FORMATS,
    null_tokens: tuple[str, ...] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast each column to the model's type; return the typed frame and one failure row per unreadable value.

    A value that cannot be read is left empty in the typed frame, so the row is quarantined by validation.
    ``null_tokens`` (for DfE files: x, z, c, ...) are read as missing, never as failures.
    """
    columns = model.to_schema().columns
    if null_tokens:
        frame = frame.with_columns(
            pl.when(pl.col(name).str.strip_chars().is_in(null_tokens)).then(None).otherwise(pl.col(name)).alias(name)
            for name in columns
            if name in frame.columns
        )
    typed = frame.with_columns(
        _parsed(name, str(column.dtype), date_formats).alias(name) for name, column in columns.items()
    )
    failures = []
    for name, column in columns.items():
        rule = PARSE_RULES.get(str(column.dtype))
        if rule is None:
            continue
        unreadable = frame.select(_clean_text(name).is_not_null()).to_series() & typed.get_column(name).is_null()
        bad = frame.filter(unreadable).select(SOURCE_ROW, pl.col(name).alias("value"))
        if bad.height:
            failures.append(
                bad.select(
                    pl.lit(source).alias(ValidationFailure.source),
                    pl.lit(file_name).alias(ValidationFailure.file),
                    pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row),
                    pl.lit(name).alias(ValidationFailure.column),
                    pl.lit(rule).alias(ValidationFailure.rule),
                    pl.col("value").alias(ValidationFailure.value),
                    pl.lit("error").alias(ValidationFailure.severity),
                )
            )
    failure_frame = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    return typed, failure_frame.cast(FAILURE_SCHEMA)
