"""Benchmark: the seconds a demo hub's validation spends in ingest/validate.py (rule checks, UPN check letters).

Run by hand:  .venv/bin/python bench/validate_parts.py [--repeat 3]
Generates the demo hub into a temporary folder, runs ``load_and_check`` once to warm up, then ``--repeat``
times, timing the calls of ``validate_frame`` (each model's checks) and ``check_upn_letters``; prints the
median and every run. (bench/validate_demo.py times the whole of reading and checking.)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demo_hub import AS_OF, KEY, YEAR

from foundation.hub_config import load_config
from hubreturns.synthetic import generate_hub_area
from ingest import sources
from ingest.pipeline import load_and_check

PARTS = ("validate_frame", "check_upn_letters")


def _timing(name: str, spent: dict[str, float]) -> Callable[..., Any]:
    """``sources.<name>``, adding the seconds of each call to ``spent[name]``."""
    original = getattr(sources, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        """The original call, timed."""
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return timed


def main() -> None:
    """Time the parts of validation over the demo hub and print their medians."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median is shown")
    args = parser.parse_args()
    spent = dict.fromkeys(PARTS, 0.0)
    for name in PARTS:
        setattr(sources, name, _timing(name, spent))
    with tempfile.TemporaryDirectory(prefix="hubreturns-bench-") as folder:
        config = load_config(generate_hub_area(Path(folder), seed=2026, year=YEAR))
        runs: dict[str, list[float]] = {name: [] for name in PARTS}
        for number in range(args.repeat + 1):
            spent.update(dict.fromkeys(PARTS, 0.0))
            load_and_check(config, key=KEY, year=YEAR, as_of=AS_OF)
            if number:  # the first run warms up
                for name, seconds in spent.items():
                    runs[name].append(seconds)
    for name, seconds in runs.items():
        print(
            f"{name:<18} median {statistics.median(seconds):.3f} s, runs {', '.join(f'{s:.3f}' for s in seconds)}"
        )


if __name__ == "__main__":
    main()
