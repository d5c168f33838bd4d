"""The core's steps as Prefect tasks: the runner the flows hand to the core's sequence (core/runner.py).

Each step becomes a task named after it, so the run's steps show in the UI; a step that reads or writes files
is retried twice after a passing I/O error, never after a problem in a file. A data officer's error ends the
task with its plain message (no traceback) and is raised again in the flow, where the core's sequence meets it
exactly as it would on the command line.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from prefect import Task, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from core.runner import is_file_step
from flows.plain import fail_plainly, retry_transient, succeeded
from flows.pupil_key import pseudonymisation_key
from foundation.hub_config import HubConfig

P = ParamSpec("P")
T = TypeVar("T")
RETRIES, RETRY_DELAY_SECONDS = 2, 2


@functools.cache
def step_task(step: Callable[..., Any]) -> Task[..., Any]:
    """The task for one step of the core (made once per step)."""
    retries = RETRIES if is_file_step(step) else 0
    return task(
        fail_plainly(step),
        name=step.__name__.replace("_", "-"),
        retries=retries,
        retry_delay_seconds=RETRY_DELAY_SECONDS,
        retry_condition_fn=retry_transient if retries else None,
        cache_policy=NO_CACHE,
    )


class PrefectRunner:
    """Calls each step as a Prefect task of the current flow run, and logs to the run's log."""

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter[Any]:
        """The flow run's logger (its messages show in the UI)."""
        return get_run_logger()

    @property
    def flow_run_id(self) -> str:
        """The id of the flow run the steps belong to."""
        return str(get_run_context().flow_run.id)  # type: ignore[union-attr]

    def call(self, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the step as a task; its plain error is raised here, so the sequence stops where it failed."""
        return succeeded(step_task(step)(*args, **kwargs))

    def pupil_key(self, config: HubConfig) -> bytes:
        """The key, from the environment or the Prefect Secret block the configuration names."""
        return pseudonymisation_key(config)
