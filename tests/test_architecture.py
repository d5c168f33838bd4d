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
