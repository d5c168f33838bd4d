"""Last year's figure beside each of this year's, from the store's long figures of last year's run."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.output_tables import DutyFigures as Fig
from schemas.output_tables import DutySheetFigures as Sheet
from schemas.output_tables import WorkforceFigures as Staff
from schemas.output_tables import WorkforceSheetFigures as StaffSheet

_KEY = "_breakdown_key"
_COLUMN = "_column"


def duty_with_last_year(
    table: pl.LazyFrame,
    previous: pl.LazyFrame | None,
    *,
    sheet: str,
    model: type[pa.DataFrameModel] = Sheet,
) -> pl.LazyFrame:
    """A duty table (DutyFigures) with last year's number and percentage and the change (DutySheetFigures).

    ``model`` is the sheet's schema, when the table has more columns than a duty table's (the Inclusion
    sheet's base rates): the table's columns, then last year's and the change, in its order.

    ``previous`` are the long figures of last year's published run (sheet, measure, breakdown, value); a figure
    is the same one last year when its sheet, measure and breakdown group are. Empty where last year's run
    did not have it, or there is no run for last year.
    """
    keyed = table.with_columns(
        pl.concat_str(pl.col(Fig.breakdown), pl.col(Fig.group), separator=": ").alias(_KEY)
    )
    if previous is None:
        last = pl.LazyFrame(
            schema={
                Fig.measure_id: pl.String,
                _KEY: pl.String,
                Sheet.previous_count: pl.Float64,
                Sheet.previous_count_pct: pl.Float64,
            }
        )
    else:
        parts = pl.col("measure").str.extract_groups(r"^(?P<id>.*) (?P<column>count|count_pct)$")
        last = (
            previous.filter(pl.col("sheet") == sheet)
            .with_columns(
                parts.struct.field("id").alias(Fig.measure_id), parts.struct.field("column").alias(_COLUMN)
            )
            .filter(pl.col(_COLUMN).is_not_null())
            .group_by(Fig.measure_id, pl.col("breakdown").alias(_KEY))
            .agg(
                pl.col("value").filter(pl.col(_COLUMN) == Fig.count).first().alias(Sheet.previous_count),
                pl.col("value")
                .filter(pl.col(_COLUMN) == Fig.count_pct)
                .first()
                .alias(Sheet.previous_count_pct),
            )
        )
    return (
        keyed.join(last, on=[Fig.measure_id, _KEY], how="left", maintain_order="left")
        .with_columns((pl.col(Fig.count) - pl.col(Sheet.previous_count)).alias(Sheet.change_count))
        .select(list(model.to_schema().columns))
    )


# The Workforce sheet's figures, each with its last year's and change columns.
_WORKFORCE = (
    (Staff.staff_count, StaffSheet.previous_staff_count, StaffSheet.change_staff_count, pl.Int64),
    (Staff.fte, StaffSheet.previous_fte, StaffSheet.change_fte, pl.Float64),
    (Staff.cpd_hours, StaffSheet.previous_cpd_hours, StaffSheet.change_cpd_hours, pl.Float64),
)


def workforce_with_last_year(
    table: pl.LazyFrame, previous: pl.LazyFrame | None, *, sheet: str
) -> pl.LazyFrame:
    """The Workforce table with last year's headcount, FTE and CPD hours and the change in each.

    ``previous`` are the long figures of last year's published run (measure the column, breakdown the
    employment type); empty where last year's run did not have the figure, or there is no run for last year.
    """
    if previous is None:
        last = pl.LazyFrame(
            schema={Staff.employment: pl.String, **{p: dtype for _, p, _, dtype in _WORKFORCE}}
        )
    else:
        mine = previous.filter(pl.col("sheet") == sheet)
        last = mine.group_by(pl.col("breakdown").alias(Staff.employment)).agg(
            pl.col("value").filter(pl.col("measure") == column).first().cast(dtype).alias(p)
            for column, p, _, dtype in _WORKFORCE
        )
    return (
        table.join(last, on=Staff.employment, how="left", maintain_order="left")
        .with_columns((pl.col(c) - pl.col(p)).cast(dtype).alias(d) for c, p, d, dtype in _WORKFORCE)
        .select(list(StaffSheet.to_schema().columns))
    )
