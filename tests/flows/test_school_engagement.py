"""The main flow writes the SMEP tracker and a report per school on the tiny fixture hub (real Prefect runs)."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tests.workbooks import table_rows

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
pytestmark = pytest.mark.flow
YEAR_START, YEAR_END = date(2025, 9, 1), date(2026, 8, 31)


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    folder = tmp_path / "hub_small"
    shutil.copytree(FIXTURE, folder)
    return folder / "hub.toml"


def _register_universe(register: Path, la_codes: set[str]) -> set[str]:
    """The universe worked out independently from the GIAS file: the hub's LAs, state-funded, open in the year."""
    state_funded = {"Local authority maintained schools", "Academies", "Free Schools"}
    urns = set()
    with register.open(encoding="cp1252", newline="") as handle:
        for row in csv.DictReader(handle):
            opened = row["OpenDate"] and datetime.strptime(row["OpenDate"], "%d-%m-%Y").date()
            closed = row["CloseDate"] and datetime.strptime(row["CloseDate"], "%d-%m-%Y").date()
            if (
                row["LA (code)"] in la_codes
                and row["EstablishmentTypeGroup (name)"] in state_funded
                and row["EstablishmentStatus (name)"] != "Proposed to open"
                and not (opened and opened > YEAR_END)
                and not (closed and closed < YEAR_START)
            ):
                urns.add(row["URN"])
    return urns


def sheet_rows(ws, table: str) -> list[dict]:
    """The rows of one of the sheet's tables, as heading -> value."""
    rows = [[cell.value for cell in row] for row in ws[ws.tables[table].ref]]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def brief_rows(ws, name: str) -> list[dict]:
    """The rows of one of the brief's tables, as heading -> value."""
    return sheet_rows(ws, f"tbl_Brief_{name}")


def test_tracker_and_school_reports(prefect_server, hub: Path) -> None:
    from flows.annual_return import annual_return

    summary = annual_return(config_path=str(hub), academic_year="2025/26", as_of="2026-11-23")
    year_dir = hub.parent / "out" / "small-test" / "2025-26"
    tracker_path = year_dir / "small-test-2025-26-school-engagement.xlsx"
    assert summary.outputs["school_engagement"] == str(tracker_path)
    workbook = openpyxl.load_workbook(tracker_path)
    assert workbook.sheetnames[:3] == ["Cover", "Contents", "Notes"]

    schools = table_rows(workbook["Schools"])
    universe = _register_universe(hub.parent / "dfe" / "edubasealldata20260901.csv", {"830", "831"})
    assert universe == {"100001", "100002", "100003"}
    assert len(schools) == len(universe)
    assert {row["URN"] for row in schools} == universe

    crossfield = next(row for row in schools if row["URN"] == "100002")
    assert crossfield["School"] == "Crossfield Academy"
    assert crossfield["LAESTAB"] == "8304001"
    assert crossfield["Trust"] == "Peak Learning Trust"
    assert crossfield["Engagement level"] == 2
    assert crossfield["RAG: Curriculum"] == "G"
    assert crossfield["RAG: Tuition"] == "A"
    assert crossfield["Conversations this year"] == 1
    assert crossfield["Last conversation"] == datetime(2025, 10, 6)
    assert crossfield["Next conversation due"] == datetime(2026, 2, 1)
    # The log's older spellings are shown under the marks' current names.
    assert crossfield["Quality marks"] == "Music Mark of Recognition: Ambition & Quality; Artsmark Gold"
    assert crossfield["MDP published"] == "Y"
    assert crossfield["MDP summary address"] == "https://crossfield.example.org/music"
    assert crossfield["Link officer"] == "A Officer"
    eglise = next(row for row in schools if row["URN"] == "100003")
    # No contact: present; the year is closed (as of 23 November), so it is not "overdue" but says so.
    assert (eglise["Conversations this year"], eglise["Overdue"]) == (0, "N")
    assert eglise["Conversation status"] == "No conversation in the year"
    priorities = table_rows(workbook["Priorities"])
    assert [(row["URN"], row["Urgency"]) for row in priorities][:1] == [("100002", "1 act now")]
    assert priorities[0]["Reasons"] == "1 open action(s) overdue"

    # S007 learns with the hub at an independent school: listed, not silently dropped.
    exceptions = table_rows(workbook["Exceptions"])
    assert [(row["URN"], row["Export"], row["Rows"]) for row in exceptions] == [("100005", "pupils", 1)]
    assert exceptions[0]["Why it is outside"].startswith("Not a state-funded school")

    ofsted = table_rows(workbook["Ofsted points"])
    assert sorted({row["Point"] for row in ofsted}) == list(range(1, 12))
    engaged = next(row for row in ofsted if row["Point"] == 2)
    assert (engaged["Number"], engaged["Out of"]) == (3, 3)
    # The renewed framework (the hub's default setting) follows, area by area, from its file.
    renewed = [row for row in ofsted if row["Framework"] != "Ofsted 2013: what hubs must do"]
    assert {row["Framework"] for row in renewed} == {
        "Ofsted's renewed school inspection framework (from 10 November 2025)"
    }
    assert renewed[0]["What Ofsted asks"] == "Inclusion"
    mdp = next(row for row in renewed if row["Evidence"].startswith("Schools whose music development plan"))
    assert (mdp["What Ofsted asks"], mdp["Number"], mdp["Out of"]) == ("Leadership and governance", 1, 3)

    reports = sorted(p.name for p in (year_dir / "schools").iterdir())
    assert reports == [
        "8302001-Ashby-Brook-Primary-School.xlsx",
        "8304001-Crossfield-Academy.xlsx",
        "8312002-Eglise-Street-Primary-School.xlsx",
    ]
    report = openpyxl.load_workbook(year_dir / "schools" / "8304001-Crossfield-Academy.xlsx")
    assert report.sheetnames == ["Brief", "School data", "Conversations and actions", "Cover"]
    brief = report["Brief"]
    assert brief["A1"].value == "Conversation brief: Crossfield Academy (URN 100002)"
    rag = {row["Duty area"]: row["RAG now"] for row in brief_rows(brief, "ratings")}
    # A secondary school has no WCET to rate: not applicable, [z] (not [x], not available).
    assert (rag["Curriculum"], rag["Tuition"], rag["WCET"]) == ("G", "A", "[z]")
    log = sheet_rows(report["Conversations and actions"], "tbl_Conversations_log")
    assert [(row["Date"], row["Kind"], row["Minutes"]) for row in log] == [
        (datetime(2025, 10, 6), "conversation", 45)
    ]
    actions = brief_rows(brief, "actions")
    assert [(row["Action"], row["Due"], row["When due"]) for row in actions] == [
        ("Agree MDP", datetime(2026, 2, 1), "Overdue at the year's end")
    ]
    actions = sheet_rows(report["Conversations and actions"], "tbl_Conversations_actions")
    assert [(row["Action"], row["Overdue"]) for row in actions] == [("Agree MDP", "Y")]
    profile = {
        row["Item"]: row["Value"] for row in sheet_rows(report["School data"], "tbl_School_data_profile")
    }
    assert (profile["School"], profile["URN"], profile["Conversations this year"]) == (
        "Crossfield Academy",
        "100002",
        1,
    )
    facts = {row[0]: row[1] for row in brief.iter_rows(values_only=True) if row and row[0]}
    assert facts["Music development plan"] == "Summary published: https://crossfield.example.org/music"
    assert facts["Quality marks"] == "Music Mark of Recognition: Ambition & Quality; Artsmark Gold"


def test_a_rerun_can_write_only_the_school_reports(prefect_server, hub: Path) -> None:
    from flows.annual_return import annual_return

    first = annual_return(config_path=str(hub), academic_year="2025/26", as_of="2026-11-23")
    year_dir = hub.parent / "out" / "small-test" / "2025-26"
    annual = Path(first.outputs["annual_return"]).read_bytes()
    tracker = Path(first.outputs["school_engagement"]).read_bytes()
    report = year_dir / "schools" / "8304001-Crossfield-Academy.xlsx"

    second = annual_return(
        config_path=str(hub), academic_year="2025/26", as_of="2026-11-23", sections=["school_reports"]
    )
    assert set(second.outputs) == {"school_reports", "validation_report"}
    assert second.status == "partial"
    # The annual return and tracker are untouched; the report is the new run's.
    assert Path(first.outputs["annual_return"]).read_bytes() == annual
    assert Path(first.outputs["school_engagement"]).read_bytes() == tracker
    cover = [
        c for row in openpyxl.load_workbook(report)["Cover"].iter_rows(values_only=True) for c in row if c
    ]
    assert second.run_id in cover and first.run_id not in cover

    engine = sa.create_engine(f"sqlite:///{hub.parent / 'hubreturns.db'}")
    with engine.connect() as connection:
        runs = connection.execute(
            sa.text(
                "select r.status, count(f.id) from runs r left join return_figures f on f.run_id = r.run_id "
                "group by r.run_id, r.status order by r.started_at"
            )
        ).all()
    # The reports-only run is kept as provenance but publishes no figures.
    assert runs[0][0] == "published" and runs[0][1] > 0
    assert tuple(runs[1]) == ("partial", 0)


def test_an_unknown_section_is_refused_in_plain_words(prefect_server, hub: Path) -> None:
    from flows.annual_return import annual_return

    # Prefect checks the typed parameter (the UI offers only the three), before anything is read or written.
    state = annual_return(config_path=str(hub), sections=["school_report"], return_state=True)
    assert state.is_failed()
    assert (
        "sections.0: Input should be 'annual_return', 'school_engagement' or 'school_reports'"
        in state.message
    )
    assert not (hub.parent / "out").exists()


def test_sections_are_written_in_order_and_all_by_default() -> None:
    from core.hub_run import SECTIONS, chosen_sections
    from foundation.errors import ConfigError

    assert chosen_sections(None) == chosen_sections([]) == SECTIONS
    assert chosen_sections(["school_reports", "annual_return"]) == ("annual_return", "school_reports")
    with pytest.raises(ConfigError, match="unknown section"):
        chosen_sections(["everything"])
