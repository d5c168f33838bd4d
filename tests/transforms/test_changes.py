"""Changes since the previous run on a few long-format figures, with the expected rows worked out by hand."""

import polars as pl

from schemas.output_tables import FigureChange
from transforms.changes import TOLERANCE, figure_changes
from transforms.figures import FIGURE_SCHEMA


def _figures(rows: list[tuple[str, str, str, float | None]]) -> pl.LazyFrame:
    return pl.LazyFrame(rows, schema=FIGURE_SCHEMA, orient="row")


def test_changed_appeared_and_gone_figures_are_listed_and_unchanged_ones_are_not() -> None:
    previous = _figures(
        [
            ("wcet", "wcet_pupils count", "All: All", 50.0),  # changes to 51
            ("wcet", "wcet_pupils count", "NC year: Year 4", 3.0),  # unchanged
            ("tuition", "tuition_pupils count", "Gender: Male", 7.0),  # gone
            ("kpis", "KPI 1 count", "all", 0.1 + 0.2),  # 0.30000000000000004: the same as 0.3
        ]
    )
    current = _figures(
        [
            ("wcet", "wcet_pupils count", "All: All", 51.0),
            ("wcet", "wcet_pupils count", "NC year: Year 4", 3.0),
            ("kpis", "KPI 1 count", "all", 0.3),
            ("singing", "singing_regular count", "All: All", 130.0),  # appeared
        ]
    )
    changes = figure_changes(current, previous).collect()
    # Sorted by sheet, measure and breakdown.
    assert changes.rows() == [
        ("singing", "singing_regular count", "All: All", None, 130.0),
        ("tuition", "tuition_pupils count", "Gender: Male", 7.0, None),
        ("wcet", "wcet_pupils count", "All: All", 50.0, 51.0),
    ]
    FigureChange.validate(changes, lazy=True)
    assert changes.columns == list(FigureChange.to_schema().columns)


def test_values_within_the_tolerance_are_equal_and_just_beyond_are_not() -> None:
    previous = _figures([("s", "m", "a", 1.0), ("s", "m", "b", 1.0)])
    current = _figures([("s", "m", "a", 1.0 + TOLERANCE / 2), ("s", "m", "b", 1.0 + 10 * TOLERANCE)])
    changes = figure_changes(current, previous).collect()
    assert TOLERANCE == 1e-9
    assert changes.select("breakdown").to_series().to_list() == ["b"]


def test_an_empty_value_becoming_a_number_is_a_change_and_empty_to_empty_is_not() -> None:
    # A share with no denominator last time (empty) that has one now; another that is still empty.
    previous = _figures([("s", "m count_pct", "a", None), ("s", "m count_pct", "b", None)])
    current = _figures([("s", "m count_pct", "a", 0.25), ("s", "m count_pct", "b", None)])
    assert figure_changes(current, previous).collect().rows() == [("s", "m count_pct", "a", None, 0.25)]


def test_a_first_run_lists_every_figure_and_equal_runs_list_none() -> None:
    current = _figures([("s", "m", "a", 1.0), ("s", "m", "b", 2.0)])
    first = figure_changes(current, _figures([])).collect()
    assert first.rows() == [("s", "m", "a", None, 1.0), ("s", "m", "b", None, 2.0)]
    assert figure_changes(current, current).collect().height == 0
