"""Fuzzing campaign: the input readers' hostile-file properties (tests/ingest/test_fuzz.py), for minutes.

Run by hand:  .venv/bin/python bench/fuzz_readers.py --minutes 8 [--reader tuition ...]
Generates the demo hub once for seeds, then shares the time between the readers, running the test suite's
property in rounds of many examples. Prints, per reader, the cases tried, how they ended (data, a clear
error, a whole-file failure row) and every crash found, with the shrunk input that causes it.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.ingest.test_fuzz

from hubreturns.synthetic import generate_hub_area
from schemas.periods import AcademicYear
from tests.ingest.test_fuzz import FILES_READER, READERS, SEED_SEED, check_reader, hostile_file, load_seeds

ROUND_EXAMPLES = 100


def fuzz_one_round(reader: str, seed: object, folder: Path, outcomes: collections.Counter[str]) -> str | None:
    """Run one round of the property; return the crash found (shrunk), if any."""

    @settings(
        max_examples=ROUND_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(data=st.data())
    def property_(data: st.DataObject) -> None:
        outcomes[check_reader(reader, data.draw(hostile_file(seed)), folder)] += 1

    try:
        property_()
    except Exception as crash:  # noqa: BLE001 - a crash is what the campaign is looking for
        outcomes["crash"] += 1
        return f"{crash.__class__.__name__}: {str(crash).splitlines()[0] if str(crash) else ''}"[:400]
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--minutes", type=float, default=8.0, help="total time to spend (shared by the readers)"
    )
    parser.add_argument("--reader", action="append", help="only these readers (default: all)")
    args = parser.parse_args()
    readers = args.reader or [FILES_READER, *READERS]
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        area = Path(scratch) / "area"
        generate_hub_area(area, seed=SEED_SEED, year=AcademicYear(2025))
        seeds = load_seeds(area)
        print(f"seeds generated in {time.perf_counter() - started:.1f} s; fuzzing {len(readers)} readers")
        folder = Path(scratch) / "cases"
        folder.mkdir()
        budget = args.minutes * 60 / len(readers)
        results: dict[str, tuple[collections.Counter[str], list[str], float]] = {}
        for reader in readers:
            outcomes: collections.Counter[str] = collections.Counter()
            crashes: list[str] = []
            began = time.perf_counter()
            while time.perf_counter() - began < budget:
                crash = fuzz_one_round(reader, seeds[reader], folder, outcomes)
                if crash and crash not in crashes:
                    crashes.append(crash)
            spent = time.perf_counter() - began
            results[reader] = (outcomes, crashes, spent)
            tried = sum(n for kind, n in outcomes.items() if kind != "crash")
            print(
                f"{reader:18} {tried:6} cases in {spent:5.0f} s: {outcomes['data']} data, {outcomes['error']} "
                f"clear errors, {outcomes['failure row']} failure rows, {len(crashes)} crashes",
                flush=True,
            )
            for crash in crashes:
                print(f"    CRASH {crash}")
    total = sum(sum(n for kind, n in o.items() if kind != "crash") for o, _, _ in results.values())
    found = sum(len(c) for _, c, _ in results.values())
    print(f"total: {total} cases, {found} distinct crashes")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
