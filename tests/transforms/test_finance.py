"""The finance table on a few ledger lines, with the expected figures worked out by hand."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import Finance
from schemas.output_tables import FinanceFigures, IncomeKpiFigures
from schemas.periods import AcademicYear
from tests.builders import frame
from transforms.finance import BALANCE, TOTAL_EXPENDITURE, TOTAL_INCOME, finance_sheet, income_shares
from transforms.kpis import income_kpi_table, kpis_from_figures
from transforms.periods import ReportingWindow
from transforms.return_tables import return_figures

YEAR = AcademicYear(2025)  # 2025/26
WINDOW = ReportingWindow.for_year(YEAR, as_of=date(2026, 11, 23))  # the whole year: 1 Sept 2025 - 31 Aug 2026
IN_YEAR = date(2026, 1, 15)


@pytest.fixture
def finance() -> pl.LazyFrame:
    return frame(
        Finance,
        [
            {"kind": "income", "category": "dfe grant ", "amount_gbp": 1000.0},  # DfE grant
            {"kind": "income", "category": "DfE Grant", "amount_gbp": 500.0},  # DfE grant
            {"kind": "income", "category": "Schools", "amount_gbp": 300.0},  # schools
            {"kind": "income", "category": "other", "amount_gbp": 100.0},  # other, the return's source
            {"kind": "income", "category": "Trust grant", "amount_gbp": 50.0},  # not a source: as written
            {"kind": "income", "category": "Arts Council project", "amount_gbp": 50.0},
            {"kind": "expenditure", "category": "Staff", "amount_gbp": 1200.0},
            {"kind": "expenditure", "category": "Venue hire", "amount_gbp": 100.0},
            {"kind": "expenditure", "category": "Instruments", "amount_gbp": 300.0},
            # Lines dated the day before and the day after the year: not counted.
            {"kind": "income", "category": "DfE grant", "amount_gbp": 999.0, "date": date(2025, 8, 31)},
            {"kind": "expenditure", "category": "Staff", "amount_gbp": 400.0, "date": date(2026, 9, 1)},
        ],
        date=IN_YEAR,
    )


def test_income_sources_first_then_other_categories_then_totals_and_balance(finance: pl.LazyFrame) -> None:
    table = finance_sheet(finance, window=WINDOW).collect()
    # Income in the year: 1000 + 500 + 300 + 100 + 50 + 50 = 2000. Expenditure: 1200 + 100 + 300 = 1600.
    assert table.rows() == [
        ("income", "DfE grant", 1500.0, 0.75),
        ("income", "schools", 300.0, 0.15),
        ("income", "parents and carers", 0.0, 0.0),
        ("income", "local authority", 0.0, 0.0),
        ("income", "other", 100.0, 0.05),
        ("income", "Arts Council project", 50.0, 0.025),
        ("income", "Trust grant", 50.0, 0.025),
        ("income", TOTAL_INCOME, 2000.0, 1.0),
        ("expenditure", "Instruments", 300.0, 0.1875),
        ("expenditure", "Staff", 1200.0, 0.75),
        ("expenditure", "Venue hire", 100.0, 0.0625),
        ("expenditure", TOTAL_EXPENDITURE, 1600.0, 1.0),
        ("balance", BALANCE, 400.0, None),
    ]


def test_totals_reconcile(finance: pl.LazyFrame) -> None:
    table = finance_sheet(finance, window=WINDOW).collect()

    def amount(kind: str, category: str) -> float:
        return table.filter((pl.col("kind") == kind) & (pl.col("category") == category)).item(0, "amount_gbp")

    lines = table.filter(~pl.col("category").is_in([TOTAL_INCOME, TOTAL_EXPENDITURE, BALANCE]))
    for kind, total in (("income", TOTAL_INCOME), ("expenditure", TOTAL_EXPENDITURE)):
        assert lines.filter(pl.col("kind") == kind).get_column("amount_gbp").sum() == amount(kind, total)
        assert lines.filter(pl.col("kind") == kind).get_column("share_pct").sum() == pytest.approx(1.0)
    income, expenditure = amount("income", TOTAL_INCOME), amount("expenditure", TOTAL_EXPENDITURE)
    assert amount("balance", BALANCE) == income - expenditure


def test_finance_table_is_in_its_schema(finance: pl.LazyFrame) -> None:
    table = finance_sheet(finance, window=WINDOW).collect()
    FinanceFigures.validate(table, lazy=True)
    assert table.columns == list(FinanceFigures.to_schema().columns)


def test_income_shares_are_the_five_sources(finance: pl.LazyFrame) -> None:
    shares = income_shares(finance, window=WINDOW).collect()
    FinanceFigures.validate(shares, lazy=True)
    assert shares.select("category", "amount_gbp", "share_pct").rows() == [
        ("DfE grant", 1500.0, 0.75),
        ("schools", 300.0, 0.15),
        ("parents and carers", 0.0, 0.0),
        ("local authority", 0.0, 0.0),
        ("other", 100.0, 0.05),
    ]


def test_a_year_without_lines_gives_zeros_and_no_shares() -> None:
    table = finance_sheet(frame(Finance, []), window=WINDOW).collect()
    FinanceFigures.validate(table, lazy=True)
    # The five sources and the totals at 0; no share of a zero total; no expenditure categories.
    assert table.rows() == [
        ("income", "DfE grant", 0.0, None),
        ("income", "schools", 0.0, None),
        ("income", "parents and carers", 0.0, None),
        ("income", "local authority", 0.0, None),
        ("income", "other", 0.0, None),
        ("income", TOTAL_INCOME, 0.0, None),
        ("expenditure", TOTAL_EXPENDITURE, 0.0, None),
        ("balance", BALANCE, 0.0, None),
    ]


def test_a_deficit_is_a_negative_balance() -> None:
    finance = frame(
        Finance,
        [
            {"kind": "income", "category": "DfE grant", "amount_gbp": 100.0},
            {"kind": "expenditure", "category": "Staff", "amount_gbp": 250.0},
        ],
        date=IN_YEAR,
    )
    table = finance_sheet(finance, window=WINDOW).collect()
    FinanceFigures.validate(table, lazy=True)
    assert table.row(-1) == ("balance", BALANCE, -150.0, None)


def _last_year(rows: list[tuple[str, str, str, float]]) -> pl.LazyFrame:
    """Last year's run as the store keeps it: (sheet, measure, breakdown, value)."""
    return pl.LazyFrame(rows, schema=["sheet", "measure", "breakdown", "value"], orient="row")


def test_pi1_is_in_pounds_with_last_years_amount_and_share(finance: pl.LazyFrame) -> None:
    # Runs before PI1 had a sheet of its own kept it among the KPIs: last year's is read from there too.
    previous = kpis_from_figures(
        _last_year(
            [
                ("kpis", "PI1 DfE grant count", "all", 1200.0),
                ("kpis", "PI1 DfE grant denominator", "all", 1600.0),
                ("kpis", "PI1 schools count", "all", 0.0),
                ("kpis", "PI1 schools denominator", "all", 1600.0),
                ("kpis", "KPI 1 count", "all", 250.0),
                ("kpis", "KPI 1 denominator", "all", 1000.0),
            ]
        )
    )
    table = income_kpi_table(income_shares(finance, window=WINDOW), previous).collect()
    # The five sources: 1500 + 300 + 0 + 0 + 100 = 1900 (Trust grant and Arts Council project are not sources).
    assert table.columns == list(IncomeKpiFigures.to_schema().columns)
    rows = {row["source"]: row for row in table.iter_rows(named=True)}
    assert list(rows) == ["DfE grant", "schools", "parents and carers", "local authority", "other"]
    grant = rows["DfE grant"]
    assert (grant["amount_gbp"], grant["total_income_gbp"]) == (1500, 1900)
    assert grant["share_pct"] == pytest.approx(1500 / 1900)
    assert (grant["previous_amount_gbp"], grant["previous_share_pct"]) == (1200, 0.75)
    assert grant["change_points"] == pytest.approx((1500 / 1900 - 0.75) * 100)
    assert grant["change_pct"] == pytest.approx(0.25)
    # Nothing from schools last year: no percentage change; no figure at all last year for the others.
    assert (rows["schools"]["previous_amount_gbp"], rows["schools"]["change_pct"]) == (0, None)
    assert rows["other"]["previous_amount_gbp"] is None
    IncomeKpiFigures.validate(table)


def test_pi1_in_the_store_is_read_back_as_last_years(finance: pl.LazyFrame) -> None:
    this_year = income_kpi_table(income_shares(finance, window=WINDOW), None)
    stored = return_figures({"income": this_year}).collect()
    assert set(stored.get_column("sheet")) == {"income"}
    assert ("PI1 DfE grant count", 1500.0) in stored.select("measure", "value").rows()
    next_year = income_kpi_table(
        income_shares(finance, window=WINDOW), kpis_from_figures(stored.lazy())
    ).collect()
    assert next_year.get_column("previous_amount_gbp").to_list() == [1500, 300, 0, 0, 100]
    assert next_year.get_column("change_pct").to_list() == [0.0, 0.0, None, None, 0.0]
