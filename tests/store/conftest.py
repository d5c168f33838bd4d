"""The store's tests run on both back ends: a SQLite file and a fresh schema in the PostgreSQL test database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from store.repository import open_store


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL on each back end in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """The store opened (so migrated) at ``store_url``; its connections closed afterwards."""
    engine = open_store(store_url)
    yield engine
    engine.dispose()
