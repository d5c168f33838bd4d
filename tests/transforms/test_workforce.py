"""The workforce table on a few staff rows, with the expected figures worked out by hand."""

import polars as pl
import pytest

from schemas.hub_exports import Workforce
from schemas.output_tables import WorkforceFigures
from schemas.periods import AcademicYear
from tests.builders import frame
from transforms.workforce import workforce_sheet

YEAR = AcademicYear(2025)  # 2025/26


@pytest.fixture
def workforce() -> pl.LazyFrame:
    return frame(
        Workforce,
        [
            {"staff_ref": "s1", "employment": "permanent", "fte": 1.0, "cpd_hours": 10.0},
            {"staff_ref": "s2", "employment": "permanent", "fte": 0.5, "cpd_hours": 4.0},
            {"staff_ref": "s3", "employment": "freelance", "fte": 0.25, "cpd_hours": 0.0},
            # s1 last year: not counted.
            {
                "staff_ref": "s1",
                "employment": "permanent",
                "fte": 1.0,
                "cpd_hours": 20.0,
                "academic_year": "2024/25",
            },
        ],
        academic_year="2025/26",
        role="Music leader",
    )


def test_one_row_per_employment_type_then_all(workforce: pl.LazyFrame) -> None:
    table = workforce_sheet(workforce, year=YEAR).collect()
    # permanent: s1, s2 = 2, FTE 1.0 + 0.5, CPD 10 + 4; contract: none; freelance: s3.
    # All: 3 staff, FTE 1.0 + 0.5 + 0.25 = 1.75, CPD 14.
    assert table.rows() == [
        ("permanent", 2, 1.5, 14.0),
        ("contract", 0, 0.0, 0.0),
        ("freelance", 1, 0.25, 0.0),
        ("All", 3, 1.75, 14.0),
    ]


def test_workforce_table_is_in_its_schema(workforce: pl.LazyFrame) -> None:
    table = workforce_sheet(workforce, year=YEAR).collect()
    WorkforceFigures.validate(table, lazy=True)
    assert table.columns == list(WorkforceFigures.to_schema().columns)


def test_staff_under_two_employment_types_count_once_in_all() -> None:
    workforce = frame(
        Workforce,
        [
            {"staff_ref": "s1", "employment": "permanent", "fte": 0.5},
            {"staff_ref": "s1", "employment": "freelance", "fte": 0.25},
        ],
        academic_year="2025/26",
        role="Music leader",
        cpd_hours=1.0,
    )
    table = workforce_sheet(workforce, year=YEAR).collect()
    assert table.row(3) == ("All", 1, 0.75, 2.0)  # one person; their FTE and CPD hours both summed


def test_a_year_without_staff_gives_zeros() -> None:
    table = workforce_sheet(frame(Workforce, []), year=YEAR).collect()
    WorkforceFigures.validate(table, lazy=True)
    assert table.rows() == [
        ("permanent", 0, 0.0, 0.0),
        ("contract", 0, 0.0, 0.0),
        ("freelance", 0, 0.0, 0.0),
        ("All", 0, 0.0, 0.0),
    ]
