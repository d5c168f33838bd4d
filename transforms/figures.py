"""Published tables in long format (sheet, measure, breakdown, value), as the store keeps them."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

FIGURE_SCHEMA = {"sheet": pl.String, "measure": pl.String, "breakdown": pl.String, "value": pl.Float64}


def long_figures(
    table: pl.LazyFrame, *, sheet: str, key: str, values: Sequence[str], breakdown: str | None = None
) -> pl.LazyFrame:
    """One row per (row key, value column): measure '<key> <column>', breakdown from a column or 'all'."""
    index = list(dict.fromkeys([key] if breakdown is None else [key, breakdown]))
    return (
        table.select(*index, *[pl.col(v).cast(pl.Float64) for v in values])
        .unpivot(index=index, on=list(values), variable_name="column", value_name="value")
        .select(
            pl.lit(sheet).alias("sheet"),
            (pl.col(key).cast(pl.String) + " " + pl.col("column")).alias("measure")
            if breakdown is None
            else pl.col("column").alias("measure"),
            (pl.lit("all") if breakdown is None else pl.col(breakdown).cast(pl.String)).alias("breakdown"),
            pl.col("value"),
        )
        .cast(FIGURE_SCHEMA)
    )
