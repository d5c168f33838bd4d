"""`generate --faults`: the validation report lists every injected defect and nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from foundation.hub_config import load_config
from hubreturns.synthetic import generate_hub_area
from hubreturns.synthetic.faults import Fault, inject_faults
from ingest.pipeline import load_and_check
from schemas.periods import AcademicYear

YEAR = AcademicYear(2025)


def test_every_injected_defect_and_nothing_else(tmp_path: Path) -> None:
    config_path = generate_hub_area(tmp_path, seed=11, year=YEAR)
    expected = inject_faults(config_path, year=YEAR)
    assert {f.column for f in expected} >= {
        "start_date",
        "lesson_type",
        "remission_pct",
        "end_date",
        "pupil_ref",
        "enrolment_id",
        "upn",
        "ensemble_id",
        "urn",
        "pupils",
        "weeks",
    }
    loaded = load_and_check(
        load_config(config_path), key=b"faults-key-0123456789", year=YEAR, as_of=date(2026, 11, 23)
    )
    failures = pl.concat([item.failures for item in loaded])
    found = sorted(
        Fault(r["source"], r["file"], r["row"], r["column"], r["severity"])
        for r in failures.iter_rows(named=True)
    )
    assert found == expected
