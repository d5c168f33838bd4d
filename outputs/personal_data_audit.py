"""The personal data audit (``<hub>-personal-data-audit.xlsx``): for the hub's data protection officer, per table
of the store and per folder of the output folder, what personal or pseudonymised data is held, how many rows or
files, the oldest and newest period, and when retention next removes some.

The store's rows come from ``store.retention.store_holdings``; this module looks at the output folder (it
reads only names, never the workbooks' contents), lays the table out in the house style, and removes the
validation reports of years past ``[retention] validation_failures_years`` (they quote pupil fingerprints, as
the store's validation failures do).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from outputs.annual_return import annual_return_path
from outputs.house_style import Note, TableSheet, WorkbookMeta, write_workbook
from outputs.school_engagement import school_engagement_path
from outputs.validation_report import validation_report_path
from schemas.output_tables import column_titles
from schemas.periods import AcademicYear, kept_from
from schemas.personal_data import OUTPUT_FOLDER, Holding, PersonalDataHeld

# The year folders a run writes: <output_dir>/<hub>/<YYYY-YY>/.
_YEAR_FOLDER = re.compile(r"\d{4}-\d{2}")


def audit_path(output_dir: Path, hub_slug: str) -> Path:
    """The audit's path: ``<output_dir>/<hub>/<hub>-personal-data-audit.xlsx``."""
    return Path(output_dir) / hub_slug / f"{hub_slug}-personal-data-audit.xlsx"


def year_folders(output_dir: Path, hub_slug: str) -> list[tuple[AcademicYear, Path]]:
    """The hub's year folders, ``<output_dir>/<hub>/<YYYY-YY>/``, oldest first."""
    base = Path(output_dir) / hub_slug
    if not base.is_dir():
        return []
    folders = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and _YEAR_FOLDER.fullmatch(p.name)):
        try:
            folders.append((AcademicYear.parse(folder.name), folder))
        except ValueError:
            continue
    return folders


def remove_expired_validation_reports(
    output_dir: Path, hub_slug: str, first_kept: AcademicYear
) -> list[Path]:
    """Delete the validation reports of the years before ``first_kept``; the other workbooks stay."""
    removed = []
    for year, _folder in year_folders(output_dir, hub_slug):
        report = validation_report_path(output_dir, hub_slug, year.slug)
        if year < first_kept and report.is_file():
            report.unlink()
            removed.append(report)
    return removed


def output_holdings(output_dir: Path, hub_slug: str, failures_years: int, today: date) -> tuple[Holding, ...]:
    """Per year folder of the hub's outputs: how many files, what they hold about people, and when retention
    next removes its validation report (``failures_years`` as for the store's validation failures).
    """
    holdings = []
    for year, folder in year_folders(output_dir, hub_slug):
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        due = None
        if validation_report_path(output_dir, hub_slug, year.slug) in files:
            due = (
                today
                if year < kept_from(failures_years, today)
                else AcademicYear(year.start_year + failures_years).start
            )
        holdings.append(
            Holding(
                place=str(folder),
                kind=OUTPUT_FOLDER,
                personal_data=_folder_contents(Path(output_dir), hub_slug, year, folder, files),
                rows=len(files),
                oldest_period=year.label,
                newest_period=year.label,
                kept=f"validation report: {failures_years} academic years, as the store's failures; the other "
                "files until the hub deletes them (see SECURITY.md)",
                next_removal=due,
            )
        )
    return tuple(holdings)


def _folder_contents(
    output_dir: Path, hub_slug: str, year: AcademicYear, folder: Path, files: list[Path]
) -> str:
    """What a year folder's files say about people, one phrase per kind of file present."""
    known = {
        validation_report_path(
            output_dir, hub_slug, year.slug
        ): "validation report: each broken rule with the "
        "value as written, pupil ids as fingerprints (pseudonymised personal data)",
        annual_return_path(
            output_dir, hub_slug, year.slug
        ): "annual return: aggregate counts of pupils, small numbers not suppressed",
        annual_return_path(
            output_dir, hub_slug, year.slug, published=True
        ): "published annual return: aggregate counts, small numbers suppressed",
        school_engagement_path(
            output_dir, hub_slug, year.slug
        ): "school engagement tracker: hub officers' names, "
        "school contacts' roles and the actions agreed (staff personal data), counts of pupils per school",
    }
    parts = [text for path, text in known.items() if path in files]
    reports = [p for p in files if p.parent != folder and p.suffix == ".xlsx"]
    if reports:
        parts.append(
            f"{len(reports):,} school reports: as the tracker, one school each (staff personal data, counts of pupils)"
        )
    others = len(files) - len([p for p in known if p in files]) - len(reports)
    if others:
        parts.append(f"{others:,} other file(s): check what they are")
    return "; ".join(parts) or "no files"


def write_audit(path: Path, meta: WorkbookMeta, held: pl.DataFrame) -> str:
    """Write the audit workbook (a validated table in, nothing computed here); return the file's SHA-256."""
    PersonalDataHeld.validate(held)
    sheets = [
        TableSheet(
            sheet_name="Data held",
            title="Personal and pseudonymised data held, and how long it is kept",
            table=held,
            column_titles=column_titles(PersonalDataHeld),
            description="One row per table of the store (the hub's rows only) and per year folder of the "
            "output folder.",
            notes=("N1", "N2"),
        )
    ]
    notes = [
        Note(
            "N1",
            "Retention is set under [retention] in the hub configuration and applied at the end of every run: "
            "validation failures and the validation reports of the same years, then (if set) whole runs; each "
            "removal from the store is recorded in its data_removals table.",
        ),
        Note(
            "N2",
            "To remove everything the store holds about one pupil, or a whole academic year, use hubreturns "
            "purge. The hub's exports (which hold the raw ids) and Prefect's own history are outside the store.",
        ),
    ]
    summary = [f"Store tables and output folders listed: {held.height}"]
    return write_workbook(path, meta, sheets, notes, summary_lines=summary)
