"""Last year's figures beside this year's on a duty sheet, read from last year's figures as the store keeps them."""

import polars as pl
import pytest

from schemas.columns import polars_schema
from schemas.output_tables import DutyFigures, DutySheetFigures
from transforms.last_year import duty_with_last_year
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
