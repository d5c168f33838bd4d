"""The validation report's rows: one per broken rule, naming the file, row, column, rule and value."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

SEVERITIES = ("error", "warning")


class ValidationFailure(pa.DataFrameModel):
    """A value, row or file that breaks a rule. Row numbers are as Excel shows them (header = row 1)."""

    source: str = pa.Field(title="Input", description="The input the file was configured as (e.g. tuition)")
    file: str = pa.Field(title="File", description="File name")
    row: pl.Int64 = pa.Field(nullable=True, ge=1, title="Row", description="Row as numbered in Excel")
    column: str = pa.Field(nullable=True, title="Column", description="Column name")
    rule: str = pa.Field(title="Rule", description="The rule broken, in plain English")
    value: str = pa.Field(
        nullable=True, title="Value", description="The offending value as written in the file"
    )
    severity: str = pa.Field(isin=list(SEVERITIES), title="Severity", description="error or warning")

    class Config:
        strict = True


class ReportedFailure(ValidationFailure):
    """A row of the validation report: a failure, or a warning repeated on several rows of one file."""

    record: str = pa.Field(
        nullable=True, title="School", description="The school a URN in the value is, as GIAS names it"
    )
    occurrences: pl.Int64 = pa.Field(ge=1, title="Rows", description="How many rows of the file it is on")
    other_rows: str = pa.Field(
        nullable=True, title="Also on rows", description="The other rows it is on, as numbered in Excel"
    )


FAILURE_SCHEMA: dict[str, pl.DataType] = {
    ValidationFailure.source: pl.String(),
    ValidationFailure.file: pl.String(),
    ValidationFailure.row: pl.Int64(),
    ValidationFailure.column: pl.String(),
    ValidationFailure.rule: pl.String(),
    ValidationFailure.value: pl.String(),
    ValidationFailure.severity: pl.String(),
}


def empty_failures() -> pl.DataFrame:
    """A failures table with no rows."""
    return pl.DataFrame(schema=FAILURE_SCHEMA)


class InputSummary(pa.DataFrameModel):
    """One input file of a run: how many rows were read, kept and quarantined, and its fingerprint."""

    source: str = pa.Field(title="Input", description="The input the file was configured as")
    file: str = pa.Field(title="File", description="File name")
    rows_read: pl.Int64 = pa.Field(ge=0, title="Rows read", description="Data rows in the file")
    rows_kept: pl.Int64 = pa.Field(ge=0, title="Rows kept", description="Rows that passed every rule")
    rows_quarantined: pl.Int64 = pa.Field(
        ge=0, title="Rows quarantined", description="Rows left out because they broke a rule"
    )
    error_count: pl.Int64 = pa.Field(ge=0, title="Errors", description="Rules broken (each blocks its row)")
    warning_count: pl.Int64 = pa.Field(ge=0, title="Warnings", description="Points to check (rows kept)")
    sha256: str = pa.Field(title="SHA-256", description="Fingerprint of the file's bytes")

    class Config:
        strict = True
