"""The national roll-up for real on a small synthetic England: on Prefect's default runner and on Dask."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from hubreturns.synthetic.england import generate_england
from schemas.periods import AcademicYear
from tests.workbooks import table_rows

pytestmark = pytest.mark.flow
YEAR, AS_OF = "2025/26", "2026-11-23"
KPIS = ("KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5")


@pytest.fixture(autouse=True)
def prefect_api_for_every_process(prefect_server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hubs run in other processes (Prefect's process pool, Dask's workers): they report to this test server."""
    import prefect.settings

    monkeypatch.setenv("PREFECT_API_URL", str(prefect.settings.PREFECT_API_URL.value()))


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small hub areas of synthetic England (disjoint local authorities, one store, one output folder)."""
    folder = tmp_path_factory.mktemp("england")
    generate_england(folder, seed=7, year=AcademicYear(2025), hubs=3, schools_per_la=12, workers=1)
    return folder


def _hub_kpis(return_path: Path) -> dict[str, tuple[int, int]]:
    """Number and denominator of each KPI, read back from a hub's own annual return."""
    rows = table_rows(openpyxl.load_workbook(return_path, read_only=False)["KPIs"])
    return {r["KPI"]: (r["Number"], r["Out of"]) for r in rows if r["KPI"] in KPIS}


def _england(summary_path: Path) -> dict[str, dict]:
    return {r["KPI"]: r for r in table_rows(openpyxl.load_workbook(summary_path)["England"])}


def _totals_check(summary) -> dict[str, dict[str, tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """England's sheet adds up the hubs' own workbooks, and so does the direct computation; the hubs' KPIs."""
    # Each hub's figures, read from its own workbook, independently of the store the flow read them from.
    hubs = {hub.hub_slug: _hub_kpis(Path(hub.outputs["annual_return"])) for hub in summary.hubs}
    assert len(hubs) == 3
    rows = _england(Path(summary.summary_path))
    assert set(rows) == set(KPIS)
    for code in KPIS:
        number = sum(figures[code][0] for figures in hubs.values())
        out_of = sum(figures[code][1] for figures in hubs.values())
        row = rows[code]
        assert (row["Number"], row["Out of"]) == (number, out_of), code
        # The direct computation, over the three hubs' data at once, finds the same.
        assert (row["Number computed directly"], row["Out of, computed directly"]) == (number, out_of), code
        assert row["Difference"] == 0 and row["Reconciled"] == "Y"
    assert rows["KPI 5"]["Out of"] > 0 and rows["KPI 1"]["Out of"] > 0
    return hubs


def test_national_totals_are_the_sum_of_the_hubs_and_a_direct_computation(
    prefect_server, england: Path
) -> None:
    from flows.national import national

    summary = national(
        hubs_folder=str(england / "hubs"), academic_year=YEAR, as_of=AS_OF, sections=["annual_return"]
    )
    assert [hub.status for hub in summary.hubs] == ["published"] * 3
    assert summary.reconciled is True

    hubs = _totals_check(summary)
    workbook = Path(summary.summary_path)
    assert workbook == england / "out" / "national" / "2025-26" / "national-2025-26-summary.xlsx"
    # The national open data: England (music hub Total) and each hub, in the open data standard.
    from tests.outputs.test_open_data import check_standard

    open_rows = check_standard(workbook.with_name("national-2025-26-open-data.csv"))
    england_kpi5 = next(
        r for r in open_rows if r["music_hub"] == "Total" and r["measure"].startswith("KPI 5")
    )
    assert england_kpi5["school_count"] == str(_england(workbook)["KPI 5"]["Number"])
    side_by_side = table_rows(openpyxl.load_workbook(workbook)["Hubs"])
    assert sorted(r["Hub code"] for r in side_by_side) == sorted(hubs)
    for row in side_by_side:
        assert row["KPI 1 WCET pupils"] == hubs[row["Hub code"]]["KPI 1"][0]
        assert row["KPI 5 schools engaged"] == hubs[row["Hub code"]]["KPI 5"][0]
        assert row["Pupils on roll"] == hubs[row["Hub code"]]["KPI 1"][1]


def test_a_failing_hub_does_not_stop_the_others(prefect_server, england: Path, tmp_path: Path) -> None:
    from flows.national import national

    hubs = tmp_path / "hubs"
    hubs.mkdir()
    configs = sorted((england / "hubs").glob("*.toml"))
    for config in configs[:2]:
        text = config.read_text().replace('"../', f'"{england}/')
        (hubs / config.name).write_text(text)
    broken = configs[0].name
    # The first hub's WCET export goes missing: its run fails, the second hub's still runs.
    (hubs / broken).write_text((hubs / broken).read_text().replace("exports/wcet.csv", "exports/missing.csv"))
    # One hub at a time, on Prefect's default (thread) runner.
    summary = national(
        hubs_folder=str(hubs),
        academic_year=YEAR,
        as_of=AS_OF,
        sections=["annual_return"],
        check_totals=False,
        output_dir=str(tmp_path / "out"),
        max_parallel_hubs=1,
    )
    statuses = {hub.hub_slug: hub.status for hub in summary.hubs}
    assert sorted(statuses.values()) == ["failed", "published"]
    failed = next(hub for hub in summary.hubs if hub.status == "failed")
    assert "missing.csv" in failed.message
    runs = table_rows(openpyxl.load_workbook(summary.summary_path)["Runs"])
    assert {r["Hub code"]: r["This run"] for r in runs} == statuses


def test_national_run_on_a_dask_cluster(prefect_server, england: Path) -> None:
    from distributed import LocalCluster

    from flows.national import national

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = national(
            hubs_folder=str(england / "hubs"),
            academic_year=YEAR,
            as_of=AS_OF,
            sections=["annual_return"],
            dask_address=cluster.scheduler_address,
        )
    assert [hub.status for hub in summary.hubs] == ["published"] * 3
    assert summary.reconciled is True
    _totals_check(summary)
