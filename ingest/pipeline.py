"""Read and check every configured input without an orchestrator (the flows wrap the same steps in tasks)."""

from __future__ import annotations

from datetime import date

import polars as pl

from foundation.hub_config import HubConfig
from ingest.cross_source import cross_check
from ingest.files import SOURCE_ROW
from ingest.sources import (
    LoadedInput,
    after_cross_checks,
    load_census,
    load_hub_export,
    load_register,
    load_register_links,
    load_sen,
    unreadable_files,
)
from schemas.hub_exports import HUB_EXPORTS
from schemas.periods import AcademicYear
from schemas.validation import RECORD_ID, RECORD_ID_COLUMNS, RECORD_ID_SCHEMA, record_label
from schemas.validation import ValidationFailure as Failure


def configured_exports(config: HubConfig) -> list[str]:
    """The hub's exports present in its configuration, in the canonical order."""
    return [source for source in HUB_EXPORTS if source in config.inputs]


def input_frames(loaded: list[LoadedInput]) -> dict[str, pl.DataFrame]:
    """Each input's kept rows by the name the transforms know it by (HubData): the register as
    ``establishments``, its links file as ``establishment_links``.
    """
    frames = {item.source: item.frame for item in loaded}
    frames["establishments"] = frames.pop("gias")
    if "gias_links" in frames:
        frames["establishment_links"] = frames.pop("gias_links")
    return frames


def check_loaded(loaded: list[LoadedInput], *, year: AcademicYear, as_of: date) -> list[LoadedInput]:
    """Apply the cross-source rules to inputs already read; failing rows are quarantined."""
    frames = {item.source: item.frame for item in loaded}
    every_id = {item.source: item.all_rows for item in loaded if item.all_rows is not None}
    unreadable = {item.source for item in loaded if unreadable_files(item.failures).height}
    checked, failures = cross_check(
        frames, year=year, as_of=as_of, every_row=every_id, unreadable=frozenset(unreadable)
    )
    return [after_cross_checks(item, checked[item.source], failures) for item in loaded]


def load_and_check(config: HubConfig, *, key: bytes, year: AcademicYear, as_of: date) -> list[LoadedInput]:
    """Every input read, typed, validated and cross-checked: register, links, census, SEN, then the exports."""
    loaded = [
        load_register(config.input_files("gias")),
        load_register_links(config.input_files("gias_links")),
        load_census(config.input_files("census")),
        load_sen(config.input_files("sen")),
        *[
            load_hub_export(source, config.input_files(source), key=key)
            for source in configured_exports(config)
        ],
    ]
    return check_loaded(loaded, year=year, as_of=as_of)


def _file_names(item: LoadedInput) -> pl.Series:
    """The file each of ``item.all_rows`` came from: they are the files' rows, file after file."""
    names = [record.file_name for record in item.files for _ in range(record.rows_read)]
    return pl.Series(Failure.file, names, dtype=pl.String)


def record_ids(loaded: list[LoadedInput]) -> pl.DataFrame:
    """Every row read, by source, file and Excel row, with the record it is: ``enrolment id T7``, ``URN 100001``.

    The id is the source's id column (schemas/validation.RECORD_ID_COLUMNS) as read, empty when the cell was
    empty or unreadable; sources without one (the finance ledger, the pupils, whose ids are pseudonymised)
    give no rows.
    """
    parts = []
    for item in loaded:
        column = RECORD_ID_COLUMNS.get(item.source)
        rows = item.all_rows
        if column is None or rows is None or column not in rows.columns or SOURCE_ROW not in rows.columns:
            continue
        files = _file_names(item)
        if files.len() != rows.height:
            continue  # rows and files do not line up (a file partly unreadable): no names rather than wrong ones
        parts.append(
            rows.with_columns(files).select(
                pl.lit(item.source).alias(Failure.source),
                pl.col(Failure.file),
                pl.col(SOURCE_ROW).cast(pl.Int64).alias(Failure.row),
                (pl.lit(f"{record_label(column)} ") + pl.col(column).cast(pl.String)).alias(RECORD_ID),
            )
        )
    return pl.concat(parts) if parts else pl.DataFrame(schema=RECORD_ID_SCHEMA)
