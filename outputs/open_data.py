"""The return's figures as open data (``<hub>-<year>-open-data.csv`` and its ``.meta.csv``).

DfE's open data standard for statistics (schemas/open_data.py): one tidy row per figure, the hub as a filter on
National-level rows (the standard has no music hub level), local-authority rows for the schools engaged (KPI 5)
from the Schools sheet, and the standard's symbols: ``c`` suppressed, ``x`` not available, ``z`` not applicable.
It is written for the published variant only: its figures are the published workbook's, suppression included.
The national run writes one file for England and every hub. Nothing is computed here but shares already in
the tables (as percentages) and counts of the Schools sheet's rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from outputs.national_summary import NATIONAL_FOLDER
from outputs.workbook_files import write_bytes_atomically
from schemas import open_data as od
from schemas.national import KPI_COLUMNS, SCHOOLS_KPI
from schemas.national import EnglandKpiRow as England
from schemas.national import HubKpiRow as HubKpis
from schemas.output_tables import DutyFigures as Fig
from schemas.output_tables import IncomeKpiFigures as Inc
from schemas.output_tables import KpiFigures as Kpi
from schemas.output_tables import SchoolUniverseRow as School
from schemas.periods import AcademicYear
from schemas.return_layout import RETURN_TABLES, ReturnLayout
from schemas.vocabulary import SUPPRESSED

ALL = "All"
# The KPIs' units: pupils, except KPI 5 (schools) and PI1 (income in pounds).
PI1_PREFIX = "PI1"
Row = dict[str, str]


def open_data_path(output_dir: Path, hub_slug: str, year_slug: str) -> Path:
    """The CSV's path: ``<output_dir>/<hub>/<year>/<hub>-<year>-open-data.csv`` (lower case, no spaces)."""
    return Path(output_dir) / hub_slug / year_slug / f"{hub_slug}-{year_slug}-open-data.csv".lower()


def national_open_data_path(output_dir: Path, year_slug: str) -> Path:
    """The national file's path: ``<output_dir>/national/<year>/national-<year>-open-data.csv``."""
    return Path(output_dir) / NATIONAL_FOLDER / year_slug / f"{NATIONAL_FOLDER}-{year_slug}-open-data.csv"


def meta_path(path: Path) -> Path:
    """The ``.meta.csv`` beside a data file."""
    return path.with_name(path.name.removesuffix(".csv") + ".meta.csv")


def _number(value: float | None, *, dp: int) -> str:
    if value is None:
        return od.NOT_AVAILABLE
    rounded = round(float(value), dp)
    return str(int(rounded)) if dp == 0 else f"{rounded:.{dp}f}"


def _figure(
    unit: str,
    count: float | None,
    share: float | None,
    *,
    has_denominator: bool,
    hidden: bool,
    hidden_pct: bool,
) -> dict[str, str]:
    """One figure's indicator cells: its unit's number and percentage (shares are fractions in the tables)."""
    number, percent = od.count_indicator(unit), od.percent_indicator(unit)
    return {
        number.name: od.SUPPRESSED if hidden else _number(count, dp=number.dp),
        percent.name: od.NOT_APPLICABLE
        if not has_denominator
        else od.SUPPRESSED
        if hidden_pct
        else _number(None if share is None else share * 100, dp=percent.dp),
    }


def _geography(year: AcademicYear, la: tuple[str, str, str] | None = None) -> Row:
    row = {
        od.TIME_PERIOD: year.census_period,
        od.TIME_IDENTIFIER: od.ACADEMIC_YEAR,
        od.GEOGRAPHIC_LEVEL: od.NATIONAL if la is None else od.LOCAL_AUTHORITY,
        od.COUNTRY_CODE: od.ENGLAND_CODE,
        od.COUNTRY_NAME: od.ENGLAND_NAME,
    }
    old, new, name = la if la is not None else ("", "", "")
    return {**row, od.OLD_LA_CODE: old, od.NEW_LA_CODE: new, od.LA_NAME: name}


def _filters(hub: str, activity: str, measure: str, topic: str = ALL, group: str = ALL) -> Row:
    total = {ALL: od.TOTAL, "": od.TOTAL}
    return {
        od.MUSIC_HUB.name: hub,
        od.ACTIVITY.name: activity,
        od.MEASURE.name: measure,
        od.BREAKDOWN_TOPIC.name: total.get(topic, topic),
        od.BREAKDOWN.name: total.get(group, group),
    }


def _hidden(markers: Mapping[str, pl.Series], column: str, height: int) -> list[bool]:
    series = markers.get(column)
    if series is None:
        return [False] * height
    return [value == SUPPRESSED for value in series.cast(pl.String).to_list()]


def _kpi_unit(code: str) -> str:
    if code.startswith(PI1_PREFIX):
        return od.MONEY_UNIT
    return "schools" if code == SCHOOLS_KPI else "pupils"


def _kpi_rows(
    year: AcademicYear, hub: str, activity: str, kpis: pl.DataFrame, markers: Mapping[str, pl.Series]
) -> list[Row]:
    hidden = _hidden(markers, Kpi.count, kpis.height)
    hidden_pct = _hidden(markers, Kpi.count_pct, kpis.height)
    rows = []
    for i, kpi in enumerate(kpis.iter_rows(named=True)):
        code = kpi[Kpi.kpi_code]
        measure = kpi[Kpi.measure] if code.startswith(PI1_PREFIX) else f"{code}: {kpi[Kpi.measure]}"
        rows.append(
            {
                **_geography(year),
                **_filters(hub, activity, measure),
                **_figure(
                    _kpi_unit(code),
                    kpi[Kpi.count],
                    kpi[Kpi.count_pct],
                    has_denominator=True,
                    hidden=hidden[i],
                    hidden_pct=hidden_pct[i],
                ),
            }
        )
    return rows


def _income_rows(year: AcademicYear, hub: str, activity: str, income: pl.DataFrame) -> list[Row]:
    """PI1: each source's income in pounds and its share of total income (money is never suppressed)."""
    return [
        {
            **_geography(year),
            **_filters(hub, activity, f"Income from {source[Inc.source]} (£)"),
            **_figure(
                od.MONEY_UNIT,
                source[Inc.amount_gbp],
                source[Inc.share_pct],
                has_denominator=source[Inc.total_income_gbp] > 0,
                hidden=False,
                hidden_pct=False,
            ),
        }
        for source in income.iter_rows(named=True)
    ]


def _duty_rows(
    year: AcademicYear, hub: str, activity: str, table: pl.DataFrame, markers: Mapping[str, pl.Series]
) -> list[Row]:
    hidden = _hidden(markers, Fig.count, table.height)
    hidden_pct = _hidden(markers, Fig.count_pct, table.height)
    rows = []
    for i, figure in enumerate(table.iter_rows(named=True)):
        rows.append(
            {
                **_geography(year),
                **_filters(hub, activity, figure[Fig.measure], figure[Fig.breakdown], figure[Fig.group]),
                **_figure(
                    figure[Fig.unit],
                    figure[Fig.count],
                    figure[Fig.count_pct],
                    has_denominator=figure[Fig.denominator] is not None,
                    hidden=hidden[i],
                    hidden_pct=hidden_pct[i],
                ),
            }
        )
    return rows


def _la_rows(
    year: AcademicYear,
    hub: str,
    activity: str,
    measure: str,
    schools: pl.DataFrame,
    la_codes: Mapping[str, tuple[str, str]],
) -> list[Row]:
    """KPI 5 per local authority of the hub: the Schools sheet's rows with Y in Engaged, out of its rows."""
    rows = []
    for la_name in sorted(set(schools.get_column(School.la_name).to_list())):
        own = schools.filter(pl.col(School.la_name) == la_name)
        engaged = int(own.get_column(School.is_engaged).sum())
        old, new = la_codes.get(la_name, (od.NOT_AVAILABLE, od.NOT_AVAILABLE))
        rows.append(
            {
                **_geography(year, (old, new, la_name)),
                **_filters(hub, activity, measure),
                **_figure(
                    "schools",
                    engaged,
                    engaged / own.height,
                    has_denominator=True,
                    hidden=False,
                    hidden_pct=False,
                ),
            }
        )
    return rows


def hub_open_data(
    *,
    layout: ReturnLayout,
    tables: Mapping[str, pl.DataFrame],
    markers: Mapping[str, Mapping[str, pl.Series]],
    year: AcademicYear,
    hub_name: str,
    la_codes: Mapping[str, tuple[str, str]],
) -> list[Row]:
    """The rows of one hub's published return: its KPIs, PI1, every duty sheet's figures, KPI 5 per LA."""
    rows: list[Row] = []
    for sheet in layout.sheets:
        if not sheet.published or sheet.table not in tables:
            continue
        table, own = tables[sheet.table], markers.get(sheet.table, {})
        if sheet.table == "kpis":
            rows += _kpi_rows(year, hub_name, sheet.name, table, own)
            kpi5 = table.filter(pl.col(Kpi.kpi_code) == SCHOOLS_KPI)
            if "schools" in tables and kpi5.height:
                measure = f"{SCHOOLS_KPI}: {kpi5.item(0, Kpi.measure)}"
                rows += _la_rows(year, hub_name, sheet.name, measure, tables["schools"], la_codes)
        elif sheet.table == "income":
            rows += _income_rows(year, hub_name, sheet.name, table)
        elif issubclass(RETURN_TABLES[sheet.table], Fig):
            rows += _duty_rows(year, hub_name, sheet.name, table, own)
    return rows


def national_open_data(
    *, england: pl.DataFrame, hubs: pl.DataFrame, year: AcademicYear, threshold: int
) -> list[Row]:
    """England's KPIs (music hub: Total) and each hub's, with pupil counts from 1 to ``threshold`` as c."""
    rows: list[Row] = []
    for kpi in england.iter_rows(named=True):
        code = kpi[England.kpi_code]
        rows.append(
            {
                **_geography(year),
                **_filters(od.TOTAL, "KPIs", f"{code}: {kpi[England.measure]}"),
                **_figure(
                    _kpi_unit(code),
                    kpi[England.count],
                    kpi[England.count_pct],
                    has_denominator=True,
                    hidden=False,
                    hidden_pct=False,
                ),
            }
        )
    measures = {kpi[England.kpi_code]: kpi[England.measure] for kpi in england.iter_rows(named=True)}
    for hub in hubs.iter_rows(named=True):
        for code, (number, share) in KPI_COLUMNS.items():
            count = hub[number]
            small = code != SCHOOLS_KPI and count is not None and 1 <= count <= threshold
            rows.append(
                {
                    **_geography(year),
                    **_filters(hub[HubKpis.hub_name], "KPIs", f"{code}: {measures.get(code, code)}"),
                    **_figure(
                        _kpi_unit(code),
                        count,
                        hub[share],
                        has_denominator=True,
                        hidden=small,
                        hidden_pct=small,
                    ),
                }
            )
    return rows


def _indicators(rows: Iterable[Row]) -> list[od.Indicator]:
    """The indicator columns the rows use, in the order of the units (number, then percentage)."""
    used = {name for row in rows for name in row}
    indicators = []
    for unit in od.UNIT_STEMS:
        for indicator in (od.count_indicator(unit), od.percent_indicator(unit)):
            if indicator.name in used:
                indicators.append(indicator)
    return indicators


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_open_data(path: Path, rows: list[Row]) -> str:
    """Write the data file and its ``.meta.csv`` atomically (the meta file first); return the data's SHA-256.

    Every row gets every indicator column: ``z`` where the figure is of another kind (a pupil count has no
    school count).
    """
    if not rows:
        raise ValueError(f"{Path(path).name}: there are no figures to write as open data")
    indicators = _indicators(rows)
    header = [
        *od.TIME_AND_GEOGRAPHY,
        *od.LA_COLUMNS,
        *(f.name for f in od.FILTERS),
        *(i.name for i in indicators),
    ]
    data = _csv(header, ([row.get(column, od.NOT_APPLICABLE) for column in header] for row in rows))
    meta_rows = [[f.name, "Filter", f.label, "", "", "", f.hint, ""] for f in od.FILTERS]
    meta_rows += [[i.name, "Indicator", i.label, "", i.unit, str(i.dp), "", ""] for i in indicators]
    write_bytes_atomically(meta_path(Path(path)), _csv(list(od.META_COLUMNS), meta_rows))
    return write_bytes_atomically(Path(path), data)


def write_return_open_data(
    path: Path,
    *,
    layout: ReturnLayout,
    tables: Mapping[str, pl.DataFrame],
    markers: Mapping[str, Mapping[str, pl.Series]],
    year: AcademicYear,
    hub_name: str,
    la_codes: Mapping[str, tuple[str, str]],
) -> str:
    """Write one hub's published return as open data at ``path`` (and its .meta.csv); return the SHA-256.

    ``tables`` are the tables the layout shows and ``markers`` the published variant's ([c] where hidden);
    ``la_codes`` maps a local authority's name to its DfE and GSS codes.
    """
    rows = hub_open_data(
        layout=layout, tables=tables, markers=markers, year=year, hub_name=hub_name, la_codes=la_codes
    )
    return write_open_data(path, rows)
