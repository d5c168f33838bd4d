"""Reading inputs whatever their encoding, delimiter or format, and refusing unreadable files clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from foundation.errors import InputFileError
from ingest.files import read_text_table

ROWS = "urn,school_name\n100001,Café Lane Primary\n100002,St Mary’s\n"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
def test_csv_encodings_read_the_same(tmp_path: Path, encoding: str, expected: str) -> None:
    path = _write(tmp_path / "schools.csv", ROWS.encode(encoding))
    frame, used = read_text_table(path)
    assert used == expected
    assert frame.columns == ["urn", "school_name", "source_row"]
    assert frame.get_column("school_name").to_list() == ["Café Lane Primary", "St Mary’s"]
    # Row numbers as Excel shows them: the header is row 1.
    assert frame.get_column("source_row").to_list() == [2, 3]


def test_tab_separated_with_crlf(tmp_path: Path) -> None:
    path = _write(tmp_path / "schools.tsv", b"urn\tschool_name\r\n100001\tA, B and C School\r\n")
    frame, _ = read_text_table(path)
    assert frame.get_column("school_name").to_list() == ["A, B and C School"]


def test_leading_zeros_are_kept(tmp_path: Path) -> None:
    frame, _ = read_text_table(_write(tmp_path / "codes.csv", b'"code","n"\n"02",7\n'))
    assert frame.row(0) == ("02", "7", 2)


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = tmp_path / "staff.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet("Cover").write_row(0, 0, ["ignore me"])
    staff = workbook.add_worksheet("Staff")
    staff.write_row(0, 0, ["staff_ref", "fte"])
    staff.write_row(1, 0, ["T01", 0.5])
    workbook.close()
    frame, used = read_text_table(path, sheet="Staff")
    assert used == "xlsx"
    assert frame.row(0) == ("T01", "0.5", 2)
    with pytest.raises(InputFileError, match="no sheet called 'Teachers' \\(it has: Cover, Staff\\)"):
        read_text_table(path, sheet="Teachers")


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="the file is empty") as error:
        read_text_table(_write(tmp_path / "pupils.csv", b""))
    assert "pupils.csv" in str(error.value)


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not a text file"):
        read_text_table(_write(tmp_path / "pupils.csv", bytes(range(256)) * 4))


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist") as error:
        read_text_table(tmp_path / "nope.csv")
    assert "nope.csv" in str(error.value)


def test_corrupt_xlsx_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot be opened"):
        read_text_table(_write(tmp_path / "staff.xlsx", b"PK\x03\x04 not really a zip"))
