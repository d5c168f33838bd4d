"""Load each input source: read, map headers, type, pseudonymise, validate, and split kept rows from the rest."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandera.polars as pa
import polars as pl

from foundation.errors import InputFileError
from foundation.hub_config import InputFile
from ingest.files import SOURCE_ROW, read_table
from ingest.headers import matched_headers, rename_to_canonical
from ingest.layout import blank_rows_warning, total_row_warnings, total_rows
from ingest.parse import decimal_convention, type_columns
from ingest.pseudonymise import pseudonymise_columns, pseudonymise_failure_values
from ingest.validate import check_upn_letters, validate_frame
from schemas.aliases import HEADER_ALIASES
from schemas.census import (
    SEN_ALIASES,
    SEN_COLUMNS,
    SEN_REQUIRED,
    SPC_ALIASES,
    SPC_COLUMNS,
    SPC_REQUIRED,
    SchoolCensus,
    SenCensus,
)
from schemas.columns import polars_schema
from schemas.hub_exports import HUB_EXPORTS, PUPIL_REF_COLUMN, UPN_COLUMN
from schemas.provenance import InputFileRecord
from schemas.register import (
    GIAS_COLUMNS,
    GIAS_LINK_COLUMNS,
    Establishment,
    EstablishmentLink,
)
from schemas.validation import FAILURE_SCHEMA, ValidationFailure
from schemas.vocabulary import CENSUS_NULL_TOKENS, NOT_AVAILABLE

SOURCE_FILE = "source_file"
PUPIL_COLUMNS = (PUPIL_REF_COLUMN, UPN_COLUMN)


@dataclass(frozen=True)
class LoadedInput:
    """One input source after validation: the rows kept, the failures, and the files they came from."""

    source: str
    frame: pl.DataFrame
    failures: pl.DataFrame
    files: tuple[InputFileRecord, ...]
    # Every row read, typed (invalid cells empty), before quarantine: ids in another file are checked
    # against these, so one bad pupil row does not make all its lessons "unknown" as well.
    all_rows: pl.DataFrame | None = None

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_kept(self) -> int:
        return self.frame.height

    @property
    def rows_quarantined(self) -> int:
        return self.rows_read - self.rows_kept


def absent_column_warnings(
    columns: Mapping[str, str], headers: Mapping[str, str], *, source: str, file_name: str
) -> pl.DataFrame:
    """A warning for each known column a DfE file lacks: the figures that need it are [x], never 0."""
    rows = [
        {
            ValidationFailure.source: source,
            ValidationFailure.file: file_name,
            ValidationFailure.row: None,
            ValidationFailure.column: canonical,
            ValidationFailure.rule: f"the file has no column '{header}' (it may be another year's layout), so "
            f"the figures that need it, such as the area's base rates, are shown as {NOT_AVAILABLE} (not "
            "available), never as 0. Use the latest school-level file from Explore education statistics "
            "to have them",
            ValidationFailure.value: None,
            ValidationFailure.severity: "warning",
        }
        for header, canonical in columns.items()
        if canonical not in headers
    ]
    return pl.DataFrame(rows, schema=FAILURE_SCHEMA) if rows else pl.DataFrame(schema=FAILURE_SCHEMA)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_one(
    source: str,
    input_file: InputFile,
    model: type[pa.DataFrameModel],
    *,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    aliases: Mapping[str, tuple[str, ...]],
    null_tokens: tuple[str, ...] = (),
    pseudonymise_key: bytes | None = None,
    warn_absent: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame, InputFileRecord, pl.DataFrame]:
    path = input_file.path
    table = read_table(path, sheet=input_file.sheet)
    footers = total_rows(table.frame)
    text = table.frame.join(footers.select(SOURCE_ROW), on=SOURCE_ROW, how="anti")
    headers = matched_headers(text, columns, aliases=aliases)
    canonical = rename_to_canonical(text, columns, required=required, aliases=aliases, file_name=path.name)
    decimal = decimal_convention(
        canonical,
        model,
        separator=table.separator,
        configured=input_file.decimal,
        file_name=path.name,
        headers=headers,
    )
    typing = {"source": source, "file_name": path.name, "null_tokens": null_tokens, "decimal": decimal,
              "headers": headers}  # fmt: skip
    typed, parse_failures = type_columns(canonical, model, **typing)  # type: ignore[arg-type]
    rule_failures = validate_frame(
        typed, model, source=source, file_name=path.name, already_failed=parse_failures, raw=canonical
    )
    failures = [blank_rows_warning(table.blank_rows, source=source, file_name=path.name), parse_failures,
                rule_failures]  # fmt: skip
    if footers.height:
        total_text = rename_to_canonical(footers, columns, required=(), aliases=aliases, file_name=path.name)
        totals, _ = type_columns(total_text, model, **typing)  # type: ignore[arg-type]
        failures.append(total_row_warnings(totals, typed, model, source=source, file_name=path.name))
    if warn_absent:
        failures.append(absent_column_warnings(columns, headers, source=source, file_name=path.name))
    if UPN_COLUMN in typed.columns:
        failures.append(check_upn_letters(typed, UPN_COLUMN, source=source, file_name=path.name))
    failure_frame = pl.concat(failures)
    if pseudonymise_key is not None:
        # Raw pupil ids never leave this step, not even into the validation report.
        typed = pseudonymise_columns(typed, PUPIL_COLUMNS, pseudonymise_key)
        failure_frame = pseudonymise_failure_values(failure_frame, PUPIL_COLUMNS, pseudonymise_key)
    errors = failure_frame.filter(pl.col(ValidationFailure.severity) == "error")
    bad_rows = errors.get_column(ValidationFailure.row)
    kept = typed.filter(~pl.col(SOURCE_ROW).is_in(bad_rows.implode())).with_columns(
        pl.lit(path.name).alias(SOURCE_FILE)
    )
    record = InputFileRecord(
        source=source,
        path=str(path),
        sha256=sha256_of(path),
        encoding=table.encoding,
        rows_read=text.height,
        rows_kept=kept.height,
        rows_quarantined=text.height - kept.height,
    )
    return kept, failure_frame, record, typed


def _load(
    source: str, files: tuple[InputFile, ...], model: type[pa.DataFrameModel], **kwargs: object
) -> LoadedInput:
    frames, failures, records, everything = [], [], [], []
    for input_file in files:
        try:
            kept, failed, record, typed = _load_one(source, input_file, model, **kwargs)  # type: ignore[arg-type]
        except InputFileError as exc:
            # The whole file is unreadable: one report row naming it, and the other files still read.
            kept, typed = _empty(model), _empty(model)
            failed = file_failure(source, input_file.path, exc)
            record = InputFileRecord(
                source=source,
                path=str(input_file.path),
                sha256=sha256_of(input_file.path) if input_file.path.is_file() else "",
                encoding="",
                rows_read=0,
                rows_kept=0,
                rows_quarantined=0,
            )
        frames.append(kept)
        failures.append(failed)
        records.append(record)
        everything.append(typed)
    frame = pl.concat(frames, how="vertical_relaxed") if frames else _empty(model)
    failure_frame = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    all_rows = pl.concat(everything, how="vertical_relaxed") if everything else None
    return LoadedInput(
        source=source, frame=frame, failures=failure_frame, files=tuple(records), all_rows=all_rows
    )


def _empty(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    schema = {SOURCE_ROW: pl.Int64(), **polars_schema(model)}
    return pl.DataFrame(schema=schema).with_columns(pl.lit(None, dtype=pl.String).alias(SOURCE_FILE))


def file_failure(source: str, path: Path, error: InputFileError) -> pl.DataFrame:
    """The report row for a file that cannot be read at all (its row is empty: the whole file is affected)."""
    return pl.DataFrame(
        [
            {
                ValidationFailure.source: source,
                ValidationFailure.file: path.name,
                ValidationFailure.row: None,
                ValidationFailure.column: error.column,
                ValidationFailure.rule: error.message,
                ValidationFailure.value: None,
                ValidationFailure.severity: "error",
            }
        ],
        schema=FAILURE_SCHEMA,
    )


def unreadable_files(failures: pl.DataFrame) -> pl.DataFrame:
    """The failures that concern a whole file rather than a row."""
    return failures.filter(
        pl.col(ValidationFailure.row).is_null() & (pl.col(ValidationFailure.severity) == "error")
    )


def _identity(model: type[pa.DataFrameModel]) -> dict[str, str]:
    return {name: name for name in model.to_schema().columns}


def _required(model: type[pa.DataFrameModel]) -> tuple[str, ...]:
    return tuple(
        name
        for name, column in model.to_schema().columns.items()
        if not (column.metadata or {}).get("optional", False)
    )


def load_hub_export(source: str, files: tuple[InputFile, ...], *, key: bytes) -> LoadedInput:
    """Load one of the hub's activity exports (SPEC 2.2), pseudonymising pupil ids."""
    model = HUB_EXPORTS[source]
    return _load(
        source,
        files,
        model,
        columns=_identity(model),
        required=_required(model),
        aliases=HEADER_ALIASES,
        pseudonymise_key=key,
    )


def load_register(files: tuple[InputFile, ...]) -> LoadedInput:
    """Load the GIAS establishments file (selected by column name; dates as GIAS or a re-saving Excel writes them)."""
    return _load(
        "gias",
        files,
        Establishment,
        columns=GIAS_COLUMNS,
        required=_required(Establishment),
        aliases={},
    )


def load_register_links(files: tuple[InputFile, ...]) -> LoadedInput:
    """Load the GIAS links file (predecessor and successor URNs)."""
    return _load(
        "gias_links",
        files,
        EstablishmentLink,
        columns=GIAS_LINK_COLUMNS,
        required=(EstablishmentLink.urn, EstablishmentLink.link_urn, EstablishmentLink.link_type),
        aliases={},
    )


def _aliases_of(columns: Mapping[str, str], aliases: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Canonical column -> every older spelling of its header."""
    found: dict[str, tuple[str, ...]] = {}
    for alias, target in aliases.items():
        found[columns[target]] = (*found.get(columns[target], ()), alias)
    return found


def load_census(files: tuple[InputFile, ...]) -> LoadedInput:
    """Load the school-level census files (SPC), reading DfE's null markers as missing."""
    required = tuple(SPC_COLUMNS[h] for h in SPC_REQUIRED)
    aliases = _aliases_of(SPC_COLUMNS, SPC_ALIASES)
    return _load(
        "census",
        files,
        SchoolCensus,
        columns=SPC_COLUMNS,
        required=required,
        aliases=aliases,
        null_tokens=CENSUS_NULL_TOKENS,
        warn_absent=True,
    )


def load_sen(files: tuple[InputFile, ...]) -> LoadedInput:
    """Load the school-level SEN census files, reading DfE's null markers as missing."""
    return _load(
        "sen",
        files,
        SenCensus,
        columns=SEN_COLUMNS,
        required=tuple(SEN_COLUMNS[h] for h in SEN_REQUIRED),
        aliases=_aliases_of(SEN_COLUMNS, SEN_ALIASES),
        null_tokens=CENSUS_NULL_TOKENS,
        warn_absent=True,
    )


def after_cross_checks(loaded: LoadedInput, frame: pl.DataFrame, failures: pl.DataFrame) -> LoadedInput:
    """The input with the rows that passed the cross-source rules, their failures added, counts updated."""
    own = failures.filter(pl.col(ValidationFailure.source) == loaded.source)
    kept_per_file = dict(frame.group_by(SOURCE_FILE).len().iter_rows()) if frame.height else {}
    files = tuple(
        InputFileRecord(
            source=f.source,
            path=f.path,
            sha256=f.sha256,
            encoding=f.encoding,
            rows_read=f.rows_read,
            rows_kept=kept_per_file.get(Path(f.path).name, 0),
            rows_quarantined=f.rows_read - kept_per_file.get(Path(f.path).name, 0),
        )
        for f in loaded.files
    )
    return LoadedInput(
        source=loaded.source,
        frame=frame,
        failures=pl.concat([loaded.failures, own]),
        files=files,
        all_rows=loaded.all_rows,
    )
