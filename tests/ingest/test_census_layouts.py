"""School-level census files in the layouts DfE has published in recent years, recognised by their headings.

2023/24 on: lower-case ``urn``, "male"/"female", full headings. 2022/23: ``URN``, "boys"/"girls", and every
heading cut at 64 characters (so "... any other white background ethnic origin" ends "... ethnic"). Up to
about 2020/21 also the FSM heading "eligible for and claiming free school meals". Each reads to the same
figures; a column a layout lacks gives a warning and an [x] base rate, never 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from foundation.hub_config import InputFile
from ingest.sources import load_census
from schemas.census import CENSUS_ETHNICITY_GROUPS, ethnicity_count_header
from schemas.census import SenCensus as Sen
from schemas.periods import AcademicYear
from tests.builders import establishments, frame, school
from transforms.inclusion import area_base_rates
from transforms.universe import school_universe

GROUPS = list(CENSUS_ETHNICITY_GROUPS)
DFE_HEADER_LIMIT = 64


def _current(header: str) -> str:
    return header


def _2022_23(header: str) -> str:
    renamed = {"urn": "URN", "headcount total male": "headcount total boys", "headcount total female":
               "headcount total girls"}.get(header, header)  # fmt: skip
    return renamed[:DFE_HEADER_LIMIT]


def _2020_21(header: str) -> str:
    claiming = header.replace("eligible for free school meals", "eligible for and claiming free school meals")
    return _2022_23(claiming)


LAYOUTS: dict[str, Callable[[str], str]] = {"2023/24 on": _current, "2022/23": _2022_23, "2020/21": _2020_21}


def _school_row(urn: str, headcount: int) -> dict[str, str]:
    """One school's figures under the current headings: every ethnic group has its own count."""
    counts = {ethnicity_count_header(group): str(i + 1) for i, group in enumerate(GROUPS)}
    counts[ethnicity_count_header("white British")] = str(headcount - sum(range(2, 19)) - 5)
    return {
        "time_period": "202526", "time_identifier": "Academic year", "geographic_level": "School",
        "old_la_code": "830", "urn": urn, "headcount of pupils": str(headcount),
        "Number of reception pupils (year R)": "0", "Number of key stage 1 pupils (years 1 and 2)": "0",
        "Number of key stage 2 pupils (years 3 to 6)": "0", "Number of key stage 3 pupils (years 7 to 9)": "0",
        "Number of key stage 4 pupils (years 10 and 11)": str(headcount),
        "Number of key stage 5 pupils (years 12 to 14)": "0",
        "number of pupils known to be eligible for free school meals": str(headcount // 5),
        "headcount total male": str(headcount // 2), "headcount total female": str(headcount - headcount // 2),
        **counts, "number of pupils unclassified": "5",
    }  # fmt: skip


def _write_spc(
    path: Path, rename: Callable[[str], str], rows: list[dict[str, str]], *, drop: str = ""
) -> Path:
    """An SPC school-level file as DfE's statistics service writes it (UTF-8, unquoted, CRLF)."""
    header = [h for h in rows[0] if h != drop]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([rename(h) for h in header])
    writer.writerows([[row[h] for h in header] for row in rows])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_recent_census_layout_reads_to_the_same_figures(tmp_path: Path, layout: str) -> None:
    rows = [_school_row("100001", 400), _school_row("100002", 250)]
    path = _write_spc(tmp_path / "spc_school_level_underlying_data.csv", LAYOUTS[layout], rows)
    written = path.read_text().splitlines()[0]
    if layout != "2023/24 on":
        assert "number of pupils classified as any other white background ethnic," in written
        assert ",URN," in written
    loaded = load_census((InputFile(path=path),))
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    got = loaded.frame.select(
        "urn", "pupil_headcount", "fsm_count", "male_count", "female_count",
        "ethnicity_traveller_of_irish_heritage_count", "ethnicity_any_other_ethnic_group_count",
        "ethnicity_white_british_count", "ethnicity_unclassified_count",
    ).rows()  # fmt: skip
    assert got == [("100001", 400, 80, 200, 200, 3, 18, 225, 5), ("100002", 250, 50, 125, 125, 3, 18, 75, 5)]


def test_a_layout_without_the_fsm_column_gives_an_x_base_rate_and_a_warning(tmp_path: Path) -> None:
    rows = [_school_row("100001", 400), _school_row("100002", 250)]
    fsm = "number of pupils known to be eligible for free school meals"
    path = _write_spc(tmp_path / "spc.csv", _2022_23, rows, drop=fsm)
    loaded = load_census((InputFile(path=path),))
    assert loaded.failures.select("file", "row", "column", "severity").rows() == [
        ("spc.csv", None, "fsm_count", "warning")
    ]
    assert loaded.failures.get_column("rule")[0].startswith(
        f"the file has no column '{fsm}' (it may be another year's layout), so the figures that need it, such "
        "as the area's base rates, are shown as [x] (not available), never as 0."
    )
    universe = school_universe(
        establishments(school("100001"), school("100002")), la_codes=["830"], year=AcademicYear(2025)
    )
    sen = frame(Sen, [{"urn": "100001", "sen_pupil_total": 400, "sen_support_count": 40, "ehcp_count": 8}],
                census_period="202526")  # fmt: skip
    rates = area_base_rates(universe, loaded.frame.lazy(), sen, year=AcademicYear(2025)).collect()
    by_group = {(r["breakdown"], r["group"]): r["base_rate_pct"] for r in rates.iter_rows(named=True)}
    assert by_group[("Free school meals", "Eligible")] is None
    assert by_group[("Ethnicity", "White")] == pytest.approx((225 + 2 + 3 + 4 + 5 + 75 + 2 + 3 + 4 + 5) / 650)
    assert rates.filter(pl.col("base_rate_pct") == 0).is_empty()
