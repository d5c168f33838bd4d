"""The house workbook writes what xlsxwriter writes, faster: same sheet XML, the language, the collector restored."""

from __future__ import annotations

import gc
import io
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter

from outputs.house_style import render_workbook
from outputs.workbook_files import collection_paused, open_workbook, with_language
from tests.outputs.test_house_style import META, events_sheet

OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,
}


def _cells(workbook: xlsxwriter.Workbook) -> None:
    """The same cells, of every kind the house writes, with and without formats."""
    worksheet = workbook.add_worksheet("Data")
    bold, number, day = (
        workbook.add_format({"bold": True}),
        workbook.add_format({"num_format": "#,##0.0#"}),
        workbook.add_format({"num_format": "dd/mm/yyyy"}),
    )
    worksheet.write_string(0, 0, 'Tom & "Jerry" <b>', bold)
    worksheet.write_string(0, 1, "plain")
    worksheet.write_number(1, 0, 1234.5678, number)
    worksheet.write_number(1, 1, 7)
    worksheet.write_number(1, 2, 1e-20, number)
    worksheet.write_datetime(2, 0, date(2026, 3, 31), day)
    worksheet.write_datetime(2, 1, datetime(2026, 3, 31, 14, 5), day)
    worksheet.write_boolean(3, 0, True, bold)
    worksheet.write_blank(3, 1, None, bold)
    worksheet.write_formula(3, 2, "=1+1", bold, 2)
    worksheet.write_url(4, 0, "internal:'Data'!A1", None, string="back")


def _sheet_xml(content: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")


def test_cells_are_written_as_xlsxwriter_writes_them() -> None:
    plain, house = io.BytesIO(), io.BytesIO()
    reference = xlsxwriter.Workbook(plain, OPTIONS)
    _cells(reference)
    reference.close()
    workbook = open_workbook(house)
    _cells(workbook)
    workbook.close()
    assert b'<c r="A1" s="1" t="s"><v>0</v></c>' in _sheet_xml(house.getvalue())
    assert _sheet_xml(house.getvalue()) == _sheet_xml(plain.getvalue())


def test_every_workbook_says_its_language_once() -> None:
    buffer = io.BytesIO()
    workbook = open_workbook(buffer)
    workbook.add_worksheet("Data")
    workbook.close()
    core = zipfile.ZipFile(buffer).read("docProps/core.xml")
    assert core.count(b"<dc:language>en-GB</dc:language>") == 1
    assert core.endswith(b"<dc:language>en-GB</dc:language></cp:coreProperties>")


def test_a_rendered_workbook_is_what_setting_its_language_afterwards_gives() -> None:
    content = render_workbook(META, [events_sheet()], [])
    assert zipfile.ZipFile(io.BytesIO(content)).read("docProps/core.xml") == zipfile.ZipFile(
        io.BytesIO(with_language(content))
    ).read("docProps/core.xml")


def test_the_collector_is_paused_then_restored_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("the workbook could not be written")
    assert gc.isenabled()
    render_workbook(META, [events_sheet()], [])
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_closed_workbook_is_not_kept_alive_by_the_house_style(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The style's per-workbook state refers to the workbook: kept after close, it kept every workbook a
    process wrote (a process writing a hub's school reports grew by 0.36 MB a report)."""
    import weakref

    from outputs.theme import WORKBOOK_STATE, house_formats

    workbook = open_workbook(io.BytesIO())
    house_formats(workbook).style("title")
    workbook.add_worksheet("Sheet").write_string(0, 0, "text")
    assert workbook in WORKBOOK_STATE
    workbook.close()
    assert workbook not in WORKBOOK_STATE
    alive = weakref.ref(workbook)
    del workbook
    gc.collect()
    assert alive() is None
