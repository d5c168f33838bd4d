"""Benchmark: validating the demo hub's inputs (issue target: under 5 s on a 2-core machine).

Run by hand:  .venv/bin/python bench/validate_demo.py [--repeat 3]
Generates the demo hub once into a temporary folder, then times reading + validating + cross-checking every
input (no Prefect, no workbook), and separately the validation report workbook.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from foundation.hub_config import load_config
from hubreturns.synthetic import generate_hub_area
from ingest.pipeline import load_and_check
from schemas.periods import AcademicYear

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        config = load_config(generate_hub_area(Path(folder), seed=2026, year=YEAR))
        print(f"generate demo hub: {time.perf_counter() - started:.2f} s")
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            loaded = load_and_check(config, key=b"benchmark-key-0123456789", year=YEAR, as_of=AS_OF)
            timings.append(time.perf_counter() - started)
        rows = sum(item.rows_read for item in loaded)
        failures = pl.concat([item.failures for item in loaded]).height
        print(
            f"validate every input ({rows:,} rows, {failures} failures): "
            f"best {min(timings):.2f} s, runs {', '.join(f'{t:.2f}' for t in timings)}"
        )


if __name__ == "__main__":
    main()
