"""The personal data audit: per table of the store and per output folder, what is held and how long."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandera.polars as pa
import polars as pl

from schemas.columns import polars_schema

STORE_TABLE, OUTPUT_FOLDER = "Store table", "Output folder"


class PersonalDataHeld(pa.DataFrameModel):
    """One place holding a hub's data: what personal or pseudonymised data it is, how much, and until when."""

    place: str = pa.Field(title="Where", description="A table of the store, or a folder of the output folder")
    kind: str = pa.Field(
        isin=[STORE_TABLE, OUTPUT_FOLDER], title="Kind", description="Store table or output folder"
    )
    personal_data: str = pa.Field(
        title="Personal or pseudonymised data held", description="What the rows or files say about people"
    )
    rows: pl.Int64 = pa.Field(
        ge=0, title="Rows (files)", description="Rows of the hub's in a table; files in a folder"
    )
    oldest_period: str = pa.Field(
        nullable=True, title="Oldest period", description="Earliest academic year held"
    )
    newest_period: str = pa.Field(
        nullable=True, title="Newest period", description="Latest academic year held"
    )
    kept: str = pa.Field(
        title="Kept", description="The retention rule ([retention] in the hub configuration)"
    )
    next_removal: pl.Date = pa.Field(
        nullable=True,
        title="Retention next removes some",
        description="The first run on or after this day removes the oldest period held; [x]: nothing is due",
    )

    class Config:
        strict = True


@dataclass(frozen=True)
class Holding:
    """One row of the audit, as the store or the output folder reports it."""

    place: str
    kind: str
    personal_data: str
    rows: int
    oldest_period: str | None
    newest_period: str | None
    kept: str
    next_removal: date | None


def holdings_frame(holdings: Iterable[Holding]) -> pl.DataFrame:
    """The audit's rows as a validated table, in the order given."""
    columns = list(PersonalDataHeld.to_schema().columns)
    frame = pl.DataFrame(
        [tuple(getattr(h, c) for c in columns) for h in holdings],
        schema=polars_schema(PersonalDataHeld),
        orient="row",
    )
    return PersonalDataHeld.validate(frame)
