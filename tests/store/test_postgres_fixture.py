"""An unreachable PostgreSQL skips its tests on a developer's machine and fails them on CI."""

from __future__ import annotations

import pytest

from tests.conftest import postgres_unreachable


def test_unreachable_postgres_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match=r"not reachable.*connection refused"):
        postgres_unreachable("connection refused", environ={})
    with pytest.raises(pytest.skip.Exception):
        postgres_unreachable("connection refused", environ={"CI": "false"})


@pytest.mark.parametrize("ci", ["true", "True"])
def test_unreachable_postgres_fails_on_ci(ci: str) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"not reachable.*connection refused"):
        postgres_unreachable("connection refused", environ={"CI": ci})


def test_postgres_url_is_a_fresh_schema_of_its_own(postgres_url: str) -> None:
    import sqlalchemy as sa

    from store.repository import store_engine

    engine = store_engine(postgres_url)
    with engine.connect() as connection:
        schema = connection.execute(sa.text("select current_schema()")).scalar_one()
        tables = connection.execute(
            sa.text("select count(*) from information_schema.tables where table_schema = :s"), {"s": schema}
        ).scalar_one()
    engine.dispose()
    assert schema.startswith("hubreturns_test_") and tables == 0
