"""Building blocks of the duty sheets' tidy tables, and the long format the store keeps every figure in."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

from schemas.columns import polars_schema
from schemas.output_tables import DutyFigures as Fig

ALL = "All"
NOT_KNOWN = "Not known"
FIGURE_SCHEMA = {"sheet": pl.String, "measure": pl.String, "breakdown": pl.String, "value": pl.Float64}
_ORDER = "_order"
_DUTY_SCHEMA = polars_schema(Fig)


@dataclass(frozen=True)
class Measure:
    """What a block of rows of a duty sheet counts."""

    measure_id: str
    title: str
    unit: str


@dataclass(frozen=True)
class Breakdown:
    """A way to split a measure's total: a name, the group of each counted unit, and the groups to show.

    ``categories`` lists every group in the order shown, so groups with nothing in them appear as 0;
    without it, the groups found are shown in alphabetical order. A unit whose group is unknown is
    counted under "Not known", so the groups still add up to the total.
    """

    name: str
    group: pl.Expr
    categories: Sequence[str] | None = None


def _labelled(
    rows: pl.LazyFrame, measure: Measure, breakdown: str, parent: tuple[str, str] | None
) -> pl.LazyFrame:
    return rows.select(
        pl.lit(measure.measure_id).alias(Fig.measure_id),
        pl.lit(measure.title).alias(Fig.measure),
        pl.lit(measure.unit).alias(Fig.unit),
        pl.lit(breakdown).alias(Fig.breakdown),
        pl.col(Fig.group).cast(pl.String),
        pl.col(Fig.count).cast(pl.Float64),
        pl.lit(None, dtype=pl.Float64).alias(Fig.denominator),
        pl.lit(None, dtype=pl.Float64).alias(Fig.count_pct),
        pl.lit(parent[0] if parent else None, dtype=pl.String).alias(Fig.parent_breakdown),
        pl.lit(parent[1] if parent else None, dtype=pl.String).alias(Fig.parent_group),
    )


def _in_order(counts: pl.LazyFrame, categories: Sequence[str] | None) -> pl.LazyFrame:
    """Counts per group with every listed category present (0 when empty), in the listed order."""
    if categories is None:
        return counts.sort(Fig.group)
    listed = pl.LazyFrame(
        {Fig.group: list(categories), _ORDER: list(range(len(categories)))},
        schema={Fig.group: pl.String, _ORDER: pl.Int64},
    )
    known = listed.join(counts, on=Fig.group, how="left").with_columns(pl.col(Fig.count).fill_null(0))
    # A group outside the list still counts (the groups must add up): it follows the listed ones.
    others = (
        counts.join(listed, on=Fig.group, how="anti")
        .sort(Fig.group)
        .with_columns((pl.int_range(pl.len()) + len(categories)).alias(_ORDER))
    )
    return pl.concat([known, others.select(known.collect_schema().names())]).sort(_ORDER).drop(_ORDER)


def tally(
    units: pl.LazyFrame,
    measure: Measure,
    *,
    weight: str | None = None,
    breakdowns: Sequence[Breakdown] = (),
) -> pl.LazyFrame:
    """The measure's total (the sum of ``weight``, or one per row of ``units``) and its additive breakdowns.

    ``units`` holds one row per thing counted (a pupil, a class, a school), so every breakdown adds up to
    the total; each breakdown row names the total as the row it adds up to.
    """
    # Without a weight every row counts one (pl.len, not a summed literal: that sums to 1 per group).
    amount = pl.col(weight).fill_null(0).sum() if weight else pl.len()
    total = units.select(amount.cast(pl.Float64).alias(Fig.count), pl.lit(ALL).alias(Fig.group))
    blocks = [_labelled(total, measure, ALL, None)]
    for breakdown in breakdowns:
        counts = units.group_by(breakdown.group.cast(pl.String).fill_null(NOT_KNOWN).alias(Fig.group)).agg(
            amount.cast(pl.Float64).alias(Fig.count)
        )
        blocks.append(_labelled(_in_order(counts, breakdown.categories), measure, breakdown.name, (ALL, ALL)))
    return pl.concat(blocks)


def tally_overlapping(
    pairs: pl.LazyFrame,
    measure: Measure,
    *,
    key: str,
    breakdown: Breakdown,
    parent: tuple[str, str] | None = None,
) -> pl.LazyFrame:
    """Unique ``key`` values per group, where one key may be in several groups (so groups do not add up).

    ``pairs`` holds one row per key and group; with ``parent`` the groups do add up, to that row.
    """
    counts = pairs.group_by(breakdown.group.cast(pl.String).fill_null(NOT_KNOWN).alias(Fig.group)).agg(
        pl.col(key).n_unique().cast(pl.Float64).alias(Fig.count)
    )
    return _labelled(_in_order(counts, breakdown.categories), measure, breakdown.name, parent)


def with_denominators(rows: pl.LazyFrame, denominators: pl.LazyFrame) -> pl.LazyFrame:
    """Rows with their 'out of' figure (matched on measure, breakdown and group) and the percentage.

    ``denominators`` has columns measure_id, breakdown, group and denominator; a row without one keeps none.
    """
    keys = [Fig.measure_id, Fig.breakdown, Fig.group]
    joined = rows.drop(Fig.denominator, Fig.count_pct).join(
        denominators.select(*keys, pl.col(Fig.denominator).cast(pl.Float64)),
        on=keys,
        how="left",
        maintain_order="left",
    )
    return joined.with_columns(share(Fig.count, Fig.denominator).alias(Fig.count_pct)).select(
        list(_DUTY_SCHEMA)
    )


def denominator_rows(measure_id: str, breakdown: str, groups: pl.LazyFrame) -> pl.LazyFrame:
    """Denominators for one breakdown of a measure, from a frame of group and denominator."""
    return groups.select(
        pl.lit(measure_id).alias(Fig.measure_id),
        pl.lit(breakdown).alias(Fig.breakdown),
        pl.col(Fig.group).cast(pl.String),
        pl.col(Fig.denominator).cast(pl.Float64),
    )


def share(count: str, denominator: str) -> pl.Expr:
    """count / denominator, empty when the denominator is empty or zero."""
    return pl.when(pl.col(denominator) > 0).then(pl.col(count) / pl.col(denominator)).otherwise(None)


def empty_duty_figures() -> pl.LazyFrame:
    """A duty table with no rows."""
    return pl.LazyFrame(schema=_DUTY_SCHEMA)


def duty_table(blocks: Sequence[pl.LazyFrame]) -> pl.LazyFrame:
    """The measures of one sheet, one block after another, in the DutyFigures columns."""
    if not blocks:
        return empty_duty_figures()
    return pl.concat([block.select(list(_DUTY_SCHEMA)).cast(_DUTY_SCHEMA) for block in blocks])  # type: ignore[arg-type]


def labels(mapping: Mapping[str, str], column: str) -> pl.Expr:
    """A column's codes shown as words (codes without a word are kept as they are)."""
    return pl.col(column).cast(pl.String).replace(mapping)


def yes_no(column: str) -> pl.Expr:
    """A Boolean shown as Yes or No (empty stays empty: 'Not known')."""
    return pl.when(pl.col(column)).then(pl.lit("Yes")).when(~pl.col(column)).then(pl.lit("No"))


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
        .cast(FIGURE_SCHEMA)  # type: ignore[arg-type]
    )


def long_keyed_figures(
    table: pl.LazyFrame,
    *,
    sheet: str,
    keys: Sequence[str],
    values: Sequence[str],
    measure_key: str | None = None,
) -> pl.LazyFrame:
    """Long figures of a table keyed by several columns: breakdown 'k1: k2: ...', measure the value column.

    With ``measure_key`` the measure is '<that column's value> <value column>' and it leaves the breakdown.
    """
    breakdown_keys = [k for k in keys if k != measure_key]
    return (
        table.select(
            *keys,
            *[pl.col(v).cast(pl.Float64) for v in values],
        )
        .unpivot(index=list(keys), on=list(values), variable_name="column", value_name="value")
        .select(
            pl.lit(sheet).alias("sheet"),
            (
                pl.col(measure_key).cast(pl.String) + " " + pl.col("column")
                if measure_key
                else pl.col("column")
            ).alias("measure"),
            pl.concat_str(
                [pl.col(k).cast(pl.String).fill_null("") for k in breakdown_keys], separator=": "
            ).alias("breakdown")
            if breakdown_keys
            else pl.lit("all").alias("breakdown"),
            pl.col("value"),
        )
        .cast(FIGURE_SCHEMA)  # type: ignore[arg-type]
    )


def measure_definition(function: Callable[..., object]) -> str:
    """A measure's definition: the first paragraph of the docstring of the transform computing it."""
    paragraph = (inspect.getdoc(function) or "").split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


# Polars' in-memory engine: on the return's many small, branching queries the streaming engine that "auto"
# picks was three times slower (0.78 s against 2.5 s for a hub of 956 schools; bench/national.py).
TABLE_ENGINE: Final = "in-memory"


def computed_once(frame: pl.LazyFrame) -> pl.LazyFrame:
    """A frame every table of a set joins (the school universe), computed now so the set's tables share it.

    Polars does not find the same sub-plan under every table of a ``collect_all`` here: without this, each
    table would work out the universe again (the demo's return takes 0.6 s instead of 1.4 s with it).
    """
    return frame.collect(engine=TABLE_ENGINE).lazy()


def collect_tables(tables: Mapping[str, pl.LazyFrame]) -> dict[str, pl.DataFrame]:
    """Every table computed in one go (parts they share computed once), by name."""
    return dict(zip(tables, pl.collect_all(list(tables.values()), engine=TABLE_ENGINE), strict=True))
