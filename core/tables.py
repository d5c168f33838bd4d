"""The tables a hub run computes, as typed records: the return's, and the tracker's and school reports'.

The transforms build them as named LazyFrames; the run collects each set in one go and carries it as one of
these, so a step reads ``tables.kpis``, not ``tables["kpis"]``. The return's layout file names its sheets'
tables, so ``ReturnTables.by_name`` gives the writers that view; its names are schemas/return_layout's
RETURN_TABLES (a test holds the two equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import polars as pl


@dataclass(frozen=True)
class ReturnTables:
    """Every table of the annual return, collected."""

    kpis: pl.DataFrame
    income: pl.DataFrame
    schools: pl.DataFrame
    wcet: pl.DataFrame
    tuition: pl.DataFrame
    ensembles: pl.DataFrame
    singing: pl.DataFrame
    progression: pl.DataFrame
    loans: pl.DataFrame
    cpd: pl.DataFrame
    experiences: pl.DataFrame
    inclusion: pl.DataFrame
    workforce: pl.DataFrame
    finance: pl.DataFrame
    functions: pl.DataFrame
    changes: pl.DataFrame
    data_quality: pl.DataFrame

    @classmethod
    def of(cls, frames: Mapping[str, pl.DataFrame]) -> ReturnTables:
        """The record of a set of named frames holding exactly this record's tables."""
        return cls(**_exactly(cls, frames))

    def by_name(self) -> dict[str, pl.DataFrame]:
        """Each table by the name the return's layout file uses for it."""
        return dict(table_pairs(self))


@dataclass(frozen=True)
class EngagementTables:
    """The school engagement tracker's tables and the school reports' tables, for every school, collected."""

    tracker: pl.DataFrame
    summary: pl.DataFrame
    map: pl.DataFrame
    priorities: pl.DataFrame
    ofsted: pl.DataFrame
    exceptions: pl.DataFrame
    brief: pl.DataFrame
    prompts: pl.DataFrame
    activity: pl.DataFrame
    rag: pl.DataFrame
    conversations: pl.DataFrame
    actions: pl.DataFrame

    @classmethod
    def of(cls, frames: Mapping[str, pl.DataFrame]) -> EngagementTables:
        """The record of a set of named frames holding exactly this record's tables."""
        return cls(**_exactly(cls, frames))


def table_pairs(record: object) -> list[tuple[str, pl.DataFrame]]:
    """A record's (name, table) pairs, in field order, without copying the tables (``asdict`` would)."""
    return [(f.name, getattr(record, f.name)) for f in fields(record)]  # type: ignore[arg-type]


def _exactly(record: type, frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The frames, checked to be exactly the record's fields (a table added or lost is a bug, said plainly)."""
    wanted = [f.name for f in fields(record)]
    missing, extra = sorted(set(wanted) - set(frames)), sorted(set(frames) - set(wanted))
    if missing or extra:
        raise ValueError(f"{record.__name__}: missing tables {missing}, unexpected tables {extra}")
    return {name: frames[name] for name in wanted}
