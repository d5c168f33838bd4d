"""Worker processes that end with the process that started them, so a killed run leaves none behind.

A run killed outright (SIGKILL, or the worker cancelling it) gives its process no chance to stop the processes
writing its school reports; each of them watches for its parent's end instead and exits at once.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 0.2


def exit_with_parent(parent_pid: int) -> None:
    """Initializer of a worker process: end this process as soon as the process that started it is gone."""
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent ended before this process got going
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="exit-with-parent", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """Exit without clean-up once re-parented: nothing this process was writing is published anyway."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
