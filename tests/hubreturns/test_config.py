from pathlib import Path

import pytest

from foundation.errors import ConfigError
from foundation.hub_config import known_la_codes, load_config

GOOD = """
[hub]
name = "Test Hub"
slug = "test-hub"
la_codes = ["830", "831"]

[storage]
output_dir = "out"
database_url = "sqlite:///store.db"

[inputs]
gias = "dfe/gias.csv"
census = ["dfe/a.csv", "dfe/b.csv"]
workforce = { path = "exports/staff.xlsx", sheet = "Staff" }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_paths_resolve_against_the_file(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.output_dir == tmp_path / "out"
    assert config.database_url == f"sqlite:///{tmp_path / 'store.db'}"
    assert [f.path for f in config.input_files("census")] == [tmp_path / "dfe/a.csv", tmp_path / "dfe/b.csv"]
    assert config.input_files("workforce")[0].sheet == "Staff"


def test_environment_overrides_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", "postgresql://u@127.0.0.1/test")
    assert load_config(_write(tmp_path, GOOD)).database_url == "postgresql://u@127.0.0.1/test"


def test_unknown_la_code_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'999' is not a DfE 3-digit local authority code"):
        load_config(_write(tmp_path, GOOD.replace('"831"', '"999"')))


def test_unsafe_slug_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="slug"):
        load_config(_write(tmp_path, GOOD.replace('"test-hub"', '"../etc"')))


def test_missing_file_and_missing_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="no file is configured for 'pupils'"):
        load_config(_write(tmp_path, GOOD)).input_files("pupils")


def test_shipped_la_lookup_has_real_codes() -> None:
    codes = known_la_codes()
    assert {"830", "831", "892", "330", "942", "943"} <= codes
    assert "940 / 941" not in codes


def test_retention_defaults_keep_two_years_of_failures_and_every_run(tmp_path: Path) -> None:
    retention = load_config(_write(tmp_path, GOOD)).retention
    assert (retention.validation_failures_years, retention.runs_years) == (2, None)
    example = load_config(Path(__file__).resolve().parents[2] / "config" / "hub.example.toml").retention
    assert example == retention


def test_retention_is_read_and_a_setting_that_would_lose_last_year_is_refused(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, GOOD + "\n[retention]\nvalidation_failures_years = 3\nruns_years = 7\n")
    )
    assert (config.retention.validation_failures_years, config.retention.runs_years) == (3, 7)
    with pytest.raises(
        ConfigError, match=r"retention.runs_years: Input should be greater than or equal to 3"
    ):
        load_config(_write(tmp_path, GOOD + "\n[retention]\nruns_years = 2\n"))
    with pytest.raises(ConfigError, match=r"retention.keep_for_ever: Extra inputs are not permitted"):
        load_config(_write(tmp_path, GOOD + "\n[retention]\nkeep_for_ever = true\n"))
