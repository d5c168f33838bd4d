"""Failures a data officer can fix end the run with their plain message, never a Python traceback in the log."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed

from foundation.errors import HubReturnsError

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def fail_plainly(function: F) -> F:
    """Turn a HubReturnsError into a Failed state carrying the message.

    A flow's caller gets the error. A task's caller gets the Failed state itself (Prefect hands a returned
    state back as the task's value): pass a task's value through ``succeeded`` so the run stops there.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except HubReturnsError as exc:
            get_run_logger().error("%s", exc)
            return Failed(message=str(exc), data=exc)

    # Prefect reads a flow's parameter types from its signature: give it the real types, resolved where the
    # function is defined (as strings, under `from __future__ import annotations`, they would be looked up in
    # this module and a type such as a Literal alias would not be found).
    wrapper.__signature__ = inspect.signature(function, eval_str=True)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def succeeded(value: T | State) -> T:
    """A task's value; for a task that failed plainly, its error raised, so the flow stops where it failed."""
    if isinstance(value, State):
        return value.result()  # type: ignore[return-value]  # raises a Failed state's HubReturnsError
    return value


def retry_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a failed read or write only when the cause may pass (I/O), never for a file that needs fixing."""
    try:
        state.result()
    except HubReturnsError:
        return False
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - anything else is a bug: retrying will not help
        return False
    return False
