"""The nightly run: every configured hub's annual return for the current academic year, one subflow per hub.

Scheduled at 02:00 Europe/London by the `nightly` deployment in prefect.yaml. A hub whose run fails does not
stop the others; the nightly run fails at the end if any hub failed, so the failure is seen.
"""

from __future__ import annotations

from glob import glob
from pathlib import Path

from prefect import flow, get_run_logger

from flows.annual_return import RunSummary, annual_return
from flows.notifications import notify_failure
from hubreturns.errors import ConfigError


def hub_configurations(patterns: list[str]) -> list[Path]:
    """The hub configuration files matched by the given paths or glob patterns, in a stable order."""
    found = sorted({Path(p).resolve() for pattern in patterns for p in glob(pattern)})
    if not found:
        raise ConfigError(f"no hub configuration file matches {', '.join(patterns)}")
    return found


@flow(name="hub-returns-nightly", on_failure=[notify_failure], on_crashed=[notify_failure])
def nightly(config_paths: list[str], as_of: str | None = None, skip_unchanged: bool = True) -> list[RunSummary]:
    """Run the annual return of every configured hub for the academic year containing the as-of date; a hub
    none of whose inputs changed since its last published run is skipped (``skip_unchanged``).
    """
    logger = get_run_logger()
    summaries, failed = [], []
    for path in hub_configurations(config_paths):
        state = annual_return(
            config_path=str(path), as_of=as_of, skip_unchanged=skip_unchanged, return_state=True
        )
        if state.is_completed():
            summaries.append(state.result())
        else:
            failed.append(path.name)
            logger.error("%s failed: %s", path.name, state.message)
    if failed:
        raise RuntimeError(f"the nightly run failed for {len(failed)} hub(s): {', '.join(failed)}")
    return summaries
