"""The hub's finances: income by source and expenditure by category in the year, totals and the balance."""

from __future__ import annotations

import polars as pl

from schemas.columns import polars_schema
from schemas.hub_exports import Finance
from schemas.output_tables import FinanceFigures as Fin
from schemas.vocabulary import INCOME_SOURCES
from transforms.figures import share
from transforms.periods import ReportingWindow, dated_within

INCOME, EXPENDITURE, BALANCE_KIND = "income", "expenditure", "balance"
TOTAL_INCOME = "Total income"
TOTAL_EXPENDITURE = "Total expenditure"
BALANCE = "Income less expenditure"
_KEY, _SOURCE, _ORDER, _TOTAL = "_key", "_source", "_order", "_total"
_FINANCE_SCHEMA = polars_schema(Fin)


def _matching_key(column: str) -> pl.Expr:
    """A category as it is matched to an income source: lower case, without surrounding spaces."""
    return pl.col(column).str.strip_chars().str.to_lowercase()


def ledger_lines(finance: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Ledger lines dated inside the window, an income line's category named as the source it matches.

    An income category equal to one of the return's sources, ignoring case and surrounding spaces, takes the
    source's name; every other category keeps its own words, without surrounding spaces.
    """
    sources = pl.LazyFrame(
        {_KEY: [source.lower() for source in INCOME_SOURCES], _SOURCE: list(INCOME_SOURCES)},
        schema={_KEY: pl.String, _SOURCE: pl.String},
    )
    written = pl.col(Finance.category).str.strip_chars()
    return (
        finance.filter(dated_within(Finance.date, window))
        .with_columns(_matching_key(Finance.category).alias(_KEY))
        .join(sources, on=_KEY, how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col(Finance.kind) == INCOME)
            .then(pl.coalesce(_SOURCE, written))
            .otherwise(written)
            .alias(Finance.category)
        )
        .drop(_KEY, _SOURCE)
    )


def _amounts(lines: pl.LazyFrame, kind: str) -> pl.LazyFrame:
    """One kind's ledger lines summed per category (category, amount_gbp)."""
    return (
        lines.filter(pl.col(Finance.kind) == kind)
        .group_by(pl.col(Finance.category).alias(Fin.category))
        .agg(pl.col(Finance.amount_gbp).sum().cast(pl.Float64).alias(Fin.amount_gbp))
    )


def _income_rows(lines: pl.LazyFrame) -> pl.LazyFrame:
    """The return's income sources in its order (0 when none), then other income categories alphabetically."""
    amounts = _amounts(lines, INCOME)
    listed = pl.LazyFrame(
        {Fin.category: list(INCOME_SOURCES), _ORDER: list(range(len(INCOME_SOURCES)))},
        schema={Fin.category: pl.String, _ORDER: pl.Int64},
    )
    sources = (
        listed.join(amounts, on=Fin.category, how="left")
        .sort(_ORDER)
        .select(Fin.category, pl.col(Fin.amount_gbp).fill_null(0.0))
    )
    others = amounts.join(listed, on=Fin.category, how="anti").sort(Fin.category)
    return pl.concat([sources, others.select(Fin.category, Fin.amount_gbp)])


def _expenditure_rows(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Expenditure per category, alphabetically."""
    return _amounts(lines, EXPENDITURE).sort(Fin.category)


def _with_total(rows: pl.LazyFrame, *, kind: str, total: str) -> pl.LazyFrame:
    """A kind's rows, then its total, each with its share of the total (empty when the total is 0)."""
    amount = pl.col(Fin.amount_gbp)
    total_row = rows.select(pl.lit(total).alias(Fin.category), amount.sum(), amount.sum().alias(_TOTAL))
    return (
        pl.concat([rows.with_columns(amount.sum().alias(_TOTAL)), total_row])
        .with_columns(pl.lit(kind).alias(Fin.kind), share(Fin.amount_gbp, _TOTAL).alias(Fin.share_pct))
        .drop(_TOTAL)
    )


def _in_schema(rows: pl.LazyFrame) -> pl.LazyFrame:
    return rows.select(list(_FINANCE_SCHEMA)).cast(_FINANCE_SCHEMA)  # type: ignore[arg-type]


def finance_sheet(finance: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Income by source and expenditure by category, from ledger lines dated in the year, with the balance.

    Income lists the return's five sources first (0 when none), then any other source alphabetically, then
    the total; expenditure lists its categories alphabetically, then the total. A share is of its kind's
    total; the balance is total income less total expenditure.
    """
    lines = ledger_lines(finance, window=window)
    income, expenditure = _income_rows(lines), _expenditure_rows(lines)
    balance = pl.concat([income, expenditure.with_columns(-pl.col(Fin.amount_gbp))]).select(
        pl.lit(BALANCE_KIND).alias(Fin.kind),
        pl.lit(BALANCE).alias(Fin.category),
        pl.col(Fin.amount_gbp).sum(),
        pl.lit(None, dtype=pl.Float64).alias(Fin.share_pct),
    )
    return pl.concat(
        [
            _in_schema(_with_total(income, kind=INCOME, total=TOTAL_INCOME)),
            _in_schema(_with_total(expenditure, kind=EXPENDITURE, total=TOTAL_EXPENDITURE)),
            _in_schema(balance),
        ]
    ).with_columns(pl.col(Fin.amount_gbp).round(2))  # pence: sums of floats carry binary noise


def income_shares(finance: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """Income from each of the return's five sources in the year, and its share of total income (PI1)."""
    lines = ledger_lines(finance, window=window)
    income = _with_total(_income_rows(lines), kind=INCOME, total=TOTAL_INCOME)
    return _in_schema(income.filter(pl.col(Fin.category).is_in(list(INCOME_SOURCES))))
