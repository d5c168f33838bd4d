"""The pseudonymisation key: from the environment, or from a Prefect Secret block named in the configuration."""

from __future__ import annotations

from prefect.blocks.system import Secret

from core.pupil_key import hub_key, key_in_secret_block
from foundation.errors import RunRefused
from foundation.hub_config import HubConfig


def pseudonymisation_key(config: HubConfig) -> bytes:
    """The hub's key; a run without one refuses to start (except on synthetic data that allows the demo key)."""
    secret = None
    block = config.settings.key_secret_block
    if key_in_secret_block(config):
        try:
            secret = str(Secret.load(block).get())
        except ValueError as exc:
            raise RunRefused(
                f"the Prefect Secret block '{block}' named in the hub configuration cannot be found. "
                "Create it in the Prefect UI (Blocks, Secret) or correct key_secret_block."
            ) from exc
    return hub_key(config, secret)
