"""The validation report: what to fix and where, read back with openpyxl."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl

from foundation.hub_config import load_config
from ingest.pipeline import load_and_check, record_ids
from outputs.validation_report import write_validation_report
from schemas.columns import polars_schema
from schemas.periods import AcademicYear
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


FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"


def test_each_row_names_its_record_and_a_duplicate_its_partner_rows(tmp_path: Path) -> None:
    # The small hub's real files, with T2's enrolment id typed as T1 (rows 2 and 3 of the tuition export),
    # T4's lesson type mistyped (row 5) and a contact's URN that is no school (row 3 of the SMEP log).
    hub = tmp_path / "hub"
    shutil.copytree(FIXTURE, hub)
    tuition = hub / "exports" / "tuition.tsv"
    text = tuition.read_text(encoding="utf-8")
    tuition.write_text(
        text.replace("T2\tS003\tPiano", "T1\tS003\tPiano").replace("Cello\tindividual", "Cello\tsolo"),
        encoding="utf-8",
    )
    smep = hub / "exports" / "engagements.csv"
    smep.write_text(smep.read_text(encoding="utf-8").replace("G2,100001", "G2,199999"), encoding="utf-8")
    loaded = load_and_check(
        load_config(hub / "hub.toml"),
        key=b"report-test-key-0123456789",
        year=AcademicYear(2025),
        as_of=date(2026, 8, 31),
    )
    failures = pl.concat([item.failures for item in loaded])
    register = next(item.frame for item in loaded if item.source == "gias")
    rows = report_rows(failures.lazy(), register.lazy(), record_ids(loaded).lazy()).collect()
    path = tmp_path / "validation.xlsx"
    write_validation_report(path, replace(META, title="Validation report"), inputs=INPUTS, failures=rows)
    errors = {
        (e["File"], e["Row"], e["Column"]): e for e in table_rows(openpyxl.load_workbook(path)["Errors"])
    }
    # The duplicate: each row names the other, and itself by its (shared) id.
    first, second = errors[("tuition.tsv", 2, "enrolment_id")], errors[("tuition.tsv", 3, "enrolment_id")]
    assert (first["Record"], first["Same as"]) == ("enrolment id T1", "same as row 3")
    assert (second["Record"], second["Same as"]) == ("enrolment id T1", "same as row 2")
    # Not duplicates: named by their own id, the same as no other row.
    solo = errors[("tuition.tsv", 5, "lesson_type")]
    assert (solo["Record"], solo["Value"], solo["Same as"]) == ("enrolment id T4", "solo", "[z]")
    contact = errors[("engagements.csv", 3, "urn")]
    assert (contact["Record"], contact["School"], contact["Same as"]) == ("engagement id G2", "[x]", "[z]")


def test_duplicates_across_files_name_the_other_file_and_inputs_without_ids_have_no_record() -> None:
    def row(source: str, file: str, number: int, rule: str, value: str) -> dict:
        return {
            **failure(number, rule, value, "error", file=file),
            "source": source,
            "column": "urn, time_period",
        }

    across = "appears more than once across the files configured for this input"
    failures = pl.DataFrame(
        [
            row("census", "spc_2025.csv", 4, across, "100001 / 202526"),
            row("census", "spc_2026.csv", 9, across, "100001 / 202526"),
            row("census", "spc_2026.csv", 12, across, "100002 / 202526"),
            row("census", "spc_2025.csv", 7, across, "100002 / 202526"),
            {**row("finance", "ledger.csv", 3, "must be 0 or more", "-5"), "column": "amount_gbp"},
        ],
        schema=polars_schema(ValidationFailure),
    )
    rows = report_rows(failures.lazy()).collect()
    same = dict(zip(rows.get_column("row").to_list(), rows.get_column("same_as").to_list(), strict=True))
    assert same == {
        4: "same as row 9 of spc_2026.csv",
        9: "same as row 4 of spc_2025.csv",
        12: "same as row 7 of spc_2025.csv",
        7: "same as row 12 of spc_2026.csv",
        3: None,
    }


def test_a_warning_on_a_few_rows_lists_them_all_and_no_more() -> None:
    failures = pl.DataFrame(
        [failure(row, SUCCESSOR, "100001", "warning") for row in (4, 2, 3)],
        schema=polars_schema(ValidationFailure),
    )
    (row,) = report_rows(failures.lazy()).collect().iter_rows(named=True)
    assert (row["row"], row["occurrences"], row["other_rows"]) == (2, 3, "3, 4")
