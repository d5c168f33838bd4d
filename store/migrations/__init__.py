"""The store's Alembic migrations, configured from this package so an installed copy needs no alembic.ini."""

from __future__ import annotations

import threading
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision (versions/): a store already there is opened without importing Alembic at all, which
# costs a second at every run's start (tests/store/test_migrations.py holds it equal to Alembic's head).
HEAD_REVISION = "0002"
# The revision that creates the tables exactly as the store made them before it had migrations.
INITIAL_REVISION = "0001"
# Any fixed 64-bit number: PostgreSQL's advisory lock that lets one process at a time migrate a database.
_POSTGRES_LOCK_KEY = 7_406_113_287_510_351
# Alembic keeps its migration context in module globals: one migration at a time within a process too.
_IN_PROCESS = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for this package's migrations, working on ``connection`` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files(__name__)))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the store's schema, as Alembic finds it in versions/."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at, or None when it has never been migrated."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    versions = connection.execute(text("select version_num from alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None


def upgrade_to_head(engine: Engine) -> None:
    """Bring the store to the newest schema, one process at a time; a store made by create_all is adopted."""
    with engine.connect() as connection:
        if current_revision(connection) == HEAD_REVISION:
            return
    from alembic import command

    with _IN_PROCESS, engine.begin() as connection:
        _hold_migration_lock(connection)
        config = alembic_config(connection)
        if _made_before_migrations(connection):
            command.stamp(config, INITIAL_REVISION)
        command.upgrade(config, "head")


def _hold_migration_lock(connection: Connection) -> None:
    """Lock the database until the transaction ends, so a second opener waits and then finds it migrated."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("select pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # The write lock, taken now rather than at the first CREATE TABLE; busy_timeout makes others wait.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _made_before_migrations(connection: Connection) -> bool:
    """True for a store whose tables the old create_all made: tables present, no alembic_version."""
    tables = set(inspect(connection).get_table_names())
    return "runs" in tables and "alembic_version" not in tables
