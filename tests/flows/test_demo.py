"""The README's first command, in-process: generate the demo hub and build its annual return."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from hubreturns.cli import EXIT_OK, main

pytestmark = pytest.mark.flow


def test_demo_writes_a_return_with_every_kpi(prefect_server, tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo"), "--year", "2025/26", "--as-of", "2026-11-23"]) == EXIT_OK
    path = tmp_path / "demo" / "out" / "trentvale" / "2025-26" / "trentvale-2025-26-annual-return.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:5] == ["Cover", "Contents", "Notes", "KPIs", "Schools"]
    kpis = {row[0]: row for row in workbook["KPIs"].iter_rows(values_only=True) if row[0] and str(row[0]).startswith("KPI ")}
    assert sorted(kpis) == ["KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5"]
    for code, row in kpis.items():
        count, denominator, share = row[2], row[3], row[4]
        assert isinstance(count, int) and count > 0, code
        assert isinstance(denominator, int) and denominator >= count, code
        assert share == pytest.approx(count / denominator), code
    schools = workbook["Schools"]
    table = next(iter(schools.tables.values()))
    first, last = table.ref.split(":")
    rows = int("".join(c for c in last if c.isdigit())) - int("".join(c for c in first if c.isdigit()))
    assert rows == kpis["KPI 5"][3]  # one row per school of the universe
