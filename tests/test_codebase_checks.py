"""The whole tree passes ruff's rules and ruff format, and mypy passes on the parts under it (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The tools installed with the test extra, beside the interpreter running the tests (the project's venv).
BIN = Path(sys.executable).parent
# The folders mypy must check; the Prefect-free core joins them once it exists.
TYPED_FOLDERS = {"transforms", "schemas", "core"}


def _problems(tool: str, *args: str) -> str:
    """What one of the venv's tools reports on the project's root; empty when it passes."""
    executable = BIN / tool
    assert executable.exists(), f"{tool} is not installed beside {sys.executable}: pip install -e '.[test]'"
    done = subprocess.run(
        [str(executable), *args], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode == 0:
        return ""
    return f"{' '.join([tool, *args])} exited {done.returncode}:\n{done.stdout}{done.stderr}"


def test_ruff_check_passes_on_the_whole_tree() -> None:
    problems = _problems("ruff", "check", "--output-format", "concise", ".")
    assert not problems, problems


def test_ruff_format_leaves_every_file_as_it_is() -> None:
    problems = _problems("ruff", "format", "--check", ".")
    assert not problems, problems


def test_mypy_passes_on_transforms_schemas_and_the_core() -> None:
    configured = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"])
    present = {folder for folder in TYPED_FOLDERS if (ROOT / folder).is_dir()}
    assert present <= configured, (
        f"[tool.mypy] files in pyproject.toml must list {sorted(present - configured)}"
    )
    problems = _problems("mypy")
    assert not problems, problems
