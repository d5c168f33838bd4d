"""The run's typed table records hold exactly the tables the schemas and transforms name."""

from __future__ import annotations

from dataclasses import fields

import polars as pl
import pytest

from core.tables import EngagementTables, ReturnTables
from schemas.return_layout import RETURN_TABLES
from transforms.engagement_tables import REPORT_TABLES, TRACKER_TABLES


def test_the_return_record_has_a_field_for_every_table_the_layouts_may_name() -> None:
    assert [f.name for f in fields(ReturnTables)] == list(RETURN_TABLES)


def test_the_engagement_record_has_the_trackers_and_the_reports_tables() -> None:
    assert {f.name for f in fields(EngagementTables)} == set(TRACKER_TABLES) | set(REPORT_TABLES)


def test_a_table_missing_or_unexpected_is_refused_by_name() -> None:
    frames = {name: pl.DataFrame() for name in RETURN_TABLES}
    assert ReturnTables.of(frames).by_name().keys() == frames.keys()
    with pytest.raises(ValueError, match=r"missing tables \['kpis'\], unexpected tables \['kpi'\]"):
        ReturnTables.of({**{k: v for k, v in frames.items() if k != "kpis"}, "kpi": pl.DataFrame()})
