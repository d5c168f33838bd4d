"""The validation report's rows: one per broken rule, naming the file, row, column, rule and value."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.census import SchoolCensus, SenCensus
from schemas.hub_exports import HUB_EXPORTS, PUPIL_REF_COLUMN
from schemas.register import Establishment, EstablishmentLink

SEVERITIES = ("error", "warning")
# The rules a duplicate breaks: the report names the other rows with the same value.
UNIQUE_RULE = "must be unique: this value appears on more than one row"
DUPLICATE_ACROSS_FILES_RULE = "appears more than once across the files configured for this input"
DUPLICATE_UPN_RULE = (
    "the same UPN appears under more than one pupil_ref: merge the records so the pupil counts once"
)
DUPLICATE_RULES = (UNIQUE_RULE, DUPLICATE_ACROSS_FILES_RULE, DUPLICATE_UPN_RULE)
# The column of a record's name (ingest/pipeline.record_ids), beside the source, file and row it is on.
RECORD_ID = "record_id"


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
    record_id: str = pa.Field(
        nullable=True,
        title="Record",
        description="The row's record as the file names it: its id column and value, such as enrolment id T7",
    )
    same_as: str = pa.Field(
        nullable=True,
        title="Same as",
        description="For a duplicate, the other rows with the same value (of another file, when it is named)",
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


# Every input's model, by the name the configuration gives it.
INPUT_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "gias": Establishment,
    "gias_links": EstablishmentLink,
    "census": SchoolCensus,
    "sen": SenCensus,
    **HUB_EXPORTS,
}


def record_id_column(model: type[pa.DataFrameModel]) -> str | None:
    """The column a source's rows are known by: its unique id, else its first id or ref column, else its URN.

    A pupil's id is pseudonymised on reading, so it names no record the officer would know: it is never used.
    """
    columns = model.to_schema().columns
    if PUPIL_REF_COLUMN in columns and columns[PUPIL_REF_COLUMN].unique:
        return None  # a list of pupils: each row is one pupil, known by its pseudonym only
    names = [name for name in columns if name != PUPIL_REF_COLUMN]
    unique = [name for name in names if columns[name].unique]
    ids = [name for name in names if name.endswith(("_id", "_ref"))]
    urns = [name for name in names if name == "urn"]
    return next(iter(unique + ids + urns), None)


# The id column of each input (None: its rows have none the officer would know, such as the finance ledger's
# lines or the pupils).
RECORD_ID_COLUMNS: dict[str, str | None] = {
    source: record_id_column(model) for source, model in INPUT_MODELS.items()
}


def record_label(column: str) -> str:
    """An id column's name as the report writes it before the value: ``enrolment id``, ``URN``."""
    return "URN" if column == "urn" else column.replace("_", " ")


RECORD_ID_SCHEMA: dict[str, pl.DataType] = {
    ValidationFailure.source: pl.String(),
    ValidationFailure.file: pl.String(),
    ValidationFailure.row: pl.Int64(),
    RECORD_ID: pl.String(),
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
