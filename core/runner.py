"""How a run's steps are called: the one thing the command line and the Prefect flows do differently.

The core's sequence (core/hub_run.py) calls every step through a ``Runner``: in-process on the command line
(``PlainRunner``, with a progress bar), or as Prefect tasks in the flows (flows/steps.py: ``PrefectRunner``), for
retries and for the run to be seen in the UI. The steps and their order are the same either way.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar

from foundation.hub_config import HubConfig

P = ParamSpec("P")
T = TypeVar("T")

LOGGER_NAME = "hubreturns"
# A step that reads or writes files: a Prefect task retries it when the cause may pass (a network share).
_TOUCHES_FILES = "_hubreturns_touches_files"


def touches_files(step: Callable[P, T]) -> Callable[P, T]:
    """Mark a step as reading or writing files (the flows retry such a step after a passing I/O error)."""
    setattr(step, _TOUCHES_FILES, True)
    return step


def is_file_step(step: Callable[..., Any]) -> bool:
    """Whether ``step`` was marked with ``touches_files``."""
    return bool(getattr(step, _TOUCHES_FILES, False))


def step_title(step: Callable[..., Any]) -> str:
    """What a step does, in words: the first line of its docstring, without the full stop."""
    doc = (step.__doc__ or step.__name__.replace("_", " ")).strip().splitlines()[0]
    return doc.rstrip(".")


class Runner(Protocol):
    """Calls the steps of a run and gives it a logger, the pupil key and the orchestrator's run id, if any."""

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter[Any]:
        """Where the run's messages go."""
        ...

    @property
    def flow_run_id(self) -> str | None:
        """The Prefect flow run this run is, or None when it runs without Prefect."""
        ...

    def call(self, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run one step and return its value; a step's HubReturnsError is raised as it is."""
        ...

    def pupil_key(self, config: HubConfig) -> bytes:
        """The key pupil ids are pseudonymised with."""
        ...


class PlainRunner:
    """Calls each step in this process, showing it on a progress bar when ``progress`` is given."""

    def __init__(
        self,
        pupil_key: Callable[[HubConfig], bytes],
        *,
        progress: Callable[[str], Any] | None = None,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    ) -> None:
        self._pupil_key = pupil_key
        self._progress = progress
        self._logger = logger or logging.getLogger(LOGGER_NAME)

    @property
    def logger(self) -> logging.Logger | logging.LoggerAdapter[Any]:
        """The ``hubreturns`` logger (the command line shows it above the progress bar)."""
        return self._logger

    @property
    def flow_run_id(self) -> None:
        """None: no Prefect run."""
        return None

    def call(self, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the step here, after naming it on the progress bar."""
        if self._progress is not None:
            self._progress(step_title(step))
        return step(*args, **kwargs)

    def pupil_key(self, config: HubConfig) -> bytes:
        """The key, from the function the command line gave."""
        return self._pupil_key(config)


@contextmanager
def progress_bar(total_steps: int | None = None) -> Iterator[Callable[[str], None]]:
    """A rich progress line on standard error: each call names the step now running and advances the bar."""
    from rich.console import Console
    from rich.logging import RichHandler
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    handler: logging.Handler
    if console.is_terminal:
        handler = RichHandler(console=console, show_path=False, markup=False, log_time_format="%H:%M:%S")
    else:  # a log file or a pipe: one plain line a message, as Prefect's own log lines read
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger(LOGGER_NAME)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Starting", total=total_steps)
        started = [False]

        def advance(title: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=title)

        try:
            yield advance
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous_level)
