"""The duty tables' building blocks on frames of a few rows, with the expected figures worked out by hand."""

import polars as pl
import pytest

from schemas.output_tables import DutyFigures
from transforms.figures import (
    ALL,
    NOT_KNOWN,
    Breakdown,
    Measure,
    denominator_rows,
    duty_table,
    empty_duty_figures,
    tally,
    tally_overlapping,
    with_denominators,
)

PUPILS = Measure("m_pupils", "Pupils doing something", "pupils")
BY_GROUP = Breakdown("Group", pl.col("g"))


def _units(groups: list[str | None], weights: list[int] | None = None) -> pl.LazyFrame:
    data: dict[str, list] = {"g": groups}
    if weights is not None:
        data["w"] = weights
    return pl.LazyFrame(
        data, schema={"g": pl.String, "w": pl.Int64} if weights is not None else {"g": pl.String}
    )


def _counts(rows: pl.LazyFrame | pl.DataFrame) -> dict[tuple[str, str, str], float]:
    table = rows.collect() if isinstance(rows, pl.LazyFrame) else rows
    return {(r["measure_id"], r["breakdown"], r["group"]): r["count"] for r in table.iter_rows(named=True)}


def _groups(rows: pl.LazyFrame, breakdown: str) -> list[tuple[str, float]]:
    table = rows.collect().filter(pl.col("breakdown") == breakdown)
    return list(zip(table.get_column("group").to_list(), table.get_column("count").to_list(), strict=True))


def test_tally_without_weight_counts_one_per_row() -> None:
    # Three units in groups a, a, b: All 3, a 2, b 1 (no categories: alphabetical).
    rows = tally(_units(["a", "a", "b"]), PUPILS, breakdowns=[BY_GROUP])
    assert _counts(rows) == {
        ("m_pupils", ALL, ALL): 3.0,
        ("m_pupils", "Group", "a"): 2.0,
        ("m_pupils", "Group", "b"): 1.0,
    }
    assert _groups(rows, "Group") == [("a", 2.0), ("b", 1.0)]


def test_tally_with_a_weight_sums_it_and_treats_empty_weights_as_zero() -> None:
    # a: 10 + 5 = 15; b: 7 + (empty) = 7; All 22.
    units = pl.LazyFrame(
        {"g": ["a", "a", "b", "b"], "w": [10, 5, 7, None]}, schema={"g": pl.String, "w": pl.Int64}
    )
    rows = tally(units, PUPILS, weight="w", breakdowns=[BY_GROUP])
    assert _counts(rows) == {
        ("m_pupils", ALL, ALL): 22.0,
        ("m_pupils", "Group", "a"): 15.0,
        ("m_pupils", "Group", "b"): 7.0,
    }


def test_tally_rows_carry_the_measure_and_name_the_total_as_their_parent() -> None:
    table = tally(_units(["a", "b"]), PUPILS, breakdowns=[BY_GROUP]).collect()
    assert table.columns == list(DutyFigures.to_schema().columns)
    assert table.row(0, named=True) == {
        "measure_id": "m_pupils",
        "measure": "Pupils doing something",
        "unit": "pupils",
        "breakdown": ALL,
        "group": ALL,
        "count": 2.0,
        "denominator": None,
        "count_pct": None,
        "parent_breakdown": None,
        "parent_group": None,
    }
    assert table.filter(pl.col("breakdown") == "Group").select("parent_breakdown", "parent_group").rows() == [
        (ALL, ALL),
        (ALL, ALL),
    ]
    DutyFigures.validate(table, lazy=True)


def test_categories_give_zero_rows_in_the_listed_order() -> None:
    # Listed c, b, a: c has nothing (0), b 1, a 2, shown in that order, not alphabetically.
    rows = tally(
        _units(["a", "a", "b"]), PUPILS, breakdowns=[Breakdown("Group", pl.col("g"), ["c", "b", "a"])]
    )
    assert _groups(rows, "Group") == [("c", 0.0), ("b", 1.0), ("a", 2.0)]


def test_a_group_outside_the_categories_still_counts_after_the_listed_ones() -> None:
    # z is not listed: it follows a and b so the groups still add up to 4.
    rows = tally(
        _units(["a", "z", "z", "b"]), PUPILS, breakdowns=[Breakdown("Group", pl.col("g"), ["b", "a"])]
    )
    assert _groups(rows, "Group") == [("b", 1.0), ("a", 1.0), ("z", 2.0)]


def test_a_null_group_is_counted_as_not_known_so_the_groups_add_up() -> None:
    # a 2, unknown 1: the groups add up to the total 3.
    rows = tally(_units(["a", None, "a"]), PUPILS, breakdowns=[Breakdown("Group", pl.col("g"), ["a", "b"])])
    assert _groups(rows, "Group") == [("a", 2.0), ("b", 0.0), (NOT_KNOWN, 1.0)]
    table = rows.collect()
    groups_sum = table.filter(pl.col("breakdown") == "Group").get_column("count").sum()
    assert groups_sum == table.filter(pl.col("breakdown") == ALL).item(0, "count") == 3.0


def test_tally_of_no_units_gives_zeros() -> None:
    rows = tally(_units([]), PUPILS, breakdowns=[Breakdown("Group", pl.col("g"), ["a"])])
    assert _counts(rows) == {("m_pupils", ALL, ALL): 0.0, ("m_pupils", "Group", "a"): 0.0}
    weighted = tally(_units([], []), PUPILS, weight="w")
    assert _counts(weighted) == {("m_pupils", ALL, ALL): 0.0}


def test_tally_overlapping_counts_unique_keys_per_group() -> None:
    # p1 in a (twice) and b, p2 in b, p3 in a: a {p1, p3} 2, b {p1, p2} 2; 4 > 3 pupils, so no parent.
    pairs = pl.LazyFrame({"key": ["p1", "p1", "p1", "p2", "p3"], "g": ["a", "a", "b", "b", "a"]})
    rows = tally_overlapping(
        pairs, PUPILS, key="key", breakdown=Breakdown("Group", pl.col("g"), ["a", "b", "c"])
    )
    table = rows.collect()
    assert _groups(rows, "Group") == [("a", 2.0), ("b", 2.0), ("c", 0.0)]
    assert table.get_column("parent_breakdown").to_list() == [None, None, None]
    assert table.get_column("parent_group").to_list() == [None, None, None]


def test_tally_overlapping_with_a_parent_names_it_and_counts_unknown_groups() -> None:
    pairs = pl.LazyFrame({"key": ["p1", "p2"], "g": ["a", None]}, schema={"key": pl.String, "g": pl.String})
    table = tally_overlapping(
        pairs, PUPILS, key="key", breakdown=Breakdown("Detail", pl.col("g")), parent=("Kind", "x")
    ).collect()
    # No categories: alphabetical, "Not known" among them.
    assert table.select("group", "count", "parent_breakdown", "parent_group").rows() == [
        (NOT_KNOWN, 1.0, "Kind", "x"),
        ("a", 1.0, "Kind", "x"),
    ]


def test_with_denominators_adds_the_share_and_leaves_rows_without_one_empty() -> None:
    # All 3 out of 12 -> 0.25; a 2 out of 4 -> 0.5; b 1 out of 0 -> no share; c has no denominator at all.
    rows = tally(
        _units(["a", "a", "b"]), PUPILS, breakdowns=[Breakdown("Group", pl.col("g"), ["a", "b", "c"])]
    )
    denominators = pl.concat(
        [
            denominator_rows("m_pupils", ALL, pl.LazyFrame({"group": [ALL], "denominator": [12]})),
            denominator_rows("m_pupils", "Group", pl.LazyFrame({"group": ["a", "b"], "denominator": [4, 0]})),
            denominator_rows(
                "other", "Group", pl.LazyFrame({"group": ["c"], "denominator": [9]})
            ),  # other measure
        ]
    )
    table = with_denominators(rows, denominators).collect()
    assert table.select("breakdown", "group", "count", "denominator", "count_pct").rows() == [
        (ALL, ALL, 3.0, 12.0, 0.25),
        ("Group", "a", 2.0, 4.0, 0.5),
        ("Group", "b", 1.0, 0.0, None),
        ("Group", "c", 0.0, None, None),
    ]
    assert table.columns == list(DutyFigures.to_schema().columns)
    DutyFigures.validate(table, lazy=True)


def test_duty_table_stacks_blocks_and_is_empty_without_any() -> None:
    first = tally(_units(["a"]), PUPILS)
    second = tally(_units(["a", "b"]), Measure("m_schools", "Schools", "schools"))
    table = duty_table([first, second]).collect()
    DutyFigures.validate(table, lazy=True)
    assert _counts(table) == {("m_pupils", ALL, ALL): 1.0, ("m_schools", ALL, ALL): 2.0}
    empty = duty_table([]).collect()
    assert empty.height == 0
    assert empty.schema == empty_duty_figures().collect_schema()


@pytest.mark.parametrize("unit", ["pupils", "schools", "classes"])
def test_the_unit_is_kept(unit: str) -> None:
    table = tally(_units(["a"]), Measure("m", "M", unit)).collect()
    assert table.get_column("unit").to_list() == [unit]
