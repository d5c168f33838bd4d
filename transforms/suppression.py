"""Small-number suppression for published tables: hide small pupil counts, then enough others that none can be
worked out from what is shown.

A table is a flat sequence of cells (counts, or None where unknown) and additive groups saying which cells add
up to which (``total = sum(members)``). Each cell is a member of at most one group; a cell may be the total of
several groups (one per breakdown), and a member of one group may be the total of another (nesting), with no
cycles.

Attacker model (what the Notes sheet tells readers): every suppressed cell is a whole number of at least 1
(zeros are never suppressed, and secondary suppressions are only chosen among non-zero cells), with no
other bound, and the reader knows every additive relation. A suppressed cell is recoverable if it takes the
same value in every whole-number solution of the relations with the published cells fixed. A group with an
unknown (None) cell adds nothing a reader could work with, so it is left out of the relations.

Because the groups form a forest (no cell in two groups as a member, no cycles), propagating lower and upper
bounds through the relations until nothing changes gives each suppressed cell's exact range over the
whole-number solutions; that is the audit run after the group-by-group rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

_INF = math.inf
_Bounds = dict[int, tuple[float, float]]  # cell -> (least, greatest); greatest may be infinite


@dataclass(frozen=True)
class AdditiveGroup:
    """Cells whose values add up to another cell's."""

    total: int  # index of the total cell
    members: tuple[int, ...]  # indices of the member cells

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))


def primary_suppression(values: Sequence[int | None], *, threshold: int) -> list[bool]:
    """Which cells are small counts to hide: 1 to ``threshold``; zeros and unknowns are shown."""
    if threshold < 0:
        raise ValueError(f"the suppression threshold must be 0 or more, not {threshold}")
    _check_counts(values)
    return [value is not None and 1 <= value <= threshold for value in values]


def secondary_suppression(
    values: Sequence[int | None], groups: Sequence[AdditiveGroup], suppressed: Sequence[bool]
) -> list[bool]:
    """Which cells to hide so that no hidden cell can be worked out from the shown cells and the sums."""
    if len(suppressed) != len(values):
        raise ValueError(f"{len(suppressed)} suppression flags for {len(values)} cells")
    _check_counts(values)
    bad = [
        i for i, (value, hidden) in enumerate(zip(values, suppressed, strict=True)) if hidden and not value
    ]
    if bad:
        raise ValueError(f"only non-zero known counts can be suppressed; cells {bad} are zero or unknown")
    member_of, totals_of = _check_structure(len(values), groups)
    counts = [value or 0 for value in values]
    active = [g for g in groups if all(values[c] is not None for c in (g.total, *g.members))]
    for group in active:
        if counts[group.total] != sum(counts[m] for m in group.members):
            raise ValueError(f"cell {group.total} is not the sum of cells {list(group.members)}: {group}")
    mask = [bool(flag) for flag in suppressed]
    for component in _components(active, member_of):
        _protect(counts, component, mask, member_of, totals_of)
    return mask


def suppress(values: Sequence[int | None], groups: Sequence[AdditiveGroup], *, threshold: int) -> list[bool]:
    """Which cells a published table must hide: small counts, and enough others that none can be worked out."""
    return secondary_suppression(values, groups, primary_suppression(values, threshold=threshold))


def suppression_mask(
    table: pl.DataFrame,
    *,
    value: str,
    key: Sequence[str],
    parent: Sequence[str],
    threshold: int,
    within: Sequence[str] = (),
) -> pl.Series:
    """Which rows of a tidy table the published workbook must hide, as a Boolean Series named "suppressed".

    ``key`` columns identify a row; ``parent`` columns (as many, nullable) give the key of the row that is
    this row's total, all null for a row in no additive group. Rows with the same parent (and the same
    values of the ``within`` columns: e.g. two breakdowns of one total) form one group.
    """
    key, parent = list(key), list(parent)
    if not key or len(key) != len(parent):
        raise ValueError(f"key {key} and parent {parent} must name the same, non-zero number of columns")
    missing = [name for name in (value, *key, *parent) if name not in table.columns]
    if missing:
        raise ValueError(f"columns {missing} are not in the table")
    dtype = table.schema[value]
    if not (dtype.is_integer() or dtype == pl.Null):
        raise ValueError(f"column {value!r} must hold whole-number counts, not {dtype}")
    row_of: dict[tuple[object, ...], int] = {}
    for row, row_key in enumerate(table.select(key).rows()):
        if row_key in row_of:
            raise ValueError(f"key {dict(zip(key, row_key, strict=True))} names more than one row")
        row_of[row_key] = row
    members: dict[tuple[tuple[object, ...], tuple[object, ...]], list[int]] = {}
    sides = table.select(list(within)).rows() if within else [()] * table.height
    for row, (row_parent, side) in enumerate(zip(table.select(parent).rows(), sides, strict=True)):
        if any(part is not None for part in row_parent):
            members.setdefault((row_parent, side), []).append(row)
    groups = []
    for (row_parent, _), rows in members.items():
        if row_parent not in row_of:
            raise ValueError(
                f"parent {dict(zip(key, row_parent, strict=True))} is not the key of any row of the table"
            )
        groups.append(AdditiveGroup(row_of[row_parent], tuple(rows)))
    mask = suppress(table.get_column(value).to_list(), groups, threshold=threshold)
    return pl.Series("suppressed", mask, dtype=pl.Boolean)


# --- checks -------------------------------------------------------------------------------------------------


def _check_counts(values: Sequence[int | None]) -> None:
    """Refuse negative counts."""
    negative = [i for i, value in enumerate(values) if value is not None and value < 0]
    if negative:
        raise ValueError(f"counts cannot be negative: cells {negative}")


def _check_structure(
    size: int, groups: Sequence[AdditiveGroup]
) -> tuple[dict[int, AdditiveGroup], dict[int, list[AdditiveGroup]]]:
    """Each cell's group as a member and groups as the total, after checking the groups form a forest."""
    member_of: dict[int, AdditiveGroup] = {}
    totals_of: dict[int, list[AdditiveGroup]] = {}
    for group in groups:
        cells = (group.total, *group.members)
        if not group.members:
            raise ValueError(f"group with total {group.total} has no members")
        if any(not 0 <= cell < size for cell in cells):
            raise ValueError(f"{group} names a cell outside 0..{size - 1}")
        for member in group.members:
            if member in member_of:
                raise ValueError(f"cell {member} is a member of more than one group")
            member_of[member] = group
        totals_of.setdefault(group.total, []).append(group)
    for start in totals_of:
        seen = {start}
        cell = start
        while cell in member_of:
            cell = member_of[cell].total
            if cell in seen:
                raise ValueError(f"groups form a cycle through cell {cell}")
            seen.add(cell)
    return member_of, totals_of


def _components(
    groups: Sequence[AdditiveGroup], member_of: dict[int, AdditiveGroup]
) -> list[list[AdditiveGroup]]:
    """The groups in sets sharing no cell, each ordered deepest first (the order bounds travel up in)."""
    depth: dict[int, int] = {}

    def depth_of(cell: int) -> int:
        if cell not in depth:
            depth[cell] = depth_of(member_of[cell].total) + 1 if cell in member_of else 0
        return depth[cell]

    root: dict[int, int] = {}

    def find(cell: int) -> int:
        while root.setdefault(cell, cell) != cell:
            root[cell] = root[root[cell]]
            cell = root[cell]
        return cell

    for group in groups:
        for member in group.members:
            root[find(member)] = find(group.total)
    components: dict[int, list[AdditiveGroup]] = {}
    for group in sorted(groups, key=lambda g: -depth_of(g.total)):  # stable: ties keep their order
        components.setdefault(find(group.total), []).append(group)
    return list(components.values())


# --- suppression --------------------------------------------------------------------------------------------


def _protect(
    counts: list[int],
    groups: list[AdditiveGroup],
    mask: list[bool],
    member_of: dict[int, AdditiveGroup],
    totals_of: dict[int, list[AdditiveGroup]],
) -> None:
    """Add suppressions within one connected set of groups until the audit finds no recoverable cell."""
    while True:
        _apply_group_rules(counts, groups, mask)
        pinned = _recoverable(counts, groups, mask)
        if not pinned:
            return
        mask[_repair(counts, groups, mask, pinned[0], member_of, totals_of)] = True


def _apply_group_rules(counts: list[int], groups: list[AdditiveGroup], mask: list[bool]) -> None:
    """Suppress more in each group that, on its own, gives a suppressed cell away, until none does."""
    changed = True
    while changed:
        changed = False
        for group in groups:
            if _gives_away(counts, group, mask):
                mask[_group_choice(counts, group, mask)] = True
                changed = True


def _gives_away(counts: list[int], group: AdditiveGroup, mask: list[bool]) -> bool:
    """Whether one equation pins a suppressed cell: a lone suppressed cell, or published total over all-1s."""
    hidden = [m for m in group.members if mask[m]]
    if mask[group.total]:
        return not hidden
    return len(hidden) == 1 or (len(hidden) > 1 and all(counts[m] == 1 for m in hidden))


def _group_choice(counts: list[int], group: AdditiveGroup, mask: list[bool]) -> int:
    """The smallest non-zero shown member (lowest index on ties) that protects the group, else its total."""
    hidden = [m for m in group.members if mask[m]]
    # Under a shown total, suppressed members that are all 1 stay pinned if another 1 joins them.
    needs_two = not mask[group.total] and all(counts[m] == 1 for m in hidden)
    candidates = [m for m in group.members if not mask[m] and counts[m] >= (2 if needs_two else 1)]
    return min(candidates, key=lambda m: (counts[m], m)) if candidates else group.total


def _repair(
    counts: list[int],
    groups: list[AdditiveGroup],
    mask: list[bool],
    cell: int,
    member_of: dict[int, AdditiveGroup],
    totals_of: dict[int, list[AdditiveGroup]],
) -> int:
    """The cell to suppress next for a cell the audit found recoverable: the first, members before totals and
    smallest first, of the cells in its own groups whose suppression frees it."""
    own = ([member_of[cell]] if cell in member_of else []) + totals_of.get(cell, [])
    near = [g for g in own if g in groups]
    for pool in (near, groups):
        candidates = _ordered_candidates(counts, pool, mask)
        for candidate in candidates:
            trial = mask.copy()
            trial[candidate] = True
            if cell not in _recoverable(counts, groups, trial):
                return candidate
        if candidates:
            return candidates[0]
    raise AssertionError(f"cell {cell} is recoverable although every non-zero cell is suppressed")


def _ordered_candidates(counts: list[int], groups: Iterable[AdditiveGroup], mask: list[bool]) -> list[int]:
    """The shown non-zero cells of some groups: members smallest first, then totals smallest first."""
    members = {m for g in groups for m in g.members if not mask[m] and counts[m] > 0}
    totals = {g.total for g in groups if not mask[g.total] and counts[g.total] > 0} - members
    return sorted(members, key=lambda m: (counts[m], m)) + sorted(totals, key=lambda t: (counts[t], t))


# --- audit --------------------------------------------------------------------------------------------------


def _recoverable(counts: list[int], groups: list[AdditiveGroup], mask: list[bool]) -> list[int]:
    """The suppressed cells that take one value only over every whole-number solution, lowest index first."""
    bounds = _bounds(counts, groups, mask)
    return sorted(cell for cell, (low, high) in bounds.items() if mask[cell] and low == high)


def _bounds(counts: list[int], groups: list[AdditiveGroup], mask: list[bool]) -> _Bounds:
    """Each cell's exact range: shown cells fixed, suppressed ones from 1 up, tightened through the sums.

    Groups come deepest first; a sweep up then a sweep down reaches the fixed point on a forest, and a further
    sweep confirms it.
    """
    bounds: _Bounds = {}
    for group in groups:
        for cell in (group.total, *group.members):
            bounds[cell] = (1, _INF) if mask[cell] else (counts[cell], counts[cell])
    for sweep in range(2 * len(groups) + 2):
        order = groups if sweep % 2 == 0 else groups[::-1]
        changed = False
        for group in order:
            changed |= _tighten(group, bounds)
        if not changed:
            return bounds
    raise AssertionError("bounds did not settle; the groups are not a forest")


def _tighten(group: AdditiveGroup, bounds: _Bounds) -> bool:
    """Narrow the ranges of one group's cells to what ``total = sum(members)`` allows; whether any changed."""
    low_sum = sum(bounds[m][0] for m in group.members)
    unbounded = sum(1 for m in group.members if bounds[m][1] == _INF)
    high_sum = sum(bounds[m][1] for m in group.members if bounds[m][1] != _INF)
    total_low, total_high = bounds[group.total]
    new = {group.total: (max(total_low, low_sum), min(total_high, high_sum if not unbounded else _INF))}
    for member in group.members:
        low, high = bounds[member]
        others_low = low_sum - low
        others_unbounded = unbounded - (high == _INF)
        others_high = _INF if others_unbounded else high_sum - (0 if high == _INF else high)
        new[member] = (max(low, total_low - others_high), min(high, total_high - others_low))
    changed = False
    for cell, (low, high) in new.items():
        if low > high:
            raise AssertionError(f"no solution for cell {cell}; the sums do not hold")
        if (low, high) != bounds[cell]:
            bounds[cell] = (low, high)
            changed = True
    return changed
