"""The conversation brief on hand-built schools, from the log to the report opened with openpyxl: a school that
improved, one that declined, one overdue, a special school, and a year in progress against a closed year.
LibreOffice headless then prints reports to PDF and the pages are counted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from pypdf import PdfReader

from core.hub_run import engagement_rules
from foundation.hub_config import HubConfig, load_config
from foundation.ofsted_frameworks import load_framework
from hubreturns.synthetic import generate_hub_area
from ingest.pipeline import input_frames, load_and_check
from outputs.house_style import Note, WorkbookMeta
from outputs.school_reports import write_school_reports
from schemas.census import SchoolCensus
from schemas.engagement import ConversationLogRow, OpenActionRow, TrackerRow
from schemas.hub_exports import Cpd, Engagements, Singing
from schemas.output_tables import DutyFigures
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, hub_data, school
from transforms.activity import HubData
from transforms.engagement_tables import EngagementRules, engagement_notes, engagement_tables

YEAR = AcademicYear(2025)  # 2025/26
IN_PROGRESS, CLOSED = date(2026, 3, 1), date(2026, 11, 23)
IMPROVING, DECLINING, OVERDUE, SPECIAL, PRU, QUIET = (
    "100001",
    "100002",
    "100003",
    "100004",
    "100005",
    "100006",
)
FRAMEWORK = load_framework("renewed-2025-11")
RULES = EngagementRules(
    high_fsm_pct=25.0, school_leader_roles=("Headteacher",), staff_hours_per_fte=1265.0, framework=FRAMEWORK
)
PROMPTS = (
    "Prompts for the conversation, under Ofsted's renewed school inspection framework (from 10 November 2025)"
)


def _contact(number: int, urn: str, day: date, level: int, **values: object) -> dict[str, Any]:
    return {
        "engagement_id": f"G{number:02d}",
        "urn": urn,
        "date": day,
        "duration_minutes": 45,
        "kind": "conversation",
        "hub_officer": "A Officer",
        "engagement_level": level,
        **values,
    }


def _data() -> HubData:
    register = establishments(
        school(IMPROVING, school_name="Abbey Primary"),
        school(DECLINING, school_name="Brook Primary"),
        school(OVERDUE, school_name="Castle Primary"),
        school(
            SPECIAL,
            school_name="Dale School",
            phase_name="Not applicable",
            type_name="Community special school",
        ),
        school(PRU, school_name="Elm Centre", phase_name="Not applicable", type_name="Pupil referral unit"),
        school(QUIET, school_name="Fern Primary"),
    )
    census = frame(
        SchoolCensus,
        [
            {"urn": IMPROVING, "pupil_headcount": 200, "fsm_count": 20},
            {"urn": DECLINING, "pupil_headcount": 200, "fsm_count": 40},
            {"urn": OVERDUE, "pupil_headcount": 100, "fsm_count": 20},
            {"urn": QUIET, "pupil_headcount": 300, "fsm_count": 30},
            {"urn": SPECIAL, "pupil_headcount": 50, "fsm_count": 20},
            {"urn": PRU, "pupil_headcount": 40, "fsm_count": 20},
        ],
        census_period="202526",
    )
    log = frame(
        Engagements,
        [
            # Abbey: level 1 and red for curriculum last year; level 3 and green now, three areas rated.
            _contact(1, IMPROVING, date(2025, 3, 10), 1, rag_curriculum="R", rag_choir="A"),
            _contact(
                2, IMPROVING, date(2025, 10, 6), 2, rag_curriculum="A", rag_choir="G", rag_performance="G"
            ),
            _contact(
                3,
                IMPROVING,
                date(2026, 1, 20),
                3,
                rag_curriculum="G",
                mdp_published=True,
                mdp_url="https://abbey.example.org/music",
                next_due=date(2026, 6, 1),
                quality_marks="Music Mark of Recognition: Ambition & Quality; Artsmark Gold",
            ),
            # Brook: level 2 and green last year; level 1 and red now.
            _contact(4, DECLINING, date(2025, 5, 1), 2, rag_curriculum="G"),
            _contact(
                5,
                DECLINING,
                date(2025, 11, 3),
                1,
                rag_curriculum="R",
                mdp_published=False,
                next_due=date(2026, 5, 1),
            ),
            # Castle: one conversation, the next due on 15 January and an action agreed then.
            _contact(
                6, OVERDUE, date(2025, 10, 1), 1, actions="Send the MDP template", next_due=date(2026, 1, 15)
            ),
            # Dale: a special school, spoken with in the autumn.
            _contact(7, SPECIAL, date(2025, 11, 20), 2, rag_curriculum="A", next_due=date(2026, 3, 20)),
        ],
    )
    singing = frame(
        Singing,
        [
            {"urn": IMPROVING, "pupils": 150},
            {"urn": DECLINING, "pupils": 10},
            {"urn": OVERDUE, "pupils": 90},
            {"urn": QUIET, "pupils": 30},
            {"urn": SPECIAL, "pupils": 20},
            {"urn": PRU, "pupils": 0},
        ],
        academic_year="2025/26",
        programme="Sing Up",
        regular=True,
        school_choir=True,
    )
    cpd = frame(
        Cpd,
        [{"event_id": "K1", "urn": IMPROVING, "attendees": 2}],
        date=date(2025, 10, 1),
        title="Singing in class",
        hours=2.0,
    )
    return hub_data(establishments=register, census=census, engagements=log, singing=singing, cpd=cpd)


def _write(folder: Path, as_of: date) -> dict[str, Path]:
    lazy = engagement_tables(
        _data(), frame(DutyFigures, []), la_codes=("830",), year=YEAR, as_of=as_of, rules=RULES
    )
    tables = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
    meta = WorkbookMeta(
        title="School report",
        hub_name="Trentvale Music Hub",
        period_label=YEAR.label,
        as_of=as_of,
        run_id="run-1",
        code_version="test",
        created=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        sources=(),
    )
    return write_school_reports(
        folder,
        meta,
        tracker=tables["tracker"],
        brief=tables["brief"],
        prompts=tables["prompts"],
        activity=tables["activity"],
        rag=tables["rag"],
        conversations=tables["conversations"],
        actions=tables["actions"],
        notes=[Note("N1", "Counts are this year's.")],
        framework=FRAMEWORK,
    )


@pytest.fixture(scope="module")
def in_progress(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _write(tmp_path_factory.mktemp("in-progress"), IN_PROGRESS)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _write(tmp_path_factory.mktemp("closed"), CLOSED)


class Brief:
    """One report's Brief sheet, read back: its lines (column A), facts (A: B) and tables by name."""

    def __init__(self, path: Path) -> None:
        self.ws = openpyxl.load_workbook(path)["Brief"]
        self.lines = [row[0] for row in self.ws.iter_rows(values_only=True)]
        self.facts = {row[0]: row[1] for row in self.ws.iter_rows(values_only=True) if row[0] and row[1]}

    def table(self, name: str) -> list[dict[str, Any]]:
        ref = self.ws.tables[f"tbl_Brief_{name}"].ref if f"tbl_Brief_{name}" in self.ws.tables else None
        if ref is None:
            return []
        rows = [[cell.value for cell in row] for row in self.ws[ref]]
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    def rating(self, area: str) -> dict[str, Any]:
        return next(row for row in self.table("ratings") if row["Duty area"] == area)

    def activity(self, name: str) -> dict[str, Any]:
        return next(row for row in self.table("activity") if row["Activity"] == name)

    def prompts(self) -> dict[str, list[str]]:
        """Area -> its prompts (a prompt's wrapped lines joined)."""
        found: dict[str, list[str]] = {}
        area = None
        for line in self.lines[self.lines.index(PROMPTS) + 1 :]:
            if line is None:
                continue
            if line.startswith("- "):
                found[area].append(line[2:])
            elif line.startswith("  "):
                found[area][-1] += " " + line.strip()
            else:
                area = line
                found[area] = []
        return found


def test_an_improving_school(in_progress: dict[str, Path]) -> None:
    brief = Brief(in_progress[IMPROVING])
    assert brief.lines[0] == "Conversation brief: Abbey Primary (URN 100001)"
    assert (
        brief.lines[1] == "Trentvale Music Hub, 2025/26. Figures as at 01/03/2026 (the year is in progress)."
    )
    assert brief.lines[2].startswith("The evidence here is the hub's, gathered for the conversation")
    assert "Ofsted asks schools for no music evidence of their own" in " ".join(brief.lines[2:4])
    assert brief.facts["School"] == "Primary, Community school, not in a trust; 200 pupils on roll; FSM 10.0%"
    assert (
        brief.facts["Engagement"]
        == "Level 3: Strategic partner / lead school (↑ up from level 1 last year to 3)"
    )
    assert brief.facts["Last conversation"] == datetime(2026, 1, 20)
    assert brief.facts["Conversations"] == "Next due 01/06/2026"
    assert brief.rating("Curriculum") == {
        "Duty area": "Curriculum",
        "RAG now": "G",
        "At the previous contact": "A",
        "Last year": "R",
        "Since the previous contact": "↑ better (A to G)",
        "Since last year": "↑ better (R to G)",
    }
    assert brief.rating("Choir")["Since last year"] == "↑ better (A to G)"
    # Singing: 150 of 200 pupils (75 per 100) against primaries' 280 over 800 (35) and, in its band (FSM under
    # 15%: Abbey and Fern), 180 over 500 (36): more than 1.5 times, so well above.
    singing = brief.activity("Pupils singing regularly")
    assert (singing["This year"], singing["Per 100 pupils on roll"]) == (150, 75.0)
    assert singing["Similar schools per 100 pupils"] == 35.0
    assert singing["Same phase and FSM band per 100 pupils"] == 36.0
    assert singing["Against similar schools"] == "Well above similar schools"
    assert brief.activity("WCET pupils")["Against similar schools"] == "None, as similar schools"
    assert brief.activity("CPD attendees")["Against similar schools"] == "Well above similar schools"
    assert brief.facts["Music development plan"] == "Summary published: https://abbey.example.org/music"
    assert brief.facts["Quality marks"] == "Music Mark of Recognition: Ambition & Quality; Artsmark Gold"
    prompts = brief.prompts()
    assert list(prompts) == [
        "Curriculum and teaching",
        "Inclusion",
        "Personal development and well-being",
        "Leadership and governance",
        "Ofsted's planning call",
    ]
    # No pupil of the school learns with the hub (this log has no lessons or ensembles).
    assert prompts["Inclusion"][0].startswith("No pupils learn with the hub")
    assert prompts["Curriculum and teaching"][0].endswith("The hub rates the curriculum G.")
    assert (
        "How do teachers adapt music lessons for pupils with different starting points?"
        in (prompts["Curriculum and teaching"])
    )
    assert prompts["Ofsted's planning call"] == [
        (
            "Music looks a strength (3 of 3 rated areas green; 2 activities well above similar schools): if music "
            "is a strength, leaders can say so in Ofsted's planning call."
        )
    ]
    assert not any("fell" in p for p in prompts["Leadership and governance"])


def test_a_declining_school(in_progress: dict[str, Path]) -> None:
    brief = Brief(in_progress[DECLINING])
    assert brief.facts["Engagement"] == "Level 1: Buys services (↓ down from level 2 last year to 1)"
    curriculum = brief.rating("Curriculum")
    assert (curriculum["RAG now"], curriculum["Last year"], curriculum["Since last year"]) == (
        "R",
        "G",
        "↓ worse (G to R)",
    )
    assert curriculum["Since the previous contact"] == "↓ worse (G to R)"
    # Singing: 10 of 200 (5 per 100) against its band's (FSM 15% to under 30%: itself and Castle) 100 over 300.
    assert (
        brief.activity("Pupils singing regularly")["Against similar schools"] == "Well below similar schools"
    )
    prompts = brief.prompts()
    assert "Ofsted's planning call" not in prompts
    assert (
        "Engagement fell from level 2 last year to level 1: what has changed for music at the school?"
        in prompts["Leadership and governance"]
    )
    assert prompts["Leadership and governance"][0].startswith(
        "The music development plan summary is not recorded as published"
    )
    assert brief.facts["Music development plan"] == "Summary not published, as last recorded"


def test_an_overdue_school_in_a_year_in_progress(in_progress: dict[str, Path]) -> None:
    brief = Brief(in_progress[OVERDUE])
    assert brief.facts["Conversations"] == "Overdue: was due 15/01/2026"
    assert brief.facts["Next conversation"] == datetime(2026, 1, 15)
    assert brief.table("actions") == [
        {
            "Action": "Send the MDP template",
            "Agreed on": datetime(2025, 10, 1),
            "Due": datetime(2026, 1, 15),
            "When due": "Overdue by 45 days",
        }
    ]
    leadership = brief.prompts()["Leadership and governance"]
    assert "1 action(s) agreed at the last contact are overdue: what stands in the way?" in leadership
    assert "The conversation is overdue (Overdue: was due 15/01/2026): agree the next date." in leadership
    assert brief.facts["Quality marks"] == "None recorded in the SMEP log"
    assert brief.facts["Music development plan"] == "Not recorded in the SMEP log"


def test_the_same_school_in_a_closed_year(closed: dict[str, Path]) -> None:
    brief = Brief(closed[OVERDUE])
    assert brief.lines[1] == (
        "Trentvale Music Hub, 2025/26. Figures as at 23/11/2026 (the year is closed: figures for the whole year)."
    )
    assert brief.facts["Conversations"] == "1 conversation in the year, the last on 01/10/2025"
    assert brief.table("actions")[0]["When due"] == "Overdue at the year's end"
    leadership = brief.prompts()["Leadership and governance"]
    assert not any(p.startswith("The conversation is overdue") for p in leadership)
    # In a closed year nothing is "overdue" for want of a date: the improving school simply held one.
    assert (
        Brief(closed[IMPROVING]).facts["Conversations"]
        == "2 conversations in the year, the last on 20/01/2026"
    )


def test_a_special_school_is_compared_with_special_schools(in_progress: dict[str, Path]) -> None:
    brief = Brief(in_progress[SPECIAL])
    assert brief.facts["School"] == (
        "Not applicable, Community special school, not in a trust; 50 pupils on roll; FSM 40.0%"
    )
    assert (
        brief.facts["Compared with"] == "Special schools of the hub, and those in its band: FSM 30% or more"
    )
    # Singing: 20 of 50 is 40 per 100; special schools alone (the pupil referral unit is not one) are 40 too.
    singing = brief.activity("Pupils singing regularly")
    assert (singing["Per 100 pupils on roll"], singing["Similar schools per 100 pupils"]) == (40.0, 40.0)
    assert singing["Against similar schools"] == "In line with similar schools"
    inclusion = brief.prompts()["Inclusion"]
    assert inclusion[-1] == (
        "A special school: which adaptive instruments, resources or approaches would widen pupils' access to "
        "music? Instrument loans this year: 0."
    )
    assert brief.facts["Conversations"] == "Due soon: 20/03/2026"
    # The pupil referral unit is compared within GIAS's "Not applicable" phase, without the special school.
    assert Brief(in_progress[PRU]).facts["Compared with"].startswith("Not applicable schools of the hub")


# -- Printing ------------------------------------------------------------------------------------------------


def _soffice() -> str:
    """The LibreOffice program; on CI (CI=true) its absence fails the test rather than skipping it."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is not installed: .ci/run installs libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed")
    return program


def _pages(pdf: Path) -> int:
    """How many pages ``pdf`` has."""
    return len(PdfReader(pdf).pages)


def _to_pdf(workbook: Path, out: Path) -> Path:
    done = subprocess.run(
        [
            _soffice(),
            "--headless",
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = out / (workbook.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    return pdf


def _brief_only(report: Path, out: Path) -> Path:
    """The report with only its Brief sheet (the others removed), to count the brief's own pages."""
    book = openpyxl.load_workbook(report)
    for name in book.sheetnames[1:]:
        del book[name]
    path = out / f"brief-{report.name}"
    book.save(path)
    return path


def _assert_prints_on_four_pages(report: Path, out: Path, case: str) -> None:
    """The brief prints on one page (two at most) and the whole report on at most four."""
    whole = _to_pdf(report, out)
    brief = _pages(_to_pdf(_brief_only(report, out), out))
    assert brief == 1, (case, brief)  # one page; the sheet allows two at most (fit to 1 wide by 2 tall)
    # Brief, School data, Conversations and actions, Cover: each prints on a page of its own at least, so
    # four pages is each on one page (the data sheets' tables are not cut across pages).
    assert _pages(whole) == 4, (case, _pages(whole))
    firsts = [page.extract_text().splitlines() for page in PdfReader(whole).pages]
    assert any(line.startswith("Conversation brief:") for line in firsts[0])
    assert any(line.startswith("The school's profile, activity and ratings:") for line in firsts[1])
    assert any(line.startswith("Conversations with the school this year") for line in firsts[2])


@pytest.mark.parametrize("case", [IMPROVING, DECLINING, OVERDUE, SPECIAL])
def test_the_brief_prints_on_at_most_two_pages_and_the_report_on_at_most_four(
    in_progress: dict[str, Path], case: str, tmp_path: Path
) -> None:
    _assert_prints_on_four_pages(in_progress[case], tmp_path, case)


DEMO_YEAR, DEMO_AS_OF = AcademicYear(2025), {"closed": date(2026, 11, 23), "in progress": date(2026, 3, 1)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[HubConfig, HubData]:
    """The demo hub (the generator's default seed, as ``hubreturns demo`` writes it), read and validated."""
    config = load_config(generate_hub_area(tmp_path_factory.mktemp("demo"), seed=2026, year=DEMO_YEAR))
    loaded = load_and_check(
        config, key=b"demo-print-key-0123456789", year=DEMO_YEAR, as_of=DEMO_AS_OF["closed"]
    )
    return config, HubData.of_frames(input_frames(loaded))


def _busiest_and_typical(tables: dict[str, pl.DataFrame]) -> dict[str, str]:
    """The school with the most rows of its log and open actions, and one with the median number (lowest URN)."""
    rows = (
        tables["tracker"]
        .select(TrackerRow.urn)
        .join(tables["conversations"].group_by(ConversationLogRow.urn).len("log"), on="urn", how="left")
        .join(tables["actions"].group_by(OpenActionRow.urn).len("actions"), on="urn", how="left")
        .fill_null(0)
        .with_columns(rows=pl.col("log") + pl.col("actions"))
        .sort("rows", "urn", descending=[True, False])
    )
    median = rows.get_column("rows").median()
    typical = rows.filter(pl.col("rows") == pl.lit(median).round().cast(pl.UInt32)).sort("urn")
    return {"busiest": rows.get_column("urn")[0], "typical": typical.get_column("urn")[0]}


@pytest.mark.parametrize("state", list(DEMO_AS_OF))
def test_demo_reports_print_on_four_pages(
    demo: tuple[HubConfig, HubData], state: str, tmp_path: Path
) -> None:
    config, data = demo
    as_of = DEMO_AS_OF[state]
    rules = engagement_rules(config, DEMO_YEAR)
    lazy = engagement_tables(
        data, frame(DutyFigures, []), la_codes=config.hub.la_codes, year=DEMO_YEAR, as_of=as_of, rules=rules
    )
    tables = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
    cases = _busiest_and_typical(tables)
    busiest = tables["conversations"].filter(pl.col(ConversationLogRow.urn) == cases["busiest"]).height
    assert busiest >= 4  # the demo's busiest school: four contacts this year, and its open actions
    meta = WorkbookMeta(
        title="School report",
        hub_name=config.hub.name,
        period_label=DEMO_YEAR.label,
        as_of=as_of,
        run_id="run-1",
        code_version="test",
        created=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        sources=(),
    )
    notes = [Note(n, t) for n, t in engagement_notes(year=DEMO_YEAR, as_of=as_of, rules=rules)]
    paths = write_school_reports(
        tmp_path / "schools",
        meta,
        tracker=tables["tracker"].filter(pl.col(TrackerRow.urn).is_in(list(cases.values()))),
        brief=tables["brief"],
        prompts=tables["prompts"],
        activity=tables["activity"],
        rag=tables["rag"],
        conversations=tables["conversations"],
        actions=tables["actions"],
        notes=notes,
        framework=rules.framework,
    )
    for case, urn in cases.items():
        _assert_prints_on_four_pages(paths[urn], tmp_path, f"{state}, {case} ({urn})")


def test_without_libreoffice_ci_fails_rather_than_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="LibreOffice"):
        _soffice()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        _soffice()
