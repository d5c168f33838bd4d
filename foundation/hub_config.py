"""A hub's configuration file (TOML): who the hub is, where its files are, where outputs and the store go."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from foundation.errors import ConfigError

# Inputs every run needs; the other exports are read by the duties that use them.
DFE_INPUTS = ("gias", "gias_links", "census", "sen")
# Overrides the configured store, e.g. to point every hub at the production PostgreSQL server.
DATABASE_URL_VARIABLE = "HUBRETURNS_DATABASE_URL"
# Windows opens these as devices whatever the folder: a hub slug must not be one.
_WINDOWS_DEVICE_NAMES = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))]
)


class InputFile(BaseModel):
    """One input file, with the sheet to read when it is a workbook."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: Path
    sheet: str | None = None
    # How the file writes decimals when its numbers cannot tell: "comma" (1.234,56) or "point" (1,234.56).
    decimal: Literal["comma", "point"] | None = None


class HubInfo(BaseModel):
    """The hub's identity and area."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="The hub's name as it appears on the return")
    slug: str = Field(description="Short name used in file and folder names")
    lead_organisation: str = Field(default="", description="Hub lead organisation")
    contact: str = Field(
        default="",
        description="Whom to ask about the hub's workbooks (a team, email or phone), shown on the covers",
    )
    la_codes: tuple[str, ...] = Field(description="The hub's local authorities, as DfE 3-digit codes")

    @field_validator("slug")
    @classmethod
    def _slug_is_safe(cls, value: str) -> str:
        # The slug names a folder and every file of a run: no separator, dot, space or quote may get in, so
        # it can never point outside the output folder or break out of a sheet name or title.
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", value):
            raise ValueError("use lower-case letters, digits and hyphens only (for example 'trentvale')")
        if value in _WINDOWS_DEVICE_NAMES:
            raise ValueError(f"'{value}' is a device name on Windows, not a folder: choose another slug")
        return value

    @field_validator("la_codes")
    @classmethod
    def _known_la_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("list at least one local authority code")
        known = known_la_codes()
        for code in value:
            if code not in known:
                raise ValueError(
                    f"'{code}' is not a DfE 3-digit local authority code (see config/local-authorities.csv)"
                )
        return value


class Settings(BaseModel):
    """Thresholds and switches a hub may change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    suppression_threshold: int = Field(default=4, ge=0, description="Counts from 1 to this are suppressed")
    high_fsm_pct: float = Field(
        default=25.0,
        ge=0,
        le=100,
        description="A school with at least this percentage of pupils eligible for free school meals and a red "
        "rating is a priority on the SMEP tracker",
    )
    school_leader_roles: tuple[str, ...] = Field(
        default=(
            "Headteacher",
            "Executive headteacher",
            "Head of school",
            "Deputy headteacher",
            "Assistant headteacher",
            "Senior leader",
            "Principal",
            "Vice principal",
            "Governor",
            "Trust leader",
        ),
        description="Roles in the SMEP log's 'with_role' that are school leaders (Ofsted point 7); case ignored",
    )
    report_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Processes writing the school reports at once (about one per processor core)",
    )
    staff_hours_per_fte: float = Field(
        default=1265.0,
        gt=0,
        description="Working hours a year of one full-time member of hub staff (Ofsted point 7); 1,265 is a "
        "teacher's directed time",
    )
    ofsted_framework: str = Field(
        default="renewed-2025-11",
        description="Ofsted's school inspection framework the tracker and the school briefs follow: a file of "
        "config/ofsted/ (its name without .toml)",
    )
    conversation_due_soon_days: int = Field(
        default=28,
        ge=0,
        le=366,
        description="A conversation due within this many days of the as-of date is due soon",
    )
    fsm_band_edges_pct: tuple[float, ...] = Field(
        default=(15.0, 30.0),
        description="Edges of the bands of free school meals share the school brief compares schools within",
    )
    similar_well_below_ratio: float = Field(
        default=0.5, gt=0, description="A school is well below similar schools under this share of their rate"
    )
    similar_well_above_ratio: float = Field(
        default=1.5,
        gt=0,
        description="A school is well above similar schools over this multiple of their rate",
    )
    inclusion_gap_pct: float = Field(
        default=5.0,
        ge=0,
        le=100,
        description="The brief raises inclusion when FSM or SEND pupils' share of a school's learners is this many "
        "points under their share of its pupils",
    )
    allow_demo_key: bool = Field(
        default=False, description="Synthetic data only: pseudonymise with the public demo key"
    )
    key_secret_block: str | None = Field(
        default=None,
        description="Name of a Prefect Secret block holding the pseudonymisation key (when the environment "
        "variable is not set)",
    )


class Retention(BaseModel):
    """How long the store keeps each kind of row, in academic years counting the current one (2 = this and last)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    validation_failures_years: int = Field(
        default=2,
        ge=1,
        description="Academic years of validation failures kept (they quote pupil fingerprints): 2 keeps the "
        "current year's and last year's, and removes older ones at the end of the next run",
    )
    runs_years: int | None = Field(
        default=None,
        ge=3,
        description="Academic years of runs kept with the files they read and the figures they published "
        "(aggregates); absent: kept for ever. At least 3: this year's return needs last year's figures",
    )


class HubConfig(BaseModel):
    """A hub's whole configuration, with every relative path resolved against the file's folder."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    config_path: Path
    hub: HubInfo
    output_dir: Path
    # Kept out of repr(): the URL may hold the database password.
    database_url: str = Field(repr=False)
    inputs: dict[str, tuple[InputFile, ...]]
    settings: Settings = Settings()
    retention: Retention = Retention()

    def input_files(self, source: str) -> tuple[InputFile, ...]:
        """The files configured for one input source, or an error naming the missing key."""
        files = self.inputs.get(source)
        if not files:
            raise ConfigError(
                f"{self.config_path}: no file is configured for '{source}'. "
                f'Add it under [inputs], for example {source} = "exports/{source}.csv".'
            )
        return files

    @property
    def sha256(self) -> str:
        """Hash of the configuration file, recorded as provenance."""
        return hashlib.sha256(self.config_path.read_bytes()).hexdigest()


def known_la_codes() -> set[str]:
    """DfE 3-digit local authority codes from the shipped lookup (combined rows split)."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    codes: set[str] = set()
    for row in csv.DictReader(io.StringIO(text)):
        for code in row["old_la_code"].split(" / "):
            if re.fullmatch(r"\d{3}", code.strip()):
                codes.add(code.strip())
    return codes


def la_names() -> dict[str, str]:
    """DfE 3-digit code -> local authority name, for live authorities."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["old_la_code"].strip()
        if re.fullmatch(r"\d{3}", code) and row["status"] == "live":
            names[code] = row["la_name"]
    return names


def la_geography() -> dict[str, tuple[str, str]]:
    """Local authority name -> (DfE 3-digit code, 9-character GSS code), for live authorities."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    codes: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["old_la_code"].strip()
        if re.fullmatch(r"\d{3}", code) and row["status"] == "live":
            codes[row["la_name"]] = (code, row["new_la_code"].strip())
    return codes


def _input_files(base: Path, value: object) -> tuple[InputFile, ...]:
    items = value if isinstance(value, list) else [value]
    files = []
    for item in items:
        if isinstance(item, str):
            files.append(InputFile(path=(base / item).resolve()))
        elif isinstance(item, dict):
            files.append(
                InputFile(
                    path=(base / str(item.get("path", ""))).resolve(),
                    sheet=item.get("sheet"),
                    decimal=item.get("decimal"),
                )
            )
        else:
            raise ConfigError(
                f"an input must be a path or {{ path = ..., sheet = ..., decimal = ... }}, not {item!r}"
            )
    return tuple(files)


def _database_url(base: Path, url: str) -> str:
    # A relative SQLite path is relative to the configuration file, like every other path in it.
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((base / url[len(prefix) :]).resolve())
    return url


def load_config(path: Path | str, *, database_url: str | None = None) -> HubConfig:
    """Read a hub configuration file; a missing or malformed file raises ConfigError saying what to fix."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError(f"The configuration file {path} does not exist. Check the path given to --config.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    base = path.parent
    storage = raw.get("storage", {})
    try:
        return HubConfig(
            config_path=path,
            hub=HubInfo(**raw.get("hub", {})),
            output_dir=(base / storage.get("output_dir", "out")).resolve(),
            database_url=_database_url(
                base,
                database_url
                or os.environ.get(DATABASE_URL_VARIABLE)
                or storage.get("database_url", "sqlite:///hubreturns.db"),
            ),
            inputs={name: _input_files(base, value) for name, value in raw.get("inputs", {}).items()},
            settings=Settings(**raw.get("settings", {})),
            retention=raw.get("retention", {}),  # validated as [retention], so errors name the section
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path} has settings to fix: {problems}") from exc
