"""What the store says about a hub's earlier runs, for deciding whether a nightly run has anything to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import Run, RunInput
from store.repository import latest_published_run


@dataclass(frozen=True)
class PreviousRun:
    """A finished run: when, with which code and configuration, and the content hash of each input file."""

    run_id: str
    finished_at: object
    code_version: str
    config_sha256: str
    inputs: frozenset[tuple[str, str]]


def last_successful_run(engine: Engine, hub_slug: str, academic_year: str) -> PreviousRun | None:
    """The hub's latest published run for the year with its inputs' (source, sha256), or None."""
    run_id = latest_published_run(engine, hub_slug, academic_year)
    if run_id is None:
        return None
    with Session(engine) as session:
        run = session.get_one(Run, run_id)
        inputs = session.execute(
            select(RunInput.source, RunInput.sha256).where(RunInput.run_id == run_id)
        ).all()
        return PreviousRun(
            run_id=run.run_id,
            finished_at=run.finished_at,
            code_version=run.code_version,
            config_sha256=run.config_sha256,
            inputs=frozenset((source, sha) for source, sha in inputs),
        )
