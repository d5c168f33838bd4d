"""The `rerun` flow on the tiny fixture hub, under the session's Prefect test server."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.flow


def kpi_row(workbook: Path, kpi: str) -> list:
    rows = {
        row[0]: list(row[1:])
        for row in openpyxl.load_workbook(workbook)["KPIs"].iter_rows(values_only=True)
        if row
    }
    return rows[kpi]


def test_rerun_finds_the_hub_by_its_slug_and_builds_its_return(prefect_server, hubs: Path) -> None:
    from flows.rerun import rerun

    summary = rerun(
        hub="small-test",
        academic_year="2025/26",
        as_of="2026-11-23",
        sections=["annual_return"],
        hubs_folder=str(hubs),
    )
    path = hubs / "out" / "small-test" / "2025-26" / "small-test-2025-26-annual-return.xlsx"
    assert summary.hub == "small-test" and summary.outputs["annual_return"] == str(path)
    assert set(summary.outputs) == {"annual_return", "validation_report"}
    assert kpi_row(path, "KPI 1")[1:3] == [17, 900]
    with sa.create_engine(f"sqlite:///{hubs / 'hubreturns.db'}").connect() as connection:
        runs = connection.execute(sa.text("select run_id, hub_slug, academic_year, status from runs")).all()
    assert [tuple(r) for r in runs] == [(summary.run_id, "small-test", "2025/26", "published")]


def test_an_unknown_hub_fails_with_the_list_of_configured_hubs(prefect_server, hubs: Path) -> None:
    from flows.rerun import rerun

    state = rerun(hub="trentvale", hubs_folder=str(hubs), return_state=True)
    assert state.is_failed()
    assert state.message == (
        f"There is no hub called 'trentvale' in {hubs}. The configured hubs are: small-test."
    )


def test_a_failed_subflow_fails_the_rerun_with_its_plain_message(prefect_server, hubs: Path) -> None:
    from flows.rerun import rerun

    wcet = hubs / "exports" / "wcet.csv"
    wcet.write_text(wcet.read_text().replace("Autumn,10,15", "Autumn,ten,15"))
    state = rerun(
        hub="small-test",
        academic_year="2025/26",
        as_of="2026-11-23",
        hubs_folder=str(hubs),
        return_state=True,
    )
    assert state.is_failed()
    assert state.message.startswith("1 problem(s) in the input files, so nothing new was published.")
    assert "wcet.csv row 4, column 'weeks': must be a whole number (found 'ten')" in state.message
