"""Workbook tests for the per-school reports: safe unique file names, one workbook per school, stale removal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandera.errors
import polars as pl
import pytest

from foundation.ofsted_frameworks import load_framework
from outputs.house_style import Note, RecordSheet, write_workbook
from outputs.school_reports import (
    safe_school_name,
    school_report_file_name,
    school_report_paths,
    write_school_reports,
)
from outputs.theme import RAG_FILLS
from schemas.engagement import (
    BriefPromptRow,
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolBriefRow,
    SchoolRagRow,
    TrackerRow,
)
from tests.builders import frame
from tests.outputs.test_school_engagement import META, tracker_row, tracker_table

SAFE_FILE_NAME = re.compile(r"^[0-9]{6,7}-[A-Za-z0-9-]+\.xlsx$")
AWKWARD_NAMES = {
    "100001": "St Mary's C of E Primary",
    "100002": "a/b\\c",
    "100003": "..",
    "100004": "...",
    "100005": '"Quoted" <School>',
    "100006": "Σχολείο Αθηνών",
    "100007": "北京第一小学",
    "100008": "Ysgol Gymraeg Bro Ŵyr",
    "100009": "Long " * 40,
    "100010": "st marys c of e primary",
    "100011": "St. Mary's (C of E) Primary!",
    "100012": "   ",
    "100013": "CON",
    "100014": '=HYPERLINK("http://x","y")',
}


def awkward_laestab(urn: str) -> str | None:
    """None for 100013 and 100014; 100010 and 100011 share 100001's LAESTAB, so their names collide."""
    if urn in ("100013", "100014"):
        return None
    return "8012001" if urn in ("100010", "100011") else "8012" + urn[-3:]


def awkward_tracker() -> pl.DataFrame:
    """Schools with awkward names and LAESTABs (see ``awkward_laestab``)."""
    return tracker_table(
        *(
            tracker_row(urn, school_name=name, laestab=awkward_laestab(urn))
            for urn, name in AWKWARD_NAMES.items()
        )
    )


FRAMEWORK = load_framework("renewed-2025-11")


def brief_row(urn: str, **overrides: Any) -> dict[str, Any]:
    """The brief's facts for an engaged primary school in a year in progress; overrides name what a test needs."""
    row: dict[str, Any] = {
        SchoolBriefRow.urn: urn,
        SchoolBriefRow.school_line: "Primary, Community school, not in a trust; 210 pupils on roll; FSM 25.0%",
        SchoolBriefRow.comparison_group: "Primary",
        SchoolBriefRow.fsm_band: "FSM 15% to under 30%",
        SchoolBriefRow.engagement_level: 2,
        SchoolBriefRow.engagement_level_last_year: 1,
        SchoolBriefRow.engagement_change: "↑ up from level 1 last year to 2",
        SchoolBriefRow.last_conversation: date(2025, 11, 4),
        SchoolBriefRow.next_conversation: date(2026, 2, 4),
        SchoolBriefRow.conversation_status: "Next due 04/02/2026",
        SchoolBriefRow.year_is_closed: False,
        SchoolBriefRow.mdp: "Summary published: https://example.org/mdp",
        SchoolBriefRow.quality_marks: "Artsmark",
    }
    row.update(overrides)
    return row


def per_school_tables(urn: str, tracker: pl.DataFrame | None = None) -> dict[str, Any]:
    """Every table of one school (URN ``urn``) and of another (100002), a brief for each school of ``tracker``."""
    urns = tracker.get_column(TrackerRow.urn).to_list() if tracker is not None else [urn, "100002"]
    return {
        "framework": FRAMEWORK,
        "brief": frame(SchoolBriefRow, [brief_row(u) for u in urns]).collect(),
        "prompts": frame(
            BriefPromptRow,
            [
                {
                    BriefPromptRow.area: "Curriculum and teaching",
                    BriefPromptRow.prompt: "Is it well sequenced?",
                },
                {BriefPromptRow.area: "Inclusion", BriefPromptRow.prompt: "=Who takes part?"},
            ],
            urn=urn,
        ).collect(),
        "activity": frame(
            SchoolActivityRow,
            [
                {SchoolActivityRow.activity: "WCET pupils", SchoolActivityRow.this_year: 58},
                {SchoolActivityRow.activity: "Tuition pupils", SchoolActivityRow.this_year: 7},
                {SchoolActivityRow.urn: "100002", SchoolActivityRow.activity: "WCET pupils"},
            ],
            urn=urn,
            this_year=0,
            last_year=40,
            since_last_year="↑ up 18",
            per_100_pupils=27.6,
            similar_per_100=15.0,
            band_per_100=16.5,
            compared="Well above similar schools",
        ).collect(),
        "rag": frame(
            SchoolRagRow,
            [
                {
                    SchoolRagRow.duty_area: "WCET",
                    SchoolRagRow.rag: "R",
                    SchoolRagRow.rated_on: date(2025, 11, 4),
                    SchoolRagRow.rag_previous: "A",
                    SchoolRagRow.since_previous: "↓ worse (A to R)",
                },
                {SchoolRagRow.duty_area: "Choir"},
            ],
            urn=urn,
            since_previous="Not rated",
            since_last_year="Not rated",
        ).collect(),
        "conversations": frame(
            ConversationLogRow,
            [
                {
                    ConversationLogRow.date: date(2025, 11, 4),
                    ConversationLogRow.kind: "visit",
                    ConversationLogRow.with_role: "Music lead",
                    ConversationLogRow.duration_minutes: 45,
                    ConversationLogRow.engagement_level: 2,
                    ConversationLogRow.actions: "=1+1; book WCET",
                }
            ],
            urn=urn,
        ).collect(),
        "actions": frame(
            OpenActionRow,
            [
                {
                    OpenActionRow.agreed_on: date(2025, 11, 4),
                    OpenActionRow.action: "Book WCET",
                    OpenActionRow.due: date(2026, 2, 4),
                    OpenActionRow.is_overdue: True,
                    OpenActionRow.due_status: "Overdue by 25 days",
                }
            ],
            urn=urn,
        ).collect(),
    }


def write_reports(folder: Path, tracker: pl.DataFrame, urn: str = "100001") -> dict[str, Path]:
    return write_school_reports(
        folder,
        META,
        tracker=tracker,
        notes=[Note("1", "Counts are this year's.")],
        **per_school_tables(urn, tracker),
    )


def table_rows(ws) -> list[tuple[Any, ...]]:
    """The rows of the sheet's one table, header first."""
    (table,) = ws.tables.values()
    return [tuple(cell.value for cell in row) for row in ws[table.ref]]


@pytest.fixture(scope="module")
def awkward_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("year") / "schools"
    return folder, write_reports(folder, awkward_tracker())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("St Mary's C of E", "St-Marys-C-of-E"),
        ("St Mary\u2019s", "St-Marys"),
        ("a/b\\c", "a-b-c"),
        ("..", "school"),
        ("", "school"),
        ("Ysgol Bro Ŵyr", "Ysgol-Bro-Wyr"),
        ("Σχολείο", "Skholeio"),
        # Names that look like paths or devices cannot choose the folder: the LAESTAB prefix comes first too.
        ("../../x", "x"),
        ("..\\..\\x", "x"),
        ("/etc/passwd", "etc-passwd"),
        ("C:\\Windows\\win.ini", "C-Windows-win-ini"),
        ("NUL.txt", "NUL-txt"),
        ("Nul\x00Byte School", "Nul-Byte-School"),
        ("\x00", "school"),
        ("x\n../y", "x-y"),
    ],
)
def test_safe_school_name(name: str, expected: str) -> None:
    assert safe_school_name(name) == expected


def test_long_name_is_cut_at_a_word() -> None:
    safe = safe_school_name("Long " * 40)
    assert len(safe) <= 60
    assert safe.split("-") == ["Long"] * len(safe.split("-"))


def test_file_name_uses_urn_without_laestab() -> None:
    assert school_report_file_name("8012001", "100001", "Abbey") == "8012001-Abbey.xlsx"
    assert school_report_file_name(None, "100001", "Abbey") == "100001-Abbey.xlsx"
    assert school_report_file_name("", "100001", "CON") == "100001-CON.xlsx"


@pytest.mark.parametrize(
    "laestab", ["../../x", "8012 001", "\u0668\u0660\u0661\u0662\u0660\u0660\u0661", "80120011"]
)
def test_file_name_refuses_a_prefix_that_is_not_six_or_seven_ascii_digits(laestab: str) -> None:
    with pytest.raises(ValueError, match="LAESTAB"):
        school_report_file_name(laestab, "100001", "Abbey")


def test_awkward_names_give_safe_unique_files_inside_the_folder(awkward_reports) -> None:
    folder, paths = awkward_reports
    assert sorted(paths) == sorted(AWKWARD_NAMES)
    names = [path.name for path in paths.values()]
    assert len({name.lower() for name in names}) == len(names)
    for path in paths.values():
        assert SAFE_FILE_NAME.match(path.name), path.name
        assert len(path.name) <= 100
        assert path.resolve().parent == folder.resolve()
        assert path.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_names_colliding_ignoring_case_get_the_urn(awkward_reports) -> None:
    _, paths = awkward_reports
    assert paths["100001"].name == "8012001-St-Marys-C-of-E-Primary.xlsx"
    assert paths["100010"].name == "8012001-st-marys-c-of-e-primary-100010.xlsx"
    assert paths["100011"].name == "8012001-St-Marys-C-of-E-Primary-100011.xlsx"
    assert paths["100003"].name == "8012003-school.xlsx"
    assert paths["100013"].name == "100013-CON.xlsx"


def test_collisions_are_resolved_in_urn_order(tmp_path: Path) -> None:
    tracker = tracker_table(
        tracker_row("100009", laestab="8012001", school_name="ST MARY'S"),
        tracker_row("100001", laestab="8012001", school_name="St Marys"),
        tracker_row("100005", laestab="8012001", school_name="St. Mary's"),
    )
    names = {urn: path.name for urn, path in school_report_paths(tmp_path, tracker).items()}
    assert names == {
        "100001": "8012001-St-Marys.xlsx",
        "100005": "8012001-St-Marys-100005.xlsx",
        "100009": "8012001-ST-MARYS-100009.xlsx",
    }


def brief_table(ws, name: str) -> list[tuple[Any, ...]]:
    """The rows of one of the brief's tables (``tbl_Brief_<name>``), header first."""
    table = ws.tables[f"tbl_Brief_{name}"]
    return [tuple(cell.value for cell in row) for row in ws[table.ref]]


def column_a(ws) -> list[Any]:
    """Column A of a sheet, top to bottom."""
    return [row[0] for row in ws.iter_rows(values_only=True)]


def test_report_opens_on_the_brief_with_provenance_behind_it(awkward_reports) -> None:
    _, paths = awkward_reports
    book = openpyxl.load_workbook(paths["100001"])
    assert book.sheetnames == ["Brief", "School data", "Conversations and actions", "Cover"]
    assert book.active.title == "Brief"
    brief = book["Brief"]
    assert brief["A1"].value == "Conversation brief: St Mary's C of E Primary (URN 100001)"
    assert (
        brief["A2"].value
        == "Northshire Music Hub, 2025/26. Figures as at 31/08/2026 (the year is in progress)."
    )
    assert book["Cover"]["A1"].value == "School report: St Mary's C of E Primary (URN 100001)"
    links = [c.hyperlink.location for c in book["Cover"]["A"] if c.hyperlink is not None]
    assert links == ["'Brief'!A1", "'School data'!A1", "'Conversations and actions'!A1", "'Cover'!A1"]
    cover = column_a(book["Cover"])
    assert cover[cover.index("Notes") + 1] == "1"
    assert book["Cover"].cell(cover.index("Notes") + 2, 2).value == "Counts are this year's."


def test_brief_tables_hold_the_input_rows(awkward_reports) -> None:
    _, paths = awkward_reports
    ws = openpyxl.load_workbook(paths["100001"])["Brief"]
    assert brief_table(ws, "activity") == [
        (
            "Activity",
            "This year",
            "Last year",
            "Since last year",
            "Per 100 pupils on roll",
            "Similar schools per 100 pupils",
            "Same phase and FSM band per 100 pupils",
            "Against similar schools",
        ),
        ("WCET pupils", 58, 40, "↑ up 18", 27.6, 15.0, 16.5, "Well above similar schools"),
        ("Tuition pupils", 7, 40, "↑ up 18", 27.6, 15.0, 16.5, "Well above similar schools"),
    ]
    assert brief_table(ws, "ratings")[1:] == [
        ("WCET", "R", "A", "[x]", "↓ worse (A to R)", "Not rated"),
        ("Choir", "[x]", "[x]", "[x]", "Not rated", "Not rated"),
    ]
    assert brief_table(ws, "actions")[1:] == [
        ("Book WCET", datetime(2025, 11, 4), datetime(2026, 2, 4), "Overdue by 25 days")
    ]
    lines = column_a(ws)
    facts = {ws.cell(row, 1).value: ws.cell(row, 2) for row in range(1, ws.max_row + 1)}
    assert facts["Last conversation"].value == datetime(2025, 11, 4) and facts["Last conversation"].is_date
    assert facts["Conversations"].value == "Next due 04/02/2026"
    assert facts["Engagement"].value == "Level 2: Plan agreed (↑ up from level 1 last year to 2)"
    assert facts["Music development plan"].value == "Summary published: https://example.org/mdp"
    assert facts["Quality marks"].value == "Artsmark"
    start = lines.index(
        "Prompts for the conversation, under Ofsted's renewed school inspection framework (from 10 November 2025)"
    )
    assert lines[start + 1 : start + 5] == [
        "Curriculum and teaching",
        "- Is it well sequenced?",
        "Inclusion",
        "- =Who takes part?",
    ]


def sheet_table(ws, name: str) -> list[tuple[Any, ...]]:
    """The rows of the sheet's table ``name``, header first."""
    return [tuple(cell.value for cell in row) for row in ws[ws.tables[name].ref]]


def test_school_data_holds_the_profile_activity_and_ratings(awkward_reports) -> None:
    _, paths = awkward_reports
    ws = openpyxl.load_workbook(paths["100001"])["School data"]
    assert (
        ws["A1"].value == "The school's profile, activity and ratings: St Mary's C of E Primary (URN 100001)"
    )
    profile = sheet_table(ws, "tbl_School_data_profile")
    assert profile[0] == ("Item", "Value")
    values = dict(profile[1:])
    # What a link officer reads, typed; not the tracker's map coordinates, ratings or counts (tables beside).
    assert list(values)[:4] == ["School", "URN", "LAESTAB", "Phase"]
    assert values["School"] == "St Mary's C of E Primary" and values["LAESTAB"] == "8012001"
    assert values["Pupils on roll"] == 210 and values["FSM"] == 0.25
    assert values["Last conversation"] == datetime(2025, 11, 4)
    # A community school is in no trust: not applicable, [z] (an academy's missing trust would be [x]).
    assert (values["Engaged"], values["Priority"], values["Trust"]) == ("Y", "N", "[z]")
    assert values["Conversation status"] == "Next due 04/02/2026"
    assert not {"Easting", "Northing", "RAG: Curriculum", "WCET pupils"} & set(values)
    cells = {row[0].value: row[1] for row in ws[ws.tables["tbl_School_data_profile"].ref]}
    assert cells["FSM"].number_format == "0.0%" and cells["Last conversation"].is_date
    assert sheet_table(ws, "tbl_School_data_activity") == [
        (
            "Activity",
            "This year",
            "Last year",
            "Since last year",
            "Per 100 pupils on roll",
            "Similar schools per 100 pupils",
            "Same phase and FSM band per 100 pupils",
            "Against similar schools",
        ),
        ("WCET pupils", 58, 40, "↑ up 18", 27.6, 15.0, 16.5, "Well above similar schools"),
        ("Tuition pupils", 7, 40, "↑ up 18", 27.6, 15.0, 16.5, "Well above similar schools"),
    ]
    ratings = sheet_table(ws, "tbl_School_data_ratings")
    assert ratings[0] == (
        "Duty area",
        "RAG now",
        "Rated on",
        "At the previous contact",
        "Last year",
        "Since the previous contact",
        "Since last year",
    )
    # The date of each rating is here, not on the brief.
    assert ratings[1:] == [
        ("WCET", "R", datetime(2025, 11, 4), "A", "[x]", "↓ worse (A to R)", "Not rated"),
        ("Choir", "[x]", "[x]", "[x]", "[x]", "Not rated", "Not rated"),
    ]
    # Ratings are filled by their letter on this sheet too: one rule per letter over now, previous, last year.
    header = ws[ws.tables["tbl_School_data_ratings"].ref.split(":")[0]].row
    (rule_range,) = list(ws.conditional_formatting)
    assert set(str(rule_range.sqref).split()) == {f"{col}{header + 1}:{col}{header + 2}" for col in "EGH"}
    assert {r.formula[0] for r in rule_range.rules} == {f'"{text}"' for text in RAG_FILLS}
    assert all(ws.tables[name].autoFilter is not None for name in ws.tables)  # to sort and filter


def test_conversations_and_actions_hold_the_log_and_the_open_actions(awkward_reports) -> None:
    _, paths = awkward_reports
    ws = openpyxl.load_workbook(paths["100001"])["Conversations and actions"]
    assert sheet_table(ws, "tbl_Conversations_log") == [
        (
            "Date",
            "Kind",
            "With",
            "Hub officer",
            "Minutes",
            "Engagement level",
            "Actions agreed",
            "Next contact due",
        ),
        (datetime(2025, 11, 4), "visit", "Music lead", "[x]", 45, 2, "=1+1; book WCET", "[x]"),
    ]
    assert sheet_table(ws, "tbl_Conversations_actions") == [
        ("Agreed on", "Action", "Due", "Overdue", "When due"),
        (datetime(2025, 11, 4), "Book WCET", datetime(2026, 2, 4), "Y", "Overdue by 25 days"),
    ]
    # The other school's rows are in its own report only.
    other = openpyxl.load_workbook(paths["100002"])["Conversations and actions"]
    assert sheet_table(other, "tbl_Conversations_log")[1][0] == "There are no rows in this table."


def test_formula_like_text_in_a_report_stays_text(awkward_reports) -> None:
    _, paths = awkward_reports
    book = openpyxl.load_workbook(paths["100001"])
    (actions_cell,) = [
        c
        for row in book["Conversations and actions"].iter_rows()
        for c in row
        if c.value == "=1+1; book WCET"
    ]
    assert actions_cell.data_type == "s"
    (prompt,) = [c for row in book["Brief"].iter_rows() for c in row if c.value == "- =Who takes part?"]
    assert prompt.data_type == "s"
    cover = openpyxl.load_workbook(paths["100014"])["Cover"]
    assert cover["A1"].value == 'School report: =HYPERLINK("http://x","y") (URN 100014)'


def test_ratings_are_coloured_on_the_brief_and_the_letter_stays(awkward_reports) -> None:
    _, paths = awkward_reports
    ws = openpyxl.load_workbook(paths["100001"])["Brief"]
    header = ws[ws.tables["tbl_Brief_ratings"].ref.split(":")[0]].row
    (rule_range,) = list(ws.conditional_formatting)  # one rule per letter, over now, previous and last year
    assert set(str(rule_range.sqref).split()) == {f"{col}{header + 1}:{col}{header + 2}" for col in "BCD"}
    for rule_range in ws.conditional_formatting:
        assert {r.formula[0] for r in rule_range.rules} == {f'"{text}"' for text in RAG_FILLS}
    assert ws.cell(header + 1, 2).value == "R"


def test_school_with_no_rows_gets_empty_tables(awkward_reports) -> None:
    _, paths = awkward_reports
    book = openpyxl.load_workbook(paths["100003"])
    assert set(book["Brief"].tables) == set()
    assert column_a(book["Brief"]).count("None.") == 3
    # The data sheets keep their tables, each with its headings and a row saying it has none.
    log = book["Conversations and actions"]
    assert set(log.tables) == {"tbl_Conversations_log", "tbl_Conversations_actions"}
    assert column_a(log).count("There are no rows in this table.") == 2
    assert sheet_table(log, "tbl_Conversations_actions") == [
        ("Agreed on", "Action", "Due", "Overdue", "When due"),
        ("There are no rows in this table.", None, None, None, None),
    ]
    data = book["School data"]
    assert set(data.tables) == {
        "tbl_School_data_profile",
        "tbl_School_data_activity",
        "tbl_School_data_ratings",
    }
    assert sheet_table(data, "tbl_School_data_activity")[1][0] == "There are no rows in this table."


def test_every_sheet_is_set_up_for_a4(awkward_reports) -> None:
    _, paths = awkward_reports
    book = openpyxl.load_workbook(paths["100001"])
    brief, data, log, cover = (book[name] for name in book.sheetnames)
    assert brief.page_setup.paperSize == 9 and brief.page_setup.orientation == "portrait"
    for ws in (brief, data, log, cover):
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (None, 1), ws.title  # 1 is the default, left out of the file
        assert "Page &P of &N" in ws.oddFooter.right.text, ws.title
    assert brief.page_setup.fitToHeight == 2
    assert cover.page_setup.fitToHeight in (None, 1)
    # The data sheets: landscape, as many pages tall as they need, their first tables' header row repeated.
    for ws in (data, log):
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0, ws.title
    header = data[data.tables["tbl_School_data_profile"].ref.split(":")[0]].row
    assert data[data.tables["tbl_School_data_activity"].ref.split(":")[0]].row == header  # side by side
    assert data.print_title_rows == f"${header}:${header}"
    header = log[log.tables["tbl_Conversations_log"].ref.split(":")[0]].row
    assert log.print_title_rows == f"${header}:${header}"


def test_stale_reports_are_removed_and_other_files_kept(tmp_path: Path) -> None:
    folder = tmp_path / "schools"
    folder.mkdir()
    stale = folder / "8012999-Closed-School.xlsx"
    keep = [folder / n for n in ("notes.xlsx", "README.txt", "8012999 copy.xlsx", "8012999-Closed.xlsx.bak")]
    for path in [stale, *keep]:
        path.write_bytes(b"old")
    paths = write_reports(folder, tracker_table(tracker_row("100001"), tracker_row("100002")))
    assert not stale.exists()
    assert all(path.exists() for path in keep)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(p.name for p in paths.values()), *(p.name for p in keep)]
    )


def test_invalid_table_writes_and_removes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "schools"
    folder.mkdir()
    stale = folder / "8012999-Closed-School.xlsx"
    stale.write_bytes(b"old")
    tables = per_school_tables("100001", tracker_table(tracker_row("100001")))
    tables["rag"] = tables["rag"].with_columns(pl.lit("X").alias(SchoolRagRow.rag))
    with pytest.raises(pandera.errors.SchemaErrors):
        write_school_reports(folder, META, tracker=tracker_table(tracker_row("100001")), notes=[], **tables)
    assert [p.name for p in folder.iterdir()] == [stale.name]


def test_same_inputs_give_identical_reports(tmp_path: Path) -> None:
    tracker = tracker_table(tracker_row("100001"))
    first = write_reports(tmp_path / "one", tracker)["100001"].read_bytes()
    second = write_reports(tmp_path / "two", tracker)["100001"].read_bytes()
    assert first == second


# -- The house style's record sheet, beyond the profile --------------------------------------------------------


def test_record_sheet_keeps_types_of_any_record(tmp_path: Path) -> None:
    record = {
        "seen_at": datetime(2026, 1, 5, 12, 30, tzinfo=UTC),  # 12:30 GMT is 12:30 in London in January
        "charge_gbp": 12.5,
        "comment": "@SUM(A1)",
        "tags": ["a", "b"],
    }
    titles = {"seen_at": "Seen", "charge_gbp": "Charge", "comment": "Comment", "tags": "Tags"}
    write_workbook(tmp_path / "r.xlsx", META, [RecordSheet("Record", "One record", record, titles)], [])
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Record"]
    cells = {ws.cell(row, 1).value: ws.cell(row, 2) for row in range(1, ws.max_row + 1)}
    assert cells["Seen"].value == datetime(2026, 1, 5, 12, 30) and cells["Seen"].is_date
    assert cells["Charge"].value == 12.5 and "£" in cells["Charge"].number_format
    assert cells["Comment"].value == "@SUM(A1)" and cells["Comment"].data_type == "s"
    assert cells["Tags"].value == "['a', 'b']"


def test_record_sheet_errors_and_empty_record(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="No title"):
        write_workbook(tmp_path / "a.xlsx", META, [RecordSheet("R", "R", {"x": 1}, {})], [])
    write_workbook(tmp_path / "b.xlsx", META, [RecordSheet("R", "R", {}, {})], [])
    rows = list(openpyxl.load_workbook(tmp_path / "b.xlsx")["R"].iter_rows(values_only=True))
    assert ("Item", "Value") in rows and ("There are no rows in this table.", None) in rows
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]


def _sheet_cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in workbook.worksheets}


def test_reports_written_by_several_processes_are_the_reports_one_process_writes(tmp_path: Path) -> None:
    urns = [str(100001 + i) for i in range(120)]
    tracker = tracker_table(*[tracker_row(urn, school_name=f"School {urn}") for urn in urns])
    tables = per_school_tables(urns[0], tracker)
    notes = [Note("1", "Counts are this year's.")]
    one = write_school_reports(tmp_path / "one", META, tracker=tracker, notes=notes, **tables)
    two = write_school_reports(tmp_path / "two", META, tracker=tracker, notes=notes, processes=2, **tables)
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(p.name for p in one.values())
    for urn in (urns[0], urns[1], urns[-1]):
        assert _sheet_cells(two[urn]) == _sheet_cells(one[urn]), urn
    log = "Conversations and actions"
    assert _sheet_cells(two[urns[0]])[log] != _sheet_cells(two[urns[-1]])[log]


def test_a_failure_in_a_writing_process_stops_the_run_with_its_message(tmp_path: Path) -> None:
    urns = [str(100001 + i) for i in range(120)]
    tracker = tracker_table(*[tracker_row(urn, school_name=f"School {urn}") for urn in urns])
    folder = tmp_path / "schools"
    folder.mkdir()
    blocked = school_report_paths(folder, tracker)[urns[77]]
    blocked.mkdir()  # a folder where a report should go: no process can put the report there
    with pytest.raises(OSError):
        write_school_reports(
            folder, META, tracker=tracker, notes=[], processes=2, **per_school_tables(urns[0], tracker)
        )
    assert blocked.is_dir()


def test_a_plain_error_crosses_processes_whole() -> None:
    import pickle

    from foundation.errors import InputFileError

    error = pickle.loads(
        pickle.dumps(InputFileError("the file is empty.", file="wcet.csv", row=3, column="urn"))
    )
    assert isinstance(error, InputFileError)
    assert str(error) == "file wcet.csv, row 3, column 'urn': the file is empty."


def hub_writing_reports(folder: str) -> int:
    """A hub's reports written with two processes, as in a process of Prefect's own pool (the national run)."""
    urns = [str(100001 + i) for i in range(120)]
    tracker = tracker_table(*[tracker_row(urn, school_name=f"School {urn}") for urn in urns])
    written = write_school_reports(
        Path(folder), META, tracker=tracker, notes=[], processes=2, **per_school_tables(urns[0], tracker)
    )
    return len(written)


def test_a_process_that_wrote_reports_in_processes_can_exit(tmp_path: Path) -> None:
    import subprocess
    import sys

    # A process pool's worker that wrote reports with worker processes of its own must still exit when its
    # pool shuts down (a pool of report writers kept for later calls made this wait for ever).
    script = (
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from multiprocessing import get_context\n"
        "from tests.outputs.test_school_reports import hub_writing_reports\n"
        "if __name__ == '__main__':\n"
        "    with ProcessPoolExecutor(1, mp_context=get_context('spawn')) as pool:\n"
        f"        print(pool.submit(hub_writing_reports, {str(tmp_path)!r}).result())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "120"
    assert len(list(tmp_path.glob("*.xlsx"))) == 120


def test_a_secondary_academys_wcet_rating_is_not_applicable_and_its_missing_trust_not_available(
    tmp_path: Path,
) -> None:
    tracker = tracker_table(
        tracker_row("100001", phase_name="Secondary", type_name="Academy converter"), tracker_row("100002")
    )
    paths = write_reports(tmp_path / "schools", tracker)
    ws = openpyxl.load_workbook(paths["100001"])["School data"]
    values = dict(sheet_table(ws, "tbl_School_data_profile")[1:])
    assert values["Phase"] == "Secondary" and values["Trust"] == "[x]"
    ratings = {row[0]: row for row in sheet_table(ws, "tbl_School_data_ratings")[1:]}
    # A secondary school has no WCET: its WCET ratings are not applicable; its other areas, not available.
    assert ratings["WCET"][1:5] == ("R", datetime(2025, 11, 4), "A", "[z]")
    assert ratings["Choir"][1:5] == ("[x]", "[x]", "[x]", "[x]")
    # The primary community school beside it keeps [x] for an unrated WCET and [z] for its trust.
    other = openpyxl.load_workbook(paths["100002"])["School data"]
    assert dict(sheet_table(other, "tbl_School_data_profile")[1:])["Trust"] == "[z]"
