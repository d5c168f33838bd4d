"""Test settings: Prefect runs against a throw-away home and one test server per session, only when needed."""

from __future__ import annotations

import os
import tempfile

# Must happen before anything imports prefect (shared/reference/stack-notes.md §2.5).
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="hubreturns-prefect-home-")
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("PREFECT_PROFILE", None)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ["PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"] = "ignore"
os.environ.pop("HUBRETURNS_PSEUDONYMISATION_KEY", None)
os.environ.pop("HUBRETURNS_DATABASE_URL", None)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for the whole session (it costs ~15 s to start), heartbeats off."""
    import prefect.settings as settings
    from prefect.testing.utilities import prefect_test_harness

    with settings.temporary_settings(updates={settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        with prefect_test_harness(server_startup_timeout=90):
            yield
