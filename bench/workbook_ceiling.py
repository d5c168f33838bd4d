"""Benchmark: the project's workbook writer against xlsxwriter's ceiling for the same cells (issue 15 point 3).

Run by hand:  .venv/bin/python bench/workbook_ceiling.py [--repeat 5]
Generates the demo hub once into a temporary folder, computes its management return and its school engagement
tracker once, then times, per workbook: the project's writer (outputs/annual_return.py and
outputs/school_engagement.py over outputs/house_style.py: output checks, formats, widths, tables, charts,
conditional formats, atomic write) and the ceiling: every cell of the workbook it wrote, read back with
openpyxl, written again with plain xlsxwriter ``write_row``, no formats, to a file. Runs are interleaved;
prints the median wall and CPU time of each and the ratio writer / ceiling (target: at most 1.5), and the
ceiling again with Python's garbage collector paused, as the project's writer pauses it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from demo_hub import demo_hub, return_writer, tracker_writer

Cells = list[tuple[str, list[list[Any]]]]


def workbook_cells(path: Path) -> Cells:
    """Every sheet's rows of values, as the workbook at ``path`` holds them (trailing empty cells kept)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in workbook]
    finally:
        workbook.close()


def write_cells(path: Path, cells: Cells) -> None:
    """The ceiling: the same cells with plain xlsxwriter ``write_row``, no formats, no tables."""
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    for name, rows in cells:
        worksheet = workbook.add_worksheet(name)
        for number, row in enumerate(rows):
            worksheet.write_row(number, 0, row)
    workbook.close()


@dataclass
class Timings:
    """Wall and CPU seconds of repeated runs of one action."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, action: Callable[[], object]) -> None:
        """Run ``action`` once, keeping its wall and CPU time (the garbage of earlier runs collected first)."""
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)

    def median(self) -> tuple[float, float]:
        """The median wall and CPU seconds."""
        return statistics.median(self.wall), statistics.median(self.cpu)


def compare(name: str, write: Callable[[Path], str], folder: Path, repeat: int) -> tuple[float, float, float]:
    """Time the project's writer and the ceiling for one workbook, runs interleaved; print medians and ratios."""
    produced = folder / f"{name}.xlsx"
    write(produced)
    cells = workbook_cells(produced)
    count = sum(len(row) for _, rows in cells for row in rows)
    writer, ceiling, paused = Timings(), Timings(), Timings()
    ceiling_path = folder / f"{name}-ceiling.xlsx"

    def ceiling_paused() -> None:
        """The ceiling with Python's garbage collector paused, as the project's writer pauses it."""
        gc.disable()
        try:
            write_cells(ceiling_path, cells)
        finally:
            gc.enable()

    for _ in range(repeat):  # interleaved, so a busy moment of the shared machine falls on all three
        writer.run(lambda: write(produced))
        ceiling.run(lambda: write_cells(ceiling_path, cells))
        paused.run(ceiling_paused)
    (writer_wall, writer_cpu), (ceiling_wall, ceiling_cpu) = writer.median(), ceiling.median()
    paused_wall = paused.median()[0]
    print(
        f"{name:<8} {len(cells):>2} sheets {count:>7,} cells | writer {writer_wall:6.3f} s wall "
        f"{writer_cpu:6.3f} s CPU | write_row {ceiling_wall:6.3f} s wall {ceiling_cpu:6.3f} s CPU | "
        f"ratio {writer_wall / ceiling_wall:4.2f} wall {writer_cpu / ceiling_cpu:4.2f} CPU | "
        f"write_row, collector paused {paused_wall:6.3f} s: ratio {writer_wall / paused_wall:4.2f}"
    )
    return writer_wall, ceiling_wall, paused_wall


def main() -> None:
    """Generate the demo hub, compute its return and tracker, and compare each writer with the ceiling."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hubreturns-bench-") as scratch:
        folder = Path(scratch)
        config, loaded, data = demo_hub(folder / "hub")
        write_return = return_writer(config, loaded, data)
        write_tracker, _, _ = tracker_writer(config, loaded, data)
        totals = [
            compare("return", write_return, folder, args.repeat),
            compare("tracker", write_tracker, folder, args.repeat),
        ]
        writer, ceiling, paused = (sum(column) for column in zip(*totals, strict=True))
        print(
            f"both     writer {writer:6.3f} s | write_row {ceiling:6.3f} s: ratio {writer / ceiling:4.2f} | "
            f"write_row, collector paused {paused:6.3f} s: ratio {writer / paused:4.2f}"
        )


if __name__ == "__main__":
    main()
