"""Imports go one way: transforms, schemas and outputs never reach up to flows or the store (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "schemas": {"flows", "store", "transforms", "outputs", "ingest", "prefect", "sqlalchemy", "xlsxwriter"},
    "transforms": {"flows", "store", "outputs", "ingest", "prefect", "sqlalchemy", "xlsxwriter", "os"},
    "outputs": {"flows", "store", "transforms", "ingest", "prefect", "sqlalchemy"},
    "store": {"flows", "transforms", "outputs", "ingest", "prefect"},
    "ingest": {"flows", "store", "transforms", "outputs", "prefect"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package: str) -> None:
    offences = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imports(path) & FORBIDDEN[package]
    }
    assert not offences, f"{package}/ must not import {sorted(FORBIDDEN[package])}: {sorted(offences)}"


# Every folder of the project says where its imports may point: a new folder must be added here.
PROJECT_PACKAGES = {
    "foundation",
    "schemas",
    "transforms",
    "outputs",
    "store",
    "ingest",
    "core",
    "flows",
    "hubreturns",
    "config",
}
FORBIDDEN_ABOVE = {
    # The ground floor (configuration, errors, provenance) stands on nothing of the project.
    "foundation": PROJECT_PACKAGES - {"foundation"} | {"prefect", "polars", "sqlalchemy"},
    # The run's logic knows nothing of Prefect, nor of the command line above it.
    "core": {"flows", "prefect", "prefect_dask", "hubreturns"},
    # The flows wire the core: they do not reach past it into the computations, files or the store.
    "flows": {"transforms", "ingest", "outputs", "store", "polars", "sqlalchemy", "xlsxwriter"},
    # The configuration files are data.
    "config": PROJECT_PACKAGES - {"config"},
}


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, in full (``a.b.c``) and by each of its parents (``a``, ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        modules = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module]
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
            else []
        )
        for module in modules:
            parts = module.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def test_every_folder_of_the_project_has_import_rules() -> None:
    folders = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() or p.name == "config"}
    assert folders - {"tests", "bench"} == PROJECT_PACKAGES
    assert PROJECT_PACKAGES - {"hubreturns"} <= set(FORBIDDEN) | set(FORBIDDEN_ABOVE)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_ABOVE))
def test_upper_folders_import_only_what_they_wire(package: str) -> None:
    offences = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in _imported_modules(path) & FORBIDDEN_ABOVE[package]
    }
    assert not offences, f"{package}/ must not import {sorted(FORBIDDEN_ABOVE[package])}: {sorted(offences)}"


# Transforms are pure functions of their inputs: the date a run is "as of" is a parameter, never the clock.
CLOCK_AND_ENVIRONMENT = {
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("os", "environ"),
    ("os", "getenv"),
    ("random", "random"),
}


def _clock_or_environment(source: str) -> list[str]:
    """The calls of the clock or reads of the environment in a module's source (``datetime.now()``, ...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in CLOCK_AND_ENVIRONMENT:
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in {"os", "time", "random"}:
            found.append(f"line {node.lineno}: from {node.module} import ...")
    return found


def test_transforms_never_read_the_clock_or_the_environment() -> None:
    offences = [
        f"{path.relative_to(ROOT)} {where}"
        for path in (ROOT / "transforms").rglob("*.py")
        for where in _clock_or_environment(path.read_text(encoding="utf-8"))
    ]
    assert not offences, offences


def test_the_clock_check_catches_a_call() -> None:
    assert _clock_or_environment("from datetime import date\nx = date.today()\n") == ["line 2: date.today"]
    assert _clock_or_environment("import os\nx = os.environ['A']\n") == ["line 2: os.environ"]


def _schema_columns() -> set[str]:
    """Every column name the schemas define."""
    import inspect

    import pandera.polars as pa

    import schemas

    columns: set[str] = set()
    for module_path in (ROOT / "schemas").glob("*.py"):
        module = __import__(f"schemas.{module_path.stem}", fromlist=["_"])
        for _, model in inspect.getmembers(module, inspect.isclass):
            if issubclass(model, pa.DataFrameModel) and model is not pa.DataFrameModel:
                columns.update(model.to_schema().columns)
    assert schemas is not None and columns
    return columns


# Mappings keyed by names that are not columns, though some are spelt like one: a flow's parameters (e.g.
# "academic_year") and a run's outputs by section (e.g. "annual_return").
NAMED_BY_KEY = {"parameters", "outputs"}


def _column_literals(source: str, columns: set[str]) -> list[str]:
    """Column names written as literals where a table is indexed (``row["urn"]``, ``pl.col("urn")``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        literal = None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            if isinstance(node.value, ast.Name) and node.value.id in NAMED_BY_KEY:
                continue
            literal = node.slice.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "col":
            literal = next((a.value for a in node.args if isinstance(a, ast.Constant)), None)
        if isinstance(literal, str) and literal in columns:
            found.append(f"line {node.lineno}: '{literal}'")
    return found


@pytest.mark.parametrize("package", ["flows", "core"])
def test_flows_and_core_name_columns_through_the_schemas(package: str) -> None:
    columns = _schema_columns()
    offences = [
        f"{path.relative_to(ROOT)} {where}"
        for path in (ROOT / package).rglob("*.py")
        for where in _column_literals(path.read_text(encoding="utf-8"), columns)
    ]
    assert not offences, (
        f"write the schema's attribute (e.g. ValidationFailure.file), not the name: {offences}"
    )


def test_the_column_check_catches_a_literal() -> None:
    assert _column_literals("x = row['urn']\ny = pl.col('urn')\n", {"urn"}) == [
        "line 1: 'urn'",
        "line 2: 'urn'",
    ]


def test_nothing_below_the_command_line_imports_it() -> None:
    """The `hubreturns` package is the top of the house (the command, the demo generator): imports point down."""
    offences = {
        f"{path.relative_to(ROOT)} imports {name}"
        for package in PROJECT_PACKAGES - {"hubreturns"}
        for path in (ROOT / package).rglob("*.py")
        for name in _imported_modules(path) & {"hubreturns"}
    }
    assert not offences, sorted(offences)
