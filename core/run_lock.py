"""One run of a hub at a time: a second run of the same hub is refused, never interleaved with the first.

The lock is an operating-system file lock in the hub's output folder, so it is released when the run ends
however it ends, including when its process is killed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from foundation.errors import RunRefused
from outputs.staging import remove_stale_staging

LOCK_FILE = ".hubreturns-run.lock"
# The name outputs/workbook_files.write_bytes_atomically gives a workbook while it is being written.
TEMPORARY = re.compile(r"\..+\.[0-9a-f]{32}\.tmp")


def hub_lock_path(output_dir: Path, hub_slug: str) -> Path:
    """Where a hub's run lock lives: ``<output_dir>/<hub>/.hubreturns-run.lock``."""
    return Path(output_dir) / hub_slug / LOCK_FILE


@contextmanager
def hub_run_lock(output_dir: Path, hub_slug: str, hub_name: str) -> Iterator[None]:
    """Hold the hub's run lock for the block, or refuse at once if another run of the hub holds it."""
    path = hub_lock_path(output_dir, hub_slug)
    lock = FileLock(path, timeout=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise RunRefused(
            f"Another run of {hub_name} is in progress, so this one did not start (two runs would mix their "
            f"outputs). Wait for it to finish, then run again. (Lock file: {path})"
        ) from None
    except OSError as exc:
        raise RunRefused(
            f"The output folder {path.parent} of {hub_name} cannot be written to ({exc.strerror}), so the run did "
            f"not start. Check that the hub's [storage] output_dir is a folder this account can write to and "
            f"that its disk is not full, then run again."
        ) from exc
    try:
        remove_stale_temporaries(path.parent)
        remove_stale_staging(output_dir, hub_slug)
        yield
    finally:
        lock.release()


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files a killed run left while writing a workbook (``.<name>.<hex>.tmp``).

    Called with the hub's run lock held, so no other run can be writing them.
    """
    stale = [p for p in folder.rglob(".*.tmp") if p.is_file() and TEMPORARY.fullmatch(p.name)]
    removed = []
    for path in stale:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue  # a folder that cannot be written to: the run's own write there will say so plainly
        removed.append(path)
    return removed
