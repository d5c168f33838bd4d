"""The demo hub, generated and validated once, as the benchmarks start from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from foundation.hub_config import HubConfig, load_config
from hubreturns.synthetic import generate_hub_area
from ingest.pipeline import input_frames, load_and_check
from ingest.sources import LoadedInput
from schemas.periods import AcademicYear
from transforms.activity import HubData

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)
KEY = b"benchmark-key-0123456789"


def demo_hub(folder: Path) -> tuple[HubConfig, list[LoadedInput], HubData]:
    """Generate the demo hub into ``folder``, read and validate it: its configuration, inputs and data."""
    config = load_config(generate_hub_area(Path(folder), seed=2026, year=YEAR))
    loaded = load_and_check(config, key=KEY, year=YEAR, as_of=AS_OF)
    return config, loaded, HubData.of_frames(input_frames(loaded))
