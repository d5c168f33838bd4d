"""Hostile text in any input stays text in every workbook, and cannot choose where a file is written.

The demo hub's files are edited to carry formula-like text (school names, SMEP log fields, a finance
category, an ensemble name, a CPD title, a venue, a file name, the hub's name, values that fail validation)
and school names that look like paths, then the real flow runs on them and every workbook it wrote is read
back with openpyxl.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from foundation.errors import ConfigError
from foundation.hub_config import HubInfo, load_config
from hubreturns.synthetic.generator import generate_hub_area
from schemas.periods import AcademicYear
from tests.security.workbook_scan import as_stored, cells, package_text, workbooks_under
from tests.workbooks import table_rows

pytestmark = pytest.mark.flow

YEAR = AcademicYear(2025)
LEADERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA = '=HYPERLINK("http://example.invalid","Click")'
# School names: formulas, numbers as text, and paths (each a school of the universe with SMEP contacts).
FORMULA_NAMES = (
    FORMULA,
    "+44 1234",
    "-5",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "\tTabbed Primary School",
    "\rCarriage Return Primary School",
)
# A NUL cannot get this far (the reader refuses a file holding one: see the unit tests of safe_school_name), so
# another control character stands in for it.
PATH_NAMES = ("../../x", "..\\..\\x", "/etc/passwd", "CON", "NUL.txt", "Ctrl\x1bEsc School")
SCHOOL_NAMES = FORMULA_NAMES + PATH_NAMES
HUB_NAME = "=HUB()+1 Music Hub"
CPD_FILE = "=SUM(1,2) cpd.csv"
# SMEP log fields of the first school: shown on its report (Conversations and actions, and the Brief's open actions).
WITH_ROLE, HUB_OFFICER, ACTION = "+44 1234 567890", "-Officer", '=1+1 "act"'
# Quality marks are a closed list: formula-like text there is refused, and quoted as text in the report.
QUALITY_MARK = "@Music Mark"
FINANCE_CATEGORIES = ("=SUM(9,9) costs", "@cmd costs")
# Values that break a rule, so the validation report quotes them.
BAD_KIND, BAD_PUPILS = "=EVIL()", "-5"
# Text that no workbook shows, planted anyway: it must not become a formula either.
ENSEMBLE_NAME, CPD_TITLE, VENUE = "=ENSEMBLE()", "+CPD()", "@VENUE()"


@dataclass(frozen=True)
class HostileRun:
    area: Path
    year_dir: Path
    urns: tuple[str, ...]
    files_before: frozenset[Path]

    def report(self, urn: str) -> Path:
        """The school report of ``urn``: its file name starts with the LAESTAB the tracker gives it."""
        tracker = openpyxl.load_workbook(self.year_dir / "trentvale-2025-26-school-engagement.xlsx")
        (row,) = [r for r in table_rows(tracker["Schools"]) if r["URN"] == urn]
        (path,) = (self.year_dir / "schools").glob(f"{row['LAESTAB'] or urn}-*.xlsx")
        return path


def _read(path: Path, encoding: str) -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]], encoding: str, **options: object) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, **options).writerows(rows)  # type: ignore[arg-type]


def _in_year(text: str) -> bool:
    return YEAR.start <= date.fromisoformat(text) <= YEAR.end


def _plant(area: Path) -> tuple[str, ...]:
    """Edit the demo's files; return the URNs of the renamed schools, in SCHOOL_NAMES order."""
    exports, dfe = area / "exports", area / "dfe"
    engagements = _read(exports / "engagements.csv", "utf-8")
    col = {h: i for i, h in enumerate(engagements[0])}
    urns: list[str] = []
    for row in engagements[1:]:
        if _in_year(row[col["date"]]) and row[col["urn"]] not in urns:
            urns.append(row[col["urn"]])
    urns = urns[: len(SCHOOL_NAMES)]
    first = urns[0]
    for row in engagements[1:]:
        if row[col["urn"]] == first and _in_year(row[col["date"]]):
            row[col["with_role"]], row[col["hub_officer"]] = WITH_ROLE, HUB_OFFICER
            row[col["actions"]] = ACTION
    engagements[-1][col["kind"]] = BAD_KIND
    engagements[-1][col["quality_marks"]] = QUALITY_MARK
    _write(exports / "engagements.csv", engagements, "utf-8")

    gias = next(dfe.glob("edubasealldata*.csv"))
    rows = _read(gias, "cp1252")
    gcol = {h: i for i, h in enumerate(rows[0])}
    names = dict(zip(urns, SCHOOL_NAMES, strict=True))
    for row in rows[1:]:
        if row[gcol["URN"]] in names:
            row[gcol["EstablishmentName"]] = names[row[gcol["URN"]]]
    _write(gias, rows, "cp1252", quoting=csv.QUOTE_ALL, lineterminator="\r\n")

    wcet = _read(exports / "wcet.csv", "utf-8")
    wcol = {h: i for i, h in enumerate(wcet[0])}
    next(r for r in wcet[1:] if r[wcol["academic_year"]] == YEAR.label)[wcol["pupils"]] = BAD_PUPILS
    _write(exports / "wcet.csv", wcet, "utf-8")

    finance = _read(exports / "finance.csv", "utf-8")
    finance += [["expenditure", category, "100.00", "2025-10-01"] for category in FINANCE_CATEGORIES]
    _write(exports / "finance.csv", finance, "utf-8")

    ensembles = _read(exports / "ensembles.csv", "cp1252")
    ensembles[1][1] = ENSEMBLE_NAME
    _write(exports / "ensembles.csv", ensembles, "cp1252")
    for file_name, column, value in (("cpd.csv", "title", CPD_TITLE), ("events.csv", "venue", VENUE)):
        table = _read(exports / file_name, "utf-8")
        index = table[0].index(column)
        for row in table[1:]:
            row[index] = value
        _write(exports / file_name, table, "utf-8")
    (exports / "cpd.csv").rename(exports / CPD_FILE)

    config = area / "hub.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('"exports/cpd.csv"', f'"exports/{CPD_FILE}"')
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{HUB_NAME}"', text, count=1)
    config.write_text(text, encoding="utf-8")
    return tuple(urns)


@pytest.fixture(scope="module")
def hostile(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    from flows.annual_return import annual_return

    root = tmp_path_factory.mktemp("hostile")
    area = root / "deep" / "area"
    config = generate_hub_area(area, year=YEAR)
    urns = _plant(area)
    before = frozenset(p for p in root.rglob("*") if p.is_file())
    summary = annual_return(
        config_path=str(config), academic_year=YEAR.label, as_of="2026-11-23", strict=False, published=True
    )
    assert summary.status == "published"
    return HostileRun(area, area / "out" / "trentvale" / YEAR.slug, urns, before)


def _workbooks(run: HostileRun) -> list[Path]:
    found = workbooks_under(run.area / "out")
    kinds = {p.name.removeprefix("trentvale-2025-26-") for p in found if p.parent == run.year_dir}
    assert kinds == {
        "annual-return.xlsx",
        "annual-return-published.xlsx",
        "school-engagement.xlsx",
        "validation.xlsx",
    }
    assert len([p for p in found if p.parent.name == "schools"]) > 500
    return found


def test_no_cell_of_any_workbook_is_a_formula(hostile: HostileRun) -> None:
    """The project writes no formula of its own, so not one cell of any workbook may be a formula."""
    for path in _workbooks(hostile):
        formulas = [c for c in cells(path, read_only=True) if c.data_type == "f"]
        assert not formulas, formulas[:5]
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            sheets = [package.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
            rels = "".join(package.read(n).decode() for n in names if n.endswith(".rels"))
        assert not any(re.search(r"<f[ >]", sheet) for sheet in sheets), path.name
        # The only links are the Contents sheet's links to the workbook's own sheets.
        assert 'TargetMode="External"' not in rels, path.name
        assert not any(n.startswith("xl/externalLinks") for n in names), path.name


def _strings(path: Path, sheet: str | None = None) -> dict[str, list]:
    """Every text cell's value -> the cells holding it (optionally of one sheet)."""
    found: dict[str, list] = {}
    for cell in cells(path):
        if (sheet is None or cell.sheet == sheet) and cell.data_type == "s":
            found.setdefault(str(cell.value), []).append(cell)
    return found


def _assert_text(strings: dict[str, list], value: str, where: str) -> None:
    # Reading an input strips the spaces, tabs and line ends around a value; everything else is kept.
    value = value.strip()
    stored = as_stored(value)
    assert stored in strings, f"{value!r} is not shown as text in {where}"
    if value.startswith(LEADERS):
        # Such text is also marked as text for Excel (a quote prefix), so editing the cell keeps it text.
        assert all(c.quote_prefix for c in strings[stored]), (value, where)


def test_hostile_school_names_are_text_in_every_workbook(hostile: HostileRun) -> None:
    year = hostile.year_dir
    for name in ("annual-return", "annual-return-published", "school-engagement"):
        strings = _strings(year / f"trentvale-2025-26-{name}.xlsx", "Schools")
        for school in SCHOOL_NAMES:
            _assert_text(strings, school, f"{name} Schools sheet")
    for urn, school in zip(hostile.urns, SCHOOL_NAMES, strict=True):
        report = hostile.report(urn)
        title = f"Conversation brief: {as_stored(school.strip())} (URN {urn})"
        assert title in _strings(report, "Brief"), (title, report.name)


def test_hostile_log_fields_finance_and_file_names_are_text(hostile: HostileRun) -> None:
    year = hostile.year_dir
    ret = year / "trentvale-2025-26-annual-return.xlsx"
    finance = _strings(ret, "Finance")
    for category in FINANCE_CATEGORIES:
        _assert_text(finance, category, "Finance")
    for path in (
        ret,
        year / "trentvale-2025-26-validation.xlsx",
        year / "trentvale-2025-26-school-engagement.xlsx",
    ):
        cover = _strings(path, "Cover")
        _assert_text(cover, CPD_FILE, f"{path.name} Cover")
        assert any(HUB_NAME in value for value in cover), path.name
    report = hostile.report(hostile.urns[0])
    conversations = _strings(report, "Conversations and actions")
    _assert_text(conversations, WITH_ROLE, "Conversations and actions")
    _assert_text(conversations, HUB_OFFICER, "Conversations and actions")
    _assert_text(conversations, ACTION, "the open actions")
    _assert_text(_strings(report, "Brief"), ACTION, "the Brief's open actions")


def test_validation_report_quotes_bad_values_as_text(hostile: HostileRun) -> None:
    report = hostile.year_dir / "trentvale-2025-26-validation.xlsx"
    errors = _strings(report, "Errors")
    _assert_text(errors, BAD_KIND, "validation Errors")
    _assert_text(errors, BAD_PUPILS, "validation Errors")
    _assert_text(errors, QUALITY_MARK, "validation Errors")
    _assert_text(_strings(report, "Inputs"), CPD_FILE, "validation Inputs")


def test_planted_text_never_shown_is_not_a_formula_either(hostile: HostileRun) -> None:
    # Ensemble names, CPD titles and venues are counted, not shown: wherever they might appear, it is as text.
    for path in _workbooks(hostile)[:5]:
        xml = package_text(path)
        for value in (ENSEMBLE_NAME, CPD_TITLE, VENUE):
            assert f"<f>{value[1:]}" not in xml and f"<f>{value}" not in xml


def test_school_names_cannot_choose_where_files_are_written(hostile: HostileRun) -> None:
    root = hostile.area.parent.parent
    written = {p for p in root.rglob("*") if p.is_file()} - hostile.files_before
    out = (hostile.area / "out").resolve()
    for path in written:
        inside = path.resolve().is_relative_to(out) or path.name.startswith("hubreturns.db")
        assert inside, path
    reports = hostile.year_dir / "schools"
    for path in reports.iterdir():
        assert re.fullmatch(r"[0-9]{6,7}-[A-Za-z0-9-]+\.xlsx", path.name), path.name
        assert path.resolve().parent == reports.resolve()
    stems = [hostile.report(urn).name.split("-", 1)[1] for urn in hostile.urns[len(FORMULA_NAMES) :]]
    assert stems == [
        "x.xlsx",
        "x.xlsx",
        "etc-passwd.xlsx",
        "CON.xlsx",
        "NUL-txt.xlsx",
        "Ctrl-Esc-School.xlsx",
    ]
    assert not (hostile.area / "out" / "trentvale" / "x.xlsx").exists()


# -- The hub slug names folders and files: it must not reach outside the output folder ----------------------

CONFIG = """
[hub]
name = "Slug Hub"
slug = {slug}
la_codes = ["830"]
"""


@pytest.mark.parametrize(
    "slug",
    [
        "../x",
        "a/b",
        "a\\b",
        ".",
        "..",
        "",
        "Trentvale",
        "trent vale",
        "-x",
        "x\n",
        "x/../../y",
        "/etc",
        "=cmd|' /C calc'!A0",
        "x'!A1",
        "héron",
        "con",
        "NUL",
        "aux",
        "com1",
        "lpt9",
        "a" * 65,
    ],
)
def test_unsafe_slug_is_refused(tmp_path: Path, slug: str) -> None:
    path = tmp_path / "hub.toml"
    path.write_text(
        CONFIG.format(slug=f'"{slug}"'.replace("\\", "\\\\").replace("\n", "\\n")), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="slug"):
        load_config(path)


@pytest.mark.parametrize("slug", ["trentvale", "north-east-2", "a", "x" * 64])
def test_safe_slugs_are_accepted(slug: str) -> None:
    assert HubInfo(name="Hub", slug=slug, la_codes=("830",)).slug == slug
