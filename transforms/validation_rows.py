"""The validation report's rows: each error on its own, each repeated warning once with how often it recurs."""

from __future__ import annotations

import polars as pl

from schemas.register import Establishment
from schemas.validation import ReportedFailure as Reported
from schemas.validation import ValidationFailure as Failure

# A warning's row numbers beyond these are counted, not listed.
MAX_ROWS_LISTED = 10
_GROUP = [Failure.source, Failure.file, Failure.column, Failure.rule, Failure.value, Failure.severity]


def report_rows(failures: pl.LazyFrame, schools: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Failures as the validation report lists them (ReportedFailure).

    A failure in a URN column names its school, as the register ``schools`` (urn, school_name) does.

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
    more = pl.len() - 1 - MAX_ROWS_LISTED
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
    columns = [c for c in Reported.to_schema().columns if c != Reported.record]
    rows = pl.concat([errors.select(columns), warnings.select(columns)], how="vertical_relaxed")
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
        .select(list(Reported.to_schema().columns))
    )
