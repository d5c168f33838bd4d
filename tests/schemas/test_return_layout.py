"""The annual return's layout per academic year is configuration (config/returns): each file has its test."""

from __future__ import annotations

import pytest

from schemas.periods import AcademicYear
from schemas.return_layout import LayoutError, ReturnLayout, all_return_layouts, return_layout

DUTY_COLUMNS = (
    "measure",
    "unit",
    "breakdown",
    "group",
    "count",
    "denominator",
    "count_pct",
    "previous_count",
    "previous_count_pct",
    "change_count",
)


def _tables(layout: ReturnLayout) -> list[str]:
    return [sheet.table for sheet in layout.sheets]


def test_every_layout_file_is_valid_and_complete() -> None:
    layouts = all_return_layouts()
    assert set(layouts) == {"2022-23", "2023-24", "2024-25"}
    for layout in layouts.values():
        # Every duty of SPEC 3.1 has its sheet every year.
        assert {
            "kpis",
            "schools",
            "wcet",
            "tuition",
            "ensembles",
            "singing",
            "progression",
            "loans",
            "cpd",
            "experiences",
            "inclusion",
            "workforce",
            "finance",
            "changes",
            "data_quality",
        } <= set(_tables(layout))
        assert layout.sheet("changes").published is False


def test_2022_23_layout() -> None:
    layout = all_return_layouts()["2022-23"]
    assert layout.applies_from == "2022/23"
    assert "functions" not in _tables(layout)
    assert layout.sheet("wcet").columns == DUTY_COLUMNS
    assert layout.sheet("inclusion").breakdowns == (
        "Free school meals",
        "Pupil premium",
        "SEN",
        "Looked after",
    )
    assert layout.sheet("inclusion").column_titles()["count"] == "Pupils with it"
    assert layout.sheet("loans").name == "Instrument loans"


def test_2023_24_layout_adds_pupil_ethnicity_and_keeps_the_rest() -> None:
    earlier, layout = all_return_layouts()["2022-23"], all_return_layouts()["2023-24"]
    inclusion = layout.sheet("inclusion")
    assert inclusion.breakdowns == ("Free school meals", "Pupil premium", "SEN", "Looked after", "Ethnicity")
    # What the file does not mention is inherited unchanged, headings included.
    assert inclusion.column_titles() == earlier.sheet("inclusion").column_titles()
    assert _tables(layout) == _tables(earlier)


def test_2024_25_layout_adds_the_functions_sheet_after_the_kpis() -> None:
    layout = all_return_layouts()["2024-25"]
    assert _tables(layout)[:4] == ["kpis", "income", "functions", "schools"]  # after the KPIs and PI1
    assert layout.sheet("functions").columns == ("sheet", "functions_2022", "roles_2011")


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (AcademicYear(2022), "2022/23"),
        (AcademicYear(2023), "2023/24"),
        (AcademicYear(2025), "2024/25"),
        (AcademicYear(2031), "2024/25"),
    ],
)
def test_a_year_uses_the_latest_layout_applying_to_it(year: AcademicYear, expected: str) -> None:
    assert return_layout(year).applies_from == expected


def test_a_year_before_every_layout_is_refused_with_what_to_add() -> None:
    with pytest.raises(
        LayoutError, match=r"no annual return layout for 2019/20: add config/returns/2019-20.toml"
    ):
        return_layout(AcademicYear(2019))


BASE = {
    "applies_from": "2026/27",
    "funder": "Arts Council England",
    "template": "x",
    "kpi5": {"duties": ["has_wcet"], "reason": "r"},
}


def _sheet(**changes: object) -> dict:
    sheet = {"table": "wcet", "name": "WCET", "title": "t", "description": "d", "columns": list(DUTY_COLUMNS)}
    sheet.update(changes)
    return sheet


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (_sheet(columns=["measure", "pupils"]), r"table 'wcet' has no column \['pupils'\]"),
        (_sheet(table="wcets"), r"unknown table 'wcets'"),
        (
            _sheet(functions_2022=["Schools", "Outreach"]),
            r"\['Outreach'\] are not functions of the 2022 plan",
        ),
        (_sheet(table="finance", columns=["kind"], breakdowns=["All"]), r"only duty tables have breakdowns"),
    ],
)
def test_a_misspelt_layout_is_refused(sheet: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReturnLayout.model_validate({**BASE, "sheets": [sheet]})


def test_two_sheets_with_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match=r"repeat the name \['wcet'\]"):
        ReturnLayout.model_validate({**BASE, "sheets": [_sheet(), _sheet(table="tuition", name="wcet")]})


def test_the_funder_and_template_are_settings_and_titles_name_the_funder() -> None:
    layout = all_return_layouts()["2024-25"]
    assert layout.funder == "Arts Council England"
    assert layout.template == "ACE Music Hubs annual data return 2024-25"
    assert layout.sheet("kpis").title == "Arts Council England key performance indicators"
    assert "{funder}" not in layout.sheet("kpis").description


def test_kpi5_duties_are_a_setting_with_their_reason() -> None:
    for layout in all_return_layouts().values():
        assert layout.kpi5.duties == ("has_wcet", "has_tuition", "has_ensemble", "has_singing")
        assert "core role" in layout.kpi5.reason
        assert layout.kpi5.titles() == ("WCET", "Tuition", "Ensembles", "Singing")
        assert layout.kpi5.other_titles() == ("Instrument loans", "CPD", "Experiences", "SMEP contact")


@pytest.mark.parametrize("duties", [[], ["has_wcet", "has_violins"]])
def test_kpi5_duties_must_be_columns_of_the_schools_sheet(duties: list[str]) -> None:
    with pytest.raises(ValueError, match=r"kpi5.duties must name at least one of \['has_wcet'"):
        ReturnLayout.model_validate({**BASE, "kpi5": {"duties": duties, "reason": "r"}, "sheets": [_sheet()]})
