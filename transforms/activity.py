"""The validated inputs a duty transform may use, bundled so every measure takes the same argument."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import pandera.polars as pa
import polars as pl

from schemas.census import SchoolCensus, SenCensus
from schemas.columns import polars_schema
from schemas.hub_exports import HUB_EXPORTS
from schemas.register import Establishment, EstablishmentLink


@dataclass(frozen=True)
class HubData:
    """Validated, pseudonymised inputs of one hub, as LazyFrames in their schemas' column names."""

    establishments: pl.LazyFrame
    census: pl.LazyFrame
    sen: pl.LazyFrame
    pupils: pl.LazyFrame
    wcet: pl.LazyFrame
    wcet_participants: pl.LazyFrame
    tuition: pl.LazyFrame
    ensembles: pl.LazyFrame
    ensemble_members: pl.LazyFrame
    singing: pl.LazyFrame
    engagements: pl.LazyFrame
    cpd: pl.LazyFrame
    loans: pl.LazyFrame
    events: pl.LazyFrame
    workforce: pl.LazyFrame
    finance: pl.LazyFrame
    # The GIAS links file: predecessor and successor URNs (academy conversions, mergers).
    establishment_links: pl.LazyFrame

    @classmethod
    def of_frames(cls, frames: Mapping[str, pl.DataFrame]) -> HubData:
        """The inputs given as collected frames (see ``of``)."""
        return cls.of(**{name: frame.lazy() for name, frame in frames.items()})

    @classmethod
    def of(cls, **frames: pl.LazyFrame) -> HubData:
        """The inputs given, and an empty frame of the right columns for each input not given."""
        unknown = set(frames) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"HubData has no input {sorted(unknown)}")
        models: dict[str, type[pa.DataFrameModel]] = {
            "establishments": Establishment,
            "establishment_links": EstablishmentLink,
            "census": SchoolCensus,
            "sen": SenCensus,
            **HUB_EXPORTS,
        }
        # Only the schema's columns: provenance columns such as source_row would collide in joins.
        return cls(
            **{
                f.name: frames[f.name].select(list(models[f.name].to_schema().columns))
                if f.name in frames
                else empty_frame(models[f.name])
                for f in fields(cls)
            }
        )


def empty_frame(model: type[pa.DataFrameModel]) -> pl.LazyFrame:
    """A frame with the model's columns and types and no rows."""
    return pl.LazyFrame(schema=polars_schema(model))
