"""The annual return's layout for each academic year, held as configuration (``config/returns/*.toml``).

The funder changes the return every year: sheet names, column order, headings, which breakdowns it asks
for. Those choices live in one TOML file per year, each naming the year it applies from; a year uses the
latest file that applies to it. A file may ``extends`` an earlier one and then only says what changed:
sheets are matched on ``table`` (keys given replace the earlier ones), ``drop`` removes sheets and
``order`` puts them in a new order. The transforms compute every table whatever the layout; the layout
only chooses what is shown and how.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pandera.polars as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas.output_tables import (
    SCHOOL_DUTIES,
    DutyFigures,
    DutySheetFigures,
    FigureChange,
    FinanceFigures,
    FunctionMapRow,
    InclusionSheetFigures,
    IncomeKpiFigures,
    KpiFigures,
    SchoolUniverseRow,
    WorkforceSheetFigures,
)
from schemas.periods import AcademicYear
from schemas.validation import InputSummary

LAYOUT_PACKAGE, LAYOUT_FOLDER = "config", "returns"
# Every table the pipeline computes for the return, and the schema it is checked against.
RETURN_TABLES: dict[str, type[pa.DataFrameModel]] = {
    "kpis": KpiFigures,
    "income": IncomeKpiFigures,
    "schools": SchoolUniverseRow,
    "wcet": DutySheetFigures,
    "tuition": DutySheetFigures,
    "ensembles": DutySheetFigures,
    "singing": DutySheetFigures,
    "progression": DutySheetFigures,
    "loans": DutySheetFigures,
    "cpd": DutySheetFigures,
    "experiences": DutySheetFigures,
    "inclusion": InclusionSheetFigures,
    "workforce": WorkforceSheetFigures,
    "finance": FinanceFigures,
    "functions": FunctionMapRow,
    "changes": FigureChange,
    "data_quality": InputSummary,
}
FUNCTIONS_2022 = ("Partnerships", "Schools", "Progression", "Inclusion", "Sustainability")


class LayoutError(ValueError):
    """A return layout file that cannot be used, with what to fix."""


class SheetLayout(BaseModel):
    """One sheet of the return: which table, what it is called, which columns and breakdowns it shows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    headings: dict[str, str] = Field(default_factory=dict)
    breakdowns: tuple[str, ...] | None = None
    functions_2022: tuple[str, ...] = ()
    roles_2011: tuple[str, ...] = ()
    published: bool = True

    @model_validator(mode="after")
    def _columns_exist(self) -> SheetLayout:
        if self.table not in RETURN_TABLES:
            raise ValueError(f"unknown table '{self.table}': use one of {sorted(RETURN_TABLES)}")
        known = RETURN_TABLES[self.table].to_schema().columns
        unknown = [c for c in (*self.columns, *self.headings) if c not in known]
        if unknown:
            raise ValueError(f"sheet '{self.name}': table '{self.table}' has no column {unknown}")
        if self.breakdowns is not None and not issubclass(RETURN_TABLES[self.table], DutyFigures):
            raise ValueError(f"sheet '{self.name}': only duty tables have breakdowns")
        wrong = [f for f in self.functions_2022 if f not in FUNCTIONS_2022]
        if wrong:
            raise ValueError(
                f"sheet '{self.name}': {wrong} are not functions of the 2022 plan {FUNCTIONS_2022}"
            )
        return self

    def column_titles(self) -> dict[str, str]:
        """Column name -> heading: the layout's heading, else the schema's title."""
        schema = RETURN_TABLES[self.table].to_schema().columns
        return {c: self.headings.get(c) or schema[c].title or c for c in self.columns}


class EngagedSchools(BaseModel):
    """Which of the Schools sheet's duty columns make a school engaged (KPI 5), and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duties: tuple[str, ...]
    reason: str

    @model_validator(mode="after")
    def _known_duties(self) -> EngagedSchools:
        unknown = [d for d in self.duties if d not in SCHOOL_DUTIES]
        if unknown or not self.duties:
            raise ValueError(
                f"kpi5.duties must name at least one of {list(SCHOOL_DUTIES)}; {unknown} are not"
            )
        return self

    def titles(self) -> tuple[str, ...]:
        """The headings of the duty columns that count, as the Schools sheet shows them."""
        schema = SchoolUniverseRow.to_schema().columns
        return tuple(schema[d].title or d for d in self.duties)

    def other_titles(self) -> tuple[str, ...]:
        """The headings of the duty columns shown on the Schools sheet that do not count."""
        schema = SchoolUniverseRow.to_schema().columns
        return tuple(schema[d].title or d for d in SCHOOL_DUTIES if d not in self.duties)


class ReturnLayout(BaseModel):
    """The return's sheets for the academic years from ``applies_from`` until the next layout.

    ``funder`` is the body the return goes to and ``template`` the name of its form for the year; titles and
    descriptions may say ``{funder}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    applies_from: str
    funder: str
    template: str
    kpi5: EngagedSchools
    sheets: tuple[SheetLayout, ...]

    @model_validator(mode="after")
    def _unique(self) -> ReturnLayout:
        for attribute in ("table", "name"):
            values = [getattr(s, attribute).lower() for s in self.sheets]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"sheets repeat the {attribute} {repeated}")
        AcademicYear.parse(self.applies_from)
        return self

    @property
    def first_year(self) -> AcademicYear:
        return AcademicYear.parse(self.applies_from)

    def sheet(self, table: str) -> SheetLayout | None:
        """The sheet showing ``table``, if the layout has one."""
        return next((s for s in self.sheets if s.table == table), None)


def _layout_files() -> dict[str, str]:
    folder = resources.files(LAYOUT_PACKAGE).joinpath(LAYOUT_FOLDER)
    return {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def _resolved(name: str, files: dict[str, str], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A layout file's content with what it extends merged in."""
    if name in seen:
        raise LayoutError(f"return layouts extend each other in a loop: {' -> '.join((*seen, name))}")
    if name not in files:
        raise LayoutError(f"return layout '{name}' is not in config/{LAYOUT_FOLDER}/")
    try:
        raw = tomllib.loads(files[name])
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"config/{LAYOUT_FOLDER}/{name}.toml is not valid TOML: {exc}") from exc
    base_name = raw.pop("extends", None)
    if base_name is None:
        return raw
    base = _resolved(base_name, files, (*seen, name))
    sheets = {s["table"]: dict(s) for s in base.get("sheets", [])}
    order = [s["table"] for s in base.get("sheets", [])]
    for table in raw.pop("drop", []):
        if table not in sheets:
            raise LayoutError(f"{name}.toml drops '{table}', which {base_name} does not have")
        sheets.pop(table)
        order.remove(table)
    for change in raw.pop("sheets", []):
        table = change.get("table")
        if table in sheets:
            sheets[table].update(change)
        else:
            sheets[table] = dict(change)
            order.append(table)
    new_order = raw.pop("order", None)
    if new_order is not None:
        if sorted(new_order) != sorted(order):
            raise LayoutError(f"{name}.toml: 'order' must list exactly the sheets' tables {sorted(order)}")
        order = list(new_order)
    return {**base, **raw, "sheets": [sheets[t] for t in order]}


def _with_funder(raw: dict[str, Any]) -> dict[str, Any]:
    """The layout with ``{funder}`` in its sheets' titles and descriptions replaced by the funder's name."""
    funder = raw.get("funder")
    if not isinstance(funder, str):
        return raw
    sheets = [
        {
            key: value.replace("{funder}", funder)
            if key in ("title", "description") and isinstance(value, str)
            else value
            for key, value in sheet.items()
        }
        for sheet in raw.get("sheets", [])
    ]
    return {**raw, "sheets": sheets}


def all_return_layouts() -> dict[str, ReturnLayout]:
    """Every layout in config/returns, by file name (e.g. '2023-24'), checked."""
    files = _layout_files()
    layouts = {}
    for name in sorted(files):
        try:
            layouts[name] = ReturnLayout.model_validate(_with_funder(_resolved(name, files)))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise LayoutError(f"config/{LAYOUT_FOLDER}/{name}.toml: {problems}") from exc
    return layouts


def return_layout(year: AcademicYear) -> ReturnLayout:
    """The layout the return for ``year`` uses: the latest one applying from that year or before."""
    applicable = [layout for layout in all_return_layouts().values() if layout.first_year.start <= year.start]
    if not applicable:
        raise LayoutError(
            f"there is no annual return layout for {year.label}: add config/{LAYOUT_FOLDER}/{year.slug}.toml"
        )
    return max(applicable, key=lambda layout: layout.first_year.start)
