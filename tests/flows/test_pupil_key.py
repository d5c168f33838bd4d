"""The pseudonymisation key from a Prefect Secret block, the environment, or refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation.errors import RunRefused
from foundation.hub_config import load_config

CONFIG = """
[hub]
name = "Key Hub"
slug = "key-hub"
la_codes = ["830"]

[settings]
{settings}
"""

pytestmark = pytest.mark.flow


def _config(tmp_path: Path, settings: str):
    path = tmp_path / "hub.toml"
    path.write_text(CONFIG.format(settings=settings), encoding="utf-8")
    return load_config(path)


def test_key_from_a_secret_block(prefect_server, tmp_path: Path) -> None:
    from prefect.blocks.system import Secret

    from flows.pupil_key import pseudonymisation_key

    Secret(value="a-secret-from-the-block-0123456789").save("hub-key-test", overwrite=True)
    config = _config(tmp_path, 'key_secret_block = "hub-key-test"')
    assert pseudonymisation_key(config) == b"a-secret-from-the-block-0123456789"


def test_environment_wins_over_the_block(prefect_server, tmp_path: Path, monkeypatch) -> None:
    from flows.pupil_key import pseudonymisation_key

    monkeypatch.setenv("HUBRETURNS_PSEUDONYMISATION_KEY", "from-the-environment-0123456789")
    config = _config(tmp_path, 'key_secret_block = "no-such-block"')
    assert pseudonymisation_key(config) == b"from-the-environment-0123456789"


def test_missing_block_or_key_refuses_to_start(prefect_server, tmp_path: Path) -> None:
    from flows.pupil_key import pseudonymisation_key

    with pytest.raises(RunRefused, match="Secret block 'no-such-block'"):
        pseudonymisation_key(_config(tmp_path, 'key_secret_block = "no-such-block"'))
    with pytest.raises(RunRefused, match="no pseudonymisation key is set"):
        pseudonymisation_key(_config(tmp_path, ""))
    assert pseudonymisation_key(_config(tmp_path, "allow_demo_key = true")).startswith(b"hubreturns-demo")
