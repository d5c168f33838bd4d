"""Every table of the annual return, computed from one hub's validated inputs (SPEC 3.1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import polars as pl

from schemas.output_tables import DutyFigures as Fig
from schemas.output_tables import DutySheetFigures, FunctionMapRow
from schemas.output_tables import FigureChange as Change
from schemas.output_tables import FinanceFigures as Fin
from schemas.output_tables import InclusionFigures as Inc
from schemas.output_tables import InclusionSheetFigures as InclusionSheet
from schemas.output_tables import KpiFigures as Kpi
from schemas.output_tables import SchoolUniverseRow as Row
from schemas.output_tables import WorkforceFigures as Staff
from schemas.periods import AcademicYear
from schemas.return_layout import RETURN_TABLES, ReturnLayout
from schemas.validation import InputSummary as Inputs
from transforms import (
    cpd,
    ensembles,
    experiences,
    finance,
    inclusion,
    loans,
    progression,
    singing,
    tuition,
    wcet,
    workforce,
)
from transforms.activity import HubData
from transforms.changes import figure_changes
from transforms.figures import (
    FIGURE_SCHEMA,
    computed_once,
    long_figures,
    long_keyed_figures,
    measure_definition,
)
from transforms.kpis import (
    INCOME_SHEET,
    KPI_MEASURES,
    income_figures,
    income_kpi_table,
    kpi_table,
    kpi_values,
)
from transforms.last_year import duty_with_last_year, workforce_with_last_year
from transforms.periods import ReportingWindow
from transforms.schools import school_engagement
from transforms.universe import census_for_year, school_universe

# The duty sheets shown with last year's figures beside this year's.
DUTY_SHEETS = tuple(name for name, model in RETURN_TABLES.items() if model is DutySheetFigures)
# The transforms whose docstrings define each table's measures: the Notes sheet prints their first paragraph.
MEASURE_DEFINITIONS: dict[str, tuple[Callable[..., object], ...]] = {
    "kpis": tuple(function for _, _, function in KPI_MEASURES),
    "income": (income_kpi_table,),
    "schools": (school_engagement,),
    "wcet": (
        wcet.wcet_pupil_figures,
        wcet.wcet_roll_figures,
        wcet.wcet_class_figures,
        wcet.wcet_school_figures,
    ),
    "tuition": (tuition.tuition_pupil_figures, tuition.tuition_enrolment_figures),
    "ensembles": (ensembles.ensemble_figures, ensembles.ensemble_member_figures),
    "singing": (singing.singing_sheet,),
    "progression": (progression.continuation_figures, progression.standard_figures),
    "loans": (loans.loan_figures, loans.loan_pupil_figures, loans.loan_school_figures),
    "cpd": (cpd.cpd_event_figures, cpd.cpd_hour_figures, cpd.cpd_attendance_figures, cpd.cpd_school_figures),
    "experiences": (
        experiences.experience_event_figures,
        experiences.experience_place_figures,
        experiences.experience_school_figures,
    ),
    "inclusion": (inclusion.reach_profile, inclusion.area_base_rates),
    "workforce": (workforce.workforce_sheet,),
    "finance": (finance.finance_sheet,),
}


def return_tables(
    data: HubData,
    *,
    la_codes: tuple[str, ...],
    year: AcademicYear,
    as_of: date,
    previous_kpis: pl.LazyFrame | None,
    engaged_duties: Sequence[str],
    previous_figures: pl.LazyFrame | None = None,
) -> dict[str, pl.LazyFrame]:
    """The return's tables by name (schemas/return_layout.RETURN_TABLES), except the run-history ones.

    ``previous_kpis`` are last year's published KPI figures (kpi_code, count, denominator), PI1's
    included, if any;
    ``engaged_duties`` the Schools sheet's duty columns that count for KPI 5 (the year's layout says);
    ``previous_figures`` every figure of last year's published run (the store's long figures), if any, for
    last year's number beside each duty sheet's figures, the Inclusion sheet's and the Workforce sheet's.
    """
    window = ReportingWindow.for_year(year, as_of=as_of)
    links = data.establishment_links
    universe = computed_once(school_universe(data.establishments, la_codes=la_codes, year=year, links=links))
    last_year_universe = computed_once(
        school_universe(data.establishments, la_codes=la_codes, year=year.previous(), links=links)
    )
    roll = computed_once(census_for_year(data.census, year=year))
    current = kpi_values(data, la_codes=la_codes, year=year, as_of=as_of, engaged_duties=engaged_duties)
    tables = {
        "kpis": kpi_table(current, previous_kpis),
        "income": income_kpi_table(finance.income_shares(data.finance, window=window), previous_kpis),
        "schools": school_engagement(data, universe, window=window, counted=engaged_duties),
        "wcet": wcet.wcet_sheet(data.wcet, data.wcet_participants, data.pupils, universe, roll, year=year),
        "tuition": tuition.tuition_sheet(data.tuition, data.pupils, universe, roll, window=window),
        "ensembles": ensembles.ensembles_sheet(
            data.ensemble_members, data.ensembles, data.pupils, universe, roll, window=window
        ),
        "singing": singing.singing_sheet(data.singing, universe, roll, year=year),
        "progression": progression.progression_sheet(
            data.wcet,
            data.wcet_participants,
            data.tuition,
            data.pupils,
            data.ensemble_members,
            data.ensembles,
            universe,
            last_year_universe,
            window=window,
        ),
        "loans": loans.loans_sheet(data.loans, data.pupils, universe, window=window),
        "cpd": cpd.cpd_sheet(data.cpd, universe, window=window),
        "experiences": experiences.experiences_sheet(data.events, universe, window=window),
        "inclusion": inclusion.inclusion_sheet(data, universe, window=window),
        "workforce": workforce.workforce_sheet(data.workforce, year=year),
        "finance": finance.finance_sheet(data.finance, window=window),
    }
    for name in DUTY_SHEETS:
        tables[name] = duty_with_last_year(tables[name], previous_figures, sheet=name)
    tables["inclusion"] = duty_with_last_year(
        tables["inclusion"], previous_figures, sheet="inclusion", model=InclusionSheet
    )
    tables["workforce"] = workforce_with_last_year(tables["workforce"], previous_figures, sheet="workforce")
    return tables


def function_map(layout: ReturnLayout) -> pl.LazyFrame:
    """Each sheet of the year's layout with the 2022 plan functions and 2011 roles it evidences."""
    rows = [
        (sheet.name, "; ".join(sheet.functions_2022) or "None", "; ".join(sheet.roles_2011) or "None")
        for sheet in layout.sheets
        if sheet.functions_2022 or sheet.roles_2011
    ]
    return pl.LazyFrame(
        rows,
        schema={
            FunctionMapRow.sheet: pl.String,
            FunctionMapRow.functions_2022: pl.String,
            FunctionMapRow.roles_2011: pl.String,
        },
        orient="row",
    )


def return_notes(
    layout: ReturnLayout, *, year: AcademicYear, as_of: date, threshold: int, published: bool
) -> tuple[list[tuple[str, str]], dict[str, tuple[str, ...]]]:
    """The Notes sheet's (number, text) rows, and the note numbers each table refers to.

    Every measure's note is the definition in the docstring of the transform that computes it.
    """
    general = [
        (
            f"Academic year {year.label}: 1 September {year.start.year} to 31 August {year.end.year}. Activity is "
            f"counted up to the as-of date, {as_of:%d/%m/%Y}."
        ),
        (
            "The hub's schools are the open state-funded schools of its local authorities during the year (GIAS: "
            "local authority maintained schools, academies, free schools and community or foundation special "
            "schools; 16 to 19 only institutions excluded). Percentages of pupils use the January school census "
            "headcount of those schools; where this year's census is not yet published the latest earlier census "
            "is used. A year group's 'Out of' is an estimate: its key stage's census headcount divided by the "
            "number of year groups in the key stage."
        ),
        (
            f"Published variant: counts of pupils (and of their enrolments, loans and places) from 1 to "
            f"{threshold} are shown as [c], and so are enough other figures that none of them can be worked out "
            "from the totals they add up to; zeros are shown. The Changes sheet is left out of this variant."
            if published
            else "Management information: small numbers are not suppressed. Do not publish this workbook; "
            "publish the published variant of the return (its cover says Published), in which they are."
        ),
    ]
    general.append(kpi5_note(layout))
    notes = [(f"N{number}", text) for number, text in enumerate(general, start=1)]
    kpi5_id = notes[-1][0]
    refers: dict[str, tuple[str, ...]] = {}
    for sheet in layout.sheets:
        ids = []
        for function in MEASURE_DEFINITIONS.get(sheet.table, ()):
            note_id = f"N{len(notes) + 1}"
            notes.append((note_id, f"{sheet.name}: {measure_definition(function)}"))
            ids.append(note_id)
        own = (kpi5_id,) if sheet.table in ("kpis", "schools") else ()
        refers[sheet.table] = ("N1", "N2", "N3", *own, *ids) if ids else ("N3",)
    return notes, refers


def _listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def kpi5_note(layout: ReturnLayout) -> str:
    """The note saying exactly which of the Schools sheet's duty columns count for KPI 5, and why."""
    schools = layout.sheet("schools")
    sheet = schools.name if schools is not None else "Schools"
    counted, others = layout.kpi5.titles(), layout.kpi5.other_titles()
    text = (
        f"KPI 5 and the {sheet} sheet's Engaged column: a school is engaged when at least one of these columns "
        f"of the {sheet} sheet is Y: {_listed(counted)}. KPI 5's number is the count of Y in Engaged, out of "
        f"every school on the {sheet} sheet."
    )
    if others:
        text += f" The columns {_listed(others)} are shown too, but do not count."
    return f"{text} Why: {layout.kpi5.reason}"


def _duty_figures(table: pl.LazyFrame, sheet: str, values: list[str]) -> pl.LazyFrame:
    return table.with_columns(
        pl.concat_str(pl.col(Fig.breakdown), pl.col(Fig.group), separator=": ").alias("_breakdown")
    ).pipe(
        long_keyed_figures,
        sheet=sheet,
        keys=[Fig.measure_id, "_breakdown"],
        values=values,
        measure_key=Fig.measure_id,
    )


def return_figures(tables: dict[str, pl.LazyFrame]) -> pl.LazyFrame:
    """Every figure of the return's tables in the store's long format (sheet = the table's name).

    The Functions and Changes tables are not figures and are left out.
    """
    duty_values = [Fig.count, Fig.denominator, Fig.count_pct]
    parts = []
    for name, table in tables.items():
        if name == "kpis":
            parts.append(
                long_figures(
                    table, sheet=name, key=Kpi.kpi_code, values=[Kpi.count, Kpi.denominator, Kpi.count_pct]
                )
            )
        elif name == "income":
            parts.append(
                long_figures(
                    income_figures(table),
                    sheet=INCOME_SHEET,
                    key=Kpi.kpi_code,
                    values=[Kpi.count, Kpi.denominator, Kpi.count_pct],
                )
            )
        elif name == "schools":
            parts.append(
                long_figures(table, sheet=name, key=Row.urn, breakdown=Row.urn, values=[Row.is_engaged])
            )
        elif name == "inclusion":
            parts.append(_duty_figures(table, name, [*duty_values, Inc.base_rate_pct]))
        elif name == "workforce":
            parts.append(
                long_keyed_figures(
                    table,
                    sheet=name,
                    keys=[Staff.employment],
                    values=[Staff.staff_count, Staff.fte, Staff.cpd_hours],
                )
            )
        elif name == "finance":
            parts.append(
                long_keyed_figures(
                    table, sheet=name, keys=[Fin.kind, Fin.category], values=[Fin.amount_gbp, Fin.share_pct]
                )
            )
        elif name == "data_quality":
            parts.append(
                long_keyed_figures(
                    table,
                    sheet=name,
                    keys=[Inputs.source, Inputs.file],
                    values=[
                        Inputs.rows_read,
                        Inputs.rows_kept,
                        Inputs.rows_quarantined,
                        Inputs.error_count,
                        Inputs.warning_count,
                    ],
                )
            )
        elif name not in ("functions", "changes"):
            parts.append(_duty_figures(table, name, duty_values))
    return pl.concat(parts) if parts else pl.LazyFrame(schema=FIGURE_SCHEMA)


def changes_table(current: pl.LazyFrame, previous: pl.LazyFrame, layout: ReturnLayout) -> pl.LazyFrame:
    """The Changes sheet: figures that differ from the previous run's, named by the year's sheet names."""
    names = {sheet.table: sheet.name for sheet in layout.sheets}
    return figure_changes(current, previous).with_columns(pl.col(Change.sheet).replace(names))
