"""A database that cannot be reached or drops the connection: retried where safe, never written twice, and
otherwise a plain message naming the database without its password. Real PostgreSQL, real dropped connections
(pg_terminate_backend from a second connection)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from schemas.provenance import InputFileRecord
from store import repository
from store.repository import (
    RunRecord,
    StoreUnavailable,
    latest_published_run,
    open_store,
    record_run,
    run_figures,
    store_engine,
)

STARTED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
RUN = RunRecord(
    run_id="run-1",
    flow_run_id=None,
    hub_slug="small-test",
    academic_year="2025/26",
    as_of=date(2026, 11, 23),
    parameters={},
    status="published",
    started_at=STARTED,
    finished_at=STARTED,
    code_version="abc123",
    config_sha256="f" * 64,
    inputs=(InputFileRecord("tuition", "/hub/tuition.csv", "a" * 64, 5, 5, 0),),
)
FIGURES = pl.DataFrame(
    {
        "sheet": ["kpis"] * 3,
        "measure": ["KPI 1 count", "KPI 2 count", "KPI 3 count"],
        "breakdown": ["all"] * 3,
        "value": [17.0, 4.0, 9.0],
    }
)


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same three attempts, without the production pauses between them."""
    monkeypatch.setattr(repository, "RETRY_DELAYS_SECONDS", (0.05, 0.05))


def _counts(engine: Engine) -> tuple[int, int, int]:
    """(runs, run_inputs, return_figures) rows in the store."""
    with engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(sa.text(f"select count(*) from {table}")).scalar_one()
            for table in ("runs", "run_inputs", "return_figures")
        )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://hubreturns:s3cret-pw@127.0.0.1:1/test",  # nothing listens on port 1: refused at once
        "postgresql+psycopg://hubreturns:s3cret-pw@127.0.0.1:1/test?connect_timeout=3",
    ],
)
def test_an_unreachable_database_is_tried_three_times_then_named_plainly_without_its_password(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="hubreturns.store"),
        pytest.raises(StoreUnavailable) as failed,
    ):
        open_store(url)
    message = str(failed.value)
    assert message.startswith(
        "The store's database, 'test' on the PostgreSQL server at 127.0.0.1:1 as user hubreturns, could not be "
        "reached while connecting to it (3 attempts): "
    )
    assert "Connection refused" in message and "Check that the database server is running" in message
    assert "database_url (or --database-url)" in message and message.endswith(
        "Nothing was written to the store."
    )
    assert "s3cret" not in message + caplog.text and "Traceback" not in message
    retried = [r.message.split(" (attempt ")[1][:1] for r in caplog.records]
    assert retried == ["1", "2"]  # two warnings, then the third attempt failed


def test_a_store_file_that_cannot_be_opened_says_which_file_and_what_to_check(tmp_path) -> None:
    missing = tmp_path / "no-such-folder" / "hubreturns.db"
    with pytest.raises(StoreUnavailable) as failed:
        open_store(f"sqlite:///{missing}")
    assert str(failed.value).startswith(
        f"The store's database, file {missing}, could not be opened or written"
    )
    assert "Check that the folder holding the file exists and can be written to" in str(failed.value)


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[tuple[Engine, Engine]]:
    """The store in its own PostgreSQL schema, and a second engine that can end its connections."""
    engine = open_store(postgres_url)
    admin = store_engine(postgres_url)
    yield engine, admin
    engine.dispose()
    admin.dispose()


def _drop_connection_at_figures(engine: Engine, admin: Engine, times: int) -> list[int]:
    """Have the server end the store's connection as it is about to insert the figures, ``times`` times."""
    dropped: list[int] = []

    @event.listens_for(engine, "before_cursor_execute")
    def terminate(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if len(dropped) < times and statement.lstrip().upper().startswith("INSERT INTO RETURN_FIGURES"):
            pid = cursor.connection.info.backend_pid
            with admin.connect() as other:
                # Waits (up to 5 s) until the backend has gone: the insert then meets a dead connection.
                assert other.execute(
                    sa.text("select pg_terminate_backend(:pid, 5000)"), {"pid": pid}
                ).scalar()
            dropped.append(pid)

    return dropped


@pytest.mark.postgres
def test_a_connection_dropped_inside_the_run_transaction_is_retried_whole_and_written_once(
    postgres: tuple[Engine, Engine],
) -> None:
    engine, admin = postgres
    dropped = _drop_connection_at_figures(engine, admin, times=1)
    record_run(engine, RUN, figures=FIGURES)
    assert len(dropped) == 1  # the first attempt really lost its connection after inserting the run row
    assert _counts(engine) == (1, 1, 3)  # one run, its one input and three figures: once each
    assert run_figures(engine, "run-1").equals(FIGURES)


@pytest.mark.postgres
def test_a_connection_that_keeps_dropping_fails_plainly_with_nothing_half_written(
    postgres: tuple[Engine, Engine],
) -> None:
    engine, admin = postgres
    dropped = _drop_connection_at_figures(engine, admin, times=99)
    with pytest.raises(StoreUnavailable) as failed:
        record_run(engine, RUN, figures=FIGURES)
    assert len(dropped) == 3
    message = str(failed.value)
    assert message.startswith("The store's database, 'test' on the PostgreSQL server at 127.0.0.1:5432")
    assert (
        "dropped the connection or could not be reached while recording run run-1 in it (3 attempts)"
        in message
    )
    assert message.endswith("Nothing of that run was saved in the store, so it is not published.")
    assert _counts(engine) == (0, 0, 0)


@pytest.mark.postgres
def test_reads_survive_a_pooled_connection_the_server_has_ended(postgres: tuple[Engine, Engine]) -> None:
    engine, admin = postgres
    record_run(engine, RUN, figures=FIGURES)
    with engine.connect() as connection:  # the pool now holds this connection, idle
        pid = connection.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
    with admin.connect() as other:
        assert other.execute(sa.text("select pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
    assert latest_published_run(engine, "small-test", "2025/26") == "run-1"
    assert run_figures(engine, "run-1").height == 3


def test_a_commit_that_landed_before_the_connection_dropped_is_not_written_again(engine: Engine) -> None:
    """The worst moment: the database committed, then the connection dropped before the client heard so."""
    lost: list[str] = []

    def connection_lost_after_commit(session: Session) -> None:
        if not lost:
            lost.append("commit")
            raise sa.exc.OperationalError(
                "COMMIT", {}, Exception("server closed the connection unexpectedly")
            )

    event.listen(Session, "after_commit", connection_lost_after_commit)
    try:
        record_run(engine, replace(RUN, run_id="run-2"), figures=FIGURES)
    finally:
        event.remove(Session, "after_commit", connection_lost_after_commit)
    assert lost == ["commit"]
    assert _counts(engine) == (1, 1, 3)
