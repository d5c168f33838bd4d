"""One hub's run for one academic year, in plain Python: its steps, and the one function that sequences them.

``run_hub`` reads and checks every input, computes the return and the tracker's tables, writes the chosen
sections into the run's staging folder, records the run and publishes the whole set in one step (see
outputs/staging.py); a strict run (the default) with any invalid row publishes only its validation report.
Every step is called through a ``Runner`` (core/runner.py): in this process from the command line, or as a
Prefect task from the flows (flows/annual_return.py). Nothing here knows which.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import polars as pl
from sqlalchemy import Engine

from core.run_lock import hub_run_lock
from core.runner import Runner, touches_files
from core.tables import EngagementTables, ReturnTables
from core.unchanged import current_inputs, nothing_changed
from foundation.errors import ConfigError, HubReturnsError, ValidationFailed
from foundation.hub_config import HubConfig, la_geography
from foundation.ofsted_frameworks import load_framework
from foundation.provenance import code_version
from ingest.pipeline import check_loaded, configured_exports, input_frames, record_ids
from ingest.sources import (
    LoadedInput,
    load_census,
    load_hub_export,
    load_register,
    load_register_links,
    load_sen,
    unreadable_files,
)
from ingest.year_hint import exports_year_hint
from outputs.annual_return import annual_return_path, write_annual_return
from outputs.house_style import Note, WorkbookMeta
from outputs.open_data import open_data_path, write_return_open_data
from outputs.personal_data_audit import remove_expired_validation_reports
from outputs.school_engagement import school_engagement_path, write_school_engagement
from outputs.school_reports import is_school_report, write_school_reports
from outputs.staging import Staging, discard, publish, publish_file, start_staging
from outputs.validation_report import validation_report_path, write_validation_report
from schemas.columns import polars_schema
from schemas.output_tables import KpiFigures
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
from transforms.engagement_tables import EngagementRules, engagement_notes, engagement_tables
from transforms.figures import collect_tables
from transforms.kpis import kpis_from_figures
from transforms.published import published_markers, shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables
from transforms.school_reports import BriefRules

# What a run writes: a rerun after a correction may write only some (the validation report is always written).
Section = Literal["annual_return", "school_engagement", "school_reports"]
SECTIONS: tuple[str, ...] = get_args(Section)
SCHOOL_REPORTS_FOLDER = "schools"
MAX_FAILURES_IN_MESSAGE = 10
NOTHING_NEW_PUBLISHED = "Nothing new was published: the outputs of the last good run are as they were."
PUBLISHED, PARTIAL, FAILED, UNCHANGED = "published", "partial", "failed", "unchanged"


@dataclass(frozen=True)
class Period:
    """The academic year a run reports and the date its data is taken as known."""

    year: AcademicYear
    as_of: date


@dataclass(frozen=True)
class RunRequest:
    """What a run was asked to do: the period, the sections to write and how strictly."""

    period: Period
    sections: tuple[str, ...] = SECTIONS
    strict: bool = True
    published: bool = False
    skip_unchanged: bool = False
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The parameters as given (an empty year or date stays empty), kept with the run in the store.
    academic_year: str | None = None
    as_of: str | None = None
    # The national run's folder for the inputs each hub validated, which its check of England's totals reads.
    checked_inputs: Path | None = None

    def parameters(self) -> dict[str, Any]:
        """The run's parameters as the store keeps them."""
        return {
            "academic_year": self.academic_year,
            "as_of": self.as_of,
            "strict": self.strict,
            "published": self.published,
            "sections": list(self.sections),
        }


@dataclass(frozen=True)
class KpiLine:
    """One KPI of a run, for its summary: code, measure, count of denominator and the share."""

    kpi_code: str
    measure: str
    count: int
    denominator: int | None
    count_pct: float | None


@dataclass(frozen=True)
class RunSummary:
    """What a run produced: the figures for the log and artifact, and where the workbooks are."""

    run_id: str
    hub: str
    academic_year: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    kpis: list[KpiLine] = field(default_factory=list)
    rows_quarantined: int = 0
    message: str = ""
    error_count: int = 0
    warning_count: int = 0


@dataclass(frozen=True)
class ValidationSummary:
    """What a validation-only run found."""

    hub: str
    academic_year: str
    report: str
    error_count: int
    warning_count: int
    inputs: pl.DataFrame
    unreadable: list[str] = field(default_factory=list)
    # Which year the activity exports cover, when it is not the year checked (None when it is).
    year_hint: str | None = None


@dataclass(frozen=True)
class RunHistory:
    """What the store already holds for the hub: last year's published figures and this year's last run."""

    last_year_figures: pl.DataFrame | None
    previous_run: str | None
    previous_figures: pl.DataFrame | None


@dataclass(frozen=True)
class ComputedReturn:
    """The return's tables and their figures in the store's long form."""

    tables: ReturnTables
    figures: pl.DataFrame


# --- the period and the sections ----------------------------------------------------------------------------


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


def chosen_sections(sections: list[str] | None) -> tuple[str, ...]:
    """The sections to write, in the order they are written (all when none are named)."""
    if not sections:
        return SECTIONS
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    return tuple(s for s in SECTIONS if s in sections)


def run_request(
    academic_year: str | None,
    as_of: str | None,
    *,
    strict: bool = True,
    published: bool = False,
    sections: list[str] | None = None,
    skip_unchanged: bool = False,
) -> RunRequest:
    """A run's request from its parameters as a person gives them (an empty year or date meaning today's)."""
    started = datetime.now(UTC)
    return RunRequest(
        period=resolve_period(academic_year, as_of, today=started.date()),
        sections=chosen_sections(sections),
        strict=strict,
        published=published,
        skip_unchanged=skip_unchanged,
        started=started,
        academic_year=academic_year,
        as_of=as_of,
    )


# --- the steps ---------------------------------------------------------------------------------------------


@touches_files
def read_register(config: HubConfig) -> tuple[LoadedInput, LoadedInput]:
    """Read and validate the GIAS establishments and links files."""
    return load_register(config.input_files("gias")), load_register_links(config.input_files("gias_links"))


@touches_files
def read_census(config: HubConfig) -> tuple[LoadedInput, LoadedInput]:
    """Read and validate the school-level census and SEN files."""
    return load_census(config.input_files("census")), load_sen(config.input_files("sen"))


@touches_files
def read_export(config: HubConfig, source: str, key: bytes) -> LoadedInput:
    """Read, pseudonymise and validate one of the hub's exports."""
    return load_hub_export(source, config.input_files(source), key=key)


def check_across_sources(loaded: list[LoadedInput], period: Period) -> list[LoadedInput]:
    """Apply the rules that need several files; failing rows are quarantined like any other."""
    return check_loaded(loaded, year=period.year, as_of=period.as_of)


@touches_files
def write_validation(
    config: HubConfig, output_dir: Path, meta: WorkbookMeta, period: Period, loaded: list[LoadedInput]
) -> Path:
    """Write the validation report for the run's inputs into ``output_dir`` (the hub's, or the run's staging)."""
    from transforms.validation_rows import report_rows

    path = validation_report_path(output_dir, config.hub.slug, period.year.slug)
    register = next((item.frame.lazy() for item in loaded if item.source == "gias"), None)
    rows = report_rows(all_failures(loaded).lazy(), register, record_ids(loaded).lazy()).collect()
    write_validation_report(path, meta, inputs=input_summary(loaded), failures=rows)
    return path


def read_history(engine: Engine, config: HubConfig, period: Period) -> RunHistory:
    """Last year's published figures, and this year's last published run and its figures, from the store."""
    last_year = period.year.previous()
    last_year_run = latest_published_run(engine, config.hub.slug, last_year.label, year_end=last_year.end)
    previous_run = latest_published_run(engine, config.hub.slug, period.year.label)
    return RunHistory(
        last_year_figures=run_figures(engine, last_year_run) if last_year_run else None,
        previous_run=previous_run,
        previous_figures=run_figures(engine, previous_run) if previous_run else None,
    )


def compute_return(
    data: HubData, config: HubConfig, period: Period, history: RunHistory, loaded: list[LoadedInput]
) -> ComputedReturn:
    """Every table of the annual return, with last year's figures beside this year's, and its figures."""
    layout = return_layout(period.year)
    last_year = history.last_year_figures
    tables = return_tables(
        data,
        la_codes=config.hub.la_codes,
        year=period.year,
        as_of=period.as_of,
        previous_kpis=kpis_from_figures(last_year.lazy()) if last_year is not None else None,
        engaged_duties=layout.kpi5.duties,
        previous_figures=last_year.lazy() if last_year is not None else None,
    )
    frames = collect_tables({**tables, "functions": function_map(layout)})
    frames["data_quality"] = input_summary(loaded)
    figures = return_figures({name: table.lazy() for name, table in frames.items()}).collect()
    # The first run of a period has nothing to compare with: its Changes sheet is empty, not every figure.
    previous = history.previous_figures if history.previous_figures is not None else figures
    frames["changes"] = changes_table(figures.lazy(), previous.lazy(), layout).collect()
    return ComputedReturn(tables=ReturnTables.of(frames), figures=figures)


@touches_files
def write_return(
    path: Path, meta: WorkbookMeta, layout: ReturnLayout, tables: ReturnTables, period: Period, threshold: int
) -> Path:
    """Write one variant of the annual return (management information, or published with suppression)."""
    notes, table_notes = return_notes(
        layout, year=period.year, as_of=period.as_of, threshold=threshold, published=meta.published
    )
    shown = shown_tables(tables.by_name(), layout)
    write_annual_return(
        path,
        meta,
        layout=layout,
        tables=shown,
        notes=[Note(number, text) for number, text in notes],
        table_notes=table_notes,
        markers=published_markers(shown, threshold=threshold) if meta.published else {},
    )
    return path


@touches_files
def write_open_data(
    path: Path, config: HubConfig, layout: ReturnLayout, tables: ReturnTables, period: Period
) -> Path:
    """Write the return's published figures as open data (DfE's standard), with its metadata file."""
    shown = shown_tables(tables.by_name(), layout)
    write_return_open_data(
        path,
        layout=layout,
        tables=shown,
        markers=published_markers(shown, threshold=config.settings.suppression_threshold),
        year=period.year,
        hub_name=config.hub.name,
        la_codes=la_geography(),
    )
    return path


def engagement_rules(config: HubConfig, year: AcademicYear | None = None) -> EngagementRules:
    """The tracker's rules from the hub's settings (and the year's return layout: which duties engage)."""
    settings = config.settings
    return EngagementRules(
        high_fsm_pct=settings.high_fsm_pct,
        school_leader_roles=tuple(settings.school_leader_roles),
        staff_hours_per_fte=settings.staff_hours_per_fte,
        engaged_duties=return_layout(year).kpi5.duties if year is not None else None,
        framework=load_framework(settings.ofsted_framework),
        brief=BriefRules(
            fsm_band_edges_pct=tuple(settings.fsm_band_edges_pct),
            well_below_ratio=settings.similar_well_below_ratio,
            well_above_ratio=settings.similar_well_above_ratio,
            inclusion_gap_pct=settings.inclusion_gap_pct,
            due_soon_days=settings.conversation_due_soon_days,
        ),
    )


def compute_engagement(
    data: HubData, progression: pl.DataFrame, config: HubConfig, period: Period
) -> EngagementTables:
    """Every table of the tracker and the school reports (all schools)."""
    tables = engagement_tables(
        data,
        progression.lazy(),
        la_codes=config.hub.la_codes,
        year=period.year,
        as_of=period.as_of,
        rules=engagement_rules(config, period.year),
    )
    return EngagementTables.of(collect_tables(tables))


def engagement_note_list(config: HubConfig, period: Period) -> list[Note]:
    """The Notes sheet of the tracker and of every school report."""
    rows = engagement_notes(year=period.year, as_of=period.as_of, rules=engagement_rules(config))
    return [Note(number, text) for number, text in rows]


@touches_files
def write_tracker(
    config: HubConfig, output_dir: Path, period: Period, meta: WorkbookMeta, tables: EngagementTables
) -> Path:
    """Write the SMEP tracker workbook into ``output_dir`` (the run's staging folder)."""
    path = school_engagement_path(output_dir, config.hub.slug, period.year.slug)
    write_school_engagement(
        path,
        meta,
        tracker=tables.tracker,
        summary=tables.summary,
        map_points=tables.map,
        priorities=tables.priorities,
        ofsted=tables.ofsted,
        exceptions=tables.exceptions,
        notes=engagement_note_list(config, period),
    )
    return path


def school_reports_folder(output_dir: Path, config: HubConfig, period: Period) -> Path:
    """The year's `schools` folder under ``output_dir``."""
    return (
        school_engagement_path(output_dir, config.hub.slug, period.year.slug).parent / SCHOOL_REPORTS_FOLDER
    )


@touches_files
def write_reports(
    config: HubConfig, output_dir: Path, period: Period, meta: WorkbookMeta, tables: EngagementTables
) -> Path:
    """Write one report per school of the universe into the year's `schools` folder under ``output_dir``."""
    folder = school_reports_folder(output_dir, config, period)
    write_school_reports(
        folder,
        meta,
        tracker=tables.tracker,
        activity=tables.activity,
        rag=tables.rag,
        conversations=tables.conversations,
        actions=tables.actions,
        notes=engagement_note_list(config, period),
        framework=engagement_rules(config).framework,
        processes=config.settings.report_processes,
        brief=tables.brief,
        prompts=tables.prompts,
    )
    return folder


# --- what the steps share ----------------------------------------------------------------------------------


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


def all_failures(loaded: list[LoadedInput]) -> pl.DataFrame:
    """Every input's validation failures in one table."""
    return pl.concat([item.failures for item in loaded])


def input_summary(loaded: list[LoadedInput]) -> pl.DataFrame:
    """Per input file: rows read, kept, quarantined, errors and warnings (the report's Inputs sheet)."""
    rows = []
    for item in loaded:
        for f in item.files:
            name = Path(f.path).name
            own = item.failures.filter(pl.col(ValidationFailure.file) == name)
            severity = own.get_column(ValidationFailure.severity)
            rows.append(
                {
                    InputSummary.source: f.source,
                    InputSummary.file: name,
                    InputSummary.rows_read: f.rows_read,
                    InputSummary.rows_kept: f.rows_kept,
                    InputSummary.rows_quarantined: f.rows_quarantined,
                    InputSummary.error_count: int((severity == "error").sum()),
                    InputSummary.warning_count: int((severity == "warning").sum()),
                    InputSummary.sha256: f.sha256,
                }
            )
    return pl.DataFrame(rows, schema=polars_schema(InputSummary))


def keep_checked_inputs(folder: Path, hub_slug: str, loaded: list[LoadedInput]) -> None:
    """Save a hub's validated inputs (rows kept) for the national check, one Parquet file each."""
    target = folder / hub_slug
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in input_frames(loaded).items():
        frame.write_parquet(target / f"{name}.parquet")


def data_of(loaded: list[LoadedInput]) -> HubData:
    """The transforms' inputs from the validated files (rows kept)."""
    return HubData.of_frames(input_frames(loaded))


def kpi_lines(kpis: pl.DataFrame) -> list[KpiLine]:
    """The KPI table's rows as the run's summary gives them."""
    return [
        KpiLine(
            kpi_code=row[KpiFigures.kpi_code],
            measure=row[KpiFigures.measure],
            count=int(row[KpiFigures.count]),
            denominator=None if row[KpiFigures.denominator] is None else int(row[KpiFigures.denominator]),
            count_pct=row[KpiFigures.count_pct],
        )
        for row in kpis.iter_rows(named=True)
    ]


def failure_message(failures: pl.DataFrame) -> str:
    """The run's refusal in plain words: how many problems, and the first few with file, row and column."""
    errors = failures.filter(pl.col(ValidationFailure.severity) == "error")
    lines = [
        f"{r[ValidationFailure.file]} row {r[ValidationFailure.row]}, column '{r[ValidationFailure.column]}': "
        f"{r[ValidationFailure.rule]} (found '{r[ValidationFailure.value]}')"
        if r[ValidationFailure.row] is not None
        else f"{r[ValidationFailure.file]}: {r[ValidationFailure.rule]}"
        for r in errors.head(MAX_FAILURES_IN_MESSAGE).iter_rows(named=True)
    ]
    more = errors.height - len(lines)
    return (
        f"{errors.height} problem(s) in the input files, so nothing new was published. Fix these and run again"
        + (f" ({more} more in the store's validation_failures table)" if more > 0 else "")
        + ":\n  "
        + "\n  ".join(lines)
    )


def carried_into(config: HubConfig, period: Period, writing: tuple[str, ...]) -> Callable[[Path], bool]:
    """Which published files a run carries into its new set: all but those of the sections it writes."""
    slug, year = config.hub.slug, period.year.slug
    owned: dict[str, Callable[[Path], bool]] = {
        "annual_return": lambda p: (
            p.parent == Path()
            and p.name.startswith(
                (annual_return_path(Path(), slug, year).stem, open_data_path(Path(), slug, year).stem)
            )
        ),
        "school_engagement": lambda p: (
            p == school_engagement_path(Path(), slug, year).relative_to(slug, year)
        ),
        "school_reports": lambda p: p.parent == Path(SCHOOL_REPORTS_FOLDER) and is_school_report(p.name),
    }
    validation = validation_report_path(Path(), slug, year).relative_to(slug, year)
    rewritten = [owned[section] for section in writing]

    def carried(path: Path) -> bool:
        return path != validation and not any(owns(path) for owns in rewritten)

    return carried


# --- the sequence ------------------------------------------------------------------------------------------


def read_and_check(config: HubConfig, period: Period, key: bytes, runner: Runner) -> list[LoadedInput]:
    """Read and validate every configured input: the DfE files first, then each of the hub's exports."""
    register, links = runner.call(read_register, config)
    census, sen = runner.call(read_census, config)
    exports = [runner.call(read_export, config, source, key) for source in configured_exports(config)]
    loaded = runner.call(check_across_sources, [register, links, census, sen, *exports], period)
    for item in loaded:
        runner.logger.info(
            "%s: %d rows read, %d kept, %d quarantined",
            item.source,
            item.rows_read,
            item.rows_kept,
            item.rows_quarantined,
        )
    return loaded


def run_hub(config: HubConfig, request: RunRequest, runner: Runner) -> RunSummary:
    """One hub's run, start to end, with the hub's run lock held (a second run of the hub is refused)."""
    with hub_run_lock(config.output_dir, config.hub.slug, config.hub.name):
        if request.skip_unchanged:
            skipped = skip_if_unchanged(config, request, runner)
            if skipped is not None:
                return skipped
        return _build(config, request, runner)


def _build(config: HubConfig, request: RunRequest, runner: Runner) -> RunSummary:
    """Read, validate, compute, write into staging, record, publish: the run's sequence."""
    period, writing, log = request.period, request.sections, runner.logger
    run_id = str(uuid.uuid4())
    key = runner.pupil_key(config)
    log.info("Run %s: %s, academic year %s, as of %s", run_id, config.hub.name, period.year, period.as_of)
    loaded = read_and_check(config, period, key, runner)
    if request.checked_inputs is not None:
        keep_checked_inputs(request.checked_inputs, config.hub.slug, loaded)
    failures = all_failures(loaded)
    errors = failures.filter(pl.col(ValidationFailure.severity) == "error")
    engine = open_store(config.database_url)
    if interrupted := mark_interrupted_runs(engine, config.hub.slug):
        log.warning(
            "%d earlier run(s) of this hub were stopped before publishing: marked interrupted", interrupted
        )
    run = RunRecord(
        run_id=run_id,
        flow_run_id=runner.flow_run_id,
        hub_slug=config.hub.slug,
        academic_year=period.year.label,
        as_of=period.as_of,
        parameters=request.parameters(),
        # Only a run that writes the annual return publishes figures: others are kept as provenance.
        status=PUBLISHED if "annual_return" in writing else PARTIAL,
        started_at=request.started,
        finished_at=request.started,
        code_version=code_version(),
        config_sha256=config.sha256,
        inputs=[f for item in loaded for f in item.files],
    )
    staging = start_staging(
        config.output_dir, config.hub.slug, period.year.slug, run_id, carried_into(config, period, writing)
    )
    try:
        meta = workbook_meta(config, period, run_id, run.code_version, loaded, "validation report")
        report = runner.call(write_validation, config, staging.output_dir, meta, period, loaded)
        log.info("Validation report written to %s", staging.published_path(report))
        # A file that cannot be read at all is never published around, even in a non-strict run.
        if (request.strict and errors.height) or unreadable_files(failures).height:
            message = failure_message(failures)
            record_run(
                engine, replace(run, status=FAILED, message=message, finished_at=_now()), failures=failures
            )
            # The validation report is published at once: it says what to fix. Nothing else is.
            report = publish_file(staging, report)
            retain(engine, config, run_id, runner)
            raise ValidationFailed(f"{message}\nThe validation report lists every row: {report}")
        computed, outputs = compute_and_write(
            config, request, data_of(loaded), engine, staging, run, loaded, runner
        )
        # Recorded first, published second, final status last: at every instant the published set is one the
        # store has, and a run killed in between stays "publishing" until the hub's next run marks it.
        record_run(
            engine,
            replace(run, status=PUBLISHING, finished_at=_now()),
            figures=computed.figures if "annual_return" in writing else None,
            failures=failures,
        )
    except HubReturnsError as exc:
        if isinstance(exc, ValidationFailed):
            raise
        raise HubReturnsError(f"{in_published_words(exc, staging)}\n{NOTHING_NEW_PUBLISHED}") from exc
    else:
        try:
            publish(staging)
        except HubReturnsError as exc:
            finish_run(engine, run_id, FAILED, str(exc))
            raise
        finish_run(engine, run_id, run.status)
    finally:
        discard(staging)
    log.info("Run %s published: %s", run_id, staging.published)
    retain(engine, config, run_id, runner)
    return RunSummary(
        run_id=run_id,
        hub=config.hub.slug,
        academic_year=period.year.label,
        status=run.status,
        outputs={
            **{name: str(staging.published_path(path)) for name, path in outputs.items()},
            "validation_report": str(staging.published_path(report)),
        },
        kpis=kpi_lines(computed.tables.kpis),
        rows_quarantined=sum(item.rows_quarantined for item in loaded),
        error_count=errors.height,
        warning_count=failures.height - errors.height,
    )


def compute_and_write(
    config: HubConfig,
    request: RunRequest,
    data: HubData,
    engine: Engine,
    staging: Staging,
    run: RunRecord,
    loaded: list[LoadedInput],
    runner: Runner,
) -> tuple[ComputedReturn, dict[str, Path]]:
    """Compute the return's tables and figures and write the chosen sections into the staging folder."""
    period, writing, log = request.period, request.sections, runner.logger
    layout = return_layout(period.year)
    history = read_history(engine, config, period)
    computed = runner.call(compute_return, data, config, period, history, loaded)
    tables, out, threshold = computed.tables, staging.output_dir, config.settings.suppression_threshold
    slug, year = config.hub.slug, period.year.slug
    meta = workbook_meta(
        config, period, run.run_id, run.code_version, loaded, "annual return", history.previous_run
    )
    outputs: dict[str, Path] = {}
    if "annual_return" in writing:
        path = annual_return_path(out, slug, year)
        outputs["annual_return"] = runner.call(write_return, path, meta, layout, tables, period, threshold)
        log.info("Annual return written to %s", staging.published_path(path))
        if request.published:
            path = annual_return_path(out, slug, year, published=True)
            variant = replace(meta, published=True)
            outputs["annual_return_published"] = runner.call(
                write_return, path, variant, layout, tables, period, threshold
            )
            log.info("Annual return (published) written to %s", staging.published_path(path))
            path = open_data_path(out, slug, year)
            outputs["open_data"] = runner.call(write_open_data, path, config, layout, tables, period)
    if {"school_engagement", "school_reports"} & set(writing):
        engagement = runner.call(compute_engagement, data, tables.progression, config, period)
        school_meta = workbook_meta(
            config, period, run.run_id, run.code_version, loaded, "school engagement tracker"
        )
        if "school_engagement" in writing:
            outputs["school_engagement"] = runner.call(
                write_tracker, config, out, period, school_meta, engagement
            )
            outside = engagement.exceptions.height
            log.info(
                "School engagement tracker written to %s (%d schools%s)",
                staging.published_path(outputs["school_engagement"]),
                engagement.tracker.height,
                f"; {outside} export row group(s) name schools outside the hub's universe" if outside else "",
            )
        if "school_reports" in writing:
            outputs["school_reports"] = runner.call(
                write_reports, config, out, period, school_meta, engagement
            )
            log.info(
                "%d school reports written to %s",
                engagement.tracker.height,
                staging.published_path(outputs["school_reports"]),
            )
    return computed, outputs


def skip_if_unchanged(config: HubConfig, request: RunRequest, runner: Runner) -> RunSummary | None:
    """A summary saying nothing was done when nothing changed since the last published run, else None."""
    period = request.period
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
    runner.logger.info("%s: %s", config.hub.name, message)
    record_run(
        engine,
        RunRecord(
            run_id=run_id,
            flow_run_id=runner.flow_run_id,
            hub_slug=config.hub.slug,
            academic_year=period.year.label,
            as_of=period.as_of,
            parameters={**request.parameters(), "skip_unchanged": True},
            status=UNCHANGED,
            started_at=request.started,
            finished_at=_now(),
            code_version=code_version(),
            config_sha256=config.sha256,
            message=message,
            inputs=inputs,
        ),
    )
    retain(engine, config, run_id, runner)
    return RunSummary(
        run_id=run_id, hub=config.hub.slug, academic_year=period.year.label, status=UNCHANGED, message=message
    )


def retain(engine: Engine, config: HubConfig, run_id: str, runner: Runner) -> None:
    """Apply the hub's [retention] to the store now that the run is recorded, and say what it removed."""
    now = _now()
    result = apply_retention(engine, config.hub.slug, config.retention, now.date(), run_id=run_id, now=now)
    reports = remove_expired_validation_reports(config.output_dir, config.hub.slug, result.failures_kept_from)
    removed = (
        f" Validation reports of earlier years removed: {', '.join(map(str, reports))}." if reports else ""
    )
    runner.logger.info("%s%s", result.describe(), removed)


def in_published_words(exc: HubReturnsError, staging: Staging) -> str:
    """A message naming the published folder the officer knows, not the run's staging folder."""
    return str(exc).replace(str(staging.folder), str(staging.published))


def validate_hub(config: HubConfig, period: Period, runner: Runner) -> ValidationSummary:
    """Check a hub's input files and write the validation report only; nothing is published or recorded."""
    loaded = read_and_check(config, period, runner.pupil_key(config), runner)
    meta = workbook_meta(
        config, period, f"validation-{uuid.uuid4()}", code_version(), loaded, "validation report"
    )
    report = runner.call(write_validation, config, config.output_dir, meta, period, loaded)
    runner.logger.info("Validation report written to %s", report)
    failures = all_failures(loaded)
    severities = failures.get_column(ValidationFailure.severity)
    return ValidationSummary(
        hub=config.hub.slug,
        academic_year=period.year.label,
        report=str(report),
        error_count=int((severities == "error").sum()),
        warning_count=int((severities == "warning").sum()),
        inputs=input_summary(loaded),
        unreadable=[
            f"{r[ValidationFailure.file]}: {r[ValidationFailure.rule]}"
            for r in unreadable_files(failures).iter_rows(named=True)
        ],
        year_hint=exports_year_hint(loaded, period.year),
    )


def _now() -> datetime:
    return datetime.now(UTC)
