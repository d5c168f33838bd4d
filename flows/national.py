"""The national roll-up: every hub's pipeline in one run, then the national summary workbook (SPEC 3.5).

Each hub's annual return runs as its own subflow inside a task, so hubs run side by side: on one machine,
``max_parallel_hubs`` at once in Prefect's process pool (one at a time: Prefect's default runner), or on a
Dask cluster through prefect-dask when a scheduler address is given (``dask_address``, or the
HUBRETURNS_DASK_ADDRESS environment variable). A hub
that fails does not stop the others. The summary puts every hub's KPIs side by side, adds them up for England
and checks the totals against the same KPIs computed directly over every hub's data at once.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from flows.annual_return import Period, RunSummary, resolve_period
from flows.annual_return import annual_return as hub_annual_return
from flows.form import Section
from flows.nightly import hub_configurations
from flows.plain import fail_plainly
from flows.pupil_key import pseudonymisation_key
from flows.subflows import crash_subflows
from hubreturns.hub_config import HubConfig, load_config
from hubreturns.errors import ConfigError
from hubreturns.provenance import code_version
from ingest.pipeline import input_frames, load_and_check
from outputs.annual_return import annual_return_path
from outputs.house_style import WorkbookMeta
from outputs.national_summary import national_summary_path, write_national_summary
from outputs.open_data import national_open_data, national_open_data_path, write_open_data
from schemas.national import HubRunRow
from schemas.provenance import InputFileRecord
from schemas.return_layout import return_layout
from store.repository import latest_published_run, open_store, run_figures
from transforms.activity import HubData
from transforms.kpis import kpis_from_figures
from transforms.national import (
    HUB_KPI_SCHEMA,
    HUB_NAME,
    HUB_SLUG,
    LOCAL_AUTHORITIES,
    RUN_ID,
    combined,
    direct_kpis,
    england_totals,
    hubs_side_by_side,
    reconcile,
)

DASK_ADDRESS_VARIABLE = "HUBRETURNS_DASK_ADDRESS"


@dataclass
class HubOutcome:
    """What the national run did for one hub."""

    hub_slug: str
    hub_name: str
    status: str
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class NationalSummary:
    """What the national run produced: per-hub outcomes, England's KPIs and where the summary is."""

    academic_year: str
    summary_path: str
    hubs: list[HubOutcome]
    england: list[dict]
    reconciled: bool | None

    @property
    def failed(self) -> list[str]:
        """The hubs whose run failed."""
        return [hub.hub_slug for hub in self.hubs if hub.status == "failed"]


@task(cache_policy=NO_CACHE)
def run_hub(
    config_path: str,
    academic_year: str,
    as_of: str,
    strict: bool,
    published: bool,
    sections: list[Section] | None,
    skip_unchanged: bool,
) -> HubOutcome:
    """One hub's annual return as its own subflow run; a failure is reported in the outcome, not raised."""
    config = load_config(Path(config_path))
    state = hub_annual_return(
        config_path=config_path,
        academic_year=academic_year,
        as_of=as_of,
        strict=strict,
        published=published,
        sections=sections,
        skip_unchanged=skip_unchanged,
        return_state=True,
    )
    if not state.is_completed():
        return HubOutcome(
            config.hub.slug, config.hub.name, "failed", message=state.message or "the run failed"
        )
    summary: RunSummary = state.result()
    return HubOutcome(config.hub.slug, config.hub.name, summary.status, summary.message, summary.outputs)


@task(cache_policy=NO_CACHE)
def hub_data_for_check(config_path: str, academic_year: str, as_of: str) -> dict[str, pl.DataFrame]:
    """One hub's validated inputs, read again for the direct computation of England's KPIs."""
    config = load_config(Path(config_path))
    period = resolve_period(academic_year, as_of, today=datetime.now(UTC).date())
    loaded = load_and_check(config, key=pseudonymisation_key(config), year=period.year, as_of=period.as_of)
    return input_frames(loaded)


@flow(name="hub-returns-national-hubs")
def run_hubs(
    config_paths: list[str],
    academic_year: str,
    as_of: str,
    strict: bool,
    published: bool,
    sections: list[Section] | None,
    skip_unchanged: bool,
    check: bool,
) -> tuple[list[HubOutcome], dict[str, dict[str, pl.DataFrame]]]:
    """Every hub's run, one task each, and (with ``check``) every hub's data read for the direct computation."""
    runs = [
        run_hub.submit(path, academic_year, as_of, strict, published, sections, skip_unchanged)
        for path in config_paths
    ]
    reads = (
        {path: hub_data_for_check.submit(path, academic_year, as_of) for path in config_paths}
        if check
        else {}
    )
    outcomes = [future.result() for future in runs]
    data: dict[str, dict[str, pl.DataFrame]] = {}
    for path, future in reads.items():
        state = future.wait() or future.state
        if state.is_completed():
            data[path] = future.result()
        else:
            get_run_logger().warning(
                "%s could not be read for the direct check: %s", Path(path).name, state.message
            )
    return outcomes, data


def task_runner(max_parallel_hubs: int, dask_address: str | None):  # type: ignore[no-untyped-def]
    """Dask when a scheduler address is configured; else, on this machine, one hub at a time on Prefect's
    default runner, or several on Prefect's process pool: a hub's run is mostly pure Python (validation,
    xlsxwriter), so threads would take turns on one core (measured: 99% of one core of two, bench/national.py).
    """
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    if max_parallel_hubs < 1:
        raise ConfigError(f"max_parallel_hubs must be 1 or more, not {max_parallel_hubs}")
    if max_parallel_hubs == 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return ProcessPoolTaskRunner(max_workers=max_parallel_hubs)


def _hub_kpis(config: HubConfig, academic_year: str) -> tuple[str | None, pl.DataFrame]:
    """The hub's latest published run for the year and its KPI figures (HUB_KPI_SCHEMA), from its store."""
    engine = open_store(config.database_url)
    run_id = latest_published_run(engine, config.hub.slug, academic_year)
    if run_id is None:
        return None, pl.DataFrame(schema=HUB_KPI_SCHEMA)
    kpis = kpis_from_figures(run_figures(engine, run_id).lazy()).with_columns(
        pl.lit(config.hub.slug).alias(HUB_SLUG)
    )
    return run_id, kpis.select(list(HUB_KPI_SCHEMA)).collect()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _direct(
    configs: list[HubConfig], data: dict[str, dict[str, pl.DataFrame]], period: Period
) -> pl.LazyFrame | None:
    """England's KPIs computed at once over every hub's data, or None when a hub's data could not be read."""
    if len(data) < len(configs):
        return None
    hubs = {config.hub.slug: HubData.of_frames(data[str(config.config_path)]) for config in configs}
    la_codes = tuple(code for config in configs for code in config.hub.la_codes)
    return direct_kpis(
        combined(hubs),
        la_codes=la_codes,
        year=period.year,
        as_of=period.as_of,
        engaged_duties=return_layout(period.year).kpi5.duties,
    )


@flow(name="hub-returns-national", on_crashed=[crash_subflows], on_cancellation=[crash_subflows])
@fail_plainly
def national(
    hubs_folder: str = "config/hubs",
    academic_year: str | None = None,
    as_of: str | None = None,
    strict: bool = True,
    published: bool = False,
    sections: list[Section] | None = None,
    skip_unchanged: bool = False,
    check_totals: bool = True,
    output_dir: str | None = None,
    max_parallel_hubs: int = 2,
    dask_address: str | None = None,
) -> NationalSummary:
    """Run every hub configured in ``hubs_folder`` (one `<slug>.toml` each) for the academic year and write
    the national summary: each hub's KPIs side by side and England's totals, checked against a direct
    computation (``check_totals``). Hubs run ``max_parallel_hubs`` at a time, or on the Dask cluster at
    ``dask_address`` (default: the HUBRETURNS_DASK_ADDRESS environment variable).
    """
    logger = get_run_logger()
    started = datetime.now(UTC)
    paths = hub_configurations([str(Path(hubs_folder) / "*.toml")])
    configs = [load_config(path) for path in paths]
    period = resolve_period(academic_year, as_of, today=started.date())
    address = dask_address or os.environ.get(DASK_ADDRESS_VARIABLE) or None
    runner = task_runner(max_parallel_hubs, address)
    logger.info(
        "National run for %s: %d hub(s) on %s",
        period.year.label,
        len(configs),
        f"the Dask cluster at {address}" if address else f"this machine, {max_parallel_hubs} at a time",
    )
    outcomes, data = run_hubs.with_options(task_runner=runner)(
        [str(path) for path in paths],
        period.year.label,
        period.as_of.isoformat(),
        strict,
        published,
        list(sections) if sections else None,
        skip_unchanged,
        check_totals,
    )
    return _summarise(configs, outcomes, data, period, output_dir, check_totals)


def _summarise(
    configs: list[HubConfig],
    outcomes: list[HubOutcome],
    data: dict[str, dict[str, pl.DataFrame]],
    period: Period,
    output_dir: str | None,
    check_totals: bool,
) -> NationalSummary:
    """Gather each hub's published figures, add them up for England, check them and write the summary."""
    runs, kpis, hubs, sources = [], [], [], []
    by_slug = {outcome.hub_slug: outcome for outcome in outcomes}
    for config in configs:
        run_id, figures = _hub_kpis(config, period.year.label)
        kpis.append(figures)
        outcome = by_slug.get(config.hub.slug)
        return_path = annual_return_path(config.output_dir, config.hub.slug, period.year.slug)
        hubs.append(
            {
                HUB_SLUG: config.hub.slug,
                HUB_NAME: config.hub.name,
                LOCAL_AUTHORITIES: ", ".join(config.hub.la_codes),
                RUN_ID: run_id,
            }
        )
        runs.append(
            {
                str(HubRunRow.hub_name): config.hub.name,
                str(HubRunRow.hub_slug): config.hub.slug,
                str(HubRunRow.status): outcome.status if outcome else "not run",
                str(HubRunRow.figures_from): run_id,
                str(HubRunRow.message): (outcome.message or None) if outcome else None,
                str(HubRunRow.annual_return): str(return_path) if return_path.is_file() else None,
            }
        )
        if run_id is not None:
            sources.append(InputFileRecord("annual_return", str(return_path), _sha256(return_path), 5, 5, 0))
    all_kpis = pl.concat(kpis).lazy()
    direct = _direct(configs, data, period) if check_totals else None
    england = reconcile(england_totals(all_kpis), direct).collect()
    side_by_side = hubs_side_by_side(
        pl.LazyFrame(hubs, schema={k: pl.String for k in hubs[0]}), all_kpis
    ).collect()
    folder = Path(output_dir) if output_dir else configs[0].output_dir
    path = national_summary_path(folder, period.year.slug)
    meta = WorkbookMeta(
        title=f"National summary of music hubs' KPIs {period.year.label}",
        hub_name=f"England: {len(configs)} hubs",
        period_label=period.year.label,
        as_of=period.as_of,
        run_id=str(uuid.uuid4()),
        code_version=code_version(),
        created=datetime.combine(period.as_of, datetime.min.time()),
        sources=tuple(sources),
    )
    write_national_summary(
        path,
        meta,
        england=england,
        hubs=side_by_side,
        runs=pl.DataFrame(runs, schema={str(c): pl.String for c in HubRunRow.to_schema().columns}),
    )
    threshold = max(config.settings.suppression_threshold for config in configs)
    open_data = national_open_data_path(folder, period.year.slug)
    write_open_data(
        open_data,
        national_open_data(england=england, hubs=side_by_side, year=period.year, threshold=threshold),
    )
    reconciled = bool(england.get_column("reconciled").all()) if direct is not None else None
    logger = get_run_logger()
    logger.info("National summary written to %s", path)
    if reconciled is False:
        logger.warning(
            "England's totals differ from the direct computation: see the England sheet of %s", path
        )
    failed = [o.hub_slug for o in outcomes if o.status == "failed"]
    if failed:
        logger.error("%d hub(s) failed: %s", len(failed), ", ".join(failed))
    return NationalSummary(
        academic_year=period.year.label,
        summary_path=str(path),
        hubs=outcomes,
        england=england.to_dicts(),
        reconciled=reconciled,
    )
