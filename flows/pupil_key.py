"""The pseudonymisation key: from the environment, or from a Prefect Secret block named in the configuration."""

from __future__ import annotations

import logging
import os

from prefect.blocks.system import Secret

from hubreturns.hub_config import HubConfig
from hubreturns.errors import RunRefused
from ingest.pseudonymise import DEMO_KEY, KEY_ENVIRONMENT_VARIABLE, resolve_key

logger = logging.getLogger(__name__)


def pseudonymisation_key(config: HubConfig) -> bytes:
    """The hub's key; a run without one refuses to start (except on synthetic data that allows the demo key)."""
    secret = None
    block = config.settings.key_secret_block
    if block and not os.environ.get(KEY_ENVIRONMENT_VARIABLE):
        try:
            secret = str(Secret.load(block).get())
        except ValueError as exc:
            raise RunRefused(
                f"the Prefect Secret block '{block}' named in the hub configuration cannot be found. "
                "Create it in the Prefect UI (Blocks, Secret) or correct key_secret_block."
            ) from exc
    key = resolve_key(allow_demo_key=config.settings.allow_demo_key, secret=secret)
    if key == DEMO_KEY:
        # The demo key is published in the code: anyone can recompute the pseudonyms it gives.
        logger.warning(
            "Pupil ids are pseudonymised with the public demo key: use this only with synthetic data. "
            "For real data set %s or key_secret_block, and turn allow_demo_key off.",
            KEY_ENVIRONMENT_VARIABLE,
        )
    return key
