"""Alembic migrations build exactly the models' schema, adopt a pre-migration store, and tolerate racing openers."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import store
from store.migrations import (
    HEAD_REVISION,
    INITIAL_REVISION,
    alembic_config,
    current_revision,
    head_revision,
)
from store.models import Base
from store.repository import latest_published_run, open_store, record_run, store_engine
from tests.store.test_repository import _run

# The tables of revision 0001, which a store made before migrations has; 0002 adds data_removals.
LEGACY_TABLES = ("runs", "run_inputs", "return_figures", "validation_failures")
TABLES = {*LEGACY_TABLES, "data_removals"}


def _differences(engine: Engine) -> list:
    """What Alembic's autogenerate would change to make the database match the models (as `alembic check`)."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)


def _revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(sa.text("select version_num from alembic_version")).scalars())


def test_an_empty_database_is_migrated_to_exactly_the_models(engine: Engine) -> None:
    assert set(sa.inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    assert _revisions(engine) == [head_revision()]
    assert _differences(engine) == []


def test_the_migrations_ship_inside_the_store_package() -> None:
    location = Path(alembic_config().get_main_option("script_location") or "")
    assert location == Path(store.__file__).parent / "migrations"
    assert (location / "env.py").is_file() and (location / "script.py.mako").is_file()
    assert head_revision() == "0002" == HEAD_REVISION  # the constant a run checks without importing Alembic


def test_a_store_made_before_migrations_is_stamped_and_keeps_its_runs(store_url: str) -> None:
    legacy = store_engine(store_url)
    Base.metadata.create_all(legacy, tables=[Base.metadata.tables[name] for name in LEGACY_TABLES])
    record_run(legacy, _run("old-run"))
    with legacy.connect() as connection:
        assert current_revision(connection) is None
    legacy.dispose()

    engine = open_store(store_url)
    assert _revisions(engine) == [head_revision()]
    assert latest_published_run(engine, "small-test", "2025/26") == "old-run"
    assert _differences(engine) == []
    record_run(engine, _run("new-run", finished_at=None))
    engine.dispose()


def test_opening_a_migrated_store_again_changes_nothing(store_url: str) -> None:
    first = open_store(store_url)
    record_run(first, _run("r1"))
    first.dispose()
    again = open_store(store_url)
    assert _revisions(again) == [head_revision()]
    assert latest_published_run(again, "small-test", "2025/26") == "r1"
    again.dispose()


def _open_when_all_are_ready(url: str, ready: Barrier, errors: Queue) -> None:
    """In a child process: wait for the others, open the store, report any error."""
    try:
        ready.wait(timeout=60)
        open_store(url).dispose()
        errors.put(None)
    except Exception as exc:  # noqa: BLE001 - the parent asserts on it
        errors.put(repr(exc))


def test_several_processes_opening_a_new_store_at_once_all_succeed(store_url: str) -> None:
    openers = 3
    spawn = multiprocessing.get_context("spawn")
    ready, errors = spawn.Barrier(openers), spawn.Queue()
    children = [
        spawn.Process(target=_open_when_all_are_ready, args=(store_url, ready, errors))
        for _ in range(openers)
    ]
    for child in children:
        child.start()
    try:
        reported = [errors.get(timeout=120) for _ in children]
    finally:
        for child in children:
            child.join(timeout=10)
            child.terminate()
    assert reported == [None] * openers
    checked = store_engine(store_url)
    assert _revisions(checked) == [head_revision()]
    assert _differences(checked) == []
    checked.dispose()


def test_a_store_at_the_first_revision_gains_data_removals_and_keeps_its_runs(store_url: str) -> None:
    from alembic import command

    first = store_engine(store_url)
    with first.begin() as connection:
        command.upgrade(alembic_config(connection), INITIAL_REVISION)
    record_run(first, _run("old-run"))
    assert set(sa.inspect(first).get_table_names()) == set(LEGACY_TABLES) | {"alembic_version"}
    first.dispose()

    engine = open_store(store_url)
    assert _revisions(engine) == ["0002"]
    assert _differences(engine) == []
    assert latest_published_run(engine, "small-test", "2025/26") == "old-run"
    engine.dispose()


def test_a_store_at_the_newest_revision_opens_without_importing_alembic(tmp_path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).dispose()  # made and migrated here
    script = (
        "import sys; from store.repository import open_store; open_store(sys.argv[1]).dispose(); "
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
