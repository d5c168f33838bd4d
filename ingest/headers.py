"""Match a file's headers onto canonical column names, forgiving case, spacing, punctuation and known aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import polars as pl

from foundation.errors import InputFileError
from ingest.files import SOURCE_ROW


def normalise_header(header: str) -> str:
    """The comparable form of a header: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", header.lower())


def _headers_in_words(frame: pl.DataFrame, most: int = 60, longest: int = 80) -> str:
    """The file's headers for an error message, shortened so a damaged header cannot flood the report."""
    headers = [c if len(c) <= longest else c[:longest] + "..." for c in frame.columns if c != SOURCE_ROW]
    more = f" and {len(headers) - most} more" if len(headers) > most else ""
    return ", ".join(headers[:most]) + more


# Older DfE files cut headers at 64 characters ("... white background ethnic" for "... ethnic origin"). A
# heading at least this long that starts one known heading, and only one, is read as that heading.
SHORTENED_HEADER_MIN = 60


def _shortened(header: str, spellings: list[str]) -> bool:
    """Whether a file's heading is one of the spellings cut short."""
    short = normalise_header(header)
    return len(header) >= SHORTENED_HEADER_MIN and any(
        normalise_header(s).startswith(short) and normalise_header(s) != short for s in spellings
    )


def matched_headers(
    frame: pl.DataFrame, columns: Mapping[str, str], *, aliases: Mapping[str, Iterable[str]] | None = None
) -> dict[str, str]:
    """Canonical column name -> the file's own heading for it, for the columns the file has."""
    by_normal = {normalise_header(c): c for c in frame.columns if c != SOURCE_ROW}
    selected: dict[str, str] = {}
    for header, canonical in columns.items():
        spellings = [header, canonical, *((aliases or {}).get(canonical, ()))]
        for spelling in spellings:
            found = by_normal.get(normalise_header(spelling))
            if found is not None:
                selected[canonical] = found
                break
    unused = [c for c in frame.columns if c != SOURCE_ROW and c not in selected.values()]
    spellings_of: dict[str, list[str]] = {}
    for header, canonical in columns.items():
        spellings_of.setdefault(canonical, []).extend(
            [header, canonical, *((aliases or {}).get(canonical, ()))]
        )
    for canonical, spellings in spellings_of.items():
        if canonical in selected:
            continue
        candidates = [c for c in unused if _shortened(c, spellings)]
        claimed_elsewhere = any(
            _shortened(c, others)
            for c in candidates
            for name, others in spellings_of.items()
            if name != canonical
        )
        if len(candidates) == 1 and not claimed_elsewhere:
            selected[canonical] = candidates[0]
            unused.remove(candidates[0])
    return selected


def rename_to_canonical(
    frame: pl.DataFrame,
    columns: Mapping[str, str],
    *,
    required: Iterable[str],
    aliases: Mapping[str, Iterable[str]] | None = None,
    file_name: str,
) -> pl.DataFrame:
    """Select the wanted columns by name and rename them; a missing required column is an InputFileError.

    Args:
        frame: text columns as read, with ``source_row``.
        columns: header as published -> canonical column name.
        required: canonical names that must be present; the others are added empty when absent.
        aliases: canonical name -> other spellings accepted for it.
        file_name: named in the error.
    """
    selected = matched_headers(frame, columns, aliases=aliases)
    missing = [
        header
        for header, canonical in columns.items()
        if canonical in set(required) and canonical not in selected
    ]
    if missing:
        raise InputFileError(
            f"the required column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
            f"{'are' if len(missing) > 1 else 'is'} missing. The file has: "
            f"{_headers_in_words(frame)}. Add the column or rename the header.",
            file=file_name,
            column=", ".join(missing),
            rule="required column",
        )
    expressions = [
        pl.col(selected[canonical]).alias(canonical)
        if canonical in selected
        else pl.lit(None, dtype=pl.String).alias(canonical)
        for canonical in dict.fromkeys(columns.values())
    ]
    return frame.select(pl.col(SOURCE_ROW), *expressions)
