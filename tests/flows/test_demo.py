"""The README's first command, in-process, and the demo hub's full annual return checked sheet by sheet."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from hubreturns.cli import EXIT_OK, main
from tests.workbooks import RETURN_SHEETS as SHEETS
from tests.workbooks import table_rows

pytestmark = pytest.mark.flow
YEAR = ["--year", "2025/26", "--as-of", "2026-11-23"]
# A school name a hostile or careless export could carry: it must stay text, never become a formula.
FORMULA_NAME = '=HYPERLINK("http://example.invalid","Click")'


@pytest.fixture(scope="module")
def demo(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo hub, with one school renamed to a formula, run as the README's demo command runs it."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    assert main(["generate", "--out", str(out), "--year", "2025/26"]) == EXIT_OK
    gias = next((out / "dfe").glob("edubasealldata*.csv"))
    with gias.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.reader(handle))
    column = {heading: index for index, heading in enumerate(rows[0])}
    name = column["EstablishmentName"]
    target = next(
        i
        for i, row in enumerate(rows[1:], start=1)
        if row[column["LA (code)"]] == "830"
        and row[column["EstablishmentStatus (name)"]] == "Open"
        and row[column["EstablishmentTypeGroup (name)"]] == "Local authority maintained schools"
    )
    rows[target][name] = FORMULA_NAME
    with gias.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    config = str(out / "hub.toml")
    # Last year's run is for the history only, as in `hubreturns demo`.
    last_year = ["--year", "2024/25", "--as-of", "2026-11-23", "--sections", "annual_return"]
    assert main(["run", "--config", config, *last_year]) == EXIT_OK
    assert main(["run", "--config", config, *YEAR, "--published"]) == EXIT_OK
    return out / "out" / "trentvale" / "2025-26"


def _table(workbook: openpyxl.Workbook, sheet: str) -> list[dict]:
    """The sheet's one Excel table as a list of {heading: value}."""
    return table_rows(workbook[sheet])


def test_demo_return_has_every_sheet_and_kpis_with_last_year(demo: Path) -> None:
    workbook = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    assert workbook.sheetnames == SHEETS
    kpis = {row["KPI"]: row for row in _table(workbook, "KPIs")}
    assert [k for k in kpis if k.startswith("KPI")] == ["KPI 1", "KPI 2", "KPI 3", "KPI 4", "KPI 5"]
    for code, row in kpis.items():
        assert isinstance(row["Number"], int) and 0 < row["Number"] <= row["Out of"], code
        assert row["Percentage"] == pytest.approx(row["Number"] / row["Out of"]), code
        # Last year's figures come from the 2024/25 run in the store.
        assert isinstance(row["Number last year"], int), code
    assert len(_table(workbook, "Schools")) == kpis["KPI 5"]["Out of"]  # one row per school of the universe
    # PI1, in pounds on its own sheet, with last year's amount from the same run history.
    for row in _table(workbook, "PI1"):
        assert isinstance(row["Amount (£)"], int) and isinstance(row["Amount last year (£)"], int), row


def _by_measure(rows: list[dict]) -> dict[str, dict[str, dict[str, object]]]:
    table: dict[str, dict[str, dict[str, object]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        table[row["Measure"]][row["Breakdown"]][row["Group"]] = row["Number"]
    return table


# (sheet, measure, breakdown) whose groups add up to the measure's total: each pupil or thing in one group.
ADDITIVE = (
    [
        ("WCET", "Pupils receiving whole-class ensemble teaching (WCET)", b)
        for b in ("NC year", "Terms of WCET", "First time", "Main instrument", "Provision", "School")
    ]
    + [
        ("Tuition", "Pupils learning an instrument or voice outside WCET", b)
        for b in ("Key stage", "Gender", "Fee remission", "Pupil premium", "SEN")
    ]
    + [("Ensembles", "Ensembles with members during the year", b) for b in ("Type", "Level", "Lead")]
    + [("Ensembles", "Pupils playing or singing regularly in ensembles", b) for b in ("Key stage", "Gender")]
    + [
        ("Singing", "Pupils singing regularly", "Phase"),
        ("Progression", "Pupils learning outside WCET, by the highest standard reached", "Standard"),
        ("Instrument loans", "Instruments on loan", "Remission"),
        ("Instrument loans", "Instruments on loan", "Instrument family"),
        ("CPD", "School staff attending CPD", "Phase"),
        ("Experiences", "Pupil places at experiences", "Phase"),
    ]
)


def test_demo_return_totals_reconcile(demo: Path) -> None:
    workbook = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    sheets = {sheet: _by_measure(_table(workbook, sheet)) for sheet, _, _ in ADDITIVE}
    for sheet, measure, breakdown in ADDITIVE:
        groups = sheets[sheet][measure]
        assert groups[breakdown], (sheet, measure, breakdown)
        assert sum(groups[breakdown].values()) == groups["All"]["All"] > 0, (sheet, measure, breakdown)
    # The same figure on two sheets is the same number.
    kpis = {row["KPI"]: row["Number"] for row in _table(workbook, "KPIs")}
    assert (
        kpis["KPI 1"] == sheets["WCET"]["Pupils receiving whole-class ensemble teaching (WCET)"]["All"]["All"]
    )
    assert kpis["KPI 4"] == sheets["Singing"]["Pupils singing regularly"]["All"]["All"]
    # Finance: the lines add up to their totals, and the balance is income less expenditure.
    finance = _table(workbook, "Finance")
    totals = {
        row["Source or category"]: row["Amount (£)"]
        for row in finance
        if row["Source or category"].startswith(("Total", "Income less"))
    }
    income = [
        r["Amount (£)"]
        for r in finance
        if r["Income or expenditure"] == "income" and not r["Source or category"].startswith("Total")
    ]
    spent = [
        r["Amount (£)"]
        for r in finance
        if r["Income or expenditure"] == "expenditure" and not r["Source or category"].startswith("Total")
    ]
    assert sum(income) == pytest.approx(totals["Total income"], abs=0.01)
    assert sum(spent) == pytest.approx(totals["Total expenditure"], abs=0.01)
    assert totals["Income less expenditure"] == pytest.approx(
        totals["Total income"] - totals["Total expenditure"], abs=0.01
    )
    pi1 = {row["Source of income"]: row["Amount (£)"] for row in _table(workbook, "PI1")}
    assert sum(pi1.values()) == pytest.approx(totals["Total income"], abs=5)  # whole pounds
    workforce = {row["Employment"]: row for row in _table(workbook, "Workforce")}
    assert sum(workforce[e]["FTE"] for e in ("permanent", "contract", "freelance")) == pytest.approx(
        workforce["All"]["FTE"]
    )


@pytest.mark.parametrize("variant", ["annual-return", "annual-return-published", "school-engagement"])
def test_no_cell_of_the_return_is_a_formula_and_input_text_stays_text(demo: Path, variant: str) -> None:
    workbook = openpyxl.load_workbook(demo / f"trentvale-2025-26-{variant}.xlsx")
    formulas = [
        f"{ws.title}!{cell.coordinate}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    names = [row["School"] for row in _table(workbook, "Schools")]
    assert FORMULA_NAME in names  # written as the text it is


def test_published_variant_hides_small_counts_and_leaves_out_the_changes(demo: Path) -> None:
    full = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    published = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return-published.xlsx")
    assert published.sheetnames == [s for s in SHEETS if s != "Changes"]
    hidden = 0
    for sheet in ("WCET", "Tuition", "Ensembles", "Progression", "Inclusion", "Instrument loans"):
        for before, after in zip(_table(full, sheet), _table(published, sheet), strict=True):
            number = before.get("Number", before.get("Pupils with it"))
            shown = after.get("Number", after.get("Pupils with it"))
            if (
                isinstance(number, int)
                and 1 <= number <= 4
                and after.get("Unit", "pupils") in ("pupils", "places", "loans", "enrolments")
            ):
                assert shown == "[c]", (sheet, before)
            if shown == "[c]":
                hidden += 1
    assert hidden > 0
    cover = [c for row in published["Cover"].iter_rows(values_only=True) for c in row if c]
    assert "Published: small numbers are suppressed and shown as [c]" in cover


def test_demo_tracker_agrees_with_the_return_and_every_school_has_a_report(demo: Path) -> None:
    annual = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    kpis = {row["KPI"]: row["Number"] for row in _table(annual, "KPIs")}
    tracker = openpyxl.load_workbook(demo / "trentvale-2025-26-school-engagement.xlsx")
    schools = _table(tracker, "Schools")
    assert len(schools) == len(_table(annual, "Schools"))
    # The tracker counts each school's pupils as the return does: its columns add up to the KPIs.
    assert sum(row["WCET pupils"] for row in schools) == kpis["KPI 1"]
    assert sum(row["Ensemble members"] for row in schools) == kpis["KPI 2"]
    assert sum(row["Tuition pupils"] for row in schools) == kpis["KPI 3"]
    assert sum(row["Pupils singing regularly"] for row in schools) == kpis["KPI 4"]
    assert sum(row["Engaged"] == "Y" for row in schools) == kpis["KPI 5"]
    summary = {row["Phase"]: row for row in _table(tracker, "Summary")}
    assert summary["All phases"]["Schools"] == len(schools)
    assert sum(row["Schools"] for phase, row in summary.items() if phase != "All phases") == len(schools)
    # Staff of neighbouring areas' schools at the hub's CPD are listed, not silently dropped.
    exceptions = _table(tracker, "Exceptions")
    assert len(exceptions) >= 2
    assert all(
        r["Export"] == "cpd" and r["Why it is outside"].startswith("In another local authority")
        for r in exceptions
    )
    # The school renamed to a formula is on the tracker as text, and its report's name is safe.
    renamed = next(row for row in schools if row["School"] == FORMULA_NAME)
    reports = sorted((demo / "schools").iterdir())
    assert len(reports) == len(schools)
    assert all(len(p.name) <= 100 and p.name.endswith(".xlsx") for p in reports)
    report = openpyxl.load_workbook(
        demo / "schools" / f"{renamed['LAESTAB']}-HYPERLINK-http-example-invalid-Click.xlsx"
    )
    assert not [c for ws in report.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    urn = renamed["URN"]
    assert report["Brief"]["A1"].value == f"Conversation brief: {FORMULA_NAME} (URN {urn})"
    assert report["Cover"]["A1"].value == f"School report: {FORMULA_NAME} (URN {urn})"


def test_demo_open_data_follows_the_standard_and_matches_the_published_return(demo: Path) -> None:
    from tests.outputs.test_open_data import check_standard

    rows = check_standard(demo / "trentvale-2025-26-open-data.csv")
    published = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return-published.xlsx")
    kpis = {row["KPI"]: row for row in _table(published, "KPIs")}
    national = {
        r["measure"][:5]: r for r in rows if r["geographic_level"] == "National" and r["activity"] == "KPIs"
    }
    assert national["KPI 5"]["school_count"] == str(kpis["KPI 5"]["Number"])
    shown = kpis["KPI 1"]["Number"]
    assert national["KPI 1"]["pupil_count"] == ("c" if shown == "[c]" else str(shown))
    # KPI 5 by local authority adds up to the hub's.
    by_la = [r for r in rows if r["geographic_level"] == "Local authority"]
    assert by_la and sum(int(r["school_count"]) for r in by_la) == kpis["KPI 5"]["Number"]
    assert all(r["old_la_code"] in ("830", "831", "892") for r in by_la)
    # Every duty sheet of the published return has its figures in the file.
    activities = {r["activity"] for r in rows}
    assert {
        "KPIs",
        "WCET",
        "Tuition",
        "Ensembles",
        "Singing",
        "Instrument loans",
        "CPD",
        "Experiences",
    } <= activities


def test_demo_schools_sheet_recomputes_kpi5(demo: Path) -> None:
    workbook = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    schools = _table(workbook, "Schools")
    kpi5 = next(row for row in _table(workbook, "KPIs") if row["KPI"] == "KPI 5")
    core = ("WCET", "Tuition", "Ensembles", "Singing")
    assert sum(any(row[duty] == "Y" for duty in core) for row in schools) == kpi5["Number"]
    assert {"Instrument loans", "CPD", "Experiences", "SMEP contact"} <= set(schools[0])
    notes = [row[1] for row in workbook["Notes"].iter_rows(values_only=True) if row[1]]
    assert any(
        "at least one of these columns of the Schools sheet is Y: WCET, Tuition, Ensembles and Singing" in n
        for n in notes
    )


def test_demo_duty_sheets_show_last_years_figures_from_the_store(demo: Path) -> None:
    workbook = openpyxl.load_workbook(demo / "trentvale-2025-26-annual-return.xlsx")
    for sheet in (
        "WCET",
        "Tuition",
        "Ensembles",
        "Singing",
        "Progression",
        "Instrument loans",
        "CPD",
        "Experiences",
    ):
        rows = _table(workbook, sheet)
        # The 2024/25 run is in the store: most figures have last year's number, and the change adds up.
        known = [r for r in rows if isinstance(r["Number last year"], (int, float))]
        assert known, sheet
        for row in known:
            if isinstance(row["Number"], (int, float)):
                assert row["Change in the number"] == pytest.approx(
                    row["Number"] - row["Number last year"]
                ), sheet
    kpis = {row["KPI"]: row for row in _table(workbook, "KPIs")}
    kpi1 = kpis["KPI 1"]
    assert kpi1["Change in percentage points"] == pytest.approx(
        (kpi1["Percentage"] - kpi1["Percentage last year"]) * 100
    )
