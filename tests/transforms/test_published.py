"""What a sheet shows under the year's layout, and which cells the published variant hides."""

from __future__ import annotations

import polars as pl

from schemas.columns import polars_schema
from schemas.output_tables import DutyFigures, KpiFigures
from schemas.periods import AcademicYear
from schemas.return_layout import all_return_layouts, return_layout
from transforms.figures import measure_definition
from transforms.published import duty_suppression, kpi_suppression, last_year_suppression, markers, shown_rows
from transforms.return_tables import MEASURE_DEFINITIONS, return_notes

COLUMNS = list(DutyFigures.to_schema().columns)


def duty(rows: list[tuple]) -> pl.DataFrame:
    """Rows of (measure_id, unit, breakdown, group, count, denominator, parent_breakdown, parent_group)."""
    data = [
        {
            "measure_id": m,
            "measure": m,
            "unit": u,
            "breakdown": b,
            "group": g,
            "count": c,
            "denominator": d,
            "count_pct": None if d is None else c / d,
            "parent_breakdown": pb,
            "parent_group": pg,
        }
        for m, u, b, g, c, d, pb, pg in rows
    ]
    return pl.DataFrame(data, schema=polars_schema(DutyFigures))


def test_small_pupil_counts_and_a_secondary_are_hidden_per_breakdown() -> None:
    table = duty(
        [
            ("wcet_pupils", "pupils", "All", "All", 23.0, 1000.0, None, None),
            ("wcet_pupils", "pupils", "NC year", "Year 3", 3.0, None, "All", "All"),  # primary
            ("wcet_pupils", "pupils", "NC year", "Year 4", 12.0, None, "All", "All"),
            (
                "wcet_pupils",
                "pupils",
                "NC year",
                "Year 5",
                8.0,
                None,
                "All",
                "All",
            ),  # secondary: 23 - 12 - 8 = 3
            (
                "wcet_pupils",
                "pupils",
                "Terms",
                "1 term",
                10.0,
                None,
                "All",
                "All",
            ),  # another breakdown of 23:
            (
                "wcet_pupils",
                "pupils",
                "Terms",
                "2 terms",
                13.0,
                None,
                "All",
                "All",
            ),  # nothing small, all shown
            ("wcet_schools", "schools", "All", "All", 2.0, 40.0, None, None),  # schools are not pupils
            ("continuation", "pupils", "All", "All", 2.0, 3.0, None, None),  # 2 of 3: both hidden
        ]
    )
    flags = duty_suppression(table, threshold=4)
    assert flags.get_column("count").to_list() == [False, True, False, True, False, False, False, True]
    assert flags.get_column("denominator").to_list() == [False] * 7 + [True]
    assert flags.get_column("count_pct").to_list() == [False, True, False, True, False, False, False, True]
    shown = markers(flags)
    assert shown["count"].to_list() == [None, "[c]", None, "[c]", None, None, None, "[c]"]


def test_a_kpi_is_hidden_when_small_or_when_its_duty_total_is_hidden() -> None:
    kpis = pl.DataFrame(
        {
            "kpi_code": ["KPI 1", "KPI 2", "KPI 5", "PI1 schools"],
            "measure": ["a", "b", "c", "d"],
            "count": [3, 50, 2, 3],
            "denominator": [900, 900, 3, 10],
            "count_pct": [0.1, 0.1, 0.6, 0.3],
            "previous_count": [40, 4, 1, None],
            "previous_count_pct": [0.1, 0.1, 0.3, None],
            "change_points": [0.0, 0.0, 30.0, None],
            "change_pct": [-0.925, 11.5, 1.0, None],
        },
        schema=polars_schema(KpiFigures),
    )
    flags = kpi_suppression(kpis, {"ensemble_members"}, threshold=4)
    # KPI 1: 3 pupils; KPI 2: its total is hidden on the Ensembles sheet; KPI 5 counts schools; PI1 is money.
    assert flags.get_column("count").to_list() == [True, True, False, False]
    assert flags.get_column("previous_count").to_list() == [False, True, False, False]
    # A change would give a hidden number away: hidden when this year's or last year's is.
    assert flags.get_column("change_pct").to_list() == [True, True, False, False]
    assert flags.get_column("change_points").to_list() == [True, True, False, False]


def test_last_years_small_numbers_and_the_changes_they_make_are_hidden() -> None:
    table = duty(
        [
            ("wcet_pupils", "pupils", "All", "All", 30.0, None, None, None),
            ("wcet_pupils", "pupils", "Phase", "Primary", 27.0, None, "All", "All"),
            ("wcet_pupils", "pupils", "Phase", "Secondary", 3.0, None, "All", "All"),
        ]
    ).with_columns(
        pl.Series("previous_count", [20.0, 18.0, 2.0]),
        pl.Series("previous_count_pct", [None, None, None], dtype=pl.Float64),
        pl.Series("change_count", [10.0, 9.0, 1.0]),
    )
    flags = duty_suppression(table.select(COLUMNS), threshold=4)
    last = last_year_suppression(table, flags, threshold=4)
    # Last year: 2 secondary pupils is small, and primary (18 = 20 - 2) would give it away.
    assert last.get_column("previous_count").to_list() == [False, True, True]
    # This year 3 secondary pupils is small and primary too: every group's change is hidden.
    assert last.get_column("change_count").to_list() == [False, True, True]


def test_the_layout_chooses_the_breakdowns_shown() -> None:
    table = duty(
        [
            ("inclusion_any", "pupils", "All", "All", 10.0, None, None, None),
            ("inclusion_any", "pupils", "Ethnicity", "White", 10.0, 10.0, "All", "All"),
            ("inclusion_any", "pupils", "Free school meals", "Eligible", 4.0, 10.0, None, None),
        ]
    )
    layouts = all_return_layouts()
    before = shown_rows(table, layouts["2022-23"].sheet("inclusion"))
    after = shown_rows(table, layouts["2023-24"].sheet("inclusion"))
    assert before.get_column("breakdown").to_list() == ["All", "Free school meals"]
    assert after.get_column("breakdown").to_list() == ["All", "Ethnicity", "Free school meals"]


def test_every_measure_definition_on_the_notes_sheet_is_its_transform_docstring() -> None:
    layout = return_layout(AcademicYear(2025))
    notes, refers = return_notes(
        layout, year=AcademicYear(2025), as_of=AcademicYear(2025).end, threshold=4, published=True
    )
    texts = dict(notes)
    for sheet in layout.sheets:
        for function in MEASURE_DEFINITIONS.get(sheet.table, ()):
            definition = measure_definition(function)
            assert len(definition) > 30, function.__name__  # a real sentence, not a stub
            assert f"{sheet.name}: {definition}" in [texts[n] for n in refers[sheet.table]], function.__name__
    assert "from 1 to 4 are shown as [c]" in texts["N3"]
