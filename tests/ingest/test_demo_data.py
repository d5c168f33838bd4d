"""The demo generator's files pass the project's own validation: no error and no warning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from foundation.hub_config import load_config
from hubreturns.synthetic import generate_hub_area
from ingest.pipeline import load_and_check
from schemas.hub_exports import HUB_EXPORTS
from schemas.periods import AcademicYear


def test_generated_hub_validates_cleanly(tmp_path: Path) -> None:
    config = load_config(generate_hub_area(tmp_path, seed=7, year=AcademicYear(2025)))
    loaded = load_and_check(
        config, key=b"demo-validation-key-123", year=AcademicYear(2025), as_of=date(2026, 11, 23)
    )
    failures = pl.concat([item.failures for item in loaded])
    assert failures.is_empty(), failures.head(20)
    assert {item.source for item in loaded} == {"gias", "gias_links", "census", "sen", *HUB_EXPORTS}
    assert all(item.rows_read > 0 and item.rows_quarantined == 0 for item in loaded)
    # GIAS's grid references are read: every school of the hub's area has one, inside its authority's districts
    # (a city about 10 km across, a county such as Derbyshire about 80 km), all in England's part of the grid.
    (register,) = [item.frame for item in loaded if item.source == "gias"]
    hub = register.filter(pl.col("la_code").is_in(list(config.hub.la_codes)))
    assert hub.get_column("easting").null_count() == 0 and hub.get_column("northing").null_count() == 0
    assert hub.get_column("easting").is_between(80_000, 660_000).all()
    assert hub.get_column("northing").is_between(5_000, 660_000).all()
    spread = hub.group_by("la_code").agg(
        (pl.col("easting").max() - pl.col("easting").min()).alias("across"),
        (pl.col("northing").max() - pl.col("northing").min()).alias("up"),
    )
    assert spread.get_column("across").is_between(1_000, 100_000).all(), spread
    assert spread.get_column("up").is_between(1_000, 100_000).all(), spread
