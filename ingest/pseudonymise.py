"""Replace pupil identifiers with a keyed hash on ingest, so the raw id never leaves the reading step."""

from __future__ import annotations

import hashlib
import hmac
import os

import polars as pl

from hubreturns.errors import RunRefused

KEY_ENVIRONMENT_VARIABLE = "HUBRETURNS_PSEUDONYMISATION_KEY"
KEY_SECRET_BLOCK = "hubreturns-pseudonymisation-key"
# Public and therefore worthless as a secret: only for the synthetic demo data.
DEMO_KEY = b"hubreturns-demo-key-synthetic-data-only"
MIN_KEY_LENGTH = 16


def resolve_key(*, allow_demo_key: bool) -> bytes:
    """The pseudonymisation key from the environment, or the demo key where the configuration allows it."""
    value = os.environ.get(KEY_ENVIRONMENT_VARIABLE, "")
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
        "(the same one every run, so pupils match across years)."
    )


def pseudonym(value: str, key: bytes) -> str:
    """The keyed hash of one identifier (HMAC-SHA256, shortened)."""
    return "P" + hmac.new(key, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def pseudonymise_columns(frame: pl.DataFrame, columns: tuple[str, ...], key: bytes) -> pl.DataFrame:
    """Replace every value of the given columns by its pseudonym; empty values stay empty."""
    present = [c for c in columns if c in frame.columns]
    if not present:
        return frame
    originals = pl.concat([frame.get_column(c).drop_nulls() for c in present]).unique().to_list()
    mapping = {value: pseudonym(value, key) for value in originals}
    return frame.with_columns(
        pl.col(c).replace_strict(mapping, default=None, return_dtype=pl.String) for c in present
    )
