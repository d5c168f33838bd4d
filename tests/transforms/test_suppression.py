"""Small-number suppression: hand-worked tables, and a property test judging each result by a linear program.

The oracle (scipy's linprog) is independent of the module's own audit: for each suppressed cell it finds the
least and greatest value the cell can take with the published cells fixed, the sums holding and every
suppressed cell at least 1. The constraint matrices of forest-shaped groups are totally unimodular, so those
bounds are whole numbers; a cell is protected when they differ by at least 1.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from transforms.suppression import (
    AdditiveGroup as G,
)
from transforms.suppression import (
    _recoverable,  # the module's own audit, checked against the oracle below
    primary_suppression,
    secondary_suppression,
    suppress,
    suppression_mask,
)


def hidden(mask: list[bool]) -> set[int]:
    return {i for i, flag in enumerate(mask) if flag}


# --- hand-worked examples (threshold 4 unless said) ---------------------------------------------------------


def test_primary_hides_one_to_threshold_only() -> None:
    assert primary_suppression([0, 1, 4, 5, None], threshold=4) == [False, True, True, False, False]
    assert primary_suppression([0, 1, 2], threshold=0) == [False, False, False]


def test_one_small_member_takes_the_next_smallest_non_zero_member_with_it() -> None:
    # All 23 = 3 + 12 + 8: 3 alone would be 23 - 12 - 8, so the smallest other member, 8, goes too
    # (then 3 + 8 = 11 in ten ways).
    assert hidden(suppress([23, 3, 12, 8], [G(0, (1, 2, 3))], threshold=4)) == {1, 3}


def test_ties_go_to_the_lowest_index() -> None:
    # 30 = 2 + 9 + 9 + 10: either 9 would do; the first one goes.
    assert hidden(suppress([30, 2, 9, 9, 10], [G(0, (1, 2, 3, 4))], threshold=4)) == {1, 2}


def test_small_members_that_are_all_ones_need_a_member_of_two_or_more() -> None:
    # 13 = 1 + 1 + 5 + 6: the two hidden 1s add up to 2, which pins both at 1. Another 1 would not help,
    # so the smallest member of at least 2, 5, goes: the hidden cells then add up to 7 in several ways.
    assert hidden(suppress([13, 1, 1, 5, 6], [G(0, (1, 2, 3, 4))], threshold=4)) == {1, 2, 3}
    # 13 = 1 + 1 + 1 + 10: 1 + 1 = 2 is pinned; the next 1 would still be all 1s, so 10 goes.
    assert hidden(suppress([13, 1, 1, 1, 10], [G(0, (1, 2, 3, 4))], threshold=1)) == {1, 2, 3, 4}


def test_members_all_ones_under_a_shown_total_take_the_total_with_them() -> None:
    # 3 = 1 + 1 + 1 with only 1s hidden (threshold 1): the members sum to their count, so the total must go.
    assert hidden(suppress([3, 1, 1, 1], [G(0, (1, 2, 3))], threshold=1)) == {0, 1, 2, 3}


def test_a_small_total_with_small_members_needs_nothing_more() -> None:
    # 4 = 1 + 3 + 0: all three non-zero cells are small; 4 = x + y with x, y >= 1 has several solutions.
    assert hidden(suppress([4, 1, 3, 0], [G(0, (1, 2, 3))], threshold=4)) == {0, 1, 2}


def test_zeros_are_never_suppressed() -> None:
    # 10 = 3 + 0 + 7: the zero is the smallest member, but a hidden zero would be a giveaway; 7 goes instead.
    assert hidden(suppress([10, 3, 0, 7], [G(0, (1, 2, 3))], threshold=4)) == {1, 3}
    # 2 = 0 + 2 + 0: total and member are both small; the zeros stay shown.
    assert hidden(suppress([2, 0, 2, 0], [G(0, (1, 2, 3))], threshold=4)) == {0, 2}
    assert suppress([0, 0, 0], [G(0, (1, 2))], threshold=4) == [False, False, False]


def test_unknowns_are_never_suppressed_and_their_groups_give_nothing_away() -> None:
    assert hidden(suppress([None, 3, 12, 8], [G(0, (1, 2, 3))], threshold=4)) == {1}
    assert hidden(suppress([23, 3, None, 8], [G(0, (1, 2, 3))], threshold=4)) == {1}


def test_two_breakdowns_sharing_a_total() -> None:
    # All 30 by NC year (2, 13, 15) and by gender (14, 16): only the NC-year breakdown needs a second cell.
    groups = [G(0, (1, 2, 3)), G(0, (4, 5))]
    assert hidden(suppress([30, 2, 13, 15, 14, 16], groups, threshold=4)) == {1, 2}


def test_a_suppressed_shared_total_needs_a_cell_hidden_in_every_breakdown() -> None:
    # 50 = A 4 + B 46, and B = 20 + 26 (NC year) = 10 + 36 (gender). A is small, so B (the only other
    # member) goes; B would then be 20 + 26 in one breakdown and 10 + 36 in the other, so 20 and 10 go too.
    groups = [G(0, (1, 2)), G(2, (3, 4)), G(2, (5, 6))]
    assert hidden(suppress([50, 4, 46, 20, 26, 10, 36], groups, threshold=4)) == {1, 2, 3, 5}


def test_a_nested_group() -> None:
    # All 40 = strings 17 + brass 23; strings = KS2 2 + KS3 15. 2 takes 15 with it; then strings (17) is
    # 40 - 23, still shown, so nothing above changes.
    groups = [G(0, (1, 2)), G(1, (3, 4))]
    assert hidden(suppress([40, 17, 23, 2, 15], groups, threshold=4)) == {3, 4}
    # Same, but the strings total is itself small: it takes brass with it, and its own members are small too.
    assert hidden(suppress([26, 3, 23, 1, 2], groups, threshold=4)) == {1, 2, 3, 4}


def test_a_bridge_through_a_nested_group_is_caught_by_the_audit() -> None:
    # All 9 = A 2 + B 4 + C 3; C = 1 + D 2 + 0; D = 1 + 1 (threshold 1, so only the 1s are small).
    # Group by group: C's lone 1 takes D (the smallest member of at least 2), and D's 1s are both hidden.
    # But D = x + y >= 2 and C = 3 = 1' + D with 1' >= 1 force D = 2, so every hidden cell is pinned.
    # The audit hides C (C has no other non-zero member); then All 9 = 2 + 4 + C gives C away, so A goes.
    values = [9, 2, 4, 3, 1, 2, 0, 1, 1]
    groups = [G(0, (1, 2, 3)), G(3, (4, 5, 6)), G(5, (7, 8))]
    assert hidden(suppress(values, groups, threshold=1)) == {1, 3, 4, 5, 7, 8}


def test_secondary_keeps_what_was_already_suppressed() -> None:
    mask = secondary_suppression([23, 3, 12, 8], [G(0, (1, 2, 3))], [False, False, True, False])
    # 12 arrives suppressed on its own; the smallest other member, 3, goes with it.
    assert hidden(mask) == {1, 2}


@pytest.mark.parametrize(
    ("values", "groups", "message"),
    [
        ([5, 2, 3, 1], [G(0, (1, 2)), G(3, (1,))], "more than one group"),
        ([2, 2, 2], [G(0, (1,)), G(1, (2,)), G(2, (0,))], "cycle"),
        ([5, 2, 2], [G(0, (1, 2))], "not the sum"),
        ([5, 2], [G(0, (1, 2))], "outside"),
        ([5, -1, 6], [G(0, (1, 2))], "negative"),
        ([5], [G(0, ())], "no members"),
    ],
)
def test_bad_groups_are_refused(values: list[int], groups: list[G], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(values, groups, threshold=4)


def test_only_non_zero_counts_can_arrive_suppressed() -> None:
    with pytest.raises(ValueError, match="zero or unknown"):
        secondary_suppression([3, 0, 3], [G(0, (1, 2))], [False, True, True])


# --- table adapter ------------------------------------------------------------------------------------------


def test_suppression_mask_on_a_tidy_table() -> None:
    table = pl.DataFrame(
        {
            "measure_id": ["M1"] * 4 + ["M2"] * 2,
            "breakdown": ["All", "NC year", "NC year", "NC year", "All", "Gender"],
            "group": ["All", "Year 3", "Year 4", "Year 5", "All", "F"],
            "value": [23, 3, 12, 8, 0, 0],
            "parent_measure_id": [None, "M1", "M1", "M1", None, "M2"],
            "parent_breakdown": [None, "All", "All", "All", None, "All"],
            "parent_group": [None, "All", "All", "All", None, "All"],
        }
    )
    mask = suppression_mask(
        table,
        value="value",
        key=["measure_id", "breakdown", "group"],
        parent=["parent_measure_id", "parent_breakdown", "parent_group"],
        threshold=4,
    )
    assert mask.name == "suppressed" and mask.dtype == pl.Boolean
    # 3 is small; 8 is the smallest other member and goes as secondary; the total and 12 stay.
    assert mask.to_list() == [False, True, False, True, False, False]


def test_suppression_mask_names_a_parent_that_is_not_in_the_table() -> None:
    table = pl.DataFrame(
        {
            "measure_id": ["M1", "M1"],
            "group": ["All", "Year 3"],
            "value": [3, 3],
            "parent_measure_id": [None, "M1"],
            "parent_group": [None, "Total"],
        }
    )
    with pytest.raises(ValueError, match="Total"):
        suppression_mask(
            table,
            value="value",
            key=["measure_id", "group"],
            parent=["parent_measure_id", "parent_group"],
            threshold=4,
        )


# --- property test ------------------------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[int], list[G]]:
    """A total with 1-3 breakdowns of 2-5 members; up to 3 times, a member gets a nested breakdown of 2-4
    cells (a member may get two, and nested members may nest again). Leaves are 0..30; totals are sums."""
    breakdowns: dict[int, list[list[int]]] = {0: []}
    size = 1

    def add_breakdown(cell: int, count: int) -> None:
        nonlocal size
        breakdowns.setdefault(cell, []).append(list(range(size, size + count)))
        size += count

    for _ in range(draw(st.integers(1, 3))):
        add_breakdown(0, draw(st.integers(2, 5)))
    for _ in range(draw(st.integers(0, 3))):
        cell = draw(st.integers(1, size - 1))
        if len(breakdowns.get(cell, [])) < 2:
            add_breakdown(cell, draw(st.integers(2, 4)))

    leaf = st.one_of(st.integers(0, 5), st.integers(0, 30))
    values = [0] * size

    def fill(cell: int, value: int | None) -> int:
        splits = breakdowns.get(cell, [])
        if not splits:
            values[cell] = draw(leaf) if value is None else value
            return values[cell]
        if value is None:  # the first breakdown is built up from its leaves; any others split the sum
            value = sum(fill(member, None) for member in splits[0])
            splits = splits[1:]
        values[cell] = value
        for members in splits:
            cuts = sorted(
                draw(st.lists(st.integers(0, value), min_size=len(members) - 1, max_size=len(members) - 1))
            )
            for member, low, high in zip(members, [0, *cuts], [*cuts, value], strict=True):
                fill(member, high - low)
        return value

    fill(0, None)
    # Shuffle cell indices and group order, so ties and processing order are exercised too.
    position = draw(st.permutations(range(size)))
    shuffled = [0] * size
    for cell, value in enumerate(values):
        shuffled[position[cell]] = value
    groups = [
        G(position[total], tuple(position[m] for m in members))
        for total, splits in breakdowns.items()
        for members in splits
    ]
    return shuffled, list(draw(st.permutations(groups)))


def lp_ranges(values: list[int], groups: list[G], mask: list[bool]) -> dict[int, tuple[float, float]]:
    """Least and greatest value of each suppressed cell over the solutions (published cells fixed, >= 1)."""
    variables = [cell for cell, flag in enumerate(mask) if flag]
    column = {cell: j for j, cell in enumerate(variables)}
    rows, rhs = [], []
    for group in groups:  # total - sum(members) = 0, published cells moved to the right-hand side
        row, constant = [0.0] * len(variables), 0
        for cell, sign in [(group.total, 1), *((m, -1) for m in group.members)]:
            if mask[cell]:
                row[column[cell]] += sign
            else:
                constant -= sign * values[cell]
        if any(row):
            rows.append(row)
            rhs.append(constant)
    ranges = {}
    for cell, j in column.items():
        objective = [0.0] * len(variables)
        ends = []
        for sign in (1, -1):
            objective[j] = sign
            result = linprog(objective, A_eq=rows or None, b_eq=rhs or None, bounds=(1, None), method="highs")
            assert result.status in (0, 3), result.message  # 3: unbounded (no upper limit)
            ends.append(sign * result.fun if result.status == 0 else float("inf"))
        ranges[cell] = (ends[0], ends[1])
    return ranges


@settings(max_examples=300, deadline=None)
@given(table=tables(), threshold=st.integers(1, 5))
def test_no_suppressed_cell_can_be_worked_out(table: tuple[list[int], list[G]], threshold: int) -> None:
    values, groups = table
    mask = suppress(values, groups, threshold=threshold)
    for cell, value in enumerate(values):
        assert mask[cell] or not 1 <= value <= threshold, f"small count {value} in cell {cell} is shown"
        assert not (mask[cell] and value == 0), f"zero in cell {cell} is suppressed"
    for cell, (least, greatest) in lp_ranges(values, groups, mask).items():
        assert least <= values[cell] <= greatest
        assert greatest - least >= 1 - 1e-6, f"cell {cell} is recoverable as {values[cell]}"


@settings(max_examples=150, deadline=None)
@given(table=tables(), data=st.data())
def test_the_modules_audit_agrees_with_the_linear_program(
    table: tuple[list[int], list[G]], data: st.DataObject
) -> None:
    # Any choice of non-zero cells to hide: the module's bound propagation must find exactly the cells the
    # linear program finds pinned (this is what lets suppress() repair bridges the group rules miss).
    values, groups = table
    flags = data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    mask = [flag and value > 0 for flag, value in zip(flags, values, strict=True)]
    ranges = lp_ranges(values, groups, mask)
    pinned = {cell for cell, (least, greatest) in ranges.items() if greatest - least < 0.5}
    assert set(_recoverable(values, groups, mask)) == pinned
