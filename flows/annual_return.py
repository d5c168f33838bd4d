"""The annual return for one hub and academic year.

Reads the DfE register and census and the hub's activity exports named in the hub's configuration file,
validates every row, computes the Arts Council England KPIs and the school universe, writes
`<out>/<hub>/<YYYY-YY>/<hub>-<YYYY-YY>-annual-return.xlsx` and records the run and its figures in the store.
Runs nightly (prefect.yaml, deployment `nightly`) and on demand (`hubreturns run`, deployment `rerun`).
A strict run (the default) with any invalid row publishes nothing and says which rows to fix.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from sqlalchemy import Engine

from flows.form import SECTIONS, Section
from flows.lock import hub_run_lock
from flows.notifications import notify_failure
from flows.plain import fail_plainly, retry_transient, succeeded
from flows.pupil_key import pseudonymisation_key
from flows.school_engagement import SCHOOL_REPORTS_FOLDER, compute_engagement, write_reports, write_tracker
from flows.unchanged import current_inputs, nothing_changed
from hubreturns.hub_config import HubConfig, la_geography, load_config
from hubreturns.errors import ConfigError, HubReturnsError, ValidationFailed
from hubreturns.provenance import code_version
from ingest.pipeline import check_loaded, configured_exports, input_frames
from ingest.sources import (
    LoadedInput,
    load_census,
    load_hub_export,
    load_register,
    load_register_links,
    load_sen,
    unreadable_files,
)
from outputs.annual_return import annual_return_path, write_annual_return
from outputs.house_style import Note, WorkbookMeta
from outputs.open_data import open_data_path, write_return_open_data
from outputs.personal_data_audit import remove_expired_validation_reports
from outputs.school_engagement import school_engagement_path
from outputs.school_reports import is_school_report
from outputs.staging import Staging, discard, publish, publish_file, start_staging
from outputs.validation_report import validation_report_path, write_validation_report
from schemas.columns import polars_schema
from schemas.periods import AcademicYear
from schemas.return_layout import ReturnLayout, return_layout
from schemas.validation import InputSummary, ValidationFailure
from store.history import last_successful_run
from store.repository import (
    PUBLISHING,
    RunRecord,
    finish_run,
    latest_published_run,
    mark_interrupted_runs,
    open_store,
    record_run,
    run_figures,
)
from store.retention import apply_retention
from transforms.activity import HubData
from transforms.figures import collect_tables
from transforms.kpis import kpis_from_figures
from transforms.published import published_markers, shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables
from transforms.validation_rows import report_rows

MAX_FAILURES_IN_MESSAGE = 10
NOTHING_NEW_PUBLISHED = "Nothing new was published: the outputs of the last good run are as they were."


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
    message: str = ""
    error_count: int = 0
    warning_count: int = 0


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
    # succeeded: a task that failed plainly stops the run here (fail_plainly hands back its Failed state).
    register, links = succeeded(read_register(config))
    census, sen = succeeded(read_census(config))
    exports = [succeeded(read_export(config, source, key)) for source in configured_exports(config)]
    loaded = check_across_sources([register, links, census, sen, *exports], period)
    logger = get_run_logger()
    for item in loaded:
        logger.info(
            "%s: %d rows read, %d kept, %d quarantined",
            item.source,
            item.rows_read,
            item.rows_kept,
            item.rows_quarantined,
        )
    return loaded


def workbook_meta(
    config: HubConfig,
    period: Period,
    run_id: str,
    version: str,
    loaded: list[LoadedInput],
    title: str,
    previous_run_id: str | None = None,
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
        previous_run_id=previous_run_id,
        lead_organisation=config.hub.lead_organisation,
        contact=config.hub.contact,
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
                    InputSummary.error_count: own.filter(
                        pl.col(ValidationFailure.severity) == "error"
                    ).height,
                    InputSummary.warning_count: own.filter(
                        pl.col(ValidationFailure.severity) == "warning"
                    ).height,
                    InputSummary.sha256: f.sha256,
                }
            )
    return pl.DataFrame(rows, schema=polars_schema(InputSummary))


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def write_validation(
    config: HubConfig, output_dir: Path, period: Period, run_id: str, version: str, loaded: list[LoadedInput]
) -> Path:
    """Write the validation report for the run's inputs into ``output_dir`` (the hub's, or the run's staging)."""
    path = validation_report_path(output_dir, config.hub.slug, period.year.slug)
    meta = workbook_meta(config, period, run_id, version, loaded, "validation report")
    failures = pl.concat([item.failures for item in loaded])
    register = next((item.frame.lazy() for item in loaded if item.source == "gias"), None)
    rows = report_rows(failures.lazy(), register).collect()
    write_validation_report(path, meta, inputs=input_summary(loaded), failures=rows)
    get_run_logger().info("Validation report written to %s", path)
    return path


@task(cache_policy=NO_CACHE)
def check_across_sources(loaded: list[LoadedInput], period: Period) -> list[LoadedInput]:
    """Apply the rules that need several files; failing rows are quarantined like any other."""
    return check_loaded(loaded, year=period.year, as_of=period.as_of)


@task(cache_policy=NO_CACHE)
def compute_return(
    data: HubData,
    config: HubConfig,
    period: Period,
    previous_kpis: pl.DataFrame | None,
    previous_figures: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Every table of the annual return (KPIs with last year's published figures beside them)."""
    tables = return_tables(
        data,
        la_codes=config.hub.la_codes,
        year=period.year,
        as_of=period.as_of,
        previous_kpis=previous_kpis.lazy() if previous_kpis is not None else None,
        engaged_duties=return_layout(period.year).kpi5.duties,
        previous_figures=previous_figures.lazy() if previous_figures is not None else None,
    )
    return collect_tables(tables)


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
@fail_plainly
def write_return(
    path: Path,
    meta: WorkbookMeta,
    layout: ReturnLayout,
    tables: dict[str, pl.DataFrame],
    period: Period,
    threshold: int,
) -> Path:
    """Write one variant of the annual return (management information, or published with suppression)."""
    notes, table_notes = return_notes(
        layout, year=period.year, as_of=period.as_of, threshold=threshold, published=meta.published
    )
    shown = shown_tables(tables, layout)
    write_annual_return(
        path,
        meta,
        layout=layout,
        tables=shown,
        notes=[Note(number, text) for number, text in notes],
        table_notes=table_notes,
        markers=published_markers(shown, threshold=threshold) if meta.published else {},
    )
    get_run_logger().info("Annual return%s written to %s", " (published)" if meta.published else "", path)
    return path


def chosen_sections(sections: list[str] | None) -> tuple[str, ...]:
    """The sections to write, in the order they are written (all when none are named)."""
    if not sections:
        return SECTIONS
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in sections)


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
        f"{errors.height} problem(s) in the input files, so nothing new was published. Fix these and run again"
        + (f" ({more} more in the store's validation_failures table)" if more > 0 else "")
        + ":\n  "
        + "\n  ".join(lines)
    )


@flow(name="hub-annual-return", log_prints=False, on_failure=[notify_failure], on_crashed=[notify_failure])
@fail_plainly
def annual_return(
    config_path: str,
    academic_year: str | None = None,
    as_of: str | None = None,
    strict: bool = True,
    published: bool = False,
    sections: list[Section] | None = None,
    skip_unchanged: bool = False,
) -> RunSummary:
    """Build one hub's annual return, school engagement tracker and school reports for an academic year
    (default: the year containing the as-of date); ``sections`` writes only some of them. With
    ``skip_unchanged`` (the nightly run) nothing is done when no input, setting or code has changed since the
    last published run for the period.
    """
    started = datetime.now(UTC)
    # The store's URL (it may hold a password) is never a parameter, which Prefect would record and show: it
    # comes from the configuration or HUBRETURNS_DATABASE_URL.
    config = load_config(Path(config_path))
    period = resolve_period(academic_year, as_of, today=started.date())
    writing = chosen_sections(list(sections) if sections else None)
    parameters = {
        "academic_year": academic_year,
        "as_of": as_of,
        "strict": strict,
        "published": published,
        "sections": list(writing),
    }
    with hub_run_lock(config.output_dir, config.hub.slug, config.hub.name):
        if skip_unchanged:
            skipped = _skip_if_unchanged(config, period, parameters, started)
            if skipped is not None:
                return skipped
        return _build(config, period, writing, parameters, started, strict=strict, published=published)


def _build(
    config: HubConfig,
    period: Period,
    writing: tuple[str, ...],
    parameters: dict,
    started: datetime,
    *,
    strict: bool,
    published: bool,
) -> RunSummary:
    """Read, validate, compute, write and record one run (the hub's run lock is held)."""
    logger = get_run_logger()
    key = pseudonymisation_key(config)
    run_id = str(uuid.uuid4())
    logger.info("Run %s: %s, academic year %s, as of %s", run_id, config.hub.name, period.year, period.as_of)

    loaded = read_and_check(config, period, key)
    failures = pl.concat([item.failures for item in loaded])
    engine = open_store(config.database_url)
    if interrupted := mark_interrupted_runs(engine, config.hub.slug):
        logger.warning(
            "%d earlier run(s) of this hub were stopped before publishing: marked interrupted", interrupted
        )
    inputs = [f for item in loaded for f in item.files]
    run = RunRecord(
        run_id=run_id,
        flow_run_id=str(get_run_context().flow_run.id),
        hub_slug=config.hub.slug,
        academic_year=period.year.label,
        as_of=period.as_of,
        parameters=parameters,
        # Only a run that writes the annual return publishes figures: others are kept as provenance.
        status="published" if "annual_return" in writing else "partial",
        started_at=started,
        finished_at=started,
        code_version=code_version(),
        config_sha256=config.sha256,
        inputs=inputs,
    )
    errors = failures.filter(pl.col(ValidationFailure.severity) == "error")
    staging = start_staging(
        config.output_dir, config.hub.slug, period.year.slug, run_id, carried_into(config, period, writing)
    )
    try:
        report = succeeded(
            write_validation(config, staging.output_dir, period, run_id, run.code_version, loaded)
        )
        # A file that cannot be read at all is never published around, even in a non-strict run.
        if (strict and errors.height) or unreadable_files(failures).height:
            message = _failure_message(failures)
            record_run(
                engine,
                _replace(run, status="failed", message=message, finished_at=datetime.now(UTC)),
                failures=failures,
            )
            # The validation report is published at once: it says what to fix. Nothing else is.
            report = publish_file(staging, report)
            _retain(engine, config, run_id)
            raise ValidationFailed(f"{message}\nThe validation report lists every row: {report}")
        tables, figures, outputs = _compute_and_write(
            config,
            period,
            writing,
            data_of(loaded),
            engine,
            staging,
            run_id,
            run.code_version,
            loaded,
            published=published,
        )
        # Recorded first, published second, final status last: at every instant the published set is one the
        # store has, and a run killed in between stays "publishing" until the hub's next run marks it.
        record_run(
            engine,
            _replace(run, status=PUBLISHING, finished_at=datetime.now(UTC)),
            figures=figures if "annual_return" in writing else None,
            failures=failures,
        )
    except HubReturnsError as exc:
        if isinstance(exc, ValidationFailed):
            raise
        raise HubReturnsError(f"{_in_published_words(exc, staging)}\n{NOTHING_NEW_PUBLISHED}") from exc
    else:
        try:
            publish(staging)
        except HubReturnsError as exc:
            finish_run(engine, run_id, "failed", str(exc))
            raise
        finish_run(engine, run_id, run.status)
    finally:
        discard(staging)
    logger.info("Run %s published: %s", run_id, staging.published)
    _retain(engine, config, run_id)
    outputs = {name: str(staging.published_path(Path(path))) for name, path in outputs.items()}
    report = staging.published_path(report)
    kpis = tables["kpis"]
    summary = RunSummary(
        run_id=run_id,
        hub=config.hub.slug,
        academic_year=period.year.label,
        status=run.status,
        outputs={**outputs, "validation_report": str(report)},
        kpis=kpis.to_dicts(),
        rows_quarantined=sum(item.rows_quarantined for item in loaded),
        error_count=errors.height,
        warning_count=failures.height - errors.height,
    )
    create_markdown_artifact(key=f"{config.hub.slug}-annual-return", markdown=run_artifact(summary))
    return summary


def _in_published_words(exc: HubReturnsError, staging: Staging) -> str:
    """A message naming the published folder the officer knows, not the run's staging folder."""
    return str(exc).replace(str(staging.folder), str(staging.published))


def carried_into(config: HubConfig, period: Period, writing: tuple[str, ...]) -> Callable[[Path], bool]:
    """Which published files a run carries into its new set: all but those of the sections it writes."""
    slug, year = config.hub.slug, period.year.slug
    owned = {
        "annual_return": lambda p: (
            p.parent == Path(".")
            and p.name.startswith(
                (annual_return_path(Path("."), slug, year).stem, open_data_path(Path("."), slug, year).stem)
            )
        ),
        "school_engagement": lambda p: (
            p == school_engagement_path(Path("."), slug, year).relative_to(slug, year)
        ),
        "school_reports": lambda p: p.parent == Path(SCHOOL_REPORTS_FOLDER) and is_school_report(p.name),
    }
    validation = validation_report_path(Path("."), slug, year).relative_to(slug, year)
    rewritten = [owned[section] for section in writing]
    return lambda p: p != validation and not any(owns(p) for owns in rewritten)


def data_of(loaded: list[LoadedInput]) -> HubData:
    """The transforms' inputs from the validated files (rows kept)."""
    return HubData.of_frames(input_frames(loaded))


def _compute_and_write(
    config: HubConfig,
    period: Period,
    writing: tuple[str, ...],
    data: HubData,
    engine: Engine,
    staging: Staging,
    run_id: str,
    version: str,
    loaded: list[LoadedInput],
    *,
    published: bool,
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame, dict[str, str]]:
    """Compute the return's tables and figures and write the chosen sections into the staging folder."""
    layout = return_layout(period.year)
    last_year = latest_published_run(
        engine, config.hub.slug, period.year.previous().label, year_end=period.year.previous().end
    )
    last_year_figures = run_figures(engine, last_year) if last_year else None
    previous_kpis = (
        kpis_from_figures(last_year_figures.lazy()).collect() if last_year_figures is not None else None
    )
    tables = compute_return(data, config, period, previous_kpis, last_year_figures)
    tables["functions"] = function_map(layout).collect()
    tables["data_quality"] = input_summary(loaded)
    figures = return_figures({name: table.lazy() for name, table in tables.items()}).collect()
    previous_run = latest_published_run(engine, config.hub.slug, period.year.label)
    # The first run of a period has nothing to compare with: its Changes sheet is empty, not every figure.
    previous_figures = run_figures(engine, previous_run) if previous_run else figures
    tables["changes"] = changes_table(figures.lazy(), previous_figures.lazy(), layout).collect()

    threshold = config.settings.suppression_threshold
    meta = workbook_meta(config, period, run_id, version, loaded, "annual return", previous_run)
    out = staging.output_dir
    outputs: dict[str, str] = {}
    if "annual_return" in writing:
        path = succeeded(
            write_return(
                annual_return_path(out, config.hub.slug, period.year.slug),
                meta,
                layout,
                tables,
                period,
                threshold,
            )
        )
        outputs["annual_return"] = str(path)
        if published:
            published_path = succeeded(
                write_return(
                    annual_return_path(out, config.hub.slug, period.year.slug, published=True),
                    replace(meta, published=True),
                    layout,
                    tables,
                    period,
                    threshold,
                )
            )
            outputs["annual_return_published"] = str(published_path)
            shown = shown_tables(tables, layout)
            open_data = open_data_path(out, config.hub.slug, period.year.slug)
            write_return_open_data(
                open_data,
                layout=layout,
                tables=shown,
                markers=published_markers(shown, threshold=threshold),
                year=period.year,
                hub_name=config.hub.name,
                la_codes=la_geography(),
            )
            outputs["open_data"] = str(open_data)
    if {"school_engagement", "school_reports"} & set(writing):
        engagement = compute_engagement(data, tables["progression"], config, period.year, period.as_of)
        school_meta = workbook_meta(config, period, run_id, version, loaded, "school engagement tracker")
        if "school_engagement" in writing:
            tracker = succeeded(
                write_tracker(config, out, period.year, period.as_of, school_meta, engagement)
            )
            outputs["school_engagement"] = str(tracker)
        if "school_reports" in writing:
            reports = succeeded(
                write_reports(config, out, period.year, period.as_of, school_meta, engagement)
            )
            outputs["school_reports"] = str(reports)
    return tables, figures, outputs


def _skip_if_unchanged(
    config: HubConfig, period: Period, parameters: dict, started: datetime
) -> RunSummary | None:
    """A summary saying nothing was done when nothing changed since the last published run, else None."""
    engine = open_store(config.database_url)
    previous = last_successful_run(engine, config.hub.slug, period.year.label)
    inputs = current_inputs(config)
    if previous is None or not nothing_changed(previous, inputs, code_version(), config.sha256):
        return None
    run_id = str(uuid.uuid4())
    message = (
        f"No input file, setting or code has changed since run {previous.run_id} "
        f"({previous.finished_at:%d/%m/%Y %H:%M}): nothing to do, the workbooks of that run stand."
    )
    get_run_logger().info("%s: %s", config.hub.name, message)
    record_run(
        engine,
        RunRecord(
            run_id=run_id,
            flow_run_id=str(get_run_context().flow_run.id),
            hub_slug=config.hub.slug,
            academic_year=period.year.label,
            as_of=period.as_of,
            parameters={**parameters, "skip_unchanged": True},
            status="unchanged",
            started_at=started,
            finished_at=datetime.now(UTC),
            code_version=code_version(),
            config_sha256=config.sha256,
            message=message,
            inputs=inputs,
        ),
    )
    _retain(engine, config, run_id)
    summary = RunSummary(
        run_id=run_id,
        hub=config.hub.slug,
        academic_year=period.year.label,
        status="unchanged",
        message=message,
    )
    create_markdown_artifact(key=f"{config.hub.slug}-annual-return", markdown=run_artifact(summary))
    return summary


def _retain(engine: Engine, config: HubConfig, run_id: str) -> None:
    """Apply the hub's [retention] to the store now that the run is recorded, and say what it removed."""
    now = datetime.now(UTC)
    result = apply_retention(engine, config.hub.slug, config.retention, now.date(), run_id=run_id, now=now)
    reports = remove_expired_validation_reports(config.output_dir, config.hub.slug, result.failures_kept_from)
    removed = (
        f" Validation reports of earlier years removed: {', '.join(map(str, reports))}." if reports else ""
    )
    get_run_logger().info("%s%s", result.describe(), removed)


def _replace(run: RunRecord, **changes: object) -> RunRecord:
    return replace(run, **changes)  # type: ignore[arg-type]


def run_artifact(summary: RunSummary) -> str:
    """The run's summary in markdown: its KPIs, validation counts and where its outputs are."""
    rows = "\n".join(
        f"| {k['kpi_code']} | {k['measure']} | {k['count']:,} | "
        + (f"{k['count_pct']:.1%}" if k["count_pct"] is not None else "[x]")
        + " |"
        for k in summary.kpis
    )
    outputs = "\n".join(f"- {name}: `{path}`" for name, path in summary.outputs.items())
    if summary.status == "unchanged":
        return f"# {summary.hub} {summary.academic_year}: nothing to do\n\n{summary.message}\n"
    return (
        f"# {summary.hub} {summary.academic_year}: {summary.status}\n\n"
        f"| KPI | Measure | Number | % |\n|---|---|---|---|\n{rows}\n\n"
        f"Validation: {summary.error_count} error(s), {summary.warning_count} warning(s); "
        f"rows quarantined: {summary.rows_quarantined}\n\n{outputs}\n"
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
    report = succeeded(
        write_validation(
            config, config.output_dir, period, f"validation-{uuid.uuid4()}", code_version(), loaded
        )
    )
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
