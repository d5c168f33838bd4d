"""Provenance of an input file: the one record ingest produces, the cover sheet lists and the store keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFileRecord:
    """One file a run read: which input it was, its fingerprint and what became of its rows."""

    source: str
    path: str
    sha256: str
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    encoding: str = ""

    @property
    def file_name(self) -> str:
        """The file's name without its folder, as shown to people."""
        return Path(self.path).name
