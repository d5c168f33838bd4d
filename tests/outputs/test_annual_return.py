"""Workbook tests for the annual funder return: written, then read back with openpyxl."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pandera.errors
import polars as pl
import pytest

from outputs.annual_return import annual_return_path, write_annual_return
from outputs.house_style import Note, WorkbookMeta
from schemas.columns import polars_schema
from schemas.output_tables import (
    DutySheetFigures,
    InclusionSheetFigures,
    IncomeKpiFigures,
    KpiFigures,
    SchoolUniverseRow,
    WorkforceSheetFigures,
    column_titles,
)
from schemas.periods import AcademicYear
from schemas.provenance import InputFileRecord
from schemas.return_layout import ReturnLayout, SheetLayout, return_layout
from tests.workbooks import table_rows
from transforms.return_tables import return_notes

META = WorkbookMeta(
    title="Annual return to Arts Council England",
    hub_name="Northshire Music Hub",
    period_label="2025/26",
    as_of=date(2026, 8, 31),
    run_id="run-0042",
    code_version="0.1.0+abc1234",
    created=datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    sources=(
        InputFileRecord("wcet", "wcet.csv", "b" * 64, rows_read=40, rows_kept=39, rows_quarantined=1),
        InputFileRecord("pupils", "pupils.xlsx", "c" * 64, rows_read=900, rows_kept=900, rows_quarantined=0),
    ),
)

KPIS = pl.DataFrame(
    {
        "kpi_code": ["KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5"],
        "measure": [
            "Pupils in whole-class ensemble teaching",
            "Pupils in hub ensembles",
            "Pupils learning outside WCET",
            "Pupils singing regularly",
            "State-funded schools engaged",
        ],
        "count": [250, 60, 120, 400, 17],
        "denominator": [1000, 1000, 1000, 1000, 20],
        "count_pct": [0.25, 0.06, 0.12, 0.4, 0.85],
        "previous_count": [230, None, 110, 380, 16],
        "previous_count_pct": [0.23, None, 0.11, 0.38, 0.8],
        "change_points": [2.0, None, 1.0, 2.0, 5.0],
        "change_pct": [250 / 230 - 1, None, 120 / 110 - 1, 400 / 380 - 1, 0.0625],
    },
    schema={
        "kpi_code": pl.String,
        "measure": pl.String,
        "count": pl.Int64,
        "denominator": pl.Int64,
        "count_pct": pl.Float64,
        "previous_count": pl.Int64,
        "previous_count_pct": pl.Float64,
        "change_points": pl.Float64,
        "change_pct": pl.Float64,
    },
)

SCHOOLS = pl.DataFrame(
    {
        "urn": ["100001", "100002", "100003"],
        "laestab": ["8012001", None, "8014002"],
        "school_name": ["Abbey Primary", "=cmd|' /C calc'!A0", "Brook Academy"],
        "phase_name": ["Primary", "Secondary", "Primary"],
        "type_name": ["Community school", "Academy converter", "Academy sponsor led"],
        "la_name": ["Northshire", "Northshire", "Southshire"],
        "pupil_headcount": [210, 1100, None],
        "is_engaged": [True, False, True],
        "has_wcet": [True, False, False],
        "has_tuition": [False, False, True],
        "has_ensemble": [False, False, True],
        "has_singing": [True, False, False],
        "has_loan": [False, False, True],
        "has_cpd": [True, False, False],
        "has_experience": [False, True, False],
        "has_smep_contact": [True, False, True],
        "engagement_level": [2, 0, None],
    },
    schema={
        "urn": pl.String,
        "laestab": pl.String,
        "school_name": pl.String,
        "phase_name": pl.String,
        "type_name": pl.String,
        "la_name": pl.String,
        "pupil_headcount": pl.Int64,
        "is_engaged": pl.Boolean,
        "has_wcet": pl.Boolean,
        "has_tuition": pl.Boolean,
        "has_ensemble": pl.Boolean,
        "has_singing": pl.Boolean,
        "has_loan": pl.Boolean,
        "has_cpd": pl.Boolean,
        "has_experience": pl.Boolean,
        "has_smep_contact": pl.Boolean,
        "engagement_level": pl.Int64,
    },
)

NOTES = [
    Note("N1", "Pupils are counted once however many programmes they joined."),
    Note("N2", "Percentages are of pupils on roll in the January census."),
]


# A two-sheet layout, as a year's file in config/returns would give it.
LAYOUT = ReturnLayout.model_validate(
    {
        "applies_from": "2025/26",
        "funder": "Arts Council England",
        "template": "test",
        "kpi5": {
            "duties": ["has_wcet", "has_tuition", "has_ensemble", "has_singing"],
            "reason": "Core roles.",
        },
        "sheets": [
            {
                "table": "kpis",
                "name": "KPIs",
                "title": "Arts Council England key performance indicators",
                "description": "The five KPIs.",
                "columns": list(KpiFigures.to_schema().columns),
            },
            {
                "table": "schools",
                "name": "Schools",
                "title": "Schools in the hub's area",
                "description": "One row per school.",
                "columns": list(SchoolUniverseRow.to_schema().columns),
            },
        ],
    }
)


def write(path: Path, kpis: pl.DataFrame = KPIS, schools: pl.DataFrame = SCHOOLS) -> str:
    return write_annual_return(
        path, META, layout=LAYOUT, tables={"kpis": kpis, "schools": schools}, notes=NOTES
    )


def table_of(ws):
    (table,) = ws.tables.values()
    first, last = table.ref.split(":")
    return table, ws[first].row, ws[last].row


@pytest.fixture
def return_path(tmp_path: Path) -> Path:
    path = annual_return_path(tmp_path, "northshire", "2025-26")
    write(path)
    return path


@pytest.fixture
def book(return_path: Path):
    return openpyxl.load_workbook(return_path)


def test_path_is_hub_then_year(tmp_path: Path) -> None:
    assert annual_return_path(tmp_path, "northshire", "2025-26") == (
        tmp_path / "northshire" / "2025-26" / "northshire-2025-26-annual-return.xlsx"
    )


def test_sheet_names_and_order(book) -> None:
    assert book.sheetnames == ["Cover", "Contents", "Notes", "KPIs", "Schools"]


def test_cover_shows_run_and_sources(book) -> None:
    ws = book["Cover"]
    assert ws["A1"].value == "Annual return to Arts Council England"
    labels = {row[0]: row[1] for row in ws.iter_rows(max_col=2, values_only=True) if row[0]}
    assert labels["Hub"] == "Northshire Music Hub"
    assert labels["Period"] == "2025/26"
    assert labels["Figures as at"] == datetime(2026, 8, 31)
    assert labels["Run id"] == "run-0042"
    assert labels["Code version"] == "0.1.0+abc1234"
    rows = list(ws.iter_rows(values_only=True))
    assert ("wcet", "wcet.csv", "b" * 64, 40, 39, 1) in rows
    assert ("pupils", "pupils.xlsx", "c" * 64, 900, 900, 0) in rows


def test_contents_link_to_each_sheet(book) -> None:
    ws = book["Contents"]
    links = [(c.value, c.hyperlink.location) for c in ws["A"] if c.hyperlink is not None]
    assert links == [
        ("Cover", "'Cover'!A1"),
        ("Notes", "'Notes'!A1"),
        ("KPIs", "'KPIs'!A1"),
        ("Schools", "'Schools'!A1"),
    ]


def test_notes_are_as_given(book) -> None:
    rows = list(book["Notes"].iter_rows(values_only=True))
    # Shown GSS style: note 1, note 2 (tables mark them [note 1]).
    assert [r for r in rows if r[0] in ("note 1", "note 2")] == [
        (f"note {n.note_id[1:]}", n.text) for n in NOTES
    ]


def test_kpis_are_a_real_table_of_five_rows(book) -> None:
    ws = book["KPIs"]
    assert ws["A1"].value == "Arts Council England key performance indicators"
    table, header, _last = table_of(ws)
    assert table.ref == f"A{header}:I{header + 5}"  # header + 5 KPI rows, 9 columns
    assert [c.value for c in ws[header]] == list(column_titles(KpiFigures).values())
    assert [ws.cell(header + i, 1).value for i in range(1, 6)] == [
        "KPI 1",
        "KPI 2",
        "KPI 3",
        "KPI 4",
        "KPI 5",
    ]


def test_kpi_percentages_are_numbers_formatted_as_percent(book) -> None:
    ws = book["KPIs"]
    _, header, _ = table_of(ws)
    pct = ws.cell(header + 1, 5)
    assert pct.value == 0.25
    assert pct.data_type == "n"
    assert "%" in pct.number_format
    count = ws.cell(header + 1, 3)
    assert count.value == 250
    assert count.number_format == "#,##0"


def test_missing_previous_figures_are_x(book) -> None:
    ws = book["KPIs"]
    _, header, _ = table_of(ws)
    # KPI 2 has no previous figures
    assert ws.cell(header + 2, 6).value == "[x]"
    assert ws.cell(header + 2, 7).value == "[x]"


def test_kpi_sheet_has_a_chart_of_the_percentages(return_path: Path) -> None:
    with zipfile.ZipFile(return_path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart_xml = archive.read(charts[0]).decode()
    assert "KPIs!$E$5:$E$9" in chart_xml  # this year's percentages
    # last year's are incomplete (KPI 2 has none): Excel would plot [x] as 0%, so they are left out
    assert "KPIs!$G$" not in chart_xml


def test_chart_shows_last_year_when_complete(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    complete = KPIS.with_columns(
        pl.col("previous_count").fill_null(55), pl.col("previous_count_pct").fill_null(0.055)
    )
    write(path, kpis=complete)
    with zipfile.ZipFile(path) as archive:
        chart_xml = archive.read("xl/charts/chart1.xml").decode()
    assert "KPIs!$E$5:$E$9" in chart_xml
    assert "KPIs!$G$5:$G$9" in chart_xml


def test_schools_table_shows_yes_no_and_plain_text(book) -> None:
    ws = book["Schools"]
    assert ws["A1"].value == "Schools in the hub's area"
    _table, header, last = table_of(ws)
    assert last == header + 3
    titles = column_titles(SchoolUniverseRow)
    assert [c.value for c in ws[header]] == list(titles.values())
    columns = list(titles)
    row1 = {name: ws.cell(header + 1, i + 1).value for i, name in enumerate(columns)}
    row2 = {name: ws.cell(header + 2, i + 1) for i, name in enumerate(columns)}
    row3 = {name: ws.cell(header + 3, i + 1).value for i, name in enumerate(columns)}
    assert row1["urn"] == "100001"
    assert row1["is_engaged"] == "Y"
    assert row1["has_tuition"] == "N"
    assert row1["engagement_level"] == 2
    assert row2["laestab"].value == "[x]"
    assert row2["school_name"].value == "=cmd|' /C calc'!A0"
    assert row2["school_name"].data_type == "s"
    assert row3["pupil_headcount"] == "[x]"
    assert row3["engagement_level"] == "[x]"


def test_no_merged_cells(book) -> None:
    assert all(not ws.merged_cells.ranges for ws in book.worksheets)


def test_same_run_gives_identical_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    assert write(one) == write(two)
    assert one.read_bytes() == two.read_bytes()


def test_invalid_kpis_raise_and_leave_previous_return_intact(return_path: Path) -> None:
    before = return_path.read_bytes()
    bad = KPIS.with_columns(pl.lit(-1, dtype=pl.Int64).alias("count"))
    with pytest.raises(pandera.errors.SchemaErrors):
        write(return_path, kpis=bad)
    assert return_path.read_bytes() == before
    assert [p.name for p in return_path.parent.iterdir()] == [return_path.name]


def test_schools_are_validated(tmp_path: Path) -> None:
    bad = SCHOOLS.with_columns(pl.lit("12").alias("urn"))
    with pytest.raises(pandera.errors.SchemaErrors):
        write(tmp_path / "r.xlsx", schools=bad)
    assert list(tmp_path.iterdir()) == []


WCET = pl.DataFrame(
    {
        "measure_id": ["wcet_pupils", "wcet_classes"],
        "measure": ["Pupils receiving WCET", "WCET classes"],
        "unit": ["pupils", "classes"],
        "breakdown": ["All", "All"],
        "group": ["All", "All"],
        "count": [250.0, 9.0],
        "denominator": [1000.0, None],  # classes are out of nothing
        "count_pct": [0.25, None],
        "parent_breakdown": [None, None],
        "parent_group": [None, None],
        "previous_count": [240.0, None],  # no classes last year
        "previous_count_pct": [0.24, None],
        "change_count": [10.0, None],
    },
    schema=polars_schema(DutySheetFigures),
)
WCET_LAYOUT = ReturnLayout.model_validate(
    {
        **LAYOUT.model_dump(),
        "sheets": [
            *LAYOUT.model_dump()["sheets"],
            {
                "table": "wcet",
                "name": "WCET",
                "title": "WCET",
                "description": "Whole-class teaching.",
                "columns": [
                    "measure",
                    "unit",
                    "breakdown",
                    "group",
                    "count",
                    "denominator",
                    "count_pct",
                    "previous_count",
                    "previous_count_pct",
                    "change_count",
                ],
            },
        ],
    }
)


def test_a_measure_with_no_denominator_shows_z_and_a_missing_figure_x(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    markers = {"wcet": {"count_pct": pl.Series([None, "[c]"], dtype=pl.String)}}
    write_annual_return(
        path,
        META,
        layout=WCET_LAYOUT,
        tables={"kpis": KPIS, "schools": SCHOOLS, "wcet": WCET},
        notes=NOTES,
        markers=markers,
    )
    rows = table_rows(openpyxl.load_workbook(path)["WCET"])
    assert [(r["Number"], r["Out of"], r["Percentage"]) for r in rows] == [
        (250, 1000, 0.25),
        (9, "[z]", "[c]"),
    ]
    # Last year beside this year's: [x] where last year's return had no such figure.
    assert [(r["Number last year"], r["Percentage last year"], r["Change in the number"]) for r in rows] == [
        (240, 0.24, 10),
        ("[x]", "[x]", "[x]"),
    ]
    kpis = table_rows(openpyxl.load_workbook(path)["KPIs"])
    assert (kpis[1]["Number last year"], kpis[1]["Percentage last year"]) == ("[x]", "[x]")


def test_the_cover_says_what_the_return_is_for_and_whom_it_goes_to(book) -> None:
    ws = book["Cover"]
    assert ws["A3"].value.startswith(
        "The hub's annual data return to Arts Council England, with the figures its template 'test' asks for"
    )
    assert "do not publish it" in ws["A3"].value
    assert book.properties.language == "en-GB"


def test_the_schools_sheet_has_a_y_n_column_for_every_duty(book) -> None:
    headings = [c.value for c in book["Schools"][table_of(book["Schools"])[1]]]
    assert headings[7:16] == [
        "Engaged",
        "WCET",
        "Tuition",
        "Ensembles",
        "Singing",
        "Instrument loans",
        "CPD",
        "Experiences",
        "SMEP contact",
    ]


ENGINEER_WORDS = re.compile(r"--\w|\b[A-Z][a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b|\buniverse\b|\bschema\b")


def test_no_engineer_words_in_the_years_sheets_or_notes() -> None:
    # Every sheet's title, description and headings and every note of each year's return, as users read them.
    for year in (AcademicYear(2022), AcademicYear(2023), AcademicYear(2025)):
        layout = return_layout(year)
        notes, _ = return_notes(layout, year=year, as_of=date(2026, 8, 31), threshold=4, published=False)
        texts = [text for _, text in notes]
        for sheet in layout.sheets:
            texts += [sheet.title, sheet.description, *sheet.column_titles().values()]
        found = {text: ENGINEER_WORDS.findall(text) for text in texts if ENGINEER_WORDS.search(text)}
        assert found == {}, year


def test_kpis_show_the_change_in_points_and_per_cent(book) -> None:
    rows = table_rows(book["KPIs"])
    kpi1, kpi2 = rows[0], rows[1]
    assert kpi1["Change in percentage points"] == 2.0  # 25% against 23%
    assert kpi1["Change in the number"] == pytest.approx(250 / 230 - 1)  # shown as a percentage
    assert (kpi2["Change in percentage points"], kpi2["Change in the number"]) == ("[x]", "[x]")
    ws = book["KPIs"]
    header = table_of(ws)[1]
    # Points are numbers (all whole here: one format for the column), the change in the number a percentage.
    assert ws.cell(header + 1, 9).number_format == "0.0%" and ws.cell(header + 1, 8).number_format == "#,##0"


def test_a_change_from_zero_is_not_applicable(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    # KPI 3 had no pupils last year: a percentage change from 0 does not exist ([z]); KPI 2 has no history ([x]).
    kpis = KPIS.with_columns(
        pl.when(pl.col("kpi_code") == "KPI 3")
        .then(0)
        .otherwise(pl.col("previous_count"))
        .alias("previous_count"),
        pl.when(pl.col("kpi_code") == "KPI 3").then(None).otherwise(pl.col("change_pct")).alias("change_pct"),
    )
    write(path, kpis=kpis)
    rows = {r["KPI"]: r for r in table_rows(openpyxl.load_workbook(path)["KPIs"])}
    assert (rows["KPI 3"]["Number last year"], rows["KPI 3"]["Change in the number"]) == (0, "[z]")
    assert rows["KPI 2"]["Change in the number"] == "[x]"


def test_a_tables_notes_are_marked_in_its_title_and_link_to_the_notes_sheet(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_annual_return(
        path,
        META,
        layout=LAYOUT,
        tables={"kpis": KPIS, "schools": SCHOOLS},
        notes=NOTES,
        table_notes={"kpis": ("N1", "N2"), "schools": ("N2",)},
    )
    book = openpyxl.load_workbook(path)
    kpis, schools, notes = book["KPIs"], book["Schools"], book["Notes"]
    # GSS: the markers in the table's heading, not in a row of their own above the table.
    assert kpis["A1"].value == "Arts Council England key performance indicators [note 1] [note 2]"
    assert schools["A1"].value == "Schools in the hub's area [note 2]"
    # Each title links to its first note's row of the Notes sheet.
    first = kpis["A1"].hyperlink.location.split("!")[1]
    assert notes[first].value == "note 1"
    assert notes[schools["A1"].hyperlink.location.split("!")[1]].value == "note 2"
    # No row of markers of their own above the table: the table starts right below the lines under the title.
    assert not [
        c.coordinate
        for ws in (kpis, schools)
        for row in ws.iter_rows()
        for c in row
        if str(c.value or "").startswith("[note")
    ]
    _, header, _ = table_of(kpis)
    assert [kpis.cell(row, 1).value for row in range(2, header)] == [
        "The five KPIs.",
        "This worksheet contains one table. A chart is to the right of the table.",
        "The notes marked in the title apply to the whole table: select the title to read them.",
    ]


INCOME = pl.DataFrame(
    {
        "source": ["DfE grant", "schools", "parents and carers"],
        "amount_gbp": [1500, 300, 0],
        "total_income_gbp": [1800, 1800, 1800],
        "share_pct": [1500 / 1800, 300 / 1800, 0.0],
        "previous_amount_gbp": [1200, 0, None],
        "previous_share_pct": [0.75, 0.0, None],
        "change_points": [(1500 / 1800 - 0.75) * 100, 300 / 1800 * 100, None],
        "change_pct": [0.25, None, None],
    },
    schema=polars_schema(IncomeKpiFigures),
)
INCOME_LAYOUT = LAYOUT.model_copy(
    update={
        "sheets": (
            LAYOUT.sheets[0],
            SheetLayout(
                table="income",
                name="PI1",
                title="PI1: the hub's income by source",
                description="Income by source.",
                columns=tuple(IncomeKpiFigures.to_schema().columns),
            ),
        )
    }
)


def test_pi1_money_has_columns_of_its_own_each_with_one_number_format(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_annual_return(
        path, META, layout=INCOME_LAYOUT, tables={"kpis": KPIS, "income": INCOME}, notes=NOTES
    )
    book = openpyxl.load_workbook(path)
    rows = table_rows(book["PI1"])
    assert list(rows[0]) == [
        "Source of income",
        "Amount (£)",
        "All the sources (£)",
        "Share of income",
        "Amount last year (£)",
        "Share last year",
        "Change in share in percentage points",
        "Change in the amount",
    ]
    assert [(r["Source of income"], r["Amount (£)"], r["Amount last year (£)"]) for r in rows] == [
        ("DfE grant", 1500, 1200),
        ("schools", 300, 0),
        ("parents and carers", 0, "[x]"),
    ]
    # Nothing from schools last year: a percentage change from 0 does not exist.
    assert [r["Change in the amount"] for r in rows] == [0.25, "[z]", "[x]"]
    for name in ("PI1", "KPIs"):
        ws = book[name]
        _, header, last = table_of(ws)
        for col in range(1, ws.max_column + 1):
            formats = {
                ws.cell(row, col).number_format
                for row in range(header + 1, last + 1)
                if not isinstance(ws.cell(row, col).value, str)
            }
            assert len(formats) <= 1, (name, ws.cell(header, col).value, formats)
    pi1 = book["PI1"]
    _, header, _ = table_of(pi1)
    money = [pi1.cell(header + 1, col).number_format for col in (2, 3, 5)]
    assert all("£" in fmt for fmt in money)
    assert "%" in pi1.cell(header + 1, 4).number_format
    # The KPIs sheet holds counts of pupils and schools only: no pounds in its Number or Out of columns.
    kpis = book["KPIs"]
    _, header, last = table_of(kpis)
    assert not [
        kpis.cell(row, col).coordinate
        for row in range(header + 1, last + 1)
        for col in range(1, kpis.max_column + 1)
        if "£" in kpis.cell(row, col).number_format or "PI1" in str(kpis.cell(row, col).value)
    ]


def test_the_inclusion_and_workforce_sheets_show_last_year_and_the_change(tmp_path: Path) -> None:
    year_layout = return_layout(AcademicYear(2025))
    layout = LAYOUT.model_copy(
        update={"sheets": (LAYOUT.sheets[0], year_layout.sheet("inclusion"), year_layout.sheet("workforce"))}
    )
    inclusion = pl.DataFrame(
        {
            "measure_id": ["tuition_fsm"],
            "measure": ["Pupils learning outside WCET"],
            "unit": ["pupils"],
            "breakdown": ["Free school meals"],
            "group": ["Eligible"],
            "count": [30.0],
            "denominator": [120.0],
            "count_pct": [0.25],
            "parent_breakdown": [None],
            "parent_group": [None],
            "base_rate_pct": [0.2],
            "difference_pct": [0.05],
            "previous_count": [20.0],
            "previous_count_pct": [0.2],
            "change_count": [10.0],
        },
        schema=polars_schema(InclusionSheetFigures),
    )
    workforce = pl.DataFrame(
        [("permanent", 12, 10.5, 60.0, 10, 2, 9.0, 1.5, 45.5, 14.5), ("freelance", 5, 1.2, 0.0, *[None] * 6)],
        schema=polars_schema(WorkforceSheetFigures),
        orient="row",
    )
    path = tmp_path / "r.xlsx"
    write_annual_return(
        path,
        META,
        layout=layout,
        tables={"kpis": KPIS, "inclusion": inclusion, "workforce": workforce},
        notes=NOTES,
    )
    book = openpyxl.load_workbook(path)
    (fsm,) = table_rows(book["Inclusion"])
    assert (fsm["Share"], fsm["Area base rate"]) == (0.25, 0.2)
    assert (fsm["Pupils with it last year"], fsm["Share last year"], fsm["Change in pupils with it"]) == (
        20,
        0.2,
        10,
    )
    staff = {r["Employment"]: r for r in table_rows(book["Workforce"])}
    assert list(staff["permanent"])[:4] == [
        "Employment",
        "Headcount",
        "Headcount last year",
        "Change in headcount",
    ]
    assert (staff["permanent"]["Headcount last year"], staff["permanent"]["Change in headcount"]) == (10, 2)
    assert (staff["permanent"]["FTE last year"], staff["permanent"]["Change in FTE"]) == (9.0, 1.5)
    assert (staff["permanent"]["CPD hours last year"], staff["permanent"]["Change in CPD hours"]) == (
        45.5,
        14.5,
    )
    # No freelance staff last year: not available.
    assert (staff["freelance"]["Headcount last year"], staff["freelance"]["Change in FTE"]) == ("[x]", "[x]")
