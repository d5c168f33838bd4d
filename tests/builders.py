"""Tiny typed frames for transform tests: each builder fills the columns a test does not care about."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandera.polars as pa
import polars as pl

from schemas.census import SchoolCensus
from schemas.columns import polars_schema
from schemas.register import Establishment
from transforms.activity import HubData


def frame(model: type[pa.DataFrameModel], rows: list[dict[str, Any]], **defaults: Any) -> pl.LazyFrame:
    """A LazyFrame of the model's columns and types; unspecified values come from defaults, else null."""
    columns = model.to_schema().columns
    schema = polars_schema(model)
    data = [{name: row.get(name, defaults.get(name)) for name in columns} for row in rows]
    return pl.DataFrame(data, schema=schema, orient="row").lazy()


def school(urn: str, **overrides: Any) -> dict[str, Any]:
    """A register row for an open community primary school in LA 830."""
    row = {
        Establishment.urn: urn,
        Establishment.la_code: "830",
        Establishment.la_name: "Derbyshire",
        Establishment.establishment_number: "2" + urn[-3:],
        Establishment.school_name: f"School {urn}",
        Establishment.type_name: "Community school",
        Establishment.type_group_name: "Local authority maintained schools",
        Establishment.status_name: "Open",
        Establishment.open_date: None,
        Establishment.close_date: None,
        Establishment.phase_name: "Primary",
    }
    row.update(overrides)
    return row


def establishments(*rows: dict[str, Any]) -> pl.LazyFrame:
    return frame(Establishment, list(rows))


def census(rows: list[tuple[str, int]], period: str = "202526") -> pl.LazyFrame:
    return frame(
        SchoolCensus,
        [{SchoolCensus.urn: urn, SchoolCensus.pupil_headcount: n} for urn, n in rows],
        census_period=period,
    )


def hub_data(**frames: pl.LazyFrame) -> HubData:
    """HubData with empty frames for every input not given."""
    return HubData.of(**frames)


# Handy dates inside 2025/26.
SEPT_2025 = date(2025, 9, 1)
JUN_2026 = date(2026, 6, 1)
