"""The validated inputs a duty transform may use, bundled so every measure takes the same argument."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class HubData:
    """Validated, pseudonymised inputs of one hub, as LazyFrames in their schemas' column names."""

    establishments: pl.LazyFrame
    census: pl.LazyFrame
    pupils: pl.LazyFrame
    wcet: pl.LazyFrame
    wcet_participants: pl.LazyFrame
    tuition: pl.LazyFrame
    ensembles: pl.LazyFrame
    ensemble_members: pl.LazyFrame
    singing: pl.LazyFrame
    engagements: pl.LazyFrame
