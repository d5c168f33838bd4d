"""The hub's workforce: staff headcount, full-time equivalent and CPD received, by employment type."""

from __future__ import annotations

import polars as pl

from schemas.columns import polars_schema
from schemas.hub_exports import Workforce
from schemas.output_tables import WorkforceFigures as Staff
from schemas.periods import AcademicYear
from schemas.vocabulary import EMPLOYMENT_TYPES
from transforms.figures import ALL
from transforms.periods import in_academic_year

_ORDER = "_order"
_WORKFORCE_SCHEMA = polars_schema(Staff)


def _staff_totals() -> list[pl.Expr]:
    return [
        pl.col(Workforce.staff_ref).n_unique().cast(pl.Int64).alias(Staff.staff_count),
        pl.col(Workforce.fte).sum().cast(pl.Float64).alias(Staff.fte),
        pl.col(Workforce.cpd_hours).sum().cast(pl.Float64).alias(Staff.cpd_hours),
    ]


def workforce_sheet(workforce: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The hub's staff in the year by employment type: unique staff, FTE and CPD hours received, summed.

    Every employment type is shown (0 when it has no staff), then 'All'; a member of staff listed under
    two employment types counts once in 'All'.
    """
    staff = workforce.filter(in_academic_year(Workforce.academic_year, year))
    by_type = staff.group_by(pl.col(Workforce.employment).alias(Staff.employment)).agg(_staff_totals())
    listed = pl.LazyFrame(
        {Staff.employment: list(EMPLOYMENT_TYPES), _ORDER: list(range(len(EMPLOYMENT_TYPES)))},
        schema={Staff.employment: pl.String, _ORDER: pl.Int64},
    )
    types = (
        listed.join(by_type, on=Staff.employment, how="left")
        .sort(_ORDER)
        .with_columns(pl.col(Staff.staff_count, Staff.fte, Staff.cpd_hours).fill_null(0))
    )
    everyone = staff.select(pl.lit(ALL).alias(Staff.employment), *_staff_totals())
    rows = [frame.select(list(_WORKFORCE_SCHEMA)) for frame in (types, everyone)]
    return pl.concat(rows).cast(_WORKFORCE_SCHEMA)  # type: ignore[arg-type]
