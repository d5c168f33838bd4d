"""The national roll-up on tiny frames: hubs side by side, England's sums, the reconciliation, hubs combined."""

from datetime import date

import polars as pl
import pytest

from schemas.hub_exports import EnsembleMembers, Ensembles, Pupils
from schemas.national import EnglandKpiRow, HubKpiRow
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from tests.builders import census, establishments, frame, hub_data, school
from transforms.national import (
    HUB_KPI_SCHEMA,
    combined,
    direct_kpis,
    england_totals,
    hubs_side_by_side,
    reconcile,
)

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)


def _kpis(rows: list[tuple[str, str, int, int]]) -> pl.LazyFrame:
    return pl.LazyFrame(rows, schema=HUB_KPI_SCHEMA, orient="row")


@pytest.fixture
def kpis() -> pl.LazyFrame:
    return _kpis(
        [
            ("north", "KPI 1", 100, 1000),
            ("north", "KPI 2", 60, 1000),
            ("north", "KPI 3", 40, 1000),
            ("north", "KPI 4", 200, 1000),
            ("north", "KPI 5", 8, 10),
            ("south", "KPI 1", 30, 500),
            ("south", "KPI 2", 20, 500),
            ("south", "KPI 3", 5, 500),
            ("south", "KPI 4", 50, 500),
            ("south", "KPI 5", 3, 5),
            # Income lines are not KPIs 1-5: they stay out of the national tables.
            ("south", "PI1 DfE grant", 900000, 1000000),
        ]
    )


def test_hubs_side_by_side_one_row_per_hub_with_its_shares(kpis: pl.LazyFrame) -> None:
    hubs = pl.LazyFrame(
        {
            "hub_slug": ["south", "north", "east"],
            "hub_name": ["South Hub", "North Hub", "East Hub"],
            "local_authorities": ["830", "831, 892", "856"],
            "run_id": ["r2", "r1", None],
        }
    )
    table = HubKpiRow.validate(hubs_side_by_side(hubs, kpis).collect())
    assert table.get_column("hub_name").to_list() == ["East Hub", "North Hub", "South Hub"]
    north = table.row(1, named=True)
    assert (north["pupils_on_roll"], north["schools"]) == (1000, 10)
    assert (north["wcet_pupils"], north["wcet_pct"]) == (100, pytest.approx(0.1))
    assert (north["schools_engaged"], north["schools_engaged_pct"]) == (8, pytest.approx(0.8))
    # A hub with no published run keeps its row, its figures empty rather than zero.
    east = table.row(0, named=True)
    assert east["wcet_pupils"] is None and east["pupils_on_roll"] is None


def test_england_is_the_sum_of_the_hubs_and_reconciles_with_a_direct_count(kpis: pl.LazyFrame) -> None:
    direct = _kpis(
        [
            ("", "KPI 1", 130, 1500),
            ("", "KPI 2", 80, 1500),
            ("", "KPI 3", 45, 1500),
            ("", "KPI 4", 250, 1500),
            ("", "KPI 5", 12, 15),
        ]
    ).drop("hub_slug")
    england = EnglandKpiRow.validate(reconcile(england_totals(kpis), direct).collect())
    rows = {r["kpi_code"]: r for r in england.iter_rows(named=True)}
    assert set(rows) == {"KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5"}
    assert (rows["KPI 1"]["count"], rows["KPI 1"]["denominator"]) == (130, 1500)
    assert rows["KPI 1"]["count_pct"] == pytest.approx(130 / 1500)
    assert rows["KPI 1"]["reconciled"] is True and rows["KPI 1"]["difference"] == 0
    # 8 + 3 = 11 schools engaged by the hubs, 12 counted directly: one more, so not reconciled.
    assert (rows["KPI 5"]["count"], rows["KPI 5"]["direct_count"], rows["KPI 5"]["difference"]) == (11, 12, 1)
    assert rows["KPI 5"]["reconciled"] is False
    assert rows["KPI 2"]["measure"] == "Pupils playing or singing regularly in ensembles"


def test_without_a_direct_computation_nothing_is_marked_reconciled(kpis: pl.LazyFrame) -> None:
    england = reconcile(england_totals(kpis), None).collect()
    assert england.get_column("reconciled").is_null().all()
    assert england.get_column("count").to_list() == [130, 80, 45, 250, 11]


def _hub(urn: str, la: str, pupil: str):  # type: ignore[no-untyped-def]
    """A hub of one school with one pupil in ensemble E1 (ids as a management system would number them)."""
    return hub_data(
        establishments=establishments(school(urn, la_code=la), school("199999", la_code="891")),
        census=census([(urn, 100), ("199999", 50)]),
        pupils=frame(
            Pupils,
            [{"pupil_ref": pupil, "urn": urn}],
            nc_year="5",
            gender="F",
            fsm=False,
            pupil_premium=False,
            sen_status="none",
            looked_after=False,
        ),
        ensembles=frame(
            Ensembles, [{"ensemble_id": "E1", "type": "orchestra"}], name="x", level="entry", lead="hub"
        ),
        ensemble_members=frame(
            EnsembleMembers, [{"ensemble_id": "E1", "pupil_ref": pupil, "start_date": date(2025, 9, 5)}]
        ),
    )


def test_hubs_combined_keep_their_own_pupils_and_ensembles_apart() -> None:
    # Both hubs number their first pupil P1 and their first ensemble E1; a school of LA 891 is in both
    # hubs' register downloads (outside both areas) and must be kept once.
    together = combined({"north": _hub("100001", "830", "P1"), "south": _hub("100002", "831", "P1")})
    assert together.establishments.collect().height == 3
    kpis = {
        r["kpi_code"]: (r["count"], r["denominator"])
        for r in direct_kpis(
            together,
            la_codes=("830", "831"),
            year=YEAR,
            as_of=AS_OF,
            engaged_duties=return_layout(YEAR).kpi5.duties,
        )
        .collect()
        .iter_rows(named=True)
    }
    assert kpis["KPI 2"] == (2, 200)  # two pupils, one per hub, out of 100 + 100 on roll
    assert kpis["KPI 5"] == (2, 2)
