"""Where a run's figures came from: the code version stamped on every output."""

from __future__ import annotations

import subprocess
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

__version__ = version("hubreturns")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Package version plus the git commit when running from a checkout (e.g. 0.1.0+3f2a9c1)."""
    checkout = Path(__file__).resolve().parent.parent
    try:
        result = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--short=10", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return __version__
    commit = result.stdout.strip()
    return f"{__version__}+{commit}" if result.returncode == 0 and commit else __version__
