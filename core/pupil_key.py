"""The pseudonymisation key from the environment, with the warning the public demo key always gets."""

from __future__ import annotations

import logging
import os

from core.runner import LOGGER_NAME
from foundation.hub_config import HubConfig
from ingest.pseudonymise import DEMO_KEY, KEY_ENVIRONMENT_VARIABLE, resolve_key

logger = logging.getLogger(LOGGER_NAME)


def key_in_secret_block(config: HubConfig) -> bool:
    """Whether the hub's key must be read from the Prefect Secret block its configuration names."""
    return bool(config.settings.key_secret_block) and not os.environ.get(KEY_ENVIRONMENT_VARIABLE)


def hub_key(config: HubConfig, secret: str | None = None) -> bytes:
    """The hub's key (``secret``: one read from a vault); a run without one refuses to start, except on
    synthetic data that allows the demo key."""
    key = resolve_key(allow_demo_key=config.settings.allow_demo_key, secret=secret)
    if key == DEMO_KEY:
        # The demo key is published in the code: anyone can recompute the pseudonyms it gives.
        logger.warning(
            "Pupil ids are pseudonymised with the public demo key: use this only with synthetic data. "
            "For real data set %s or key_secret_block, and turn allow_demo_key off.",
            KEY_ENVIRONMENT_VARIABLE,
        )
    return key
