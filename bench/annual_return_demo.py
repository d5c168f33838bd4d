"""Benchmark: computing and writing the demo hub's full annual return (issue target: under 5 s).

Run by hand:  .venv/bin/python bench/annual_return_demo.py [--repeat 3]
Generates the demo hub once into a temporary folder and validates its inputs once (see validate_demo.py for
that cost), then times: every table of the return (Polars), and writing the workbook, management and
published variants (suppression included), each as the flow does it, without Prefect.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

from demo_hub import AS_OF, YEAR, demo_hub

from core.hub_run import input_summary
from outputs.annual_return import write_annual_return
from outputs.house_style import Note, WorkbookMeta
from schemas.return_layout import return_layout
from transforms.figures import collect_tables
from transforms.published import published_markers, shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config, loaded, data = demo_hub(Path(folder))
        layout = return_layout(YEAR)
        meta = WorkbookMeta(
            title="bench",
            hub_name=config.hub.name,
            period_label=YEAR.label,
            as_of=AS_OF,
            run_id="bench",
            code_version="bench",
            created=datetime(2026, 11, 23),
            sources=(),
        )
        compute, write = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            lazy = return_tables(
                data,
                la_codes=config.hub.la_codes,
                year=YEAR,
                as_of=AS_OF,
                previous_kpis=None,
                engaged_duties=return_layout(YEAR).kpi5.duties,
            )
            tables = collect_tables(lazy)
            tables["functions"] = function_map(layout).collect()
            tables["data_quality"] = input_summary(loaded)
            figures = return_figures({k: v.lazy() for k, v in tables.items()}).collect()
            tables["changes"] = changes_table(figures.lazy(), figures.lazy(), layout).collect()
            compute.append(time.perf_counter() - started)
            started = time.perf_counter()
            shown = shown_tables(tables, layout)
            for published in (False, True):
                notes, table_notes = return_notes(
                    layout, year=YEAR, as_of=AS_OF, threshold=4, published=published
                )
                write_annual_return(
                    Path(folder) / f"return-{published}.xlsx",
                    meta if not published else WorkbookMeta(**{**meta.__dict__, "published": True}),
                    layout=layout,
                    tables=shown,
                    notes=[Note(n, t) for n, t in notes],
                    table_notes=table_notes,
                    markers=published_markers(shown, threshold=4) if published else {},
                )
            write.append(time.perf_counter() - started)
        total = [c + w for c, w in zip(compute, write, strict=True)]
        print(
            f"tables ({sum(t.height for t in tables.values()):,} rows, {figures.height:,} figures): "
            f"best {min(compute):.2f} s; both workbooks: best {min(write):.2f} s; "
            f"total best {min(total):.2f} s, runs {', '.join(f'{t:.2f}' for t in total)}"
        )


if __name__ == "__main__":
    main()
