"""Every check of a Pandera model over a Polars frame in one pass, and Pandera itself only where one fails.

Pandera's Polars backend runs each column's checks as queries of their own (nullable, unique, dtype, then
each check), a few collects per check: for a model of twenty columns that is a hundred small queries, which
cost far more than the checks. ``failing_columns`` puts the same checks (Pandera's own check functions, so
the same expressions) into one query and says which columns break one. Callers then run Pandera only over
those columns, or not at all, so a failure report is Pandera's own, row for row, and a frame that passes
costs one query.
"""

from __future__ import annotations

from typing import Any

import pandera.backends.polars.builtin_checks as polars_checks
import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData
from pandera.config import ValidationDepth, get_config_context

# Why a schema or column is left to Pandera entirely: features that change the frame or check it whole.
_SCHEMA_FEATURES = (
    "checks",
    "parsers",
    "dtype",
    "coerce",
    "add_missing_columns",
    "drop_invalid_rows",
    "ordered",
)
_COLUMN_FEATURES = ("coerce", "regex", "parsers", "default", "drop_invalid_rows")


def _plain(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> bool:
    """Whether every check of ``schema`` is one ``failing_columns`` can run (else Pandera runs them all)."""
    config = get_config_context()
    if not config.validation_enabled or config.validation_depth not in (
        None,
        ValidationDepth.SCHEMA_AND_DATA,
    ):
        return False
    if any(getattr(schema, feature, None) for feature in _SCHEMA_FEATURES):
        return False
    names = set(frame.columns)
    if schema.strict and names - set(schema.columns):
        return False
    for name, column in schema.columns.items():
        if name not in names or any(getattr(column, feature, None) for feature in _COLUMN_FEATURES):
            return False
        if any(check.element_wise or check._check_fn is None for check in column.checks):
            return False
    return True


def _polars_function(check: pa.Check) -> Any:
    """The function Pandera runs for ``check`` on Polars data: a built-in check's Polars version, else its own.

    Pandera picks a built-in check's version by the data's type from a registry that is filled as its Polars
    backend is first used; the Polars module holds the same functions by name, whatever was imported first.
    """
    registry = getattr(check._check_fn, "_function_registry", None)
    if registry is None:
        return check._check_fn
    if PolarsData in registry:
        return registry[PolarsData]
    return getattr(polars_checks, str(check.name), check._check_fn)


def _check_frames(schema: pa.DataFrameSchema, frame: pl.LazyFrame) -> list[tuple[str, pl.LazyFrame]]:
    """Per column, one single-column frame per data check: true where a row fails it (as Pandera decides)."""
    found: list[tuple[str, pl.LazyFrame]] = []
    types = frame.collect_schema()
    for name, column in schema.columns.items():
        value = pl.col(name)
        if not column.nullable:
            missing = value.is_null() | value.is_nan() if types[name].is_float() else value.is_null()
            found.append((name, frame.select(missing)))
        if column.unique:
            found.append((name, frame.select(value.is_duplicated())))
        for check in column.checks:
            out = _polars_function(check)(PolarsData(frame, name), **check._check_kwargs)
            if not isinstance(out, pl.LazyFrame) or len(out.collect_schema()) != 1:
                raise TypeError("a check that is not one boolean column")
            passed = pl.col(out.collect_schema().names()[0])
            failed = ~(passed | passed.is_null()) if check.ignore_na else ~passed.fill_null(False)
            found.append((name, out.select(failed)))
    return found


def failing_columns(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> list[str] | None:
    """The columns of ``schema`` (in its order) breaking one of its checks, found in one query.

    None when the schema uses something this does not run (coercion, parsers, whole-frame checks...), or a
    check could not be run this way, or the schema's multi-column uniqueness fails: then only Pandera over
    the whole frame gives its report. A column with a wrong dtype counts as failing.
    """
    if not _plain(schema, frame):
        return None
    lazy = frame.lazy()
    try:
        found = _check_frames(schema, lazy)
        flags = [
            checked.select(pl.first().any().alias(f"c{number}")) for number, (_, checked) in enumerate(found)
        ]
        unique: list[Any] = list(schema.unique or [])
        if unique:
            flags.append(lazy.select(pl.struct(unique).is_duplicated().any().alias("unique")))
        failed = pl.concat(flags, how="horizontal").collect().row(0) if flags else ()
    except Exception:  # noqa: BLE001 - any check this cannot run is left to Pandera, which reports it
        return None
    if unique and failed[-1]:
        return None
    broken = {name for (name, _), fails in zip(found, failed, strict=False) if fails}
    for name, column in schema.columns.items():
        # As Pandera checks a column's type: its dtype against the frame's (no query).
        if column.dtype is not None and not column.dtype.check(frame.schema[name], PolarsData(lazy, name)):
            broken.add(name)
    return [name for name in schema.columns if name in broken]


def validate(model: type[pa.DataFrameModel], frame: pl.DataFrame) -> pl.DataFrame:
    """``model.validate(frame, lazy=True)``, as Pandera does it, in one query when every check passes."""
    if failing_columns(model.to_schema(), frame) == []:
        return frame
    return model.validate(frame, lazy=True)
