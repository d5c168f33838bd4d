"""The validation report's rows: each error on its own, each repeated warning once with how often it recurs."""

from __future__ import annotations

import polars as pl

from schemas.register import Establishment
from schemas.validation import DUPLICATE_RULES, RECORD_ID
from schemas.validation import ReportedFailure as Reported
from schemas.validation import ValidationFailure as Failure

# A warning's row numbers beyond these are counted, not listed.
MAX_ROWS_LISTED = 10
_GROUP = [Failure.source, Failure.file, Failure.column, Failure.rule, Failure.value, Failure.severity]


def report_rows(
    failures: pl.LazyFrame, schools: pl.LazyFrame | None = None, records: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Failures as the validation report lists them (ReportedFailure).

    A failure in a URN column names its school, as the register ``schools`` (urn, school_name) does. Each
    row names its record as ``records`` (source, file, row, record_id: ingest/pipeline.record_ids) give it,
    and a duplicate (a value that must be unique and is not) the other rows with the same value.

    An error is one row (each row that breaks a rule has to be fixed). Warnings of one kind about one record
    (the same file, column, rule and value, such as one school's old URN on many rows) are one row: the first
    row it is on, how many rows it is on, and the other rows' numbers (the first ten, then how many more).
    """
    errors = failures.filter(pl.col(Failure.severity) == "error").with_columns(
        pl.lit(1, dtype=pl.Int64).alias(Reported.occurrences),
        pl.lit(None, dtype=pl.String).alias(Reported.other_rows),
    )
    others = pl.col(Failure.row).sort().slice(1)
    listed = others.head(MAX_ROWS_LISTED).cast(pl.String).str.join(", ")
    more = pl.len().cast(pl.Int64) - 1 - MAX_ROWS_LISTED  # unsigned, pl.len() would wrap below 0
    warnings = (
        failures.filter(pl.col(Failure.severity) == "warning")
        .group_by(_GROUP, maintain_order=True)
        .agg(
            pl.col(Failure.row).min(),
            pl.len().cast(pl.Int64).alias(Reported.occurrences),
            pl.when(pl.len() > 1)
            .then(
                pl.when(more > 0)
                .then(listed + pl.lit(" and ") + more.cast(pl.String) + pl.lit(" more"))
                .otherwise(listed)
            )
            .alias(Reported.other_rows),
        )
    )
    added = (Reported.record, Reported.record_id, Reported.same_as)
    columns = [c for c in Reported.to_schema().columns if c not in added]
    rows = pl.concat([errors.select(columns), warnings.select(columns)], how="vertical_relaxed")
    ids = (
        records.select(
            Failure.source, Failure.file, Failure.row, pl.col(RECORD_ID).alias(Reported.record_id)
        ).unique([Failure.source, Failure.file, Failure.row], keep="first")
        if records is not None
        else pl.LazyFrame(
            schema={
                Failure.source: pl.String,
                Failure.file: pl.String,
                Failure.row: pl.Int64,
                Reported.record_id: pl.String,
            }
        )
    )
    names = (
        schools.select(
            pl.col(Establishment.urn).alias(Failure.value),
            pl.col(Establishment.school_name).alias(Reported.record),
        ).unique(Failure.value, keep="first")
        if schools is not None
        else pl.LazyFrame(schema={Failure.value: pl.String, Reported.record: pl.String})
    )
    in_urn_column = pl.col(Failure.column).fill_null("").str.ends_with(Establishment.urn)
    return (
        rows.join(names, on=Failure.value, how="left", maintain_order="left")
        .with_columns(pl.when(in_urn_column).then(pl.col(Reported.record)).alias(Reported.record))
        .join(ids, on=[Failure.source, Failure.file, Failure.row], how="left", maintain_order="left")
        .join(duplicate_partners(failures), on=_PARTNER_KEY, how="left", maintain_order="left")
        .select(list(Reported.to_schema().columns))
    )


# A failure is the same one on another row when its input, column, rule and value are.
_SAME = [Failure.source, Failure.column, Failure.rule, Failure.value]
_PARTNER_KEY = [Failure.source, Failure.file, Failure.row, Failure.column, Failure.rule, Failure.value]


def duplicate_partners(failures: pl.LazyFrame) -> pl.LazyFrame:
    """For each duplicate error, the other rows with the same value: ``same as row 12`` (same_as).

    A duplicate is an error of a rule in DUPLICATE_RULES; its partners are the rows with the same error and
    value in the same input, in its file (``row 12``) or another (``row 4 of loans.csv``), in file then row
    order, the first ten listed and the rest counted.
    """
    duplicates = failures.filter(
        (pl.col(Failure.severity) == "error") & pl.col(Failure.rule).is_in(list(DUPLICATE_RULES))
    ).select(_PARTNER_KEY)
    partners = duplicates.join(duplicates, on=_SAME, suffix="_other").filter(
        (pl.col(Failure.file) != pl.col(f"{Failure.file}_other"))
        | (pl.col(Failure.row) != pl.col(f"{Failure.row}_other"))
    )
    other_file, other_row = pl.col(f"{Failure.file}_other"), pl.col(f"{Failure.row}_other")
    named = pl.concat_str(
        pl.lit("row "),
        other_row.cast(pl.String),
        pl.when(other_file != pl.col(Failure.file)).then(pl.lit(" of ") + other_file).otherwise(pl.lit("")),
    )
    listed = named.sort_by(other_file, other_row)
    more = pl.len().cast(pl.Int64) - MAX_ROWS_LISTED
    return partners.group_by(_PARTNER_KEY).agg(
        pl.concat_str(
            pl.lit("same as "),
            listed.head(MAX_ROWS_LISTED).str.join(", "),
            pl.when(more > 0)
            .then(pl.lit(" and ") + more.cast(pl.String) + pl.lit(" more"))
            .otherwise(pl.lit("")),
        ).alias(Reported.same_as)
    )
