"""Hostile inputs, one of each: other encodings and delimiters, damaged tables, and files too big to read safely.

The zip bomb is real (hundreds of MB of zeros in under 1 MB) and must be refused from the zip directory
alone, quickly and without the reader's memory growing.
"""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from foundation.errors import InputFileError
from foundation.hub_config import InputFile
from ingest import files
from ingest.files import read_text_table
from ingest.sources import load_hub_export

ROWS = "urn\tschool_name\n100001\tCafé Lane Primary\n100002\tSt Mary’s\n"
BOMB_MEGABYTES = 256
SHEET_PART = "xl/worksheets/sheet1.xml"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _workbook(path: Path, rows: list[list[object]], sheet: str = "Staff") -> Path:
    workbook = xlsxwriter.Workbook(path)
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        worksheet.write_row(r, 0, row)
    workbook.close()
    return path


def _rezip(source: Path, target: Path, *, replace: str, content_chunks: int, chunk: bytes) -> Path:
    """The workbook with one part replaced by chunks written one at a time (so the test stays small in memory)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename == replace:
                with out.open(replace, "w", force_zip64=True) as part:
                    for _ in range(content_chunks):
                        part.write(chunk)
            else:
                out.writestr(info, original.read(info.filename))
    return target


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_unicode_text_with_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    """Excel's 'Unicode Text' export: UTF-16 with a byte-order mark, tab separated."""
    data = ROWS.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    frame, used = read_text_table(_write(tmp_path / "schools.txt", data))
    assert used in {"utf-16", "utf-32"}
    assert frame.get_column("school_name").to_list() == ["Café Lane Primary", "St Mary’s"]


def test_utf16_without_a_bom_is_refused_in_plain_words(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"not a text file.*CSV UTF-8") as error:
        read_text_table(_write(tmp_path / "schools.csv", ROWS.encode("utf-16-le")))
    assert error.value.file == "schools.csv"


@pytest.mark.parametrize("separator", [";", "|", "\t", ","])
def test_common_separators_are_recognised(tmp_path: Path, separator: str) -> None:
    data = ROWS.replace("\t", separator).encode("utf-8")
    frame, _ = read_text_table(_write(tmp_path / "schools.csv", data))
    assert frame.columns == ["urn", "school_name", "source_row"]
    assert frame.get_column("urn").to_list() == ["100001", "100002"]


def test_old_mac_line_ends_are_read(tmp_path: Path) -> None:
    """Mac Excel's 'CSV (Macintosh)' ends each line with a carriage return alone."""
    frame, _ = read_text_table(_write(tmp_path / "schools.csv", ROWS.replace("\n", "\r").encode("cp1252")))
    assert frame.get_column("school_name").to_list() == ["Café Lane Primary", "St Mary’s"]


def test_a_nul_part_way_through_names_the_row(tmp_path: Path) -> None:
    data = ("urn,name\n" + "100001,A\n" * 600 + "100002,B\x00\n").encode()
    with pytest.raises(InputFileError, match="NUL character") as error:
        read_text_table(_write(tmp_path / "schools.csv", data))
    assert error.value.row == 602
    assert str(error.value).startswith("file schools.csv, row 602: ")


def test_an_unclosed_quote_names_the_row(tmp_path: Path) -> None:
    data = b'urn,name\n100001,A\n100002,"B\n100003,C\n'
    with pytest.raises(InputFileError, match="quotation mark is not closed") as error:
        read_text_table(_write(tmp_path / "schools.csv", data))
    assert error.value.row == 3


def test_a_row_longer_than_the_header_names_the_row(tmp_path: Path) -> None:
    data = b"urn,name\n100001,A\n100002,B,extra\n"
    with pytest.raises(InputFileError, match="it has 3 values but the header has 2 columns") as error:
        read_text_table(_write(tmp_path / "schools.csv", data))
    assert error.value.row == 3


@pytest.mark.parametrize(
    "header", [b"urn,name, urn", b"urn,name,urn", b"\xef\xbb\xbfurn,name,\xef\xbb\xbfurn "]
)
def test_a_header_written_twice_is_refused(tmp_path: Path, header: bytes) -> None:
    with pytest.raises(InputFileError, match="header 'urn' appears twice \\(columns 1 and 3\\)") as error:
        read_text_table(_write(tmp_path / "schools.csv", header + b"\n1,2,3\n"))
    assert error.value.column == "urn"


def test_blank_headers_are_kept_apart(tmp_path: Path) -> None:
    frame, _ = read_text_table(_write(tmp_path / "schools.csv", b"urn, ,,  \n1,2,3,4\n"))
    assert frame.row(0) == ("1", "2", "3", "4", 2)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("pupils.csv", "pupil_ref\nS1\n")
    with pytest.raises(InputFileError, match="zip archive, not an Excel workbook"):
        read_text_table(_write(tmp_path / "pupils.xlsx", buffer.getvalue()))


def test_a_truncated_workbook_cannot_be_opened(tmp_path: Path) -> None:
    whole = _workbook(tmp_path / "whole.xlsx", [["staff_ref"], ["T1"]]).read_bytes()
    with pytest.raises(InputFileError, match="cannot be opened"):
        read_text_table(_write(tmp_path / "staff.xlsx", whole[: len(whole) // 2]))


def test_an_empty_workbook_has_no_header_row(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no header row"):
        read_text_table(_workbook(tmp_path / "staff.xlsx", []))


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    """A sheet of 256 MB of zeros zipped to a few hundred KB: refused at once, never unzipped."""
    seed = _workbook(tmp_path / "seed.xlsx", [["staff_ref"], ["T1"]])
    bomb = _rezip(seed, tmp_path / "staff.xlsx", replace=SHEET_PART, content_chunks=BOMB_MEGABYTES,
                  chunk=b"0" * (1 << 20))  # fmt: skip
    assert bomb.stat().st_size < 1 << 20
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputFileError, match=r"unzips to [0-9,]+ times its stored size") as error:
        read_text_table(bomb, sheet="Staff")
    assert time.perf_counter() - started < 2
    assert error.value.file == "staff.xlsx" and SHEET_PART in error.value.message
    # ru_maxrss is in KB on Linux: reading the bomb must not have raised the peak by anything like its size.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 64 * 1024


def test_a_zip_bomb_is_one_failure_row_for_its_loader(tmp_path: Path) -> None:
    seed = _workbook(tmp_path / "seed.xlsx", [["staff_ref"], ["T1"]])
    bomb = _rezip(
        seed, tmp_path / "workforce.xlsx", replace=SHEET_PART, content_chunks=16, chunk=b"0" * (1 << 20)
    )
    loaded = load_hub_export("workforce", (InputFile(path=bomb, sheet="Staff"),), key=b"k" * 32)
    (failure,) = loaded.failures.iter_rows(named=True)
    assert failure["file"] == "workforce.xlsx" and failure["row"] is None
    assert "not safe to open" in failure["rule"]


def test_a_workbook_too_big_once_unzipped_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED_BYTES", 2000)
    path = _workbook(
        tmp_path / "staff.xlsx", [["staff_ref", "note"], *[[f"T{i}", "x" * 50] for i in range(100)]]
    )
    with pytest.raises(InputFileError, match="workbook, once unzipped, is too big to read safely"):
        read_text_table(path)


def test_a_workbook_too_big_on_disk_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_XLSX_BYTES", 1000)
    with pytest.raises(
        InputFileError, match=r"workbook is too big to read safely .*the limit is 1,000 bytes"
    ):
        read_text_table(_workbook(tmp_path / "staff.xlsx", [["staff_ref"], ["T1"]]))


def test_a_workbook_whose_directory_understates_a_part_is_refused(tmp_path: Path) -> None:
    """A forged directory (8 MB part declared as 1 KB) passes the size checks but not the unzip check."""
    seed = _workbook(tmp_path / "seed.xlsx", [["staff_ref"], ["T1"]])
    honest = _rezip(
        seed, tmp_path / "honest.xlsx", replace=SHEET_PART, content_chunks=8, chunk=b"<c/>" * (1 << 18)
    )
    data = bytearray(honest.read_bytes())
    name = SHEET_PART.encode()
    # The uncompressed size sits 22 bytes into a local header and 24 into a central directory entry; with
    # force_zip64 the real sizes are in the zip64 extra field, so forge that too (its first 8 bytes).
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature + b"")
        while start >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                if struct.unpack_from("<I", data, start + size_at)[0] == 0xFFFFFFFF:
                    extra_at = name_at + len(name)
                    assert struct.unpack_from("<H", data, extra_at)[0] == 1  # the zip64 extra field
                    struct.pack_into("<Q", data, extra_at + 4, 1024)
                else:
                    struct.pack_into("<I", data, start + size_at, 1024)
            start = data.find(signature, start + 4)
    forged = _write(tmp_path / "staff.xlsx", bytes(data))
    with zipfile.ZipFile(forged) as archive:
        assert archive.getinfo(SHEET_PART).file_size == 1024
    with pytest.raises(InputFileError, match="cannot be opened: it is damaged"):
        read_text_table(forged)


def test_an_oversized_csv_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_CSV_BYTES", 1000)
    path = _write(tmp_path / "pupils.csv", b"pupil_ref\n" + b"S1234567\n" * 200)

    def never(self: Path) -> bytes:
        raise AssertionError("the file was read before its size was checked")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(
        InputFileError, match="too big to read safely \\(1,810 bytes; the limit is 1,000 bytes\\)"
    ):
        read_text_table(path)
