"""The command line: exit codes and plain messages, no tracebacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubreturns.cli import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, main

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "hub")
    return tmp_path / "hub" / "hub.toml"


@pytest.mark.flow
def test_validate_clean_then_broken(prefect_server, hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--config", str(hub), "--year", "2025/26", "--as-of", "2026-11-23"]) == EXIT_OK
    assert "0 error(s)" in capsys.readouterr().out
    pupils = hub.parent / "exports" / "pupils.csv"
    pupils.write_text(pupils.read_text().replace("S002,,100001,4,M", "S002,,100001,14,M"))
    assert main(["validate", "--config", str(hub), "--year", "2025/26", "--as-of", "2026-11-23"]) == EXIT_FAILURES
    out = capsys.readouterr().out
    assert "pupils.csv: 1 error(s)" in out
    assert (hub.parent / "out" / "small-test" / "2025-26" / "small-test-2025-26-validation.xlsx").is_file()


@pytest.mark.flow
def test_run_refuses_without_a_key(prefect_server, hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub.write_text(hub.read_text().replace("allow_demo_key = true", "allow_demo_key = false"))
    assert main(["run", "--config", str(hub), "--year", "2025/26"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "HUBRETURNS_PSEUDONYMISATION_KEY" in err and "Traceback" not in err


def test_unreadable_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(tmp_path / "missing.toml")]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


def test_bad_year_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["generate", "--out", str(tmp_path), "--year", "2025/27"]) == EXIT_USAGE
    assert "must follow" in capsys.readouterr().err
