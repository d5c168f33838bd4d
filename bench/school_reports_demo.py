"""Benchmark: the demo hub's SMEP tracker and its report for every school (issue target: all reports < 20 s).

Run by hand:  .venv/bin/python bench/school_reports_demo.py [--repeat 3]
Generates the demo hub once into a temporary folder and validates its inputs once, then times, as the flow
does it without Prefect: computing every tracker and report table (Polars), writing the tracker, and writing
one report per school of the universe (about 550; four sheets each: Brief, School data, Conversations and actions,
Cover), with the cost per report. The reports' time is given as wall-clock and as this process's CPU time (they
are written in this one process): on a machine shared with other work the CPU time varies far less.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl
from demo_hub import AS_OF, YEAR, demo_hub

from core.hub_run import engagement_rules
from outputs.house_style import Note, WorkbookMeta
from outputs.school_engagement import write_school_engagement
from outputs.school_reports import write_school_reports
from schemas.return_layout import return_layout
from transforms.engagement_tables import engagement_notes, engagement_tables
from transforms.return_tables import return_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config, loaded, data = demo_hub(Path(folder))
        progression = return_tables(
            data,
            la_codes=config.hub.la_codes,
            year=YEAR,
            as_of=AS_OF,
            previous_kpis=None,
            engaged_duties=return_layout(YEAR).kpi5.duties,
        )["progression"].collect()
        rules = engagement_rules(config, YEAR)
        notes = [Note(n, t) for n, t in engagement_notes(year=YEAR, as_of=AS_OF, rules=rules)]
        meta = WorkbookMeta(
            title="bench",
            hub_name=config.hub.name,
            period_label=YEAR.label,
            as_of=AS_OF,
            run_id="bench",
            code_version="bench",
            created=datetime(2026, 11, 23),
            sources=tuple(f for item in loaded for f in item.files),
        )
        compute, tracker_write, reports_write, reports_cpu = [], [], [], []
        count = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            lazy = engagement_tables(
                data, progression.lazy(), la_codes=config.hub.la_codes, year=YEAR, as_of=AS_OF, rules=rules
            )
            tables = dict(zip(lazy, pl.collect_all(list(lazy.values())), strict=True))
            compute.append(time.perf_counter() - started)
            started = time.perf_counter()
            write_school_engagement(
                Path(folder) / "tracker.xlsx",
                meta,
                tracker=tables["tracker"],
                summary=tables["summary"],
                map_points=tables["map"],
                priorities=tables["priorities"],
                ofsted=tables["ofsted"],
                exceptions=tables["exceptions"],
                notes=notes,
            )
            tracker_write.append(time.perf_counter() - started)
            started, cpu_started = time.perf_counter(), time.process_time()
            written = write_school_reports(
                Path(folder) / "schools",
                meta,
                tracker=tables["tracker"],
                brief=tables["brief"],
                prompts=tables["prompts"],
                activity=tables["activity"],
                rag=tables["rag"],
                conversations=tables["conversations"],
                actions=tables["actions"],
                notes=notes,
                framework=rules.framework,
            )
            reports_write.append(time.perf_counter() - started)
            reports_cpu.append(time.process_time() - cpu_started)
            count = len(written)
        best = min(reports_write)
        print(
            f"tables ({sum(t.height for t in tables.values()):,} rows): best {min(compute):.2f} s; "
            f"tracker workbook: best {min(tracker_write):.2f} s; "
            f"{count} school reports: best {best:.2f} s ({best / count * 1000:.1f} ms per report), "
            f"runs {', '.join(f'{t:.2f}' for t in reports_write)}; CPU: best {min(reports_cpu):.2f} s"
        )


if __name__ == "__main__":
    main()
