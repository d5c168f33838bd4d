"""What the store says about a hub's earlier runs, for deciding whether a nightly run has anything to do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from store.models import Run, RunInput


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
    with Session(engine) as session:
        run = session.execute(
            select(Run)
            .where(Run.hub_slug == hub_slug, Run.academic_year == academic_year, Run.status == "published")
            .order_by(Run.finished_at.desc().nulls_last(), Run.run_id)
            .limit(1)
        ).scalar_one_or_none()
        if run is None:
            return None
        inputs = session.execute(select(RunInput.source, RunInput.sha256).where(RunInput.run_id == run.run_id)).all()
        return PreviousRun(
            run_id=run.run_id,
            finished_at=run.finished_at,
            code_version=run.code_version,
            config_sha256=run.config_sha256,
            inputs=frozenset((source, sha) for source, sha in inputs),
        )
