"""Workbook tests for the SMEP tracker (and the house style's fills and stacked charts it uses)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandera.errors
import polars as pl
import pytest

from outputs.house_style import BarChart, TableSheet, WorkbookMeta, write_workbook
from outputs.school_engagement import school_engagement_path, write_school_engagement
from outputs.theme import RAG_FILLS
from schemas.engagement import (
    ACTIVITY_COLUMNS,
    LEVEL_COLUMNS,
    RAG_COLUMNS,
    EngagementSummaryRow,
    MapPointRow,
    OfstedEvidenceRow,
    OutsideUniverseRow,
    PriorityRow,
    TrackerRow,
)
from schemas.output_tables import column_titles
from schemas.provenance import InputFileRecord
from tests.builders import frame

META = WorkbookMeta(
    title="School engagement tracker",
    hub_name="Northshire Music Hub",
    period_label="2025/26",
    as_of=date(2026, 8, 31),
    run_id="run-0007",
    code_version="0.1.0+abc1234",
    created=datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    sources=(
        InputFileRecord("engagements", "smep.csv", "d" * 64, rows_read=9, rows_kept=9, rows_quarantined=0),
    ),
)
TITLES = column_titles(TrackerRow)


def tracker_row(urn: str, **overrides: Any) -> dict[str, Any]:
    """A tracker row for an engaged primary school; overrides name the columns a test cares about."""
    row: dict[str, Any] = {
        TrackerRow.urn: urn,
        TrackerRow.laestab: "8012" + urn[-3:],
        TrackerRow.school_name: f"School {urn}",
        TrackerRow.phase_name: "Primary",
        TrackerRow.type_name: "Community school",
        TrackerRow.la_name: "Northshire",
        TrackerRow.pupil_headcount: 210,
        TrackerRow.fsm_pct: 0.25,
        TrackerRow.engagement_level: 2,
        TrackerRow.engagement_level_name: "Plan agreed",
        TrackerRow.is_engaged: True,
        TrackerRow.conversations: 1,
        TrackerRow.last_conversation: date(2025, 11, 4),
        TrackerRow.next_conversation: date(2026, 2, 4),
        TrackerRow.is_overdue: False,
        TrackerRow.is_due_soon: False,
        TrackerRow.conversation_status: "Next due 04/02/2026",
        TrackerRow.mdp_published: True,
        TrackerRow.is_priority: False,
    }
    row.update(overrides)
    return row


def tracker_table(*rows: dict[str, Any]) -> pl.DataFrame:
    """A TrackerRow frame; activity counts not given are 0."""
    counts = dict.fromkeys(ACTIVITY_COLUMNS, 0)
    return frame(TrackerRow, list(rows), **counts).collect()


TRACKER = tracker_table(
    tracker_row(
        "100001",
        school_name="Abbey Primary",
        rag_curriculum="G",
        rag_wcet="R",
        wcet_pupils=58,
        fsm_pct=0.125,
    ),
    tracker_row("100002", school_name='=HYPERLINK("http://x","y")', laestab=None, rag_wcet="A"),
    tracker_row(
        "100003",
        school_name="Brook Academy",
        phase_name="Secondary",
        engagement_level=None,
        engagement_level_name=None,
        is_engaged=False,
        conversations=0,
        last_conversation=None,
        next_conversation=None,
        is_overdue=True,
        is_priority=True,
        priority_reason="Not engaged",
    ),
)


def summary_row(phase: str, schools: int, level_none: int, level_2: int) -> dict[str, Any]:
    """One summary row; the other level counts are 0."""
    return {
        EngagementSummaryRow.phase_name: phase,
        EngagementSummaryRow.schools: schools,
        EngagementSummaryRow.engaged: level_2,
        EngagementSummaryRow.engaged_pct: level_2 / schools,
        EngagementSummaryRow.level_none: level_none,
        EngagementSummaryRow.level_2: level_2,
        EngagementSummaryRow.with_conversation: level_2,
        EngagementSummaryRow.with_conversation_pct: level_2 / schools,
        EngagementSummaryRow.overdue: level_none,
        EngagementSummaryRow.priority: level_none,
    }


SUMMARY = frame(
    EngagementSummaryRow,
    [summary_row("Primary", 2, 0, 2), summary_row("Secondary", 1, 1, 0), summary_row("All phases", 3, 1, 2)],
    level_0=0,
    level_1=0,
    level_3=0,
).collect()
OFSTED = frame(
    OfstedEvidenceRow,
    [
        {
            OfstedEvidenceRow.framework: "Ofsted 2013: what hubs must do",
            OfstedEvidenceRow.point: 1,
            OfstedEvidenceRow.what_hubs_must_do: "Challenge schools",
            OfstedEvidenceRow.evidence: "Schools with a conversation",
            OfstedEvidenceRow.count: 2.0,
            OfstedEvidenceRow.denominator: 3.0,
            OfstedEvidenceRow.count_pct: 2 / 3,
        },
        {
            OfstedEvidenceRow.framework: "Ofsted 2013: what hubs must do",
            OfstedEvidenceRow.point: 2,
            OfstedEvidenceRow.what_hubs_must_do: "Support school music",
            OfstedEvidenceRow.evidence: "No data",
        },
    ],
).collect()
EXCEPTIONS = frame(OutsideUniverseRow, []).collect()
MAP = frame(
    MapPointRow,
    [
        {
            "series": "Not engaged",
            "urn": "100003",
            "school_name": "Brook Academy",
            "easting": 430000,
            "northing": 350000,
        },
        {
            "series": "Engaged",
            "urn": "100001",
            "school_name": "Abbey Primary",
            "easting": 441234,
            "northing": 352000,
        },
        {
            "series": "Engaged",
            "urn": "100002",
            "school_name": "School 100002",
            "easting": 445000,
            "northing": 361999,
        },
        {"series": "No grid reference in GIAS (not plotted)", "urn": "100009", "school_name": "Lost School"},
    ],
).collect()
PRIORITIES = frame(
    PriorityRow,
    [
        {
            PriorityRow.hub_officer: "A. Officer",
            PriorityRow.urgency: "1 act now",
            PriorityRow.urn: "100003",
            PriorityRow.school_name: "Brook Academy",
            PriorityRow.phase_name: "Secondary",
            PriorityRow.conversation_status: "Overdue: no conversation on record and none booked",
            PriorityRow.reasons: "Overdue: no conversation on record and none booked; Not engaged",
        }
    ],
).collect()


def write_tracker(path: Path, **overrides: pl.DataFrame) -> str:
    tables = {
        "tracker": TRACKER,
        "summary": SUMMARY,
        "map_points": MAP,
        "priorities": PRIORITIES,
        "ofsted": OFSTED,
        "exceptions": EXCEPTIONS,
    }
    tables.update(overrides)
    return write_school_engagement(path, META, notes=[], **tables)


def table_rows(ws) -> tuple[int, dict[str, int]]:
    """The header row (1-based) of the sheet's table, and each heading's column (1-based)."""
    (table,) = ws.tables.values()
    header = ws[table.ref.split(":")[0]].row
    return header, {ws.cell(header, col).value: col for col in range(1, ws.max_column + 1)}


@pytest.fixture(scope="module")
def tracker_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = school_engagement_path(tmp_path_factory.mktemp("out"), "northshire", "2025-26")
    write_tracker(path)
    return path


@pytest.fixture(scope="module")
def tracker_book(tracker_file: Path):
    return openpyxl.load_workbook(tracker_file)


def test_path_mirrors_the_annual_return(tmp_path: Path) -> None:
    expected = tmp_path / "northshire" / "2025-26" / "northshire-2025-26-school-engagement.xlsx"
    assert school_engagement_path(tmp_path, "northshire", "2025-26") == expected


def test_sheets_in_order(tracker_book) -> None:
    assert tracker_book.sheetnames == [
        "Cover",
        "Contents",
        "Notes",
        "Schools",
        "Summary",
        "Map",
        "Priorities",
        "Ofsted points",
        "Exceptions",
    ]


def test_priorities_sheet_lists_each_school_with_its_reasons(tracker_book) -> None:
    ws = tracker_book["Priorities"]
    header, cols = table_rows(ws)
    assert list(cols) == [
        "Link officer",
        "Urgency",
        "URN",
        "School",
        "Phase",
        "Conversation status",
        "Reasons",
    ]
    assert [ws.cell(header + 1, col).value for col in cols.values()] == [
        "A. Officer",
        "1 act now",
        "100003",
        "Brook Academy",
        "Secondary",
        "Overdue: no conversation on record and none booked",
        "Overdue: no conversation on record and none booked; Not engaged",
    ]


def test_school_row_keeps_types_and_formats(tracker_book) -> None:
    ws = tracker_book["Schools"]
    header, cols = table_rows(ws)
    abbey = header + 1
    assert ws.cell(abbey, cols[TITLES[TrackerRow.school_name]]).value == "Abbey Primary"
    assert ws.cell(abbey, cols[TITLES[TrackerRow.rag_wcet]]).value == "R"
    assert ws.cell(abbey, cols[TITLES[TrackerRow.rag_tuition]]).value == "[x]"
    assert ws.cell(abbey, cols[TITLES[TrackerRow.wcet_pupils]]).value == 58
    last = ws.cell(abbey, cols[TITLES[TrackerRow.last_conversation]])
    assert last.is_date and last.value == datetime(2025, 11, 4)
    fsm = ws.cell(abbey, cols[TITLES[TrackerRow.fsm_pct]])
    assert fsm.value == 0.125 and "%" in fsm.number_format
    assert ws.cell(abbey, cols[TITLES[TrackerRow.is_engaged]]).value == "Y"
    brook = header + 3
    assert ws.cell(brook, cols[TITLES[TrackerRow.last_conversation]]).value == "[x]"
    assert ws.cell(brook, cols[TITLES[TrackerRow.priority_reason]]).value == "Not engaged"


def test_formula_like_school_name_stays_text(tracker_book) -> None:
    ws = tracker_book["Schools"]
    header, cols = table_rows(ws)
    cell = ws.cell(header + 2, cols[TITLES[TrackerRow.school_name]])
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_rag_columns_have_conditional_fills(tracker_book) -> None:
    ws = tracker_book["Schools"]
    header, cols = table_rows(ws)
    # One rule per rating covers the data cells of all ten RAG columns, and nothing else is coloured.
    (fills,) = list(ws.conditional_formatting)
    letters = [openpyxl.utils.get_column_letter(cols[TITLES[column]]) for column in RAG_COLUMNS]
    assert set(str(fills.sqref).split()) == {f"{c}{header + 1}:{c}{header + 3}" for c in letters}
    rules = {rule.formula[0]: rule.dxf.fill.bgColor.rgb for rule in fills.rules}
    assert rules == {f'"{text}"': "FF" + colour[1:].upper() for text, colour in RAG_FILLS.items()}
    assert {rule.type for rule in fills.rules} == {"cellIs"}


def test_schools_table_has_filter_buttons(tracker_book) -> None:
    (table,) = tracker_book["Schools"].tables.values()
    assert table.autoFilter is not None


def test_summary_chart_is_stacked_and_leaves_out_all_phases(tracker_file: Path, tracker_book) -> None:
    header, _ = table_rows(tracker_book["Summary"])
    with zipfile.ZipFile(tracker_file) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # the column chart and the map
    (xml,) = [chart for chart in charts if "<c:barChart>" in chart]
    assert '<c:grouping val="stacked"/>' in xml
    assert xml.count("<c:ser>") == len(LEVEL_COLUMNS)
    # Primary and Secondary are plotted; the All phases row (header + 3) is not.
    ranges = set(re.findall(r"<c:f>Summary!\$[A-Z]+\$(\d+):\$[A-Z]+\$(\d+)</c:f>", xml))
    assert ranges == {(str(header + 1), str(header + 2))}


def test_summary_maps_the_schools_from_the_map_sheet_with_alt_text(tracker_file: Path, tracker_book) -> None:
    header, cols = table_rows(tracker_book["Map"])
    rows = [[tracker_book["Map"].cell(header + n, col).value for col in cols.values()] for n in range(1, 5)]
    assert rows[0] == ["Not engaged", "100003", "Brook Academy", 430000, 350000]
    assert rows[3] == ["No grid reference in GIAS (not plotted)", "100009", "Lost School", "[x]", "[x]"]
    with zipfile.ZipFile(tracker_file) as archive:
        names = archive.namelist()
        (xml,) = [
            archive.read(n).decode()
            for n in names
            if n.startswith("xl/charts/") and "scatter" in archive.read(n).decode()
        ]
        drawings = "".join(archive.read(n).decode() for n in names if n.startswith("xl/drawings/drawing"))
    # One series per group present, each reading its own rows of the Map table (easting D, northing E).
    assert xml.count("<c:ser>") == 2
    first = header + 1
    assert f"<c:f>Map!$D${first}</c:f>" in xml and f"<c:f>Map!$E${first}</c:f>" in xml
    assert f"<c:f>Map!$D${first + 1}:$D${first + 2}</c:f>" in xml
    assert "Lost School" not in xml and f"$D${first + 3}" not in xml  # no grid reference: not plotted
    # Axes on whole 10 km lines around the schools; a different marker per series (not colour alone).
    assert '<c:min val="430000"/>' in xml and '<c:max val="450000"/>' in xml
    assert '<c:min val="350000"/>' in xml and '<c:max val="370000"/>' in xml
    assert '<c:symbol val="triangle"/>' in xml and '<c:symbol val="circle"/>' in xml
    # Alt text for the map and the column chart.
    assert (
        'descr="Map of the hub&apos;s schools' in drawings or "descr=\"Map of the hub's schools" in drawings
    )
    assert drawings.count("descr=") == 2


def test_exceptions_sheet_with_no_rows_is_readable(tracker_book) -> None:
    rows = list(tracker_book["Exceptions"].iter_rows(values_only=True))
    headings = tuple(column_titles(OutsideUniverseRow).values())
    assert headings in rows
    assert any(row[0] == "There are no rows in this table." for row in rows)


def test_ofsted_points_show_missing_figures_as_x(tracker_book) -> None:
    ws = tracker_book["Ofsted points"]
    header, cols = table_rows(ws)
    titles = column_titles(OfstedEvidenceRow)
    assert ws.cell(header + 1, cols[titles[OfstedEvidenceRow.count]]).value == 2
    assert ws.cell(header + 2, cols[titles[OfstedEvidenceRow.count]]).value == "[x]"


def test_invalid_table_writes_nothing(tmp_path: Path) -> None:
    bad = TRACKER.with_columns(pl.lit("X").alias(TrackerRow.rag_cpd))
    with pytest.raises(pandera.errors.SchemaErrors):
        write_tracker(tmp_path / "t.xlsx", tracker=bad)
    assert list(tmp_path.iterdir()) == []


# -- The house style's extensions used above -----------------------------------------------------------------


def test_chart_with_every_row_skipped_is_left_out(tmp_path: Path) -> None:
    table = pl.DataFrame({"phase": ["All phases"], "a_count": [3]})
    chart = BarChart("Chart", "phase", ("a_count",), skip_last_rows=1)
    sheet = TableSheet("Totals", "Totals", table, {"phase": "Phase", "a_count": "A"}, chart=chart)
    write_workbook(tmp_path / "t.xlsx", META, [sheet], [])
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/charts/")]
    lines = [c.value for c in openpyxl.load_workbook(tmp_path / "t.xlsx")["Totals"]["A"]]
    assert not any("chart" in str(line) for line in lines)


def test_fills_for_unknown_column_or_bad_colour_are_errors(tmp_path: Path) -> None:
    table = pl.DataFrame({"rag": ["R"]})
    with pytest.raises(ValueError, match="not columns"):
        write_workbook(
            tmp_path / "a.xlsx",
            META,
            [TableSheet("A", "A", table, {"rag": "RAG"}, value_fills={"x": {}})],
            [],
        )
    with pytest.raises(ValueError, match="#RRGGBB"):
        write_workbook(
            tmp_path / "b.xlsx",
            META,
            [TableSheet("B", "B", table, {"rag": "RAG"}, value_fills={"rag": {"R": "red"}})],
            [],
        )
    assert list(tmp_path.iterdir()) == []


def test_fill_text_with_quotes_is_an_excel_string(tmp_path: Path) -> None:
    table = pl.DataFrame({"label": ['say "hi"']})
    sheet = TableSheet("Q", "Q", table, {"label": "Label"}, value_fills={"label": {'say "hi"': "#FFE89A"}})
    write_workbook(tmp_path / "q.xlsx", META, [sheet], [])
    ws = openpyxl.load_workbook(tmp_path / "q.xlsx")["Q"]
    (cf,) = list(ws.conditional_formatting)
    assert cf.rules[0].formula == ['"say ""hi"""']


def test_a_maintained_schools_trust_and_a_secondarys_wcet_rating_are_not_applicable(tmp_path: Path) -> None:
    # GSS: [z] where a figure cannot exist, [x] only where it exists but is not recorded.
    tracker = tracker_table(
        tracker_row("100001", type_name="Community school"),  # maintained, no trust: [z]
        tracker_row("100002", type_name="Academy converter"),  # an academy whose trust GIAS omits: [x]
        tracker_row("100003", type_name="Academy converter", trust_name="Northshire Learning Trust"),
        tracker_row("100004", type_name="Foundation school", trust_name="Valley Foundation Trust"),
        tracker_row("100005", phase_name="Secondary"),  # no WCET rating: [z]
        tracker_row("100006", phase_name="Secondary", rag_wcet="G"),  # rated anyway: shown
        tracker_row("100007", phase_name="Middle deemed secondary"),  # years 5 to 8 may have WCET: [x]
    )
    path = tmp_path / "tracker.xlsx"
    write_tracker(path, tracker=tracker)
    ws = openpyxl.load_workbook(path)["Schools"]
    header, cols = table_rows(ws)
    trust = [ws.cell(header + i, cols[TITLES[TrackerRow.trust_name]]).value for i in range(1, 8)]
    wcet = [ws.cell(header + i, cols[TITLES[TrackerRow.rag_wcet]]).value for i in range(1, 8)]
    assert trust == [
        "[z]",
        "[x]",
        "Northshire Learning Trust",
        "Valley Foundation Trust",
        "[z]",
        "[z]",
        "[z]",
    ]
    assert wcet == ["[x]", "[x]", "[x]", "[x]", "[z]", "G", "[x]"]
    # The sheet says what the two symbols mean.
    assert "[z]: not applicable" in " ".join(str(ws.cell(row, 1).value) for row in range(1, header))
