"""What changed since the previous run: every published figure whose value differs."""

from __future__ import annotations

import polars as pl

from schemas.output_tables import FigureChange as Change

_KEY = [Change.sheet, Change.measure, Change.breakdown]
_PREVIOUS = "previous"
# Figures are stored as floats: closer than this is the same figure.
TOLERANCE = 1e-9


def figure_changes(current: pl.LazyFrame, previous: pl.LazyFrame) -> pl.LazyFrame:
    """Figures (sheet, measure, breakdown) whose value differs from the previous run's, or that appeared or
    went; one row each with the previous and the new value (empty when the figure was not there).
    """
    old = previous.select(*_KEY, pl.col("value").alias(_PREVIOUS))
    joined = current.select(*_KEY, "value").join(old, on=_KEY, how="full", coalesce=True)
    differs = (pl.col("value").is_null() != pl.col(_PREVIOUS).is_null()) | (
        (pl.col("value") - pl.col(_PREVIOUS)).abs() > TOLERANCE
    ).fill_null(False)
    return (
        joined.filter(differs)
        .select(*_KEY, pl.col(_PREVIOUS).alias(Change.previous_value), pl.col("value").alias(Change.value))
        .sort(_KEY)
    )
