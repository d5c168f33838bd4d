"""Workbook tests for the shared house style: written with xlsxwriter, read back with openpyxl."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from outputs import house_style, workbook_files
from outputs.house_style import (
    BarChart,
    Note,
    TableSheet,
    WorkbookMeta,
    safe_sheet_name,
    write_workbook,
)
from schemas.provenance import InputFileRecord

META = WorkbookMeta(
    title="Test workbook",
    hub_name="Northshire Music Hub",
    period_label="2025/26",
    as_of=date(2026, 8, 31),
    run_id="run-0001",
    code_version="0.1.0+abc1234",
    created=datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    sources=(
        InputFileRecord(
            source="pupils",
            path="pupils.csv",
            sha256="a" * 64,
            rows_read=120,
            rows_kept=118,
            rows_quarantined=2,
        ),
    ),
)

EVENTS = pl.DataFrame(
    {
        "event_id": ["E1", "E2", "E3"],
        "title": ['=HYPERLINK("x")', "+44 1234", "@SUM(A1)"],
        "event_date": [date(2025, 10, 3), None, date(2026, 3, 14)],
        "pupils_count": [120, 4, None],
        "charge_gbp": [12.5, 0.0, 1234.0],
        "is_free": [False, True, None],
        "note_text": ["[c]", "-2", "Spring concert"],
    },
    schema={
        "event_id": pl.String,
        "title": pl.String,
        "event_date": pl.Date,
        "pupils_count": pl.Int64,
        "charge_gbp": pl.Float64,
        "is_free": pl.Boolean,
        "note_text": pl.String,
    },
)
EVENT_TITLES = {
    "event_id": "Event",
    "title": "Title",
    "event_date": "Date",
    "pupils_count": "Pupils",
    "charge_gbp": "Charge (£)",
    "is_free": "Free",
    "note_text": "Comment",
}


def events_sheet(**overrides: object) -> TableSheet:
    fields: dict[str, object] = {
        "sheet_name": "Events",
        "title": "Large-scale and live events",
        "table": EVENTS,
        "column_titles": EVENT_TITLES,
        "description": "One row per event.",
        "notes": ("N1",),
    }
    fields.update(overrides)
    return TableSheet(**fields)  # type: ignore[arg-type]


def write_events(path: Path, **overrides: object) -> str:
    return write_workbook(path, META, [events_sheet(**overrides)], [Note("N1", "Events exclude CPD.")])


def header_row_of(ws, first_title: str) -> int:
    """The row of the table header (openpyxl rows are 1-based)."""
    (table,) = ws.tables.values()
    top_left = table.ref.split(":")[0]
    assert ws[top_left].value == first_title
    return ws[top_left].row


@pytest.fixture
def events_book(tmp_path: Path):
    path = tmp_path / "events.xlsx"
    write_events(path)
    return openpyxl.load_workbook(path)


def test_sheets_come_in_house_order(events_book) -> None:
    assert events_book.sheetnames == ["Cover", "Contents", "Notes", "Events"]


def test_table_sheet_is_a_real_table_below_title(events_book) -> None:
    ws = events_book["Events"]
    # The note's marker is in the table's title, GSS style, and the title links to its row of the Notes sheet.
    assert ws["A1"].value == "Large-scale and live events [note 1]"
    assert ws["A1"].hyperlink.location == "'Notes'!A4"
    assert ws["A1"].font.b
    assert events_book["Notes"]["A4"].value == "note 1"
    assert ws["A2"].value == "One row per event."
    # No row of markers between the lines above and the table.
    assert not [cell.coordinate for row in ws.iter_rows() for cell in row if cell.value == "[note 1]"]
    (table,) = ws.tables.values()
    header = header_row_of(ws, "Event")
    # header + 3 rows, 7 columns A..G
    assert table.ref == f"A{header}:G{header + 3}"
    assert [c.value for c in ws[header]] == list(EVENT_TITLES.values())
    # no blank rows between the lines above and the table, none inside it
    assert all(ws.cell(row, 1).value is not None for row in range(1, header + 4))
    assert ws.freeze_panes == f"A{header + 1}"


def test_dates_are_dates_and_nulls_are_x(events_book) -> None:
    ws = events_book["Events"]
    header = header_row_of(ws, "Event")
    first_date = ws.cell(header + 1, 3)
    assert first_date.value == datetime(2025, 10, 3)
    assert first_date.is_date
    assert first_date.number_format == "dd/mm/yyyy"
    assert ws.cell(header + 2, 3).value == "[x]"  # null date
    assert ws.cell(header + 3, 4).value == "[x]"  # null integer
    assert ws.cell(header + 3, 6).value == "[x]"  # null boolean


def test_numbers_are_numbers_with_formats(events_book) -> None:
    ws = events_book["Events"]
    header = header_row_of(ws, "Event")
    pupils = ws.cell(header + 1, 4)
    assert pupils.value == 120
    assert pupils.data_type == "n"
    assert pupils.number_format == "#,##0"
    charge = ws.cell(header + 3, 5)
    assert charge.value == 1234.0
    assert "£" in charge.number_format


def test_booleans_are_y_or_n(events_book) -> None:
    ws = events_book["Events"]
    header = header_row_of(ws, "Event")
    assert [ws.cell(header + i, 6).value for i in (1, 2)] == ["N", "Y"]


def test_text_is_never_a_formula(events_book) -> None:
    ws = events_book["Events"]
    header = header_row_of(ws, "Event")
    titles = [ws.cell(header + i, 2) for i in (1, 2, 3)]
    assert [c.value for c in titles] == ['=HYPERLINK("x")', "+44 1234", "@SUM(A1)"]
    assert all(c.data_type == "s" for c in titles)
    comments = [ws.cell(header + i, 7) for i in (1, 2, 3)]
    assert [c.value for c in comments] == ["[c]", "-2", "Spring concert"]
    assert all(c.data_type == "s" for c in comments)


def test_no_merged_cells_anywhere(events_book) -> None:
    for ws in events_book.worksheets:
        assert not ws.merged_cells.ranges, ws.title


def test_cover_shows_provenance(events_book) -> None:
    ws = events_book["Cover"]
    assert ws["A1"].value == "Test workbook"
    values = {row[0]: row[1] for row in ws.iter_rows(max_col=2, values_only=True) if row[0]}
    assert values["Hub"] == "Northshire Music Hub"
    assert values["Period"] == "2025/26"
    assert values["Figures as at"] == datetime(2026, 8, 31)
    assert values["Run id"] == "run-0001"
    assert values["Code version"] == "0.1.0+abc1234"
    # 02:00 UTC on 1 September is 03:00 in London (BST)
    assert values["Created (Europe/London time)"] == datetime(2026, 9, 1, 3, 0)
    (sources,) = ws.tables.values()
    source_rows = [row for row in ws.iter_rows(values_only=True) if row[0] == "pupils"]
    assert source_rows == [("pupils", "pupils.csv", "a" * 64, 120, 118, 2)]
    assert ws[sources.ref.split(":")[0]].value == "Source"


def test_contents_links_to_every_sheet(events_book) -> None:
    ws = events_book["Contents"]
    links = {cell.value: cell.hyperlink.location for cell in ws["A"] if cell.hyperlink is not None}
    assert links == {"Cover": "'Cover'!A1", "Notes": "'Notes'!A1", "Events": "'Events'!A1"}
    assert len(ws.tables) == 1


def test_notes_sheet_lists_notes(events_book) -> None:
    ws = events_book["Notes"]
    rows = [row for row in ws.iter_rows(values_only=True)]
    assert ("note 1", "Events exclude CPD.") in rows
    assert len(ws.tables) == 1


def test_markers_replace_values_in_numeric_columns(tmp_path: Path) -> None:
    path = tmp_path / "marked.xlsx"
    markers = {"pupils_count": pl.Series([None, "[c]", None], dtype=pl.String)}
    write_events(path, markers=markers)
    ws = openpyxl.load_workbook(path)["Events"]
    header = header_row_of(ws, "Event")
    assert [ws.cell(header + i, 4).value for i in (1, 2, 3)] == [120, "[c]", "[x]"]


def test_percentages_are_fractions_formatted_as_percent(tmp_path: Path) -> None:
    path = tmp_path / "pct.xlsx"
    table = pl.DataFrame({"measure": ["WCET"], "count_pct": [0.125]})
    sheet = TableSheet("Shares", "Shares", table, {"measure": "Measure", "count_pct": "Percentage"})
    write_workbook(path, META, [sheet], [])
    ws = openpyxl.load_workbook(path)["Shares"]
    header = header_row_of(ws, "Measure")
    cell = ws.cell(header + 1, 2)
    assert cell.value == 0.125
    assert "%" in cell.number_format


def test_same_inputs_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    sha_one = write_events(first)
    sha_two = write_events(second)
    assert first.read_bytes() == second.read_bytes()
    assert sha_one == sha_two == hashlib.sha256(first.read_bytes()).hexdigest()


def test_failure_leaves_existing_workbook_and_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "events.xlsx"
    write_events(path)
    before = path.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(house_style, "write_table_sheet", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_events(path, title="A different title")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.xlsx"]


def test_failure_while_replacing_removes_temp_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "events.xlsx"
    path.write_bytes(b"previous")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("rename refused")

    monkeypatch.setattr(workbook_files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="rename refused"):
        write_events(path)
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.xlsx"]


def test_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "hub" / "2025-26" / "events.xlsx"
    write_events(path)
    assert path.exists()


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("KPIs", (), "KPIs"),
        ("Loans [free]: a/b?", (), "Loans -free-- a-b-"),
        ("x" * 40, (), "x" * 31),
        ("'quoted'", (), "quoted"),
        ("", (), "Sheet"),
        ("History", (), "Sheet History"),
        ("Notes", ("Cover", "notes"), "Notes (2)"),
        ("y" * 40, ("y" * 31,), "y" * 27 + " (2)"),
    ],
)
def test_safe_sheet_name(name: str, taken: tuple[str, ...], expected: str) -> None:
    result = safe_sheet_name(name, taken)
    assert result == expected
    assert len(result) <= 31


def test_unsafe_sheet_names_are_sanitised_and_tables_stay_unique(tmp_path: Path) -> None:
    path = tmp_path / "names.xlsx"
    table = pl.DataFrame({"a_count": [1]})
    sheets = [
        TableSheet("Loans: free/subsidised", "Loans", table, {"a_count": "A"}),
        TableSheet("Loans? free*subsidised", "Loans again", table, {"a_count": "A"}),
        TableSheet("Notes", "Not the notes", table, {"a_count": "A"}),
    ]
    write_workbook(path, META, sheets, [])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Cover",
        "Contents",
        "Notes",
        "Loans- free-subsidised",
        "Loans- free-subsidised (2)",
        "Notes (2)",
    ]
    table_names = [name.lower() for ws in book.worksheets for name in ws.tables]
    assert len(table_names) == len(set(table_names))
    contents = book["Contents"]
    locations = [c.hyperlink.location for c in contents["A"] if c.hyperlink is not None]
    assert "'Loans- free-subsidised (2)'!A1" in locations


def test_empty_table_keeps_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    table = pl.DataFrame(schema={"urn": pl.String, "pupils_count": pl.Int64})
    write_workbook(
        path, META, [TableSheet("Empty", "Nothing", table, {"urn": "URN", "pupils_count": "Pupils"})], []
    )
    ws = openpyxl.load_workbook(path)["Empty"]
    values = [row for row in ws.iter_rows(values_only=True)]
    assert ("URN", "Pupils") in values
    assert ("There are no rows in this table.", None) in values


def test_missing_column_title_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="No column title"):
        write_events(tmp_path / "bad.xlsx", column_titles={"event_id": "Event"})
    assert list(tmp_path.iterdir()) == []


def test_document_created_comes_from_meta(tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    write_events(path)
    props = openpyxl.load_workbook(path).properties
    assert props.created == datetime(2026, 9, 1, 2, 0)
    assert props.title == "Test workbook"


def test_formula_like_text_outside_tables_is_text_with_a_quote_prefix(tmp_path: Path) -> None:
    # The cover's title, hub name and summary, a table's title and description, a note: all plain text.
    meta = replace(META, title="=1+1 title", hub_name="@Hub")
    sheet = TableSheet(
        "Events", "-Events", pl.DataFrame({"event_id": ["E1"]}), {"event_id": "Event"}, description="+desc"
    )
    path = tmp_path / "hostile.xlsx"
    write_workbook(path, meta, [sheet], [Note("N1", "=note")], summary_lines=["=SUM(1)"])
    workbook = openpyxl.load_workbook(path)
    leading = [
        cell
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@"))
    ]
    assert {c.value for c in leading} >= {
        "=1+1 title",
        "@Hub, 2025/26",
        "@Hub",
        "-Events",
        "+desc",
        "=note",
        "=SUM(1)",
    }
    assert all(c.data_type == "s" and c.quotePrefix for c in leading), [
        (c.value, c.quotePrefix) for c in leading
    ]


@pytest.mark.parametrize("field", ["title", "value_axis_title"])
def test_a_chart_title_cannot_be_a_formula(field: str) -> None:
    # xlsxwriter would read a chart title starting with "=" as a reference to a cell.
    options = {"title": "Chart", "category_column": "a", "value_columns": ("b",), field: "=Sheet1!A1"}
    with pytest.raises(ValueError, match="chart title"):
        BarChart(**options)


def test_house_formats_quote_only_their_own_formats(tmp_path: Path) -> None:
    workbook = workbook_files.open_workbook(tmp_path / "x.xlsx")
    formats = house_style.house_formats(workbook)
    assert formats.quoted(formats.style("text")) is formats.style("text", quote_prefix=True)
    assert formats.quoted(None) is formats.get(quote_prefix=True)
    with pytest.raises(ValueError, match="HouseFormats"):
        formats.quoted(workbook.add_format({"bold": True}))
    workbook.close()


# -- The Analysis Function's "Releasing statistics in spreadsheets" checklist, point by point ----------------


def test_the_document_language_is_british_english(tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    write_events(path)
    assert openpyxl.load_workbook(path).properties.language == "en-GB"


def test_every_sheet_prints_landscape_fit_to_width_with_the_header_row_repeated(events_book) -> None:
    for ws in events_book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # One page wide (1 is the file format's default, so it may be left out), as many pages tall as needed.
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), ws.title
    events = events_book["Events"]
    header = header_row_of(events, "Event")
    assert events.print_title_rows == f"${header}:${header}"
    assert events_book["Notes"].print_title_rows == "$3:$3"
    assert events_book["Contents"].print_title_rows == "$3:$3"


def test_codes_stored_as_text_raise_no_excel_warning(tmp_path: Path) -> None:
    path = tmp_path / "codes.xlsx"
    codes = pl.DataFrame({"urn": ["100001", "100002"], "laestab": ["8012001", None], "pupils": [3, 4]})
    sheet = TableSheet("Schools", "Schools", codes, {"urn": "URN", "laestab": "LAESTAB", "pupils": "Pupils"})
    write_workbook(path, META, [sheet], [])
    ws = openpyxl.load_workbook(path)["Schools"]
    header = header_row_of(ws, "URN")
    assert ws.cell(header + 1, 1).value == "100001" and ws.cell(header + 1, 1).data_type == "s"
    with zipfile.ZipFile(path) as archive:
        names = {archive.read("xl/workbook.xml").decode().count("<sheet ")}
        assert names == {4}
        xml = archive.read("xl/worksheets/sheet4.xml").decode()
    # The URN and LAESTAB cells (not the pupils) are marked: Excel shows no green triangle there.
    first, last = header + 1, header + 2
    assert f'<ignoredError sqref="A{first}:A{last} B{first}:B{last}" numberStoredAsText="1"/>' in xml


def test_an_empty_table_is_still_an_excel_table_with_one_row_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    write_events(path, table=EVENTS.clear())
    ws = openpyxl.load_workbook(path)["Events"]
    (table,) = ws.tables.values()
    header = header_row_of(ws, "Event")
    assert table.ref == f"A{header}:G{header + 1}"
    assert ws.cell(header + 1, 1).value == "There are no rows in this table."


def test_a_column_has_one_number_format(tmp_path: Path) -> None:
    path = tmp_path / "hours.xlsx"
    hours = pl.DataFrame({"measure": ["Events", "Hours"], "count": [12.0, 2.5]})
    whole = pl.DataFrame({"measure": ["Events", "Schools"], "count": [12.0, 3.0]})
    write_workbook(
        path,
        META,
        [
            TableSheet("Hours", "Hours", hours, {"measure": "Measure", "count": "Number"}),
            TableSheet("Whole", "Whole", whole, {"measure": "Measure", "count": "Number"}),
        ],
        [],
    )
    book = openpyxl.load_workbook(path)
    for name, expected in (("Hours", "#,##0.0#"), ("Whole", "#,##0")):
        ws = book[name]
        header = header_row_of(ws, "Measure")
        assert {ws.cell(header + i, 2).number_format for i in (1, 2)} == {expected}, name


def test_the_cover_gives_the_lead_organisation_contact_publication_date_and_purpose(tmp_path: Path) -> None:
    path = tmp_path / "cover.xlsx"
    meta = replace(
        META,
        lead_organisation="Northshire County Council",
        contact="Data team, data@northshire-music.example",
        purpose="The hub's annual return to Arts Council England for 2025/26.",
    )
    write_workbook(path, meta, [events_sheet()], [Note("N1", "Events exclude CPD.")])
    ws = openpyxl.load_workbook(path)["Cover"]
    labels = {row[0]: row[1] for row in ws.iter_rows(max_col=2, values_only=True) if row[0]}
    assert ws["A3"].value == "The hub's annual return to Arts Council England for 2025/26."
    assert labels["Lead organisation"] == "Northshire County Council"
    assert labels["Contact"] == "Data team, data@northshire-music.example"
    assert labels["Publication date"] == datetime(2026, 9, 1)
    assert "Status" in labels
    write_workbook(path, replace(meta, show_status=False), [events_sheet()], [])
    labels = {row[0] for row in openpyxl.load_workbook(path)["Cover"].iter_rows(max_col=1, values_only=True)}
    assert "Status" not in labels


def _pdf_pages(path: Path, tmp_path: Path) -> list[tuple[float, float]]:
    """Each page's (width, height) in points, as LibreOffice prints the workbook to PDF."""
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / path.with_suffix(".pdf").name).read_bytes()
    # Each page object (/Type/Page, not the /Pages tree) carries its /MediaBox.
    pages = [obj for obj in re.split(rb"\bendobj\b", pdf) if re.search(rb"/Type\s*/Page(?![s\w])", obj)]
    boxes = [re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", page) for page in pages]
    return [(float(box.group(1)), float(box.group(2))) if box else (0.0, 0.0) for box in boxes]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is needed to print")
def test_libreoffice_prints_every_sheet_a4_landscape_one_page_wide(tmp_path: Path) -> None:
    # A table 30 columns wide: printed at 100% it would take several pages across.
    wide = pl.DataFrame({f"figure_{i}": [1000 * i + n for n in range(5)] for i in range(30)})
    sheet = TableSheet("Wide", "A wide table", wide, {c: f"Figure number {c[7:]}" for c in wide.columns})
    path = tmp_path / "wide.xlsx"
    write_workbook(path, META, [sheet], [Note("N1", "Events exclude CPD.")])
    pages = _pdf_pages(path, tmp_path)
    # Cover, Contents, Notes and the wide table: one landscape A4 page each (842 x 595 points).
    assert len(pages) == 4
    assert all(abs(w - 842) < 2 and abs(h - 595) < 2 for w, h in pages), pages


def test_titles_are_marked_with_excels_heading_styles(tmp_path: Path) -> None:
    """GSS: a title is a heading (Excel's "Heading 1" cell style), not only bold and large."""
    path = tmp_path / "headings.xlsx"
    write_workbook(path, META, [events_sheet(notes=())], [Note("N1", "A note.")])
    workbook = openpyxl.load_workbook(path)
    assert {style if isinstance(style, str) else style.name for style in workbook.named_styles} >= {
        "Heading 1",
        "Heading 2",
        "Normal",
    }
    for sheet in ("Cover", "Contents", "Notes", "Events"):
        assert workbook[sheet]["A1"].style == "Heading 1", sheet
        assert workbook[sheet]["A1"].font.b and workbook[sheet]["A1"].font.sz == 15
    assert workbook["Cover"]["A2"].style == "Heading 2"
    assert workbook["Events"]["A2"].style == "Normal"  # the description is text
    # A title with its notes marked (a link to the Notes sheet) is a heading too.
    write_workbook(path, META, [events_sheet()], [Note("N1", "A note.")])
    assert openpyxl.load_workbook(path)["Events"]["A1"].style == "Heading 1"
