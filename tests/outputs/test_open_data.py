"""The open-data CSV against DfE's open data standard for statistics, read back with the csv module."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest

from outputs.open_data import (
    meta_path,
    national_open_data,
    open_data_path,
    write_open_data,
    write_return_open_data,
)
from schemas import open_data as od
from schemas.periods import AcademicYear
from tests.outputs.test_annual_return import INCOME, INCOME_LAYOUT, KPIS, SCHOOLS, WCET, WCET_LAYOUT

YEAR = AcademicYear(2025)
MANDATORY = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name"]
LA = ["old_la_code", "new_la_code", "la_name"]
FILTERS = ["music_hub", "activity", "measure", "breakdown_topic", "breakdown"]
LA_CODES = {"Northshire": ("801", "E06000023"), "Southshire": ("802", "E06000024")}


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture
def written(tmp_path: Path) -> Path:
    path = open_data_path(tmp_path, "northshire", "2025-26")
    markers = {
        "wcet": {"count": pl.Series([None, "[c]"], dtype=pl.String)},
        "kpis": {
            "count": pl.Series([None, "[c]", None, None, None], dtype=pl.String),
            "count_pct": pl.Series([None, "[c]", None, None, None], dtype=pl.String),
        },
    }
    write_return_open_data(
        path,
        layout=WCET_LAYOUT,
        tables={"kpis": KPIS, "schools": SCHOOLS, "wcet": WCET},
        markers=markers,
        year=YEAR,
        hub_name="Northshire Music Hub",
        la_codes=LA_CODES,
    )
    return path


def check_standard(path: Path) -> list[dict[str, str]]:
    """The standard's rules that hold for any data file: name, column order, required columns, blanks, symbols."""
    assert re.fullmatch(r"[a-z0-9_\-]+\.csv", path.name)
    header, rows = read(path)
    assert header[:5] == MANDATORY
    assert header[5:8] == LA and header[8:13] == FILTERS
    indicators = header[13:]
    assert indicators and all(re.fullmatch(r"[a-z]+_(count|percent|sum)", name) for name in indicators)
    for row in rows:
        assert re.fullmatch(r"\d{6}", row["time_period"]) and row["time_identifier"] == "Academic year"
        assert (row["country_code"], row["country_name"]) == ("E92000001", "England")
        assert all(row[f] != "" for f in FILTERS), row  # no blanks in filters
        if row["geographic_level"] == "Local authority":
            assert re.fullmatch(r"\d{3}|x", row["old_la_code"]) and row["la_name"]
        else:
            assert row["geographic_level"] == "National" and [row[c] for c in LA] == ["", "", ""]
        for name in indicators:
            assert re.fullmatch(r"\d+(\.\d)?|[cxz]", row[name]), (name, row[name])
    # The .meta.csv: each filter and indicator, never the time and geography columns.
    meta_header, meta = read(meta_path(path))
    assert meta_header == [
        "col_name",
        "col_type",
        "label",
        "indicator_grouping",
        "indicator_unit",
        "indicator_dp",
        "filter_hint",
        "filter_grouping_column",
    ]
    assert [(m["col_name"], m["col_type"]) for m in meta] == [
        *((f, "Filter") for f in FILTERS),
        *((i, "Indicator") for i in indicators),
    ]
    assert all(m["label"] for m in meta)
    return rows


def test_the_csv_follows_the_standard(written: Path) -> None:
    assert written.name == "northshire-2025-26-open-data.csv"
    assert meta_path(written).name == "northshire-2025-26-open-data.meta.csv"
    check_standard(written)


def test_figures_and_symbols(written: Path) -> None:
    rows = {
        (r["geographic_level"], r["la_name"], r["activity"], r["measure"]): r for r in check_standard(written)
    }
    kpi1 = rows[("National", "", "KPIs", "KPI 1: Pupils in whole-class ensemble teaching")]
    assert (kpi1["music_hub"], kpi1["breakdown_topic"], kpi1["breakdown"]) == (
        "Northshire Music Hub",
        "Total",
        "Total",
    )
    assert (kpi1["pupil_count"], kpi1["pupil_percent"], kpi1["school_count"]) == ("250", "25.0", "z")
    kpi2 = rows[("National", "", "KPIs", "KPI 2: Pupils in hub ensembles")]
    assert (kpi2["pupil_count"], kpi2["pupil_percent"]) == ("c", "c")  # suppressed in the published variant
    kpi5 = rows[("National", "", "KPIs", "KPI 5: State-funded schools engaged")]
    assert (kpi5["school_count"], kpi5["school_percent"], kpi5["pupil_count"]) == ("17", "85.0", "z")
    classes = rows[("National", "", "WCET", "WCET classes")]
    assert (classes["class_count"], classes["class_percent"]) == ("c", "z")  # hidden; out of nothing
    # KPI 5 by local authority, from the Schools sheet: Northshire 1 of 2 engaged, Southshire 1 of 1.
    north = rows[("Local authority", "Northshire", "KPIs", "KPI 5: State-funded schools engaged")]
    assert (north["old_la_code"], north["new_la_code"], north["school_count"], north["school_percent"]) == (
        "801",
        "E06000023",
        "1",
        "50.0",
    )
    south = rows[("Local authority", "Southshire", "KPIs", "KPI 5: State-funded schools engaged")]
    assert (south["school_count"], south["school_percent"]) == ("1", "100.0")


def test_the_national_file_has_england_and_every_hub(tmp_path: Path) -> None:
    england = pl.DataFrame(
        {
            "kpi_code": ["KPI 1", "KPI 5"],
            "measure": ["Pupils in WCET", "Schools engaged"],
            "count": [300, 20],
            "denominator": [2000, 25],
            "count_pct": [0.15, 0.8],
        }
    )
    hubs = pl.DataFrame(
        {
            "hub_name": ["North", "South"],
            "wcet_pupils": [297, 3],
            "wcet_pct": [0.2, 0.006],
            "ensemble_pupils": [None, None],
            "ensemble_pct": [None, None],
            "tuition_pupils": [0, 0],
            "tuition_pct": [0.0, 0.0],
            "singing_pupils": [10, 10],
            "singing_pct": [0.01, 0.01],
            "schools_engaged": [18, 2],
            "schools_engaged_pct": [0.9, 0.4],
        },
        schema_overrides={"ensemble_pupils": pl.Int64, "ensemble_pct": pl.Float64},
    )
    path = tmp_path / "national-2025-26-open-data.csv"
    write_open_data(path, national_open_data(england=england, hubs=hubs, year=YEAR, threshold=4))
    rows = {(r["music_hub"], r["measure"][:5]): r for r in check_standard(path)}
    assert rows[("Total", "KPI 1")]["pupil_count"] == "300"
    assert rows[("North", "KPI 1")]["pupil_count"] == "297"
    assert rows[("South", "KPI 1")]["pupil_count"] == "c"  # 3 pupils: suppressed
    assert rows[("South", "KPI 3")]["pupil_count"] == "0"  # zeros are shown
    assert rows[("North", "KPI 2")]["pupil_count"] == "x"  # not available
    assert rows[("South", "KPI 5")]["school_count"] == "2"  # schools are not suppressed


def test_pi1_rows_come_from_its_own_sheet_in_pounds(tmp_path: Path) -> None:
    path = open_data_path(tmp_path, "northshire", "2025-26")
    write_return_open_data(
        path,
        layout=INCOME_LAYOUT,
        tables={"kpis": KPIS, "income": INCOME},
        markers={},
        year=YEAR,
        hub_name="Northshire Music Hub",
        la_codes=LA_CODES,
    )
    rows = {(r["activity"], r["measure"]): r for r in check_standard(path)}
    grant = rows[("PI1", "Income from DfE grant (£)")]
    # 1500 of 1800 pounds: 83.3%, in the money indicator; the pupil and school indicators are z.
    money, share = od.count_indicator(od.MONEY_UNIT).name, od.percent_indicator(od.MONEY_UNIT).name
    assert (grant[money], grant[share], grant["pupil_count"]) == ("1500", "83.3", "z")
    assert rows[("PI1", "Income from parents and carers (£)")][money] == "0"
    assert not [r for r in rows.values() if r["activity"] == "KPIs" and r[money] != "z"]
