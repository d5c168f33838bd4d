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
    assert (
        main(["validate", "--config", str(hub), "--year", "2025/26", "--as-of", "2026-11-23"])
        == EXIT_FAILURES
    )
    out = capsys.readouterr().out
    assert "pupils.csv: 1 error(s)" in out
    assert (hub.parent / "out" / "small-test" / "2025-26" / "small-test-2025-26-validation.xlsx").is_file()


def test_validate_without_a_year_says_which_year_the_exports_cover(
    hub: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As of 1 December 2026 the year is 2026/27; the fixture's activity is of 2024/25 and 2025/26.
    main(["validate", "--config", str(hub), "--as-of", "2026-12-01"])
    out = capsys.readouterr().out
    assert "small-test 2026/27:" in out
    assert "hold no activity in 2026/27" in out and "run validate with --year 2025/26" in out
    # Asked for the year they cover, nothing more is said.
    main(["validate", "--config", str(hub), "--year", "2025/26", "--as-of", "2026-12-01"])
    assert "hold no activity" not in capsys.readouterr().out


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


@pytest.mark.flow
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b""), "pupils.csv: the file is empty"),
        (lambda p: p.write_bytes(bytes(range(256)) * 8), "pupils.csv: this is not a text file"),
        (
            lambda p: p.write_text("pupil_ref,urn\nS001,100001\n"),
            "pupils.csv: the required columns 'nc_year'",
        ),
        (lambda p: p.unlink(), "pupils.csv: the file does not exist"),
    ],
    ids=["empty", "binary", "missing-column", "missing-file"],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_unreadable_file_is_one_clear_error(
    prefect_server, hub: Path, capsys: pytest.CaptureFixture[str], damage, message: str, command: str
) -> None:
    damage(hub.parent / "exports" / "pupils.csv")
    code = main([command, "--config", str(hub), "--year", "2025/26", "--as-of", "2026-11-23"])
    assert code == EXIT_FAILURES
    captured = capsys.readouterr()
    assert message in captured.out + captured.err
    assert not (
        hub.parent / "out" / "small-test" / "2025-26" / "small-test-2025-26-annual-return.xlsx"
    ).exists()


@pytest.mark.flow
def test_real_command_prints_no_traceback(prefect_server, hub: Path) -> None:
    """As a data officer sees it: the installed command in its own process, with a broken file."""
    import os
    import subprocess
    import sys

    import prefect.settings

    (hub.parent / "exports" / "tuition.tsv").write_bytes(bytes(range(256)) * 8)
    env = {**os.environ, "PREFECT_API_URL": str(prefect.settings.PREFECT_API_URL.value())}
    result = subprocess.run(
        [sys.executable, "-m", "hubreturns.cli", "run", "--config", str(hub), "--year", "2025/26"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == EXIT_FAILURES
    assert "tuition.tsv: this is not a text file" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_generate_with_faults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--out", str(tmp_path), "--year", "2025/26", "--faults"]) == EXIT_OK
    assert "defects written" in capsys.readouterr().out
    assert "31/09/2025" in (tmp_path / "exports" / "tuition.csv").read_text(encoding="utf-8")


def test_generate_england_writes_hubs_and_a_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["generate", "--scale", "england", "--hubs", "2", "--schools-per-la", "12", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path), "--year", "2025/26"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "[ 2/2]" in out and "Synthetic England written to" in out and "2 hubs" in out
    assert (tmp_path / "england.toml").is_file()
    assert len(list((tmp_path / "hubs").glob("*.toml"))) == 2


def test_generate_options_that_need_england_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--out", str(tmp_path), "--hubs", "2"]) == EXIT_USAGE
    assert main(["generate", "--out", str(tmp_path), "--scale", "england", "--faults"]) == EXIT_USAGE
    assert "--scale england" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_section_choices_are_the_flows_sections() -> None:
    from core.hub_run import SECTIONS
    from hubreturns.cli import SECTION_CHOICES

    assert SECTION_CHOICES == SECTIONS


def test_an_unknown_section_is_refused_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_code:
        main(["run", "--config", "hub.toml", "--sections", "school_report"])
    assert exit_code.value.code == EXIT_USAGE
    assert "invalid choice: 'school_report'" in capsys.readouterr().err
