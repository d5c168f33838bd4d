"""The demo hub, generated and validated once, and its return's and tracker's tables, as the benchmarks use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import polars as pl

from core.hub_run import engagement_rules, input_summary
from foundation.hub_config import HubConfig, load_config
from hubreturns.synthetic import generate_hub_area
from ingest.pipeline import input_frames, load_and_check
from ingest.sources import LoadedInput
from outputs.annual_return import write_annual_return
from outputs.house_style import Note, WorkbookMeta
from outputs.school_engagement import write_school_engagement
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from transforms.activity import HubData
from transforms.engagement_tables import engagement_notes, engagement_tables
from transforms.figures import collect_tables
from transforms.published import shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)
KEY = b"benchmark-key-0123456789"


def demo_hub(folder: Path) -> tuple[HubConfig, list[LoadedInput], HubData]:
    """Generate the demo hub into ``folder``, read and validate it: its configuration, inputs and data."""
    config = load_config(generate_hub_area(Path(folder), seed=2026, year=YEAR))
    loaded = load_and_check(config, key=KEY, year=YEAR, as_of=AS_OF)
    return config, loaded, HubData.of_frames(input_frames(loaded))


def bench_meta(config: HubConfig, loaded: list[LoadedInput]) -> WorkbookMeta:
    """Cover provenance for benchmark workbooks (fixed, so equal runs give equal files)."""
    return WorkbookMeta(
        title="bench",
        hub_name=config.hub.name,
        period_label=YEAR.label,
        as_of=AS_OF,
        run_id="bench",
        code_version="bench",
        created=datetime(2026, 11, 23),
        sources=tuple(f for item in loaded for f in item.files),
    )


def return_writer(config: HubConfig, loaded: list[LoadedInput], data: HubData) -> Callable[[Path], str]:
    """The demo's management return, computed once: a function writing its workbook to a path."""
    layout = return_layout(YEAR)
    lazy = return_tables(
        data,
        la_codes=config.hub.la_codes,
        year=YEAR,
        as_of=AS_OF,
        previous_kpis=None,
        engaged_duties=layout.kpi5.duties,
    )
    tables = collect_tables(lazy)
    tables["functions"] = function_map(layout).collect()
    tables["data_quality"] = input_summary(loaded)
    figures = return_figures({k: v.lazy() for k, v in tables.items()}).collect()
    tables["changes"] = changes_table(figures.lazy(), figures.lazy(), layout).collect()
    shown = shown_tables(tables, layout)
    notes, table_notes = return_notes(layout, year=YEAR, as_of=AS_OF, threshold=4, published=False)
    meta = bench_meta(config, loaded)

    def write(path: Path) -> str:
        """Write the return to ``path``."""
        return write_annual_return(
            path,
            meta,
            layout=layout,
            tables=shown,
            notes=[Note(n, t) for n, t in notes],
            table_notes=table_notes,
        )

    return write


def tracker_writer(
    config: HubConfig, loaded: list[LoadedInput], data: HubData
) -> tuple[Callable[[Path], str], dict[str, pl.DataFrame], list[Note]]:
    """The demo's school engagement tracker, computed once: a function writing it, its tables and notes."""
    layout = return_layout(YEAR)
    progression = return_tables(
        data,
        la_codes=config.hub.la_codes,
        year=YEAR,
        as_of=AS_OF,
        previous_kpis=None,
        engaged_duties=layout.kpi5.duties,
    )["progression"].collect()
    rules = engagement_rules(config, YEAR)
    notes = [Note(n, t) for n, t in engagement_notes(year=YEAR, as_of=AS_OF, rules=rules)]
    lazy = engagement_tables(
        data, progression.lazy(), la_codes=config.hub.la_codes, year=YEAR, as_of=AS_OF, rules=rules
    )
    tables = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
    meta = replace(bench_meta(config, loaded), title="bench tracker")

    def write(path: Path) -> str:
        """Write the tracker to ``path``."""
        return write_school_engagement(
            path,
            meta,
            tracker=tables["tracker"],
            summary=tables["summary"],
            map_points=tables["map"],
            priorities=tables["priorities"],
            ofsted=tables["ofsted"],
            exceptions=tables["exceptions"],
            notes=notes,
        )

    return write, tables, notes
