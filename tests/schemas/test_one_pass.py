"""All of a model's checks in one query: the columns it finds failing, and Pandera's own report unchanged."""

from __future__ import annotations

import pandera.errors
import pandera.polars as pa
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from schemas.one_pass import failing_columns, validate


class Lessons(pa.DataFrameModel):
    """A small model with every kind of check the input and output models use."""

    urn: str = pa.Field(str_matches=r"^\d{6}$", unique=True)
    weeks: int = pa.Field(ge=1, le=39)
    hours: float = pa.Field(ge=0, nullable=True)
    kind: str = pa.Field(isin=["group", "solo"], nullable=True)


class Pairs(pa.DataFrameModel):
    """A model whose rows must be unique over two columns together."""

    urn: str
    activity: str

    class Config:
        unique = ["urn", "activity"]  # noqa: RUF012 - Pandera reads it from the class


def _lessons(**changes: list[object]) -> pl.DataFrame:
    """Three good rows, with the columns given replaced."""
    columns: dict[str, list[object]] = {
        "urn": ["100001", "100002", "100003"],
        "weeks": [10, 39, 1],
        "hours": [1.5, None, 0.0],
        "kind": ["group", None, "solo"],
    }
    columns.update(changes)
    return pl.DataFrame(
        columns, schema={"urn": pl.String, "weeks": pl.Int64, "hours": pl.Float64, "kind": pl.String}
    )


def test_a_frame_passing_every_check_has_no_failing_column() -> None:
    assert failing_columns(Lessons.to_schema(), _lessons()) == []


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"urn": ["100001", "10002", "100003"]}, ["urn"]),  # pattern
        ({"urn": ["100001", "100001", "100003"]}, ["urn"]),  # unique
        ({"weeks": [10, 40, 0]}, ["weeks"]),  # le and ge
        ({"hours": [1.5, float("nan"), -1.0]}, ["hours"]),  # ge (NaN passes ge, as in Pandera)
        ({"kind": ["group", "duet", None]}, ["kind"]),  # isin; null allowed
        ({"weeks": [10, None, 1], "kind": ["trio", None, "solo"]}, ["weeks", "kind"]),  # not nullable
    ],
)
def test_each_broken_check_names_its_column(changes: dict[str, list[object]], failing: list[str]) -> None:
    assert failing_columns(Lessons.to_schema(), _lessons(**changes)) == failing


def test_a_wrong_dtype_counts_as_failing() -> None:
    frame = _lessons().with_columns(pl.col("weeks").cast(pl.Int32))
    assert failing_columns(Lessons.to_schema(), frame) == ["weeks"]


def test_a_check_that_cannot_run_leaves_everything_to_pandera() -> None:
    frame = _lessons().with_columns(pl.col("weeks").cast(pl.String))  # "10" >= 1 cannot be asked
    assert failing_columns(Lessons.to_schema(), frame) is None


def test_a_broken_multi_column_uniqueness_leaves_everything_to_pandera() -> None:
    schema = Pairs.to_schema()
    assert failing_columns(schema, pl.DataFrame({"urn": ["1", "1"], "activity": ["a", "b"]})) == []
    assert failing_columns(schema, pl.DataFrame({"urn": ["1", "1"], "activity": ["a", "a"]})) is None


def test_validate_returns_the_frame_when_it_passes() -> None:
    frame = _lessons()
    assert_frame_equal(validate(Lessons, frame), frame)


def test_validate_raises_pandera_s_own_report_when_a_check_fails() -> None:
    frame = _lessons(weeks=[10, 40, None], kind=["group", "duet", None])
    with pytest.raises(pandera.errors.SchemaErrors) as expected:
        Lessons.validate(frame, lazy=True)
    with pytest.raises(pandera.errors.SchemaErrors) as got:
        validate(Lessons, frame)
    assert_frame_equal(got.value.failure_cases, expected.value.failure_cases)
    assert got.value.failure_cases.height == 3  # weeks 40 (le), weeks null, kind 'duet'


def test_pandera_over_the_failing_columns_reports_what_pandera_over_all_does() -> None:
    """What ingest/validate.py relies on: the report of the failing columns alone is the whole report."""
    frame = _lessons(urn=["100001", "x", "x"], hours=[1.5, -2.0, None])
    schema = Lessons.to_schema()
    failing = failing_columns(schema, frame)
    assert failing == ["urn", "hours"]
    with pytest.raises(pandera.errors.SchemaErrors) as whole:
        schema.validate(frame, lazy=True)
    with pytest.raises(pandera.errors.SchemaErrors) as part:
        schema.select_columns(failing).validate(frame.select(failing), lazy=True)
    assert_frame_equal(part.value.failure_cases, whole.value.failure_cases)
