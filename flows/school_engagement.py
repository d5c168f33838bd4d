"""Tasks of the main flow that write the school engagement (SMEP) tracker and the report for every school.

They run after the annual return, from the same validated inputs; a rerun may write only the school reports
(the flow's ``sections`` parameter).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.plain import fail_plainly, retry_transient
from hubreturns.hub_config import HubConfig
from hubreturns.ofsted_frameworks import load_framework
from outputs.house_style import Note, WorkbookMeta
from outputs.school_engagement import school_engagement_path, write_school_engagement
from outputs.school_reports import write_school_reports
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from transforms.activity import HubData
from transforms.engagement_tables import EngagementRules, engagement_notes, engagement_tables
from transforms.figures import collect_tables
from transforms.school_reports import BriefRules

SCHOOL_REPORTS_FOLDER = "schools"


def engagement_rules(config: HubConfig, year: AcademicYear | None = None) -> EngagementRules:
    """The tracker's rules from the hub's settings (and the year's return layout: which duties engage)."""
    settings = config.settings
    return EngagementRules(
        high_fsm_pct=settings.high_fsm_pct,
        school_leader_roles=tuple(settings.school_leader_roles),
        staff_hours_per_fte=settings.staff_hours_per_fte,
        engaged_duties=return_layout(year).kpi5.duties if year is not None else None,
        framework=load_framework(settings.ofsted_framework),
        brief=BriefRules(
            fsm_band_edges_pct=tuple(settings.fsm_band_edges_pct),
            well_below_ratio=settings.similar_well_below_ratio,
            well_above_ratio=settings.similar_well_above_ratio,
            inclusion_gap_pct=settings.inclusion_gap_pct,
            due_soon_days=settings.conversation_due_soon_days,
        ),
    )


@task(cache_policy=NO_CACHE)
def compute_engagement(
    data: HubData, progression: pl.DataFrame, config: HubConfig, year: AcademicYear, as_of: date
) -> dict[str, pl.DataFrame]:
    """Every table of the tracker and the school reports (all schools)."""
    tables = engagement_tables(
        data,
        progression.lazy(),
        la_codes=config.hub.la_codes,
        year=year,
        as_of=as_of,
        rules=engagement_rules(config, year),
    )
    return collect_tables(tables)


def _notes(config: HubConfig, year: AcademicYear, as_of: date) -> list[Note]:
    rows = engagement_notes(year=year, as_of=as_of, rules=engagement_rules(config))
    return [Note(number, text) for number, text in rows]


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def write_tracker(
    config: HubConfig,
    output_dir: Path,
    year: AcademicYear,
    as_of: date,
    meta: WorkbookMeta,
    tables: dict[str, pl.DataFrame],
) -> Path:
    """Write the SMEP tracker workbook into ``output_dir`` (the run's staging folder)."""
    path = school_engagement_path(output_dir, config.hub.slug, year.slug)
    write_school_engagement(
        path,
        meta,
        tracker=tables["tracker"],
        summary=tables["summary"],
        map_points=tables["map"],
        priorities=tables["priorities"],
        ofsted=tables["ofsted"],
        exceptions=tables["exceptions"],
        notes=_notes(config, year, as_of),
    )
    outside = tables["exceptions"].height
    get_run_logger().info(
        "School engagement tracker written to %s (%d schools%s)",
        path,
        tables["tracker"].height,
        f"; {outside} export row group(s) name schools outside the hub's universe" if outside else "",
    )
    return path


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def write_reports(
    config: HubConfig,
    output_dir: Path,
    year: AcademicYear,
    as_of: date,
    meta: WorkbookMeta,
    tables: dict[str, pl.DataFrame],
) -> Path:
    """Write one report per school of the universe into the year's `schools` folder under ``output_dir``."""
    folder = school_engagement_path(output_dir, config.hub.slug, year.slug).parent / SCHOOL_REPORTS_FOLDER
    written = write_school_reports(
        folder,
        meta,
        tracker=tables["tracker"],
        activity=tables["activity"],
        rag=tables["rag"],
        conversations=tables["conversations"],
        actions=tables["actions"],
        notes=_notes(config, year, as_of),
        framework=engagement_rules(config).framework,
        processes=config.settings.report_processes,
        brief=tables["brief"],
        prompts=tables["prompts"],
    )
    get_run_logger().info("%d school reports written to %s", len(written), folder)
    return folder
