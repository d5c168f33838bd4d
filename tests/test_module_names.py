"""No module of the project can shadow another module, the standard library's or a dependency's.

A Prefect worker imports a deployment's entrypoint with the entrypoint's folder on ``sys.path`` (as does
``python bench/x.py``), and processes it spawns inherit that path: a ``flows/secrets.py`` was found by the
standard library's ``import secrets`` and broke every real-size run through a worker. So no module or package
anywhere in the project may be named like a standard-library module, a top-level module of an installed
distribution, or one of the project's own top-level packages.
"""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_DISTRIBUTION = "hubreturns"


def _top_level_packages() -> set[str]:
    """The project's own top-level packages, as pyproject.toml declares them."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return {pattern.removesuffix("*") for pattern in patterns}


def _dependency_modules() -> dict[str, list[str]]:
    """Every top-level module an installed distribution other than this project provides."""
    provided: dict[str, list[str]] = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        others = [d for d in distributions if d.lower() != PROJECT_DISTRIBUTION]
        if others:
            provided[module] = others
    return provided


def _project_modules() -> list[tuple[str, Path]]:
    """(importable name, path) of every module and package below the project's folders, tests and benches."""
    found = []
    for folder in sorted(_top_level_packages() | {"tests", "bench"}):
        for path in sorted((ROOT / folder).rglob("*")):
            if "__pycache__" in path.parts:
                continue
            if path.is_file() and path.suffix == ".py" and path.name != "__init__.py":
                found.append((path.stem, path))
            elif path.is_dir() and (path / "__init__.py").exists():
                found.append((path.name, path))
    return found


def _shadowing(name: str, top_level: set[str], dependencies: dict[str, list[str]]) -> str | None:
    if name in sys.stdlib_module_names:
        return "the standard library's module"
    if name in dependencies:
        return f"the module of {', '.join(sorted(dependencies[name]))}"
    if name in top_level:
        return "the project's own top-level package"
    return None


def test_no_module_has_the_name_of_a_standard_library_dependency_or_project_module() -> None:
    top_level = _top_level_packages()
    dependencies = _dependency_modules()
    clashes = []
    for name, path in _project_modules():
        relative = path.relative_to(ROOT)
        # tests/ is a package, so its folders mirroring the project's (tests/flows, ...) are only ever imported
        # as tests.flows: pytest puts the checkout on sys.path, never a folder inside tests (checked below).
        if relative.parts[0] == "tests" and len(relative.parts) == 2 and path.is_dir() and name in top_level:
            continue
        clash = _shadowing(name, top_level, dependencies)
        if clash:
            clashes.append(f"{relative} shadows {clash} '{name}'")
    assert not clashes, "\n".join(clashes)


def test_the_project_s_top_level_packages_shadow_nothing_installed() -> None:
    dependencies = _dependency_modules()
    clashes = [
        f"{name} shadows {_shadowing(name, set(), dependencies)}"
        for name in sorted(_top_level_packages() | {"tests"})
        if _shadowing(name, set(), dependencies)
    ]
    assert not clashes, "\n".join(clashes)


def test_every_test_folder_is_a_package_so_none_is_put_on_sys_path() -> None:
    folders = [p for p in (ROOT / "tests").rglob("*") if p.is_dir() and "__pycache__" not in p.parts]
    loose = [
        str(p.relative_to(ROOT))
        for p in folders
        if not (p / "__init__.py").exists() and any(p.glob("*.py")) and "fixtures" not in p.parts
    ]
    assert not loose, f"test folders without __init__.py: {loose}"


def test_the_check_finds_a_module_named_like_the_standard_library() -> None:
    """The check itself: the module that broke the worker would be caught."""
    assert _shadowing("secrets", _top_level_packages(), _dependency_modules()) is not None
    assert _shadowing("outputs", _top_level_packages(), _dependency_modules()) is not None
    assert _shadowing("pydantic", set(), _dependency_modules()) is not None
    assert _shadowing("pupil_key", _top_level_packages(), _dependency_modules()) is None
