"""Test settings: Prefect runs against a throw-away home and one test server per session, only when needed."""

from __future__ import annotations

import os
import tempfile
import uuid

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

from collections.abc import Iterator, Mapping
from typing import NoReturn

import pytest


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One Prefect test server for the whole session (it costs ~15 s to start), heartbeats off."""
    import prefect.settings as settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        settings.temporary_settings(updates={settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        prefect_test_harness(server_startup_timeout=90),
    ):
        yield


# The PostgreSQL server the store's tests use; each test gets its own schema in it (SPEC.md section 4).
POSTGRES_TEST_URL = os.environ.get(
    "HUBRETURNS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def postgres_unreachable(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip a PostgreSQL test when the server is missing, but fail it on CI (CI=true), where it must run."""
    message = f"PostgreSQL is not reachable at {POSTGRES_TEST_URL}: {reason}"
    if environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL to a fresh schema of its own in the PostgreSQL test database, dropped afterwards."""
    import sqlalchemy as sa

    from store.repository import store_engine

    schema = f"hubreturns_test_{uuid.uuid4().hex[:12]}"
    url = sa.make_url(POSTGRES_TEST_URL)
    admin = store_engine(
        url.update_query_dict({"connect_timeout": "5"}).render_as_string(hide_password=False)
    )
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'create schema "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        postgres_unreachable(str(exc.orig).strip())
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'drop schema "{schema}" cascade')
        admin.dispose()
