"""The real annual-return flow on the tiny fixture hub, recording its run in PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from store.repository import store_engine

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
pytestmark = [pytest.mark.flow, pytest.mark.postgres]


def test_flow_records_its_run_inputs_and_figures_in_postgres(
    prefect_server, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.annual_return import annual_return

    shutil.copytree(FIXTURE, tmp_path / "hub_small")
    hub = tmp_path / "hub_small" / "hub.toml"
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", postgres_url)
    summary = annual_return(config_path=str(hub), academic_year="2025/26", as_of="2026-11-23")

    # Nothing went to the SQLite file the configuration names.
    assert not (hub.parent / "hubreturns.db").exists()
    engine = store_engine(postgres_url)
    with engine.connect() as connection:
        run = connection.execute(
            sa.text(
                "select status, hub_slug, academic_year, parameters, started_at from runs where run_id = :r"
            ),
            {"r": summary.run_id},
        ).one()
        inputs = dict(
            connection.execute(
                sa.text("select source, rows_read from run_inputs where run_id = :r"), {"r": summary.run_id}
            ).all()
        )
        kpi_1 = connection.execute(
            sa.text(
                "select value from return_figures where run_id = :r and sheet = 'kpis' and measure = 'KPI 1 count'"
            ),
            {"r": summary.run_id},
        ).scalar_one()
    engine.dispose()
    assert tuple(run[:3]) == ("published", "small-test", "2025/26")
    assert run.parameters["academic_year"] == "2025/26" and run.started_at.tzinfo is not None
    assert inputs["tuition"] == 5 and inputs["gias"] == 6
    # KPI 1 as in test_annual_return: class 4B's roll of 2 plus 15 in Class 4 (no roll).
    assert kpi_1 == 17
