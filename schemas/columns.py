"""The Polars column types a Pandera model declares, for building frames in a schema's shape."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """Column name -> Polars type, in the model's column order."""
    return {name: column.dtype.type for name, column in model.to_schema().columns.items()}
