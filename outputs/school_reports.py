"""One workbook per school of the universe (``schools/<LAESTAB>-<safe-name>.xlsx``, SPEC 3.3).

Each report has Cover, Contents and Notes, then Profile (the school's row of the SMEP tracker, one item per
row), Activity (this year against last year and the phase average), RAG (the latest rating per duty area),
Conversations (the SMEP log) and Open actions. Every table is validated once for all schools and split by URN
once; nothing is computed here.

File names are safe whatever a school is called: the LAESTAB (or URN) digits, a hyphen, then the name
transliterated to ASCII letters, digits and hyphens (at most 60 characters, cut at a word), ``.xlsx``. Two
schools whose names collide ignoring case get the URN appended, the lowest URN keeping the plain name.

The reports folder belongs to the pipeline: after every report of a run is written, any other file in it named
like a report (6 or 7 digits, a hyphen, anything, ``.xlsx``: a school no longer in the universe, or renamed)
is deleted. Other files are left alone. A failed run deletes nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import chain, count
from multiprocessing import get_context
from pathlib import Path

import pandera.polars as pa
import polars as pl
from slugify import slugify

from outputs.house_style import RAG_FILLS, Note, RecordSheet, Sheet, TableSheet, WorkbookMeta, write_workbook
from outputs.school_engagement import RAG_VALUE_FILLS
from outputs.worker_processes import exit_with_parent
from schemas.engagement import (
    ConversationLogRow,
    OpenActionRow,
    SchoolActivityRow,
    SchoolRagRow,
    TrackerRow,
)
from schemas.outputs import column_titles

_URN, _LAESTAB, _SCHOOL_NAME = str(TrackerRow.urn), str(TrackerRow.laestab), str(TrackerRow.school_name)
# Matched whole (fullmatch): ASCII digits only, and no newline can hide before the end.
REPORT_FILE_PATTERN = re.compile(r"[0-9]{6,7}-.*\.xlsx")
FALLBACK_NAME = "school"
_PREFIX = re.compile(r"[0-9]{6,7}")
_NAME_MAX, _FILE_NAME_MAX = 60, 100
# Apostrophes join a word ("St Mary's" -> "St-Marys") rather than split it.
_APOSTROPHES = [[mark, ""] for mark in ("'", "\u2019", "\u2018", "\u02bc", "`")]
_NOT_SAFE = re.compile(r"[^A-Za-z0-9-]+")


@dataclass(frozen=True)
class _SchoolTable:
    """One per-school table of the report: its schema and how its sheet is headed."""

    model: type[pa.DataFrameModel]
    sheet_name: str
    title: str
    description: str
    value_fills: Mapping[str, Mapping[str, str]]


_TABLES = (
    _SchoolTable(
        SchoolActivityRow,
        "Activity",
        "Activity this year, against last year and the hub's average for the phase",
        "One row per activity, counted as on the SMEP tracker.",
        {},
    ),
    _SchoolTable(
        SchoolRagRow,
        "RAG",
        "Red-amber-green rating per duty area",
        "One row per duty area: R red, A amber, G green (the letter is in the cell; the fill repeats it).",
        {str(SchoolRagRow.rag): RAG_FILLS},
    ),
    _SchoolTable(
        ConversationLogRow,
        "Conversations",
        "Conversations with the school this year",
        "One row per SMEP contact with the school this year (the conversation log).",
        {},
    ),
    _SchoolTable(
        OpenActionRow,
        "Open actions",
        "Actions open from the latest contact that agreed actions",
        "One row per action, open until the next contact.",
        {},
    ),
)


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
    return any(path.exists() and os.path.samefile(candidate, path) for path in same_name)


# -- Workbooks ----------------------------------------------------------------------------------------------


def _by_school(
    model: type[pa.DataFrameModel], table: pl.DataFrame
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """``table`` validated once and split by URN once (without the URN column), and an empty part."""
    urn = str(model.urn)  # type: ignore[attr-defined]
    valid = model.validate(table, lazy=True)
    parts = valid.partition_by(urn, as_dict=True, include_key=False, maintain_order=True)
    return {key[0]: part for key, part in parts.items()}, valid.clear().drop(urn)


def _school_sheets(
    school: Mapping[str, object],
    tables: Sequence[tuple[_SchoolTable, dict[str, pl.DataFrame], pl.DataFrame, dict[str, str]]],
    tracker_titles: Mapping[str, str],
) -> list[Sheet]:
    """The report's sheets for one school: its profile, then its part of each per-school table."""
    urn = str(school[_URN])
    sheets: list[Sheet] = [
        RecordSheet(
            sheet_name="Profile",
            title="Profile: the school's row of the SMEP tracker",
            record=school,
            titles=tracker_titles,
            description="One row per item of the tracker: profile, engagement, ratings, activity, contacts.",
            value_fills=RAG_VALUE_FILLS,
        )
    ]
    for spec, parts, empty, titles in tables:
        sheets.append(
            TableSheet(
                sheet_name=spec.sheet_name,
                title=spec.title,
                table=parts.get(urn, empty),
                column_titles=titles,
                description=spec.description,
                value_fills=spec.value_fills,
            )
        )
    return sheets


def write_school_reports(
    folder: Path,
    meta: WorkbookMeta,
    *,
    tracker: pl.DataFrame,
    activity: pl.DataFrame,
    rag: pl.DataFrame,
    conversations: pl.DataFrame,
    actions: pl.DataFrame,
    notes: Sequence[Note],
    processes: int = 1,
) -> dict[str, Path]:
    """Write one report per school of the tracker into ``folder``, then remove stale reports; URN -> path.

    Args:
        folder: The reports folder (the flow passes ``<year dir>/schools/``); created if missing.
        meta: The run, shown on each cover; each report's title names its school.
        tracker: One row per school (``TrackerRow``): each row is a report and its Profile sheet.
        activity, rag, conversations, actions: Rows of all schools (``SchoolActivityRow``, ``SchoolRagRow``,
            ``ConversationLogRow``, ``OpenActionRow``); rows of a URN not on the tracker are not written.
        notes: The Notes sheet's rows, the same in every report.
        processes: How many processes write the reports (each report is written whole, by one of them).

    Raises:
        pandera.errors.SchemaErrors: a table does not match its schema; nothing is written.
    """
    tracker = TrackerRow.validate(tracker, lazy=True)
    given = (activity, rag, conversations, actions)
    tables = [
        (spec, *_by_school(spec.model, table), column_titles(spec.model))
        for table, spec in zip(given, _TABLES, strict=True)
    ]
    folder = Path(folder)
    paths = school_report_paths(folder, tracker)
    folder.mkdir(parents=True, exist_ok=True)
    tracker_titles, note_rows = column_titles(TrackerRow), list(notes)
    reports = [
        _Report(
            paths[school[_URN]],
            replace(meta, title=f"School report: {school[_SCHOOL_NAME]} (URN {school[_URN]})"),
            _school_sheets(school, tables, tracker_titles),
        )
        for school in tracker.iter_rows(named=True)
    ]
    if processes > 1 and len(reports) >= MIN_REPORTS_PER_PROCESS * 2:
        chunks = [reports[i::processes * 4] for i in range(processes * 4)]
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


@dataclass(frozen=True)
class _Report:
    """One school's report, laid out and ready to be written."""

    path: Path
    meta: WorkbookMeta
    sheets: list[Sheet]


def _write_reports(reports: Sequence[_Report], notes: Sequence[Note]) -> int:
    """Write some reports (in this process or a worker process); return how many."""
    for report in reports:
        write_workbook(report.path, report.meta, report.sheets, notes)
    return len(reports)
