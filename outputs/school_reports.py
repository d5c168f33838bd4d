"""One workbook per school of the universe (``schools/<LAESTAB>-<safe-name>.xlsx``, SPEC 3.3).

Each report opens on the Brief (outputs/school_brief.py): what the link officer raises in the conversation
with the school, on one A4 page (two at most), with the school's ratings, activity and open actions read for the
conversation. Behind it are the data sheets, where the school's figures are Excel tables to sort, filter and copy:
School data (the school's profile as a two-column record, its activity this year and last year against similar
schools, and its ratings by duty area now, at the previous contact and last year, with the date of each) and
Conversations and actions (this year's SMEP log, and the actions still open). Cover comes last: where the
figures come from (run, code version, source files and their SHA-256), the sheets and the notes.

Every sheet prints on A4 (the data sheets landscape, fitted to the page's width, their first table's header row
repeated on every page) and the whole report on at most four pages: LibreOffice and Excel print each sheet on a
page of its own at least, so related tables share a sheet. Every table is validated once for all schools and
split by URN once; nothing is computed here.

File names are safe whatever a school is called: the LAESTAB (or URN) digits, a hyphen, then the name
transliterated to ASCII letters, digits and hyphens (at most 60 characters, cut at a word), ``.xlsx``. Two
schools whose names collide ignoring case get the URN appended, the lowest URN keeping the plain name.

The reports folder belongs to the pipeline: after every report of a run is written, any other file in it named
like a report (6 or 7 digits, a hyphen, anything, ``.xlsx``: a school no longer in the universe, or renamed)
is deleted. Other files are left alone. A failed run deletes nothing.
"""

from __future__ import annotations

import functools
import io
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from itertools import chain, count
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl
from slugify import slugify
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from foundation.ofsted_frameworks import OfstedFramework
from outputs.house_style import (
    Note,
    WorkbookMeta,
    internal_link,
    set_document_properties,
    write_cover,
    write_text,
)
from outputs.school_brief import (
    BRIEF_SHEET,
    RAG_TABLE_COLUMNS,
    SchoolBrief,
    SheetWriter,
    print_data_sheet,
    print_one_page,
    write_brief,
)
from outputs.theme import HouseFormats, house_formats
from outputs.workbook_files import open_workbook, write_bytes_atomically
from outputs.worker_processes import exit_with_parent
from schemas.engagement import (
    DUTY_AREA_LABELS,
    BriefPromptRow,
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolBriefRow,
    SchoolRagRow,
    TrackerRow,
)
from schemas.output_tables import column_titles
from schemas.vocabulary import MAINTAINED_SCHOOL_TYPES, NO_WCET_PHASES, NOT_APPLICABLE

_URN, _LAESTAB, _SCHOOL_NAME = str(TrackerRow.urn), str(TrackerRow.laestab), str(TrackerRow.school_name)
# Matched whole (fullmatch): ASCII digits only, and no newline can hide before the end.
REPORT_FILE_PATTERN = re.compile(r"[0-9]{6,7}-.*\.xlsx")
FALLBACK_NAME = "school"
_PREFIX = re.compile(r"[0-9]{6,7}")
_NAME_MAX, _FILE_NAME_MAX = 60, 100
# Apostrophes join a word ("St Mary's" -> "St-Marys") rather than split it.
_APOSTROPHES = [[mark, ""] for mark in ("'", "\u2019", "\u2018", "\u02bc", "`")]
_NOT_SAFE = re.compile(r"[^A-Za-z0-9-]+")


# -- File names ---------------------------------------------------------------------------------------------


def safe_school_name(school_name: str) -> str:
    """The school's name as ASCII letters, digits and single hyphens, at most 60 characters; else 'school'."""
    slug = slugify(
        school_name,
        lowercase=False,
        max_length=_NAME_MAX,
        word_boundary=True,
        replacements=_APOSTROPHES,
    )
    # slugify already keeps to these characters; the guard keeps the promise whatever its version does.
    slug = _NOT_SAFE.sub("-", slug).strip("-")[:_NAME_MAX].strip("-")
    return slug or FALLBACK_NAME


def is_school_report(file_name: str) -> bool:
    """Whether a file is named like a school report (the pipeline owns such files in the reports folder)."""
    return REPORT_FILE_PATTERN.fullmatch(file_name) is not None


def school_report_file_name(laestab: str | None, urn: str, school_name: str) -> str:
    """``<LAESTAB>-<safe name>.xlsx``, the URN standing in for an empty LAESTAB."""
    prefix = (laestab or "").strip() or urn.strip()
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"A school report needs a 7-digit LAESTAB or a 6-digit URN, not {prefix!r}")
    return f"{prefix}-{safe_school_name(school_name)}.xlsx"


def _unique_file_name(file_name: str, urn: str, taken: set[str]) -> str:
    """``file_name``, else with ``-<URN>`` (then ``-2``, ``-3``...) added, unused in ``taken`` ignoring case."""
    stem = file_name.removesuffix(".xlsx")
    stems = chain([stem, f"{stem}-{urn}"], (f"{stem}-{urn}-{n}" for n in count(2)))
    return next(f"{s}.xlsx" for s in stems if f"{s}.xlsx".lower() not in taken)


def _checked_inside(folder: Path, path: Path) -> Path:
    """``path`` itself, after checking it names a file directly inside ``folder`` with a short, safe name."""
    root, resolved = folder.resolve(), path.resolve()
    if resolved.parent != root or not resolved.is_relative_to(root):
        raise ValueError(f"School report {path} would not be directly inside {folder}")
    if len(path.name) > _FILE_NAME_MAX or not REPORT_FILE_PATTERN.fullmatch(path.name):
        raise ValueError(f"School report file name {path.name!r} is not a safe report name")
    return path


def school_report_paths(folder: Path, tracker: pl.DataFrame) -> dict[str, Path]:
    """URN -> path of each school's report in ``folder``: unique ignoring case, assigned in URN order."""
    folder = Path(folder)
    rows = tracker.select(_URN, _LAESTAB, _SCHOOL_NAME).sort(_URN)
    if rows.get_column(_URN).is_duplicated().any():
        raise ValueError("The tracker names a URN more than once: each school needs one report")
    taken: set[str] = set()
    paths: dict[str, Path] = {}
    for urn, laestab, school_name in rows.iter_rows():
        file_name = _unique_file_name(school_report_file_name(laestab, urn, school_name), urn, taken)
        taken.add(file_name.lower())
        paths[urn] = _checked_inside(folder, folder / file_name)
    return paths


def remove_stale_reports(folder: Path, kept: Iterable[Path]) -> list[Path]:
    """Delete the files in ``folder`` named like a school report that are not ``kept``; return them."""
    kept = list(kept)
    kept_names = {path.name for path in kept}
    removed = []
    for candidate in sorted(Path(folder).iterdir()):
        if candidate.name in kept_names or not REPORT_FILE_PATTERN.fullmatch(candidate.name):
            continue
        if not candidate.is_file() or _is_a_kept_file(candidate, kept):
            continue
        candidate.unlink()
        removed.append(candidate)
    return removed


def _is_a_kept_file(candidate: Path, kept: Sequence[Path]) -> bool:
    """Whether ``candidate`` is a kept report under another case (a case-insensitive filesystem)."""
    same_name = (path for path in kept if path.name.lower() == candidate.name.lower())
    return any(path.exists() and candidate.samefile(path) for path in same_name)


# -- Workbooks ----------------------------------------------------------------------------------------------

COVER_SHEET, DATA_SHEET, CONVERSATIONS_SHEET = "Cover", "School data", "Conversations and actions"
_DATA_TITLE = "The school's profile, activity and ratings"
_CONVERSATIONS_TITLE = "Conversations with the school this year, and the actions still open"
_NOTE_LINE = 110
# The tracker's fields a link officer reads about the school, in the order shown on the profile (its ratings
# and activity are tables of their own beside it; its map coordinates are on the tracker's map).
PROFILE_FIELDS: tuple[str, ...] = (
    TrackerRow.school_name,
    TrackerRow.urn,
    TrackerRow.laestab,
    TrackerRow.phase_name,
    TrackerRow.type_name,
    TrackerRow.trust_name,
    TrackerRow.la_name,
    TrackerRow.postcode,
    TrackerRow.pupil_headcount,
    TrackerRow.fsm_pct,
    TrackerRow.hub_officer,
    TrackerRow.is_engaged,
    TrackerRow.engagement_level,
    TrackerRow.engagement_level_name,
    TrackerRow.conversations,
    TrackerRow.last_conversation,
    TrackerRow.next_conversation,
    TrackerRow.conversation_status,
    TrackerRow.mdp_published,
    TrackerRow.mdp_url,
    TrackerRow.quality_marks,
    TrackerRow.is_priority,
    TrackerRow.priority_reason,
)
_PROFILE_HEADINGS = ("Item", "Value")
_ACTIVITY_COLUMNS = (
    SchoolActivityRow.activity,
    SchoolActivityRow.this_year,
    SchoolActivityRow.last_year,
    SchoolActivityRow.since_last_year,
    SchoolActivityRow.per_100_pupils,
    SchoolActivityRow.similar_per_100,
    SchoolActivityRow.band_per_100,
    SchoolActivityRow.compared,
)
_RATING_COLUMNS = (
    SchoolRagRow.duty_area,
    SchoolRagRow.rag,
    SchoolRagRow.rated_on,
    SchoolRagRow.rag_previous,
    SchoolRagRow.rag_last_year,
    SchoolRagRow.since_previous,
    SchoolRagRow.since_last_year,
)
_LOG_COLUMNS = tuple(c for c in ConversationLogRow.to_schema().columns if c != ConversationLogRow.urn)
_ACTION_COLUMNS = (
    OpenActionRow.agreed_on,
    OpenActionRow.action,
    OpenActionRow.due,
    OpenActionRow.is_overdue,
    OpenActionRow.due_status,
)
# School data: the profile in columns A and B, then a narrow gap, the activity and ratings from column D.
_DATA_WIDTHS = (24, 34, 2, 26, 10, 10, 15, 14, 20, 20, 30)
_DATA_RIGHT = 3
# Conversations and actions: the log's columns, each wide enough for the open action table's column under it
# (Date / Agreed on, Kind / Action, With / Due, Hub officer / Overdue, Minutes / When due).
_LOG_WIDTHS = (11, 40, 16, 16, 20, 11, 44, 12)


def _by_school(
    model: type[pa.DataFrameModel], table: pl.DataFrame
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """``table`` validated once and split by URN once (without the URN column), and an empty part."""
    urn = str(model.urn)  # type: ignore[attr-defined]
    valid = model.validate(table, lazy=True)
    parts = valid.partition_by(urn, as_dict=True, include_key=False, maintain_order=True)
    return {key[0]: part for key, part in parts.items()}, valid.clear().drop(urn)


@dataclass(frozen=True)
class _Report:
    """One school's report, laid out and ready to be written."""

    path: Path
    meta: WorkbookMeta
    brief: SchoolBrief
    profile: Mapping[str, Any]
    conversations: pl.DataFrame


def _meta_line(meta: WorkbookMeta, year_is_closed: bool) -> str:
    """The brief's second line: hub, year and the as-of date, and whether the year is over."""
    state = "the year is closed: figures for the whole year" if year_is_closed else "the year is in progress"
    return f"{meta.hub_name}, {meta.period_label}. Figures as at {meta.as_of:%d/%m/%Y} ({state})."


@functools.lru_cache(maxsize=256)
def _wrapped(text: str) -> tuple[str, ...]:
    """A note's text in lines for the cover (the same notes are on every report: wrapped once)."""
    return tuple(textwrap.wrap(text, _NOTE_LINE))


def ratings_not_applicable(ratings: pl.DataFrame, phase: str | None) -> pl.DataFrame:
    """A school's ratings with [z] (not applicable) for the WCET rating of a phase that has no WCET."""
    if phase not in NO_WCET_PHASES:
        return ratings
    wcet = pl.col(SchoolRagRow.duty_area) == DUTY_AREA_LABELS["wcet"]
    rated = (SchoolRagRow.rag, SchoolRagRow.rag_previous, SchoolRagRow.rag_last_year)
    return ratings.with_columns(
        pl.when(wcet & pl.col(c).is_null()).then(pl.lit(NOT_APPLICABLE)).otherwise(pl.col(c)).alias(c)
        for c in rated
    )


def profile_not_applicable(profile: dict[str, Any]) -> dict[str, Any]:
    """A school's profile with [z] (not applicable) for the trust of a school its local authority maintains."""
    if profile[TrackerRow.trust_name] is None and profile[TrackerRow.type_name] in MAINTAINED_SCHOOL_TYPES:
        return {**profile, TrackerRow.trust_name: NOT_APPLICABLE}
    return profile


def _profile_kind(field: str, value: Any) -> str:
    """How a profile value is shown: a date, a percentage (FSM), a whole number, Y/N, or text."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, date):
        return "date"
    if field.endswith("_pct"):
        return "pct"
    if isinstance(value, int):
        return "integer"
    return "text"


_TRACKER_TITLES = column_titles(TrackerRow)


def write_school_data(
    workbook: Workbook, brief: SchoolBrief, profile: Mapping[str, Any], formats: HouseFormats, footer: str
) -> Worksheet:
    """The School data sheet: the profile (A:B) beside the activity and the ratings (from column D)."""
    worksheet = workbook.add_worksheet(DATA_SHEET)
    writer = SheetWriter(
        workbook,
        worksheet,
        formats,
        widths=_DATA_WIDTHS,
        table_prefix="tbl_School_data",
        empty_tables=True,
        filters=True,
    )
    writer.line(f"{_DATA_TITLE}: {brief.school_name} (URN {brief.urn})", "title")
    writer.line(
        "This worksheet contains three tables: the school's profile from the SMEP tracker (columns A and B); "
        "beside it, its activity this year and last year, and its ratings by duty area."
    )
    writer.row += 1
    top = writer.row
    writer.line("Profile", "subtitle")
    items = [
        (_TRACKER_TITLES[field], profile[field], _profile_kind(field, profile[field]))
        for field in PROFILE_FIELDS
    ]
    header = writer.record(
        "profile", items, _PROFILE_HEADINGS, "The school's profile: one item of the SMEP tracker per row"
    )
    profile_end = writer.row
    writer.row = top
    writer.line(
        "Activity this year and last year, against similar schools per 100 pupils on roll",
        "subtitle",
        col=_DATA_RIGHT,
    )
    writer.table(
        "activity",
        brief.activity,
        _ACTIVITY_COLUMNS,
        column_titles(SchoolActivityRow),
        col=_DATA_RIGHT,
        description="One row per activity: this year, last year and similar schools per 100 pupils on roll",
    )
    writer.heading("Ratings by duty area: now, at the previous contact and last year", col=_DATA_RIGHT)
    first = writer.table(
        "ratings",
        brief.rag,
        _RATING_COLUMNS,
        column_titles(SchoolRagRow),
        col=_DATA_RIGHT,
        description="One row per duty area: R red, A amber, G green (the letter is in the cell; the fill repeats it)",
    )
    if not brief.rag.is_empty():
        rag_cols = [_DATA_RIGHT + _RATING_COLUMNS.index(c) for c in RAG_TABLE_COLUMNS]
        writer.rag_fills(first + 1, first + brief.rag.height, rag_cols)
    writer.row = max(writer.row, profile_end)
    worksheet.freeze_panes(header + 1, 0)  # the profile's and the activity's headings stay in view
    print_data_sheet(worksheet, header, footer)
    worksheet.print_area(0, 0, writer.row - 1, len(_DATA_WIDTHS) - 1)
    return worksheet


def write_conversations_and_actions(
    workbook: Workbook, report: _Report, formats: HouseFormats, footer: str
) -> Worksheet:
    """The Conversations and actions sheet: this year's SMEP log, then the actions still open."""
    worksheet = workbook.add_worksheet(CONVERSATIONS_SHEET)
    writer = SheetWriter(
        workbook,
        worksheet,
        formats,
        widths=_LOG_WIDTHS,
        table_prefix="tbl_Conversations",
        empty_tables=True,
        filters=True,
    )
    brief = report.brief
    writer.line(f"{_CONVERSATIONS_TITLE}: {brief.school_name} (URN {brief.urn})", "title")
    writer.line(
        "This worksheet contains two tables: one row per SMEP contact with the school this year (the "
        "conversation log), then one row per action agreed at the latest contact that agreed actions."
    )
    writer.row += 1
    writer.line("Conversation log", "subtitle")
    header = writer.table(
        "log",
        report.conversations,
        _LOG_COLUMNS,
        column_titles(ConversationLogRow),
        description="One row per SMEP contact with the school this year, oldest first",
    )
    writer.heading("Open actions: agreed at the latest contact that agreed actions, open until the next")
    writer.table(
        "actions",
        brief.actions,
        _ACTION_COLUMNS,
        column_titles(OpenActionRow),
        description="One row per action still open, with when it is due against the as-of date",
    )
    print_data_sheet(worksheet, header, footer)
    worksheet.print_area(0, 0, writer.row - 1, len(_LOG_WIDTHS) - 1)
    return worksheet


def render_school_report(report: _Report, notes: Sequence[Note]) -> bytes:
    """The bytes of one school's report: Brief, School data, Conversations and actions, then Cover."""
    buffer = io.BytesIO()
    workbook = open_workbook(buffer)
    formats = house_formats(workbook)
    set_document_properties(workbook, report.meta)
    closed = bool(report.brief.facts[SchoolBriefRow.year_is_closed])
    footer = report.meta.title
    write_brief(workbook, report.brief, _meta_line(report.meta, closed), formats)
    write_school_data(workbook, report.brief, report.profile, formats, footer)
    write_conversations_and_actions(workbook, report, formats, footer)
    cover = write_cover(workbook, report.meta, formats=formats)
    row = cover.dim_rowmax + 2
    write_text(cover, row, 0, "Sheets in this report", formats.style("subtitle"), formats)
    sheets = [
        (BRIEF_SHEET, "The brief for the conversation with the school (first sheet; prints on one page)"),
        (DATA_SHEET, f"{_DATA_TITLE}, as tables"),
        (CONVERSATIONS_SHEET, _CONVERSATIONS_TITLE),
        (COVER_SHEET, "About this report: run, code version, source files, sheets and notes"),
    ]
    for name, description in sheets:
        row += 1
        cover.write_url(row, 0, internal_link(name), None, string=name)
        write_text(cover, row, 1, description, formats.style("text"), formats)
    row += 2
    write_text(cover, row, 0, "Notes", formats.style("subtitle"), formats)
    for note in notes:
        for number, piece in enumerate(_wrapped(note.text)):
            row += 1
            if number == 0:
                write_text(cover, row, 0, note.note_id, formats.style("label"), formats)
            write_text(cover, row, 1, piece, formats.style("text"), formats)
    print_one_page(cover, footer)
    workbook.close()
    return buffer.getvalue()


def write_school_reports(
    folder: Path,
    meta: WorkbookMeta,
    *,
    tracker: pl.DataFrame,
    brief: pl.DataFrame,
    prompts: pl.DataFrame,
    activity: pl.DataFrame,
    rag: pl.DataFrame,
    conversations: pl.DataFrame,
    actions: pl.DataFrame,
    notes: Sequence[Note],
    framework: OfstedFramework,
    processes: int = 1,
) -> dict[str, Path]:
    """Write one report per school of the tracker into ``folder``, then remove stale reports; URN -> path.

    Args:
        folder: The reports folder (the flow passes ``<year dir>/schools/``); created if missing.
        meta: The run, shown on each cover; each report's title names its school.
        tracker: One row per school (``TrackerRow``): each row is a report.
        brief, prompts, activity, rag, conversations, actions: Rows of all schools (``SchoolBriefRow``,
            ``BriefPromptRow``, ``SchoolActivityRow``, ``SchoolRagRow``, ``ConversationLogRow``,
            ``OpenActionRow``); rows of a URN not on the tracker are not written.
        notes: The notes, the same in every report (on its cover).
        framework: Ofsted's framework the prompts follow (its title and what it says of evidence).
        processes: How many processes write the reports (each report is written whole, by one of them).

    Raises:
        pandera.errors.SchemaErrors: a table does not match its schema; nothing is written.
    """
    tracker = TrackerRow.validate(tracker, lazy=True)
    facts = {
        row[str(SchoolBriefRow.urn)]: row
        for row in SchoolBriefRow.validate(brief, lazy=True).iter_rows(named=True)
    }
    missing = [urn for urn in tracker.get_column(_URN).to_list() if urn not in facts]
    if missing:
        raise ValueError(f"The brief table has no row for URN(s) {missing[:5]}: each school needs its brief")
    parts = {
        name: _by_school(model, table)
        for name, model, table in (
            ("prompts", BriefPromptRow, prompts),
            ("activity", SchoolActivityRow, activity),
            ("rag", SchoolRagRow, rag),
            ("conversations", ConversationLogRow, conversations),
            ("actions", OpenActionRow, actions),
        )
    }

    def part(name: str, urn: str) -> pl.DataFrame:
        by_urn, empty = parts[name]
        return by_urn.get(urn, empty)

    phases = dict(tracker.select(_URN, TrackerRow.phase_name).iter_rows())

    folder = Path(folder)
    paths = school_report_paths(folder, tracker)
    folder.mkdir(parents=True, exist_ok=True)
    reports = []
    for profile in tracker.select(PROFILE_FIELDS).iter_rows(named=True):
        urn, school_name = profile[_URN], profile[_SCHOOL_NAME]
        reports.append(
            _Report(
                paths[urn],
                replace(meta, title=f"School report: {school_name} (URN {urn})"),
                SchoolBrief(
                    school_name=school_name,
                    urn=urn,
                    facts=facts[urn],
                    rag=ratings_not_applicable(part("rag", urn), phases[urn]),
                    activity=part("activity", urn),
                    actions=part("actions", urn),
                    prompts=part("prompts", urn),
                    framework_title=framework.title,
                    evidence_note=framework.evidence_note,
                ),
                profile_not_applicable(profile),
                part("conversations", urn),
            )
        )
    note_rows = list(notes)
    if processes > 1 and len(reports) >= MIN_REPORTS_PER_PROCESS * 2:
        chunks = [reports[i :: processes * 4] for i in range(processes * 4)]
        # xlsxwriter is pure Python, so threads would take turns: processes, started for this call and ended
        # with it ("spawn": Polars' threads and a fork do not mix; a pool kept for later calls would hold up the
        # exit of a process of Prefect's own pool, which waits for its children as it exits).
        with ProcessPoolExecutor(
            max_workers=processes,
            mp_context=get_context("spawn"),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            # A chunk's error (a full disk, say) is raised here, in this process, as it was raised there.
            sum(pool.map(_write_reports, chunks, [note_rows] * len(chunks)))
    else:
        _write_reports(reports, note_rows)
    remove_stale_reports(folder, paths.values())
    return paths


# Fewer reports than this per process are written in this one: starting the processes would cost more.
MIN_REPORTS_PER_PROCESS = 50


def _write_reports(reports: Sequence[_Report], notes: Sequence[Note]) -> int:
    """Write some reports (in this process or a worker process); return how many."""
    for report in reports:
        write_bytes_atomically(report.path, render_school_report(report, notes))
    return len(reports)
