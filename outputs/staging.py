"""All or nothing: a run writes its outputs into a staging folder, then publishes the whole set in one step.

A hub's outputs for a year live in ``<output_dir>/<hub>/<YYYY-YY>/`` (the published folder). A run writes into
``<output_dir>/<hub>/.staging/<run id>/<hub>/<YYYY-YY>/``, an output folder of its own on the same disk (so the
workbooks' own path functions work unchanged there), and once the run is recorded the staging folder takes the
published folder's place by one rename: on Linux an atomic exchange of the two folders (``renameat2`` with
``RENAME_EXCHANGE``), elsewhere two renames that the next run completes or undoes if a run is killed between
them. At every instant the published folder holds one whole set of outputs from one run.

Files the run does not rewrite (a rerun of some sections only, or a file a person put in the folder) are carried
into the staging folder as hard links before the run writes, so publishing keeps them. A killed run leaves its
staging folder behind; the next run of the hub removes it (``remove_stale_staging``, with the hub's lock held).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import HubReturnsError

STAGING_FOLDER = ".staging"
# In the fallback (no atomic exchange), where the previous set waits between the two renames.
RETIRED_FOLDER = "retired"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class Staging:
    """Where one run writes its outputs before they are published."""

    output_dir: Path
    published_output_dir: Path
    hub_slug: str
    year_slug: str

    @property
    def root(self) -> Path:
        """The run's own staging area, removed whole when the run ends."""
        return self.output_dir

    @property
    def folder(self) -> Path:
        """The staging folder: the set of outputs being written."""
        return self.output_dir / self.hub_slug / self.year_slug

    @property
    def published(self) -> Path:
        """The published folder the set replaces."""
        return self.published_output_dir / self.hub_slug / self.year_slug

    def published_path(self, path: Path) -> Path:
        """Where a file written in the staging folder will be once published."""
        return self.published / Path(path).relative_to(self.folder)


def staging_area(output_dir: Path, hub_slug: str) -> Path:
    """The folder holding a hub's staging folders: ``<output_dir>/<hub>/.staging``."""
    return Path(output_dir) / hub_slug / STAGING_FOLDER


def start_staging(
    output_dir: Path, hub_slug: str, year_slug: str, run_id: str, carried: Callable[[Path], bool]
) -> Staging:
    """A new staging folder for the run, holding the published files for which ``carried(relative path)`` is true."""
    staging = Staging(
        output_dir=staging_area(output_dir, hub_slug) / run_id,
        published_output_dir=Path(output_dir),
        hub_slug=hub_slug,
        year_slug=year_slug,
    )
    try:
        staging.folder.mkdir(parents=True)
        if staging.published.is_dir():
            for path in sorted(staging.published.rglob("*")):
                relative = path.relative_to(staging.published)
                if path.is_file() and not path.is_symlink() and carried(relative):
                    _link_or_copy(path, staging.folder / relative)
    except OSError as exc:
        discard(staging)
        raise _plain_os_error(exc, staging.published.parent, "prepare the run's outputs") from exc
    return staging


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)  # a file system without hard links


def publish(staging: Staging) -> None:
    """Put the staging folder in the published folder's place in one step, then remove the previous set."""
    published, folder = staging.published, staging.folder
    try:
        if published.is_dir() and _exchange(folder, published):
            pass  # the previous set is now in the staging area, removed below
        else:
            retired = staging.root / RETIRED_FOLDER
            if published.is_dir():
                published.rename(retired)
            folder.rename(published)
    except OSError as exc:
        raise _plain_os_error(exc, published, "publish the run's outputs") from exc
    discard(staging)


def publish_file(staging: Staging, path: Path) -> Path:
    """Publish one file of the staging folder at once (the validation report of a run that stops)."""
    target = staging.published_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    except OSError as exc:
        raise _plain_os_error(exc, target.parent, f"publish {target.name}") from exc
    return target


def discard(staging: Staging) -> None:
    """Remove the run's staging area (nothing of it is published)."""
    shutil.rmtree(staging.root, ignore_errors=True)


def remove_stale_staging(output_dir: Path, hub_slug: str) -> list[Path]:
    """Remove what killed runs left in the hub's staging area (called with the hub's run lock held).

    A run killed between the two renames of the fallback leaves the published folder missing and the previous
    set retired in its staging area: that set is put back first.
    """
    area = staging_area(output_dir, hub_slug)
    if not area.is_dir():
        return []
    removed = []
    for root in sorted(p for p in area.iterdir() if p.is_dir()):
        retired = root / RETIRED_FOLDER
        if retired.is_dir():
            for year in (p for p in (root / hub_slug).glob("*") if p.is_dir()):
                published = Path(output_dir) / hub_slug / year.name
                if not published.exists():
                    retired.rename(published)
        shutil.rmtree(root, ignore_errors=True)
        removed.append(root)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically where the system can (Linux renameat2); False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a file system that cannot exchange: the two-rename fallback
    raise OSError(code, os.strerror(code), str(b))


def _plain_os_error(exc: OSError, folder: Path, doing: str) -> HubReturnsError:
    """A file-system failure in the words of the person running the hub."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "it is read-only, or this account may not write there. Ask for write access to it"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "its disk is full. Free some space there"
    else:
        why = "check that the hub's [storage] output_dir is a folder this account can write to"
    return HubReturnsError(
        f"Could not {doing} in {folder} ({exc.strerror or exc}: {why}, then run again). Nothing new was "
        f"published: the previous outputs are unchanged."
    )
