"""The national summary workbook (``national-<year>-summary.xlsx``, SPEC 3.5) from the roll-up flow.

Sheets: Cover, Contents, Notes, England (the five KPIs as the sum of the hubs, reconciled against a direct
computation over every hub's data), Hubs (each hub's KPIs side by side) and Runs (what the run did per hub).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from outputs.house_style import Note, TableSheet, WorkbookMeta, write_workbook
from schemas.national import EnglandKpiRow, HubKpiRow, HubRunRow
from schemas.output_tables import column_titles

NATIONAL_FOLDER = "national"
PURPOSE = (
    "England's five KPIs for the year as the sum of every hub's published return, checked against the same "
    "measures computed over all the hubs' data at once, with each hub's figures side by side."
)


def national_summary_path(output_dir: Path, year_slug: str) -> Path:
    """The summary's path: ``<output_dir>/national/<year>/national-<year>-summary.xlsx``."""
    return Path(output_dir) / NATIONAL_FOLDER / year_slug / f"{NATIONAL_FOLDER}-{year_slug}-summary.xlsx"


def write_national_summary(
    path: Path,
    meta: WorkbookMeta,
    *,
    england: pl.DataFrame,
    hubs: pl.DataFrame,
    runs: pl.DataFrame,
) -> str:
    """Write the summary (validated tables in, nothing computed here); return the file's SHA-256."""
    EnglandKpiRow.validate(england, lazy=True)
    HubKpiRow.validate(hubs, lazy=True)
    HubRunRow.validate(runs, lazy=True)
    unreconciled = england.filter(~pl.col(str(EnglandKpiRow.reconciled)).fill_null(False)).height
    sheets = [
        TableSheet(
            sheet_name="England",
            title="England: the five KPIs, as the sum of the hubs and computed directly",
            table=england,
            column_titles=column_titles(EnglandKpiRow),
            description="Each number is the sum of the hubs' published figures; the direct computation counts "
            "the same measure over every hub's data at once, as a check.",
            notes=("N1", "N2"),
        ),
        TableSheet(
            sheet_name="Hubs",
            title="Each hub's KPIs side by side",
            table=hubs,
            column_titles=column_titles(HubKpiRow),
            description="From each hub's latest published run for the year.",
            notes=("N3",),
        ),
        TableSheet(
            sheet_name="Runs",
            title="What this run did for each hub",
            table=runs,
            column_titles=column_titles(HubRunRow),
            description="A hub that failed keeps the figures of its last published run, if it has one.",
        ),
    ]
    notes = [
        Note(
            "N1", "Pupils are counted once within a hub; a pupil known to two hubs would be counted by both."
        ),
        Note(
            "N2",
            "Reconciled is N where the direct computation differs from the sum of the hubs, or [x] where it was "
            "not run. A difference usually means a hub's export names schools of another hub's area.",
        ),
        Note("N3", "Percentages are out of the pupils on roll (KPIs 1-4) or the schools (KPI 5) of the hub."),
    ]
    summary = [f"Hubs: {hubs.height}", f"KPIs not reconciled: {unreconciled}"]
    about = replace(meta, purpose=meta.purpose or PURPOSE)
    return write_workbook(path, about, sheets, notes, summary_lines=summary)
