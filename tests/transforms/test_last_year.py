"""Last year's figures beside this year's on a duty sheet, read from last year's figures as the store keeps them."""

import polars as pl
import pytest

from schemas.columns import polars_schema
from schemas.output_tables import (
    DutyFigures,
    DutySheetFigures,
    InclusionSheetFigures,
    WorkforceFigures,
    WorkforceSheetFigures,
)
from transforms.last_year import duty_with_last_year, workforce_with_last_year
from transforms.return_tables import return_figures


def duty(rows: list[tuple]) -> pl.LazyFrame:
    """Rows of (measure_id, breakdown, group, count, denominator)."""
    return pl.DataFrame(
        [
            {
                "measure_id": m,
                "measure": m,
                "unit": "pupils",
                "breakdown": b,
                "group": g,
                "count": c,
                "denominator": d,
                "count_pct": None if d is None else c / d,
            }
            for m, b, g, c, d in rows
        ],
        schema=polars_schema(DutyFigures),
    ).lazy()


THIS_YEAR = duty(
    [
        ("tuition_pupils", "All", "All", 120.0, 1000.0),
        ("tuition_pupils", "Key stage", "KS2", 70.0, 400.0),
        ("tuition_pupils", "Key stage", "KS3", 50.0, 600.0),
    ]
)
# Last year had no KS3 row (nobody in KS3) and a measure since dropped.
LAST_YEAR = duty(
    [
        ("tuition_pupils", "All", "All", 100.0, 800.0),
        ("tuition_pupils", "Key stage", "KS2", 100.0, 500.0),
        ("old_measure", "All", "All", 5.0, None),
    ]
)


def test_each_figure_gets_last_years_number_percentage_and_the_change() -> None:
    # Last year's figures as the store holds them: the long figures of that run's return.
    stored = return_figures({"tuition": LAST_YEAR})
    table = duty_with_last_year(THIS_YEAR, stored, sheet="tuition").collect()
    DutySheetFigures.validate(table, lazy=True)
    got = [
        (r["group"], r["previous_count"], r["previous_count_pct"], r["change_count"])
        for r in table.iter_rows(named=True)
    ]
    assert got == [
        ("All", 100.0, pytest.approx(100 / 800), 20.0),
        ("KS2", 100.0, pytest.approx(0.2), -30.0),
        ("KS3", None, None, None),
    ]


def test_another_sheets_figures_or_no_history_leave_last_year_empty() -> None:
    stored = return_figures({"wcet": LAST_YEAR})
    for previous in (stored, None):
        table = duty_with_last_year(THIS_YEAR, previous, sheet="tuition").collect()
        assert table.get_column("previous_count").is_null().all()
        assert table.height == 3


def inclusion(rows: list[tuple]) -> pl.LazyFrame:
    """Inclusion rows of (group, count, denominator, base rate): pupils in tuition with free school meals."""
    return duty([("tuition_fsm", "Free school meals", g, c, d) for g, c, d, _ in rows]).with_columns(
        pl.Series("base_rate_pct", [b for *_, b in rows], dtype=pl.Float64),
        pl.Series("difference_pct", [c / d - b for _, c, d, b in rows], dtype=pl.Float64),
    )


def test_the_inclusion_sheet_gets_last_years_share_and_keeps_its_base_rates() -> None:
    this_year = inclusion([("Eligible", 30.0, 120.0, 0.2)])
    stored = return_figures({"inclusion": inclusion([("Eligible", 20.0, 100.0, 0.18)])})
    table = duty_with_last_year(this_year, stored, sheet="inclusion", model=InclusionSheetFigures).collect()
    InclusionSheetFigures.validate(table, lazy=True)
    row = table.row(0, named=True)
    # This year 30 of 120 (25%) against a base rate of 20%; last year 20 of 100 (20%).
    assert (row["count_pct"], row["base_rate_pct"]) == (0.25, 0.2)
    assert (row["previous_count"], row["previous_count_pct"], row["change_count"]) == (20.0, 0.2, 10.0)


def workforce(rows: list[tuple]) -> pl.LazyFrame:
    """Workforce rows of (employment, headcount, FTE, CPD hours)."""
    return pl.LazyFrame(rows, schema=polars_schema(WorkforceFigures), orient="row")


def test_the_workforce_sheet_gets_last_years_figures_and_the_change() -> None:
    this_year = workforce(
        [("permanent", 12, 10.5, 60.0), ("freelance", 5, 1.2, 0.0), ("All", 17, 11.7, 60.0)]
    )
    # Last year had no freelance staff: no row for them.
    stored = return_figures({"workforce": workforce([("permanent", 10, 9.0, 45.5), ("All", 10, 9.0, 45.5)])})
    table = workforce_with_last_year(this_year, stored, sheet="workforce").collect()
    WorkforceSheetFigures.validate(table, lazy=True)
    got = {
        r["employment"]: (
            r["previous_staff_count"],
            r["change_staff_count"],
            r["previous_fte"],
            r["change_fte"],
            r["previous_cpd_hours"],
            r["change_cpd_hours"],
        )
        for r in table.iter_rows(named=True)
    }
    assert got == {
        "permanent": (10, 2, 9.0, pytest.approx(1.5), 45.5, 14.5),
        "freelance": (None, None, None, None, None, None),
        "All": (10, 7, 9.0, pytest.approx(2.7), 45.5, 14.5),
    }
    assert (
        workforce_with_last_year(this_year, None, sheet="workforce")
        .collect()
        .get_column("previous_fte")
        .is_null()
        .all()
    )
