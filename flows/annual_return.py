"""The annual return for one hub and academic year.

Reads the DfE register and census and the hub's activity exports named in the hub's configuration file,
validates every row, computes the Arts Council England KPIs and the school universe, writes
`<out>/<hub>/<YYYY-YY>/<hub>-<YYYY-YY>-annual-return.xlsx` and records the run and its figures in the store.
Runs nightly (prefect.yaml, deployment `nightly`) and on demand (`hubreturns run`, deployment `rerun`).
A strict run (the default) with any invalid row publishes nothing and says which rows to fix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from hubreturns.config import HubConfig, load_config
from hubreturns.errors import ConfigError, ValidationFailed
from hubreturns.provenance import code_version
from flows.plain import fail_plainly, retry_transient
from flows.secrets import pseudonymisation_key
from ingest.pipeline import check_loaded, configured_exports
from ingest.sources import (
    LoadedInput,
    load_census,
    unreadable_files,
    load_hub_export,
    load_register,
    load_register_links,
    load_sen,
)
from outputs.annual_return import annual_return_path, write_annual_return
from outputs.house_style import Note, WorkbookMeta
from outputs.validation_report import validation_report_path, write_validation_report
from schemas.hub_exports import HUB_EXPORTS
from schemas.outputs import KpiFigures, SchoolUniverseRow, column_descriptions
from schemas.periods import AcademicYear
from schemas.validation import InputSummary, ValidationFailure
from store.repository import RunRecord, open_store, record_run
from transforms.activity import HubData
from transforms.figures import long_figures
from transforms.kpis import KPI_MEASURES, kpi_table, kpi_values, measure_definition
from transforms.periods import ReportingWindow
from transforms.schools import school_engagement
from transforms.universe import school_universe

# The exports the annual return's sheets use (every configured export is read and validated).
RETURN_EXPORTS = (
    "pupils",
    "wcet",
    "wcet_participants",
    "tuition",
    "ensembles",
    "ensemble_members",
    "singing",
    "engagements",
)
MAX_FAILURES_IN_MESSAGE = 10


@dataclass(frozen=True)
class Period:
    """The academic year a run reports and the date its data is taken as known."""

    year: AcademicYear
    as_of: date


@dataclass
class RunSummary:
    """What a run produced: the figures for the log and artifact, and where the workbooks are."""

    run_id: str
    hub: str
    academic_year: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    kpis: list[dict] = field(default_factory=list)
    rows_quarantined: int = 0


def resolve_period(academic_year: str | None, as_of: str | date | None, *, today: date) -> Period:
    """The year defaults to the one containing the as-of date; the as-of date defaults to today."""
    try:
        as_of_date = as_of if isinstance(as_of, date) else date.fromisoformat(as_of) if as_of else today
    except ValueError as exc:
        raise ConfigError(f"the as-of date '{as_of}' is not a date: write it as YYYY-MM-DD") from exc
    try:
        year = AcademicYear.parse(academic_year) if academic_year else AcademicYear.containing(as_of_date)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return Period(year=year, as_of=as_of_date)


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def read_register(config: HubConfig) -> tuple[LoadedInput, LoadedInput]:
    """Read and validate the GIAS establishments and links files."""
    return load_register(config.input_files("gias")), load_register_links(config.input_files("gias_links"))


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def read_census(config: HubConfig) -> tuple[LoadedInput, LoadedInput]:
    """Read and validate the school-level census and SEN files."""
    return load_census(config.input_files("census")), load_sen(config.input_files("sen"))


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def read_export(config: HubConfig, source: str, key: bytes) -> LoadedInput:
    """Read, pseudonymise and validate one of the hub's exports."""
    return load_hub_export(source, config.input_files(source), key=key)


def read_and_check(config: HubConfig, period: Period, key: bytes) -> list[LoadedInput]:
    """Read and validate every configured input: the DfE files first, then each of the hub's exports."""
    register, links = read_register(config)
    census, sen = read_census(config)
    exports = [read_export(config, source, key) for source in configured_exports(config)]
    loaded = check_across_sources([register, links, census, sen, *exports], period)
    logger = get_run_logger()
    for item in loaded:
        logger.info(
            "%s: %d rows read, %d kept, %d quarantined",
            item.source, item.rows_read, item.rows_kept, item.rows_quarantined,
        )
    return loaded


def workbook_meta(
    config: HubConfig, period: Period, run_id: str, version: str, loaded: list[LoadedInput], title: str
) -> WorkbookMeta:
    """Cover-sheet provenance shared by every workbook of a run."""
    return WorkbookMeta(
        title=f"{config.hub.name}: {title} {period.year.label}",
        hub_name=config.hub.name,
        period_label=period.year.label,
        as_of=period.as_of,
        run_id=run_id,
        code_version=version,
        created=datetime.combine(period.as_of, datetime.min.time()),
        sources=tuple(f for item in loaded for f in item.files),
    )


def input_summary(loaded: list[LoadedInput]) -> pl.DataFrame:
    """Per input file: rows read, kept, quarantined, errors and warnings (the report's Inputs sheet)."""
    rows = []
    for item in loaded:
        for f in item.files:
            name = Path(f.path).name
            own = item.failures.filter(pl.col(ValidationFailure.file) == name)
            rows.append(
                {
                    InputSummary.source: f.source,
                    InputSummary.file: name,
                    InputSummary.rows_read: f.rows_read,
                    InputSummary.rows_kept: f.rows_kept,
                    InputSummary.rows_quarantined: f.rows_quarantined,
                    InputSummary.error_count: own.filter(pl.col(ValidationFailure.severity) == "error").height,
                    InputSummary.warning_count: own.filter(pl.col(ValidationFailure.severity) == "warning").height,
                    InputSummary.sha256: f.sha256,
                }
            )
    schema = {name: column.dtype.type for name, column in InputSummary.to_schema().columns.items()}
    return pl.DataFrame(rows, schema=schema)


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def write_validation(
    config: HubConfig, period: Period, run_id: str, version: str, loaded: list[LoadedInput]
) -> Path:
    """Write the validation report for the run's inputs."""
    path = validation_report_path(config.output_dir, config.hub.slug, period.year.slug)
    meta = workbook_meta(config, period, run_id, version, loaded, "validation report")
    failures = pl.concat([item.failures for item in loaded])
    write_validation_report(path, meta, inputs=input_summary(loaded), failures=failures)
    get_run_logger().info("Validation report written to %s", path)
    return path


@task(cache_policy=NO_CACHE)
def check_across_sources(loaded: list[LoadedInput], period: Period) -> list[LoadedInput]:
    """Apply the rules that need several files; failing rows are quarantined like any other."""
    return check_loaded(loaded, year=period.year, as_of=period.as_of)


@task(cache_policy=NO_CACHE)
def compute_return(data: HubData, config: HubConfig, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The KPIs table (with last year's figures) and the school universe table."""
    la_codes = config.hub.la_codes
    current = kpi_values(data, la_codes=la_codes, year=period.year, as_of=period.as_of)
    previous = kpi_values(data, la_codes=la_codes, year=period.year.previous(), as_of=period.as_of)
    kpis = kpi_table(current, previous).collect()
    window = ReportingWindow.for_year(period.year, as_of=period.as_of)
    universe = school_universe(data.establishments, la_codes=la_codes, year=period.year)
    schools = school_engagement(data, universe, window=window).collect()
    return kpis, schools


def _notes(period: Period) -> list[Note]:
    notes = [
        Note(
            "N1",
            f"Academic year {period.year.label}: 1 September {period.year.start.year} to 31 August "
            f"{period.year.end.year}. Activity is counted up to the as-of date, {period.as_of:%d/%m/%Y}.",
        ),
        Note(
            "N2",
            "The hub's schools are the open state-funded schools of its local authorities during the year "
            "(GIAS: local authority maintained schools, academies, free schools and community or foundation "
            "special schools; 16 to 19 only institutions excluded). Percentages of pupils use the January "
            "school census headcount of those schools; where this year's census is not yet published the "
            "latest earlier census is used.",
        ),
    ]
    for number, (code, _, function) in enumerate(KPI_MEASURES, start=3):
        notes.append(Note(f"N{number}", f"{code}: {measure_definition(function)}"))
    offset = len(notes) + 1
    for number, (column, text) in enumerate(column_descriptions(SchoolUniverseRow).items(), start=offset):
        notes.append(Note(f"N{number}", f"Schools sheet, {column}: {text}"))
    return notes


def _failure_message(failures: pl.DataFrame) -> str:
    errors = failures.filter(pl.col(ValidationFailure.severity) == "error")
    lines = [
        f"{r['file']} row {r['row']}, column '{r['column']}': {r['rule']} (found '{r['value']}')"
        if r["row"] is not None
        else f"{r['file']}: {r['rule']}"
        for r in errors.head(MAX_FAILURES_IN_MESSAGE).iter_rows(named=True)
    ]
    more = errors.height - len(lines)
    return (
        f"{errors.height} problem(s) in the input files, so nothing was published. Fix these and run again"
        + (f" ({more} more in the store's validation_failures table)" if more > 0 else "")
        + ":\n  "
        + "\n  ".join(lines)
    )


@flow(name="hub-annual-return", log_prints=False)
@fail_plainly
def annual_return(
    config_path: str,
    academic_year: str | None = None,
    as_of: str | None = None,
    strict: bool = True,
    database_url: str | None = None,
) -> RunSummary:
    """Build one hub's annual return for an academic year (default: the year containing the as-of date)."""
    logger = get_run_logger()
    started = datetime.now(UTC)
    config = load_config(Path(config_path), database_url=database_url)
    period = resolve_period(academic_year, as_of, today=started.date())
    key = pseudonymisation_key(config)
    run_id = str(uuid.uuid4())
    logger.info("Run %s: %s, academic year %s, as of %s", run_id, config.hub.name, period.year, period.as_of)

    loaded = read_and_check(config, period, key)
    register, links, census, sen = loaded[:4]
    exports = {item.source: item for item in loaded[4:]}
    failures = pl.concat([item.failures for item in loaded])
    engine = open_store(config.database_url)
    inputs = [f for item in loaded for f in item.files]
    run = RunRecord(
        run_id=run_id,
        flow_run_id=str(get_run_context().flow_run.id),
        hub_slug=config.hub.slug,
        academic_year=period.year.label,
        as_of=period.as_of,
        parameters={"academic_year": academic_year, "as_of": as_of, "strict": strict},
        status="published",
        started_at=started,
        finished_at=started,
        code_version=code_version(),
        config_sha256=config.sha256,
        inputs=inputs,
    )
    errors = failures.filter(pl.col(ValidationFailure.severity) == "error")
    report = write_validation(config, period, run_id, run.code_version, loaded)
    # A file that cannot be read at all is never published around, even in a non-strict run.
    if (strict and errors.height) or unreadable_files(failures).height:
        message = _failure_message(failures)
        record_run(
            engine,
            _replace(run, status="failed", message=message, finished_at=datetime.now(UTC)),
            failures=failures,
        )
        raise ValidationFailed(f"{message}\nThe validation report lists every row: {report}")

    data = HubData(
        establishments=register.frame.lazy(),
        census=census.frame.lazy(),
        **{source: _frame(exports, source) for source in RETURN_EXPORTS},
    )
    kpis, schools = compute_return(data, config, period)
    meta = workbook_meta(config, period, run_id, run.code_version, loaded, "annual return")
    path = annual_return_path(config.output_dir, config.hub.slug, period.year.slug)
    write_annual_return(path, meta, kpis=kpis, schools=schools, notes=_notes(period))
    logger.info("Annual return written to %s", path)

    figures = pl.concat(
        [
            long_figures(
                kpis.lazy(), sheet="KPIs", key=KpiFigures.kpi_code,
                values=[KpiFigures.count, KpiFigures.denominator, KpiFigures.count_pct],
            ),
            long_figures(
                schools.lazy(), sheet="Schools", key=SchoolUniverseRow.urn, breakdown=SchoolUniverseRow.urn,
                values=[SchoolUniverseRow.is_engaged],
            ),
        ]
    ).collect()
    record_run(engine, _replace(run, finished_at=datetime.now(UTC)), figures=figures, failures=failures)
    summary = RunSummary(
        run_id=run_id,
        hub=config.hub.slug,
        academic_year=period.year.label,
        status="published",
        outputs={"annual_return": str(path), "validation_report": str(report)},
        kpis=kpis.to_dicts(),
        rows_quarantined=sum(item.rows_quarantined for item in loaded),
    )
    create_markdown_artifact(key=f"{config.hub.slug}-annual-return", markdown=_artifact(summary))
    return summary


def _frame(exports: dict[str, LoadedInput], source: str) -> pl.LazyFrame:
    if source in exports:
        return exports[source].frame.lazy()
    columns = HUB_EXPORTS[source].to_schema().columns
    return pl.DataFrame(schema={name: column.dtype.type for name, column in columns.items()}).lazy()


def _replace(run: RunRecord, **changes: object) -> RunRecord:
    return replace(run, **changes)  # type: ignore[arg-type]


def _artifact(summary: RunSummary) -> str:
    rows = "\n".join(
        f"| {k['kpi_code']} | {k['measure']} | {k['count']:,} | "
        + (f"{k['count_pct']:.1%}" if k["count_pct"] is not None else "[x]")
        + " |"
        for k in summary.kpis
    )
    outputs = "\n".join(f"- {name}: `{path}`" for name, path in summary.outputs.items())
    return (
        f"# {summary.hub} {summary.academic_year}: {summary.status}\n\n"
        f"| KPI | Measure | Number | % |\n|---|---|---|---|\n{rows}\n\n"
        f"Rows quarantined: {summary.rows_quarantined}\n\n{outputs}\n"
    )


@dataclass
class ValidationSummary:
    """What a validation-only run found."""

    hub: str
    academic_year: str
    report: str
    error_count: int
    warning_count: int
    inputs: list[dict] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


@flow(name="hub-validate-inputs")
@fail_plainly
def validate_inputs(
    config_path: str, academic_year: str | None = None, as_of: str | None = None
) -> ValidationSummary:
    """Check a hub's input files and write the validation report only; nothing is published or recorded."""
    started = datetime.now(UTC)
    config = load_config(Path(config_path))
    period = resolve_period(academic_year, as_of, today=started.date())
    key = pseudonymisation_key(config)
    loaded = read_and_check(config, period, key)
    report = write_validation(config, period, f"validation-{uuid.uuid4()}", code_version(), loaded)
    failures = pl.concat([item.failures for item in loaded])
    severities = failures.get_column(ValidationFailure.severity)
    return ValidationSummary(
        hub=config.hub.slug,
        academic_year=period.year.label,
        report=str(report),
        error_count=int((severities == "error").sum()),
        warning_count=int((severities == "warning").sum()),
        inputs=input_summary(loaded).to_dicts(),
        unreadable=[f"{r['file']}: {r['rule']}" for r in unreadable_files(failures).iter_rows(named=True)],
    )
