"""Rows and headings that belong to a spreadsheet's layout, and checks on single values, as the report says them.

A Total footer is a total (left out, compared with the sum), not a row of empty cells; a column without a
heading is "column 2 (no heading)", never a reader's placeholder; a next-due date before the contact and a
UPN with the wrong check letter are warnings naming the row.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from stdnum.gb import upn as stdnum_upn

from foundation.hub_config import InputFile, load_config
from ingest.pipeline import load_and_check
from ingest.pseudonymise import pseudonym
from ingest.sources import load_hub_export
from schemas.periods import AcademicYear
from tests.ingest.spreadsheets import UK, write_locale_csv

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
KEY = b"layout-test-key-0123456789"
FINANCE = ("kind", "category", "amount_gbp", "date")


def _finance_with_footer(path: Path, total: str) -> Path:
    """A ledger as a data officer keeps it in Excel: the rows, a blank row, then a Total row, saved as CSV."""
    rows = [
        ("income", "DfE grant", 1200.5, date(2025, 9, 1)),
        ("expenditure", "staff", 800.25, date(2025, 9, 30)),
        (None, None, None, None),
    ]
    write_locale_csv(path, FINANCE, rows, UK)
    with path.open("ab") as handle:
        handle.write(f"Total,,{total},\r\n".encode())
    return path


def test_a_total_row_matching_the_sum_is_left_out_with_a_warning(tmp_path: Path) -> None:
    loaded = load_hub_export("finance", (InputFile(path=_finance_with_footer(tmp_path / "f.csv", '"2,000.75"')),),
                             key=KEY)  # fmt: skip
    assert loaded.frame.get_column("amount_gbp").to_list() == [1200.5, 800.25]
    assert loaded.failures.select("row", "column", "rule", "value", "severity").rows() == [
        (4, None, ("1 empty row was skipped (row 4; every cell empty, as a spreadsheet leaves them when it "
         "re-saves a file). Nothing to fix unless data is missing"), None, "warning"),
        (5, "amount_gbp", ("this is a total row, so it is left out; its total matches the sum of the 2 rows above "
         "it (2,000.75)"), "2,000.75", "warning"),
    ]  # fmt: skip
    assert (loaded.rows_read, loaded.rows_kept, loaded.rows_quarantined) == (2, 2, 0)


def test_a_total_row_that_does_not_add_up_says_so(tmp_path: Path) -> None:
    loaded = load_hub_export("finance", (InputFile(path=_finance_with_footer(tmp_path / "f.csv", "2100")),),
                             key=KEY)  # fmt: skip
    (rule,) = loaded.failures.filter(pl.col("row") == 5).get_column("rule").to_list()
    assert rule == (
        "this is a total row, so it is left out; its total does not match the sum of the 2 rows above it "
        "(2,000.75): check that no rows are missing, added twice or quarantined"
    )


def test_a_workbook_with_a_grand_total_row(tmp_path: Path) -> None:
    path = tmp_path / "finance.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(FINANCE))
    sheet.append(["income", "schools", 10, date(2025, 9, 1)])
    sheet.append(["income", "parents and carers", 15.5, date(2025, 9, 2)])
    sheet.append(["Grand total:", None, "=SUM(C2:C3)", None])
    workbook.save(path)
    loaded = load_hub_export("finance", (InputFile(path=path),), key=KEY)
    assert loaded.frame.height == 2
    assert loaded.failures.select("row", "rule", "severity").rows() == [
        (4, "this is a total row, so it is left out", "warning")
    ]


def test_a_column_without_a_heading_is_named_by_its_position(tmp_path: Path) -> None:
    path = tmp_path / "finance.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["kind", None, "amount_gbp", "date"])
    sheet.append(["income", "schools", 10, date(2025, 9, 1)])
    workbook.save(path)
    (failure,) = load_hub_export("finance", (InputFile(path=path),), key=KEY).failures.iter_rows(named=True)
    assert failure["rule"] == (
        "the required column 'category' is missing. The file has: kind, column 2 (no heading), amount_gbp, date. "
        "Add the column or rename the header."
    )
    assert "UNNAMED" not in failure["rule"]


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "hub")
    return tmp_path / "hub"


def _report(hub: Path) -> set[tuple]:
    loaded = load_and_check(
        load_config(hub / "hub.toml"), key=KEY, year=AcademicYear(2025), as_of=date(2026, 11, 23)
    )
    return {tuple(row) for row in pl.concat([item.failures for item in loaded]).iter_rows()}


def test_next_due_before_the_contact_is_flagged(hub: Path) -> None:
    path = hub / "exports" / "engagements.csv"
    path.write_text(path.read_text().replace("Agree MDP,2026-02-01", "Agree MDP,2025-02-01"))
    assert _report(hub) == {
        ("engagements", "engagements.csv", 2, "next_due",
         "is before the date of the contact (06/10/2025): check it is not a typing mistake", "01/02/2025",
         "warning"),
    }  # fmt: skip


def _with_check_letter(body: str) -> str:
    return stdnum_upn.calc_check_digit(body) + body


def test_a_upn_with_the_wrong_check_letter_is_a_warning_naming_the_row(hub: Path) -> None:
    right, other = _with_check_letter("830200125001"), _with_check_letter("830200125002")
    wrong = ("B" if right[0] != "B" else "C") + right[1:]
    assert stdnum_upn.is_valid(right) and not stdnum_upn.is_valid(wrong)
    path = hub / "exports" / "pupils.csv"
    text = path.read_text()
    text = text.replace("S001,,100001", f"S001,{wrong},100001").replace(
        "S002,,100001", f"S002,{other},100001"
    )
    path.write_text(text)
    assert _report(hub) == {
        ("pupils", "pupils.csv", 2, "upn",
         ("the UPN's check letter (its first character) does not match the rest of it, so it is probably "
         "mistyped: copy it again from the school's records"), pseudonym(wrong, KEY), "warning"),
    }  # fmt: skip


def test_a_hand_checked_upn_passes(tmp_path: Path) -> None:
    # 8x2 + 3x3 + 0x4 + 2x5 + 0x6 + 0x7 + 1x8 + 2x9 + 5x10 + 0x11 + 0x12 + 1x13 = 124; 124 mod 23 = 9, the
    # tenth letter of ABCDEFGHJKLMNPQRTUVWXYZ (I, O and S are left out): K.
    path = tmp_path / "pupils.csv"
    path.write_text(
        "pupil_ref,upn,urn,nc_year,gender,fsm,pupil_premium,sen_status,looked_after\n"
        "S1,K830200125001,100001,4,F,N,N,none,N\nS2,L830200125001,100001,4,F,N,N,none,N\n"
    )
    failures = load_hub_export("pupils", (InputFile(path=path),), key=KEY).failures
    assert failures.select("row", "column", "severity").rows() == [(3, "upn", "warning")]
