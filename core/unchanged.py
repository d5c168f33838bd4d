"""Whether a nightly run has anything to do: its inputs, settings and code against the last published run's."""

from __future__ import annotations

from pathlib import Path

from foundation.hub_config import DFE_INPUTS, HubConfig
from ingest.pipeline import configured_exports
from ingest.sources import sha256_of
from schemas.provenance import InputFileRecord
from store.history import PreviousRun


def current_inputs(config: HubConfig) -> list[InputFileRecord]:
    """The content hash of every input file a run would read (rows not counted: the files are not parsed)."""
    records = []
    for source in (*DFE_INPUTS, *configured_exports(config)):
        for item in config.inputs.get(source, ()):
            path = Path(item.path)
            records.append(
                InputFileRecord(
                    source=source,
                    path=str(path),
                    sha256=sha256_of(path) if path.is_file() else "",
                    rows_read=0,
                    rows_kept=0,
                    rows_quarantined=0,
                )
            )
    return records


def nothing_changed(
    previous: PreviousRun, inputs: list[InputFileRecord], code_version: str, config_sha256: str
) -> bool:
    """True when every input file has the same content as in ``previous``, with the same code and settings."""
    if any(not record.sha256 for record in inputs):
        return False  # a missing file: the run must say so
    return (
        previous.code_version == code_version
        and previous.config_sha256 == config_sha256
        and previous.inputs == frozenset((record.source, record.sha256) for record in inputs)
    )
