"""Run a Pandera model over a typed input and turn its failure cases into report rows in plain English."""

from __future__ import annotations

import re

import pandera.errors
import pandera.polars as pa
import polars as pl

from ingest.files import SOURCE_ROW
from schemas.one_pass import failing_columns
from schemas.periods import ACADEMIC_YEAR_REGEX
from schemas.validation import FAILURE_SCHEMA, UNIQUE_RULE, ValidationFailure
from schemas.vocabulary import (
    CENSUS_PERIOD_REGEX,
    LA_CODE_REGEX,
    LAESTAB_REGEX,
    QUALITY_MARKS,
    QUALITY_MARKS_REGEX,
    UK_POSTCODE_REGEX,
    UPN_REGEX,
    URN_REGEX,
)

_PATTERN_RULES = {
    URN_REGEX: "must be a 6-digit URN",
    LA_CODE_REGEX: "must be a 3-digit DfE local authority code",
    LAESTAB_REGEX: "must be a 7-digit LAESTAB",
    UK_POSTCODE_REGEX: "must be a UK postcode such as DE1 1AA",
    UPN_REGEX: "must be a 13-character unique pupil number (a letter, 11 digits and a check character)",
    ACADEMIC_YEAR_REGEX: "must be an academic year written YYYY/YY, such as 2025/26",
    r"^\d{4}$": "must be 4 digits",
    CENSUS_PERIOD_REGEX: "must be a DfE time period of 6 digits, such as 202526",
    QUALITY_MARKS_REGEX: "must be quality marks separated by ';', each one of: " + "; ".join(QUALITY_MARKS),
    r"^https?://\S+$": "must be a web address starting http:// or https://",
}


# DfE's UPN alphabet (python-stdnum's gb.upn): letters without I, O and S, then the digits; a character's
# place in it is its value in the check letter's weighted sum.
UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def plain_rule(check: str) -> str:
    """A Pandera check name, said the way a data officer would understand it."""
    if check in ("not_nullable", "nullable"):
        return "must not be empty"
    if check in ("field_uniqueness", "unique", "multiple_fields_uniqueness"):
        return UNIQUE_RULE
    match = re.fullmatch(r"(\w+)\((.*)\)", check, flags=re.DOTALL)
    if not match:
        return check
    name, argument = match.groups()
    if name == "isin":
        values = re.findall(r"'([^']*)'|(-?\d+)", argument)
        words = [a or b for a, b in values]
        return "must be one of: " + ", ".join(words)
    if name == "str_matches":
        pattern = argument.strip("'\"").replace("\\\\", "\\")
        return _PATTERN_RULES.get(pattern, f"must match the pattern {pattern}")
    if name == "greater_than_or_equal_to":
        return f"must be {argument} or more"
    if name == "greater_than":
        return f"must be more than {argument}"
    if name == "less_than_or_equal_to":
        return f"must be {argument} or less"
    if name == "less_than":
        return f"must be less than {argument}"
    if name == "in_range":
        return f"must be between {argument.replace(', ', ' and ')}"
    return check


def validate_frame(
    typed: pl.DataFrame,
    model: type[pa.DataFrameModel],
    *,
    source: str,
    file_name: str,
    already_failed: pl.DataFrame | None = None,
    raw: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Validate every value at once (lazy) and return one failure row per broken rule and row.

    Every check runs in one query (``schemas.one_pass``); Pandera reports the columns breaking one. Cells
    already reported as unreadable (``already_failed``) are not reported again as empty. When the
    text as read (``raw``) is given, failures quote the value exactly as the file has it.
    """
    schema = model.to_schema()
    columns = list(schema.columns)
    checked = typed.select(columns)
    # Every check in one query; Pandera then reports only the columns that break one (its report for a
    # column does not depend on the others), or every column when the one query cannot tell.
    failing = failing_columns(schema, checked)
    try:
        if failing is None:
            model.validate(checked, lazy=True)
        elif failing:
            schema.select_columns(failing).validate(checked.select(failing), lazy=True)
        failures = pl.DataFrame(schema=FAILURE_SCHEMA)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.filter(pl.col("index").is_not_null())
        rows = (
            typed.select(pl.col(SOURCE_ROW))
            .with_row_index("index")
            .with_columns(pl.col("index").cast(pl.Int32))
        )
        rules = {check: plain_rule(check) for check in cases.get_column("check").unique().to_list()}
        failures = (
            cases.join(rows, on="index", how="left")
            .with_columns(pl.col("check").replace_strict(rules, return_dtype=pl.String).alias("rule"))
            .select(
                pl.lit(source).alias(ValidationFailure.source),
                pl.lit(file_name).alias(ValidationFailure.file),
                pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row),
                pl.col("column").alias(ValidationFailure.column),
                pl.col("rule").alias(ValidationFailure.rule),
                pl.col("failure_case").alias(ValidationFailure.value),
                pl.lit("error").alias(ValidationFailure.severity),
            )
            .cast(FAILURE_SCHEMA)
        )
    if already_failed is not None and already_failed.height and failures.height:
        failures = failures.join(
            already_failed.select(ValidationFailure.row, ValidationFailure.column),
            on=[ValidationFailure.row, ValidationFailure.column],
            how="anti",
        )
    if raw is not None and failures.height:
        failures = _quote_raw_values(failures, raw)
    return failures


def _quote_raw_values(failures: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    columns = [c for c in raw.columns if c != SOURCE_ROW]
    as_written = (
        raw.filter(pl.col(SOURCE_ROW).is_in(failures.get_column(ValidationFailure.row).implode()))
        .select(pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row), *columns)
        .unpivot(index=ValidationFailure.row, variable_name=ValidationFailure.column, value_name="as_written")
    )
    return (
        failures.join(as_written, on=[ValidationFailure.row, ValidationFailure.column], how="left")
        .with_columns(pl.coalesce("as_written", ValidationFailure.value).alias(ValidationFailure.value))
        .select(list(FAILURE_SCHEMA))
    )


def _upn_letter_is_wrong(upn: pl.Expr) -> pl.Expr:
    """``not _upn_letter_is_right`` as one Polars expression: DfE's weighted sum of the twelve characters
    after the first (weights 2 to 13, mod 23) names the check letter; a character outside the alphabet
    gives no verdict (false), as the pattern rule reports it."""
    position = {character: number for number, character in enumerate(UPN_ALPHABET)}
    weighted = [
        upn.str.slice(offset, 1).replace_strict(position, default=None, return_dtype=pl.Int64) * (offset + 1)
        for offset in range(1, 13)
    ]
    expected = (pl.sum_horizontal(weighted) % 23).replace_strict(
        dict(enumerate(UPN_ALPHABET)), default=None, return_dtype=pl.String
    )
    known = pl.all_horizontal(w.is_not_null() for w in weighted)
    return (known & (expected != upn.str.slice(0, 1))).fill_null(False)


def check_upn_letters(frame: pl.DataFrame, column: str, *, source: str, file_name: str) -> pl.DataFrame:
    """A warning for each UPN whose check letter is wrong (usually a typing mistake in the UPN)."""
    well_formed = frame.filter(pl.col(column).str.contains(UPN_REGEX).fill_null(False))
    if not well_formed.height:
        return pl.DataFrame(schema=FAILURE_SCHEMA)
    bad = well_formed.filter(_upn_letter_is_wrong(pl.col(column)))
    return bad.select(
        pl.lit(source).alias(ValidationFailure.source),
        pl.lit(file_name).alias(ValidationFailure.file),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row),
        pl.lit(column).alias(ValidationFailure.column),
        pl.lit(
            "the UPN's check letter (its first character) does not match the rest of it, so it is probably "
            "mistyped: copy it again from the school's records"
        ).alias(ValidationFailure.rule),
        pl.col(column).alias(ValidationFailure.value),
        pl.lit("warning").alias(ValidationFailure.severity),
    ).cast(FAILURE_SCHEMA)
