"""The validation report: what to fix and where, read back with openpyxl."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import polars as pl

from outputs.validation_report import write_validation_report
from schemas.columns import polars_schema
from schemas.validation import InputSummary, ValidationFailure
from tests.outputs.test_annual_return import META
from tests.workbooks import table_rows
from transforms.validation_rows import report_rows

SUCCESSOR = "this school closed (GIAS); its successor URN 100009 is used instead. Please update the export"
MUST_BE_URN = "must be a URN in the GIAS register"


def failure(row: int, rule: str, value: str, severity: str, file: str = "tuition.csv") -> dict:
    return {
        "source": "tuition",
        "file": file,
        "row": row,
        "column": "urn",
        "rule": rule,
        "value": value,
        "severity": severity,
    }


FAILURES = pl.DataFrame(
    [
        # One school's old URN on 14 rows of the tuition export: one warning row, with its rows.
        *(failure(row, SUCCESSOR, "100001", "warning") for row in (9, 2, 5, *range(20, 30), 31)),
        failure(4, SUCCESSOR, "100001", "warning", file="loans.csv"),  # another file: its own row
        {
            **failure(3, "WCET pupils exceed the census estimate", "40", "warning", file="wcet.csv"),
            "column": "pupils",
        },
        # Errors are each a row to fix, even when the rule and value repeat.
        failure(7, MUST_BE_URN, "999999", "error"),
        failure(8, MUST_BE_URN, "999999", "error"),
    ],
    schema=polars_schema(ValidationFailure),
)
INPUTS = pl.DataFrame(
    [
        {
            "source": "tuition",
            "file": "tuition.csv",
            "rows_read": 40,
            "rows_kept": 38,
            "rows_quarantined": 2,
            "error_count": 2,
            "warning_count": 14,
            "sha256": "a" * 64,
        }
    ],
    schema=polars_schema(InputSummary),
)


def test_a_warning_repeated_about_one_school_is_one_row_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "validation.xlsx"
    schools = pl.DataFrame({"urn": ["100001", "100009"], "school_name": ["Abbey Primary", "Abbey Academy"]})
    rows = report_rows(FAILURES.lazy(), schools.lazy()).collect()
    write_validation_report(path, replace(META, title="Validation report"), inputs=INPUTS, failures=rows)
    book = openpyxl.load_workbook(path)
    warnings = table_rows(book["Warnings"])
    # Each names the school as GIAS does (a warning not about a URN has no school: [z]).
    assert [(w["File"], w["Row"], w["School"], w["Rows"], w["Also on rows"]) for w in warnings] == [
        ("loans.csv", 4, "Abbey Primary", 1, "[z]"),  # on one row only: no other rows
        ("tuition.csv", 2, "Abbey Primary", 14, "5, 9, 20, 21, 22, 23, 24, 25, 26, 27 and 3 more"),
        ("wcet.csv", 3, "[z]", 1, "[z]"),
    ]
    errors = table_rows(book["Errors"])
    assert [(e["Row"], e["Value"], e["Rows"], e["Also on rows"]) for e in errors] == [
        (7, "999999", 1, "[z]"),
        (8, "999999", 1, "[z]"),
    ]
    assert {e["School"] for e in errors} == {"[x]"}  # not a URN of the register
    wcet = next(w for w in warnings if w["File"] == "wcet.csv")
    assert (wcet["School"], wcet["Rows"]) == ("[z]", 1)
    cover = [row for row in book["Cover"].iter_rows(values_only=True)]
    labels = {row[0] for row in cover}
    # The report is not the return: it carries no "small numbers are (not) suppressed" status.
    assert "Status" not in labels
    assert ("Warnings: 3 (on 16 rows)", None) in [row[:2] for row in cover]
    assert cover[2][0].startswith("What to fix in the hub's input files")
