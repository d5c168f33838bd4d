"""Dates as exports and spreadsheets write them: ISO date-times, short UK dates, month names, Excel date cells.

Each is read as the day a person sees; a date is refused only when it is no real day, or when the file
shows it writes dates month first, so that 9/1/2025 could be either.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from foundation.hub_config import InputFile
from ingest.sources import load_hub_export
from schemas.hub_exports import Engagements

KEY = b"k" * 32
HEADER = "kind,category,amount_gbp,date\n"


def _finance(tmp_path: Path, dates: list[str]):  # type: ignore[no-untyped-def]
    path = tmp_path / "finance.csv"
    path.write_text(HEADER + "".join(f"income,schools,10,{day}\n" for day in dates))
    return load_hub_export("finance", (InputFile(path=path),), key=KEY)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2025-09-01", date(2025, 9, 1)),
        ("2025-09-01T00:00:00", date(2025, 9, 1)),
        ("2025-09-01T14:30:00.000Z", date(2025, 9, 1)),
        ("2025-09-01 00:00", date(2025, 9, 1)),
        ("2025-09-01 00:00:00", date(2025, 9, 1)),
        ("1/9/2025", date(2025, 9, 1)),
        ("01/09/2025 09:15", date(2025, 9, 1)),
        ("01/09/25", date(2025, 9, 1)),
        ("29/05/93", date(1993, 5, 29)),
        ("01.09.2025", date(2025, 9, 1)),
        ("01-09-2025", date(2025, 9, 1)),
        ("2025/09/01", date(2025, 9, 1)),
        ("1 Sep 2025", date(2025, 9, 1)),
        ("01-Sep-25", date(2025, 9, 1)),
        ("1st September 2025", date(2025, 9, 1)),
    ],
)
def test_each_way_exports_write_a_date_reads_as_that_day(tmp_path: Path, written: str, day: date) -> None:
    loaded = _finance(tmp_path, [written])
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    assert loaded.frame.get_column("date").to_list() == [day]


@pytest.mark.parametrize(
    "written", ["31/09/2025", "2025-02-30", "13/13/2025", "1 Smarch 2025", "45901", "2025"]
)
def test_a_date_that_is_no_real_day_is_refused(tmp_path: Path, written: str) -> None:
    loaded = _finance(tmp_path, [written])
    assert loaded.failures.select("row", "column", "rule", "value").rows() == [
        (2, "date", "must be a real date, written YYYY-MM-DD or DD/MM/YYYY", written)
    ]


def test_dates_written_month_first_are_refused_where_they_could_be_either(tmp_path: Path) -> None:
    loaded = _finance(tmp_path, ["9/13/2025", "9/1/2025", "9/9/2025", "2025-09-01"])
    assert loaded.failures.select("row", "rule", "value").rows() == [
        (2, "must be a real date, written YYYY-MM-DD or DD/MM/YYYY", "9/13/2025"),
        (3, ("could be either day or month first: other dates in this file are written month first (such as "
            "9/13/2025, as Excel set up for the US writes them). Write the dates as YYYY-MM-DD, or day first "
            "throughout"), "9/1/2025"),
    ]  # fmt: skip
    # 9/9 is the same day either way; the ISO date is not in question.
    assert loaded.frame.get_column("date").to_list() == [date(2025, 9, 9), date(2025, 9, 1)]


def test_a_day_first_file_keeps_its_short_dates(tmp_path: Path) -> None:
    loaded = _finance(tmp_path, ["13/9/2025", "9/1/2026"])
    assert loaded.failures.is_empty()
    assert loaded.frame.get_column("date").to_list() == [date(2025, 9, 13), date(2026, 1, 9)]


TUITION = ["Enrolment ID", "Student ID", "Instrument", "Lesson Type", "Start Date", "End Date", "Remission %",
           "Standard", "Provision"]  # fmt: skip


def test_excel_date_cells_written_by_xlsxwriter_read_as_their_days(tmp_path: Path) -> None:
    path = tmp_path / "tuition.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Enrolments")
    as_date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    with_time = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, TUITION)
    sheet.write_row(1, 0, ["E1", "S1", "Violin", "individual"])
    sheet.write_datetime(1, 4, datetime(2025, 9, 8), as_date)
    sheet.write_datetime(1, 5, datetime(2026, 7, 17, 15, 45), with_time)
    sheet.write_number(1, 6, 25)
    sheet.write_row(1, 7, ["entry", "delivered"])
    workbook.close()
    loaded = load_hub_export("tuition", (InputFile(path=path),), key=KEY)
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    assert loaded.frame.select("start_date", "end_date", "remission_pct").rows() == [
        (date(2025, 9, 8), date(2026, 7, 17), 25.0)
    ]


def test_excel_date_cells_written_by_openpyxl_read_as_their_days(tmp_path: Path) -> None:
    path = tmp_path / "smep.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    given = {"engagement_id": "G1", "urn": 100001, "date": datetime(2025, 11, 3, 10, 0), "duration_minutes": 45,
             "kind": "visit", "engagement_level": 2, "next_due": date(2026, 2, 2)}  # fmt: skip
    header = list(Engagements.to_schema().columns)
    sheet.append(header)
    sheet.append([given.get(name) for name in header])
    workbook.save(path)
    loaded = load_hub_export("engagements", (InputFile(path=path),), key=KEY)
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    assert loaded.frame.select("urn", "date", "duration_minutes", "next_due").rows() == [
        ("100001", date(2025, 11, 3), 45, date(2026, 2, 2))
    ]
