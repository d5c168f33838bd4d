"""Replace pupil identifiers with a keyed hash on ingest, so the raw id never leaves the reading step."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

import polars as pl

from foundation.errors import RunRefused

KEY_ENVIRONMENT_VARIABLE = "HUBRETURNS_PSEUDONYMISATION_KEY"
KEY_SECRET_BLOCK = "hubreturns-pseudonymisation-key"
# Public and therefore worthless as a secret: only for the synthetic demo data.
DEMO_KEY = b"hubreturns-demo-key-synthetic-data-only"
MIN_KEY_LENGTH = 16
# A UPN (schemas.vocabulary.UPN_REGEX), in upper case and without surrounding spaces.
_UPN_SHAPE = r"^[A-Z][0-9]{11}[0-9A-Z]$"


def resolve_key(*, allow_demo_key: bool, secret: str | None = None) -> bytes:
    """The key from the environment, else from the secret store (``secret``), else the demo key if allowed."""
    value = os.environ.get(KEY_ENVIRONMENT_VARIABLE, "") or (secret or "")
    if value:
        if len(value) < MIN_KEY_LENGTH:
            raise RunRefused(
                f"the pseudonymisation key in {KEY_ENVIRONMENT_VARIABLE} is too short: "
                f"use at least {MIN_KEY_LENGTH} random characters."
            )
        return value.encode("utf-8")
    if allow_demo_key:
        return DEMO_KEY
    raise RunRefused(
        "no pseudonymisation key is set, so pupil ids cannot be protected and the run has not started. "
        f"Set the environment variable {KEY_ENVIRONMENT_VARIABLE} to a long random secret kept by the hub "
        "(the same one every run, so pupils match across years), or name a Prefect Secret block holding it "
        "as key_secret_block under [settings] in the hub configuration."
    )


def pseudonym(value: str, key: bytes) -> str:
    """The keyed hash of one identifier (HMAC-SHA256, shortened)."""
    return pseudonyms([value], key)[value]


def _canonical(value: str) -> bytes:
    return value.strip().upper().encode("utf-8")


_BLOCK = hashlib.sha256().block_size


def pseudonyms(values: Iterable[str], key: bytes) -> dict[str, str]:
    """``pseudonym(value, key)`` of many values, by value: the same HMAC-SHA256, with the key's inner and outer
    hashes (RFC 2104) computed once rather than once per value, which is most of the cost for a hub's pupils.
    """
    padded = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    mapping = {}
    for value in values:
        step = inner.copy()
        step.update(_canonical(value))
        final = outer.copy()
        final.update(step.digest())
        mapping[value] = "P" + final.hexdigest()[:20]
    return mapping


def pseudonymise_columns(frame: pl.DataFrame, columns: tuple[str, ...], key: bytes) -> pl.DataFrame:
    """Replace every value of the given columns by its pseudonym; empty values stay empty."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame
    originals = pl.concat([frame.get_column(c).drop_nulls() for c in present]).unique().to_list()
    mapping = pseudonyms(originals, key)
    return frame.with_columns(
        pl.col(c).replace_strict(mapping, default=None, return_dtype=pl.String) for c in present
    )


def pseudonymise_failure_values(
    failures: pl.DataFrame, columns: tuple[str, ...], key: bytes, *, known_ids: Iterable[str] = ()
) -> pl.DataFrame:
    """Report rows quote the pseudonym of a pupil id, never the raw id.

    A value is replaced when its column holds pupil ids, when it is shaped like a UPN whatever its column (an
    export with shifted columns puts ids under other headings), or when it equals one of ``known_ids`` (the
    raw pupil ids of the same file) in any column.
    """
    known = {value.strip().upper() for value in known_ids if value is not None and value.strip()}
    text = pl.col("value").str.strip_chars().str.to_uppercase()
    about_pupils = pl.col("value").is_not_null() & (
        pl.col("column").is_in(columns) | text.str.contains(_UPN_SHAPE) | text.is_in(list(known))
    )
    raw = failures.filter(about_pupils).get_column("value").unique().to_list()
    if not raw:
        return failures
    mapping = pseudonyms(raw, key)
    return failures.with_columns(
        pl.when(about_pupils)
        .then(pl.col("value").replace_strict(mapping, default=None, return_dtype=pl.String))
        .otherwise(pl.col("value"))
        .alias("value")
    )
