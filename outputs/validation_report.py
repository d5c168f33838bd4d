"""The validation report (``<hub>-<year>-validation.xlsx``): what to fix in each input, row by row.

Sheets: Cover, Contents, Notes, Inputs (rows read, kept and quarantined per file), Errors (each rule broken,
with file, Excel row, column, rule and value) and Warnings (points to check; those rows are kept).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from outputs.house_style import Note, TableSheet, WorkbookMeta, write_workbook
from schemas.output_tables import column_titles
from schemas.register import Establishment
from schemas.validation import RECORD_ID_COLUMNS, InputSummary, ReportedFailure, ValidationFailure
from schemas.vocabulary import NOT_APPLICABLE

PURPOSE = (
    "What to fix in the hub's input files: every rule a row breaks (an error: the row is left out of the "
    "figures) and every point worth a second look (a warning), each with its file, row and column."
)
ERROR_COLUMNS = [c for c in ReportedFailure.to_schema().columns if c != ValidationFailure.severity]


def validation_report_path(output_dir: Path, hub_slug: str, year_slug: str) -> Path:
    """The report's path: ``<output_dir>/<hub>/<year>/<hub>-<year>-validation.xlsx``."""
    return Path(output_dir) / hub_slug / year_slug / f"{hub_slug}-{year_slug}-validation.xlsx"


def _failures(failures: pl.DataFrame, severity: str) -> pl.DataFrame:
    return (
        failures.filter(pl.col(ValidationFailure.severity) == severity)
        .sort(
            [
                ValidationFailure.source,
                ValidationFailure.file,
                ValidationFailure.row,
                ValidationFailure.column,
            ],
            nulls_last=True,
        )
        .select(ERROR_COLUMNS)
    )


def _no_other_rows(rows: pl.DataFrame) -> dict[str, pl.Series]:
    """[z] where a failure is on one row only (no other rows to list), or is not about a URN (no school).

    A failure about a URN the register does not have shows [x] for its school: not available. Its record is
    [z] when it is about a whole file or its input has no id column, [x] when the row's id cell is empty; a
    failure that is not a duplicate is the same as no other row ([z]).
    """
    other = rows.get_column(ReportedFailure.other_rows)
    not_a_urn = ~rows.get_column(ValidationFailure.column).fill_null("").str.ends_with(Establishment.urn)
    without_ids = [source for source, column in RECORD_ID_COLUMNS.items() if column is None]
    no_record = rows.select(
        pl.col(ValidationFailure.row).is_null() | pl.col(ValidationFailure.source).is_in(without_ids)
    ).to_series()
    return {
        ReportedFailure.other_rows: pl.select(
            pl.when(pl.lit(other).is_null()).then(pl.lit(NOT_APPLICABLE))
        ).to_series(),
        ReportedFailure.record: pl.select(
            pl.when(pl.lit(not_a_urn)).then(pl.lit(NOT_APPLICABLE))
        ).to_series(),
        ReportedFailure.record_id: pl.select(
            pl.when(pl.lit(no_record)).then(pl.lit(NOT_APPLICABLE))
        ).to_series(),
        ReportedFailure.same_as: pl.select(
            pl.when(pl.lit(rows.get_column(ReportedFailure.same_as)).is_null()).then(pl.lit(NOT_APPLICABLE))
        ).to_series(),
    }


def write_validation_report(
    path: Path, meta: WorkbookMeta, *, inputs: pl.DataFrame, failures: pl.DataFrame
) -> str:
    """Write the report (validated tables in, nothing computed here); return the file's SHA-256.

    ``failures`` are the report's rows (ReportedFailure: transforms/validation_rows.report_rows).
    """
    InputSummary.validate(inputs, lazy=True)
    ReportedFailure.validate(failures, lazy=True)
    titles = column_titles(ReportedFailure)
    rows = failures
    errors, warnings = _failures(rows, "error"), _failures(rows, "warning")
    sheets = [
        TableSheet(
            sheet_name="Inputs",
            title="Rows read, kept and quarantined per input file",
            table=inputs,
            column_titles=column_titles(InputSummary),
            description="A row is quarantined (left out of every figure) when it breaks at least one rule.",
        ),
        TableSheet(
            sheet_name="Errors",
            title="Rules broken: fix these rows and run again",
            table=errors,
            column_titles=titles,
            markers=_no_other_rows(errors),
            description="Row numbers are as Excel shows them, with the header as row 1. Record is the row's id "
            "in its file; a duplicate says which rows have the same value.",
            notes=("N1",),
        ),
        TableSheet(
            sheet_name="Warnings",
            title="Points to check: these rows were kept",
            table=warnings,
            column_titles=titles,
            markers=_no_other_rows(warnings),
            description="Warnings do not stop a run; they point at figures worth a second look. A warning "
            "repeated on several rows of a file (such as one school's old URN) is listed once, with its rows.",
            notes=("N2",),
        ),
    ]
    notes = [
        Note("N1", "A strict run (the default) publishes nothing while any error remains."),
        Note(
            "N2",
            "A school that closed and reopened under a new URN (for example on becoming an academy) is "
            "counted under its new URN, as the GIAS links file records.",
        ),
    ]
    warning_rows = int(warnings.get_column(ReportedFailure.occurrences).sum())
    summary = [f"Errors: {errors.height}", f"Warnings: {warnings.height} (on {warning_rows} rows)"]
    about = replace(meta, purpose=meta.purpose or PURPOSE, show_status=False)
    return write_workbook(path, about, sheets, notes, summary_lines=summary)
