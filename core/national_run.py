"""The national roll-up in plain Python: every hub's run, then the national summary checked against England.

Each hub's run saves the inputs it validated (Parquet, in a folder the national run removes when it ends), so
the direct check of England's totals reads them once more instead of reading and validating every file again.
A hub whose run did not get as far as validating (e.g. nothing changed since its last run) is read and checked
for the check as before. The command line runs the hubs in a process pool (``run_hubs_here``); the national
flow runs them as subflows (flows/national.py); both then call ``summarise``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from glob import glob
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import polars as pl

from core.hub_run import Period, RunRequest, data_of, run_hub
from core.runner import LOGGER_NAME, PlainRunner, Runner
from foundation.errors import ConfigError, HubReturnsError
from foundation.hub_config import HubConfig, load_config
from foundation.provenance import code_version
from ingest.pipeline import load_and_check
from outputs.annual_return import annual_return_path
from outputs.house_style import WorkbookMeta
from outputs.national_summary import national_summary_path, write_national_summary
from outputs.open_data import national_open_data, national_open_data_path, write_open_data
from outputs.worker_processes import exit_with_parent
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

CHECK_FOLDER = ".national-check"
FAILED = "failed"


@dataclass(frozen=True)
class HubOutcome:
    """What the national run did for one hub."""

    hub_slug: str
    hub_name: str
    status: str
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NationalSummary:
    """What the national run produced: per-hub outcomes, England's KPIs and where the summary is."""

    academic_year: str
    summary_path: str
    hubs: list[HubOutcome]
    england: pl.DataFrame
    reconciled: bool | None

    @property
    def failed(self) -> list[str]:
        """The hubs whose run failed."""
        return [hub.hub_slug for hub in self.hubs if hub.status == FAILED]


def hub_configurations(patterns: list[str]) -> list[Path]:
    """The hub configuration files matched by the given paths or glob patterns, in a stable order."""
    found = sorted({Path(p).resolve() for pattern in patterns for p in glob(pattern)})  # noqa: PTH207 - absolute patterns
    if not found:
        raise ConfigError(f"no hub configuration file matches {', '.join(patterns)}")
    return found


@contextmanager
def check_folder(output_folder: Path, check_totals: bool) -> Iterator[Path | None]:
    """A new folder for one national run's checked inputs under the national output folder, removed when the
    run ends however it ends; None when England's totals are not checked."""
    if not check_totals:
        yield None
        return
    folder = output_folder / CHECK_FOLDER / str(uuid.uuid4())
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def checked_inputs(folder: Path, config: HubConfig, period: Period, runner: Runner) -> HubData:
    """A hub's validated inputs as its run saved them; read and checked again when its run saved none."""
    saved = folder / config.hub.slug
    if saved.is_dir():
        return HubData.of_frames({p.stem: pl.read_parquet(p) for p in sorted(saved.glob("*.parquet"))})
    runner.logger.info("%s: its run checked no inputs, so they are read for the check", config.hub.name)
    key = runner.pupil_key(config)
    return data_of(load_and_check(config, key=key, year=period.year, as_of=period.as_of))


def outcome_of(config: HubConfig, request: RunRequest, runner: Runner) -> HubOutcome:
    """One hub's run as the national run reports it: a failure is the outcome, never raised."""
    try:
        summary = run_hub(config, request, runner)
    except HubReturnsError as exc:
        runner.logger.error("%s: %s", config.hub.name, exc)
        return HubOutcome(config.hub.slug, config.hub.name, FAILED, message=str(exc))
    return HubOutcome(config.hub.slug, config.hub.name, summary.status, summary.message, summary.outputs)


class HubLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The run's logger, each message headed by the hub's name (hubs run side by side)."""

    def __init__(self, hub_name: str) -> None:
        super().__init__(logging.getLogger(LOGGER_NAME), {"hub": hub_name})

    def process(self, msg: object, kwargs: Any) -> tuple[object, Any]:
        """The message with the hub's name in front."""
        return f"{self.extra['hub'] if self.extra else ''}: {msg}", kwargs


def _run_in_worker(config_path: str, request: RunRequest, key: Callable[[HubConfig], bytes]) -> HubOutcome:
    """One hub's run in a worker process of the command line's pool."""
    config = load_config(Path(config_path))
    return outcome_of(config, request, PlainRunner(key, logger=HubLogger(config.hub.name)))


def _worker_started(parent: int, level: int) -> None:
    """A hub worker's start: it stops with the command that started it, and logs as it does, one line each."""
    exit_with_parent(parent)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    logger.setLevel(level)


def run_hubs_here(
    configs: list[HubConfig],
    request: RunRequest,
    key: Callable[[HubConfig], bytes],
    *,
    processes: int,
    done: Callable[[HubOutcome], None] = lambda _outcome: None,
) -> list[HubOutcome]:
    """Every hub's run on this machine, ``processes`` at a time, without Prefect, in the hubs' order."""
    if processes < 1:
        raise ConfigError(f"max_parallel_hubs must be 1 or more, not {processes}")
    if processes == 1:
        outcomes = []
        for config in configs:
            outcomes.append(_run_in_worker(str(config.config_path), request, key))
            done(outcomes[-1])
        return outcomes
    by_path: dict[str, HubOutcome] = {}
    # "spawn": Polars' threads and a fork do not mix; each worker ends if this process is killed.
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=get_context("spawn"),
        initializer=_worker_started,
        initargs=(os.getpid(), logging.getLogger(LOGGER_NAME).getEffectiveLevel()),
    ) as pool:
        futures = {
            pool.submit(_run_in_worker, str(config.config_path), request, key): str(config.config_path)
            for config in configs
        }
        for future in as_completed(futures):
            by_path[futures[future]] = future.result()
            done(by_path[futures[future]])
    return [by_path[str(config.config_path)] for config in configs]


def hub_kpis(config: HubConfig, academic_year: str) -> tuple[str | None, pl.DataFrame]:
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


def direct_check(
    configs: list[HubConfig], folder: Path, period: Period, runner: Runner
) -> pl.LazyFrame | None:
    """England's KPIs computed at once over every hub's validated data, or None when a hub's cannot be read."""
    hubs: dict[str, HubData] = {}
    for config in configs:
        try:
            hubs[config.hub.slug] = checked_inputs(folder, config, period, runner)
        except HubReturnsError as exc:
            runner.logger.warning("%s could not be read for the direct check: %s", config.hub.name, exc)
            return None
    return direct_kpis(
        combined(hubs),
        la_codes=tuple(code for config in configs for code in config.hub.la_codes),
        year=period.year,
        as_of=period.as_of,
        engaged_duties=return_layout(period.year).kpi5.duties,
    )


def summarise(
    configs: list[HubConfig],
    outcomes: list[HubOutcome],
    folder: Path,
    period: Period,
    check: Path | None,
    runner: Runner,
) -> NationalSummary:
    """Gather each hub's published figures, add them up for England, check them and write the summary."""
    runs, kpis, hubs, sources = [], [], [], []
    by_slug = {outcome.hub_slug: outcome for outcome in outcomes}
    for config in configs:
        run_id, figures = hub_kpis(config, period.year.label)
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
    direct = direct_check(configs, check, period, runner) if check is not None else None
    england = reconcile(england_totals(all_kpis), direct).collect()
    side_by_side = hubs_side_by_side(
        pl.LazyFrame(hubs, schema={k: pl.String for k in hubs[0]}), all_kpis
    ).collect()
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
    write_open_data(
        national_open_data_path(folder, period.year.slug),
        national_open_data(england=england, hubs=side_by_side, year=period.year, threshold=threshold),
    )
    reconciled = bool(england.get_column("reconciled").all()) if direct is not None else None
    runner.logger.info("National summary written to %s", path)
    if reconciled is False:
        runner.logger.warning(
            "England's totals differ from the direct computation: see the England sheet of %s", path
        )
    failed = [o.hub_slug for o in outcomes if o.status == FAILED]
    if failed:
        runner.logger.error("%d hub(s) failed: %s", len(failed), ", ".join(failed))
    return NationalSummary(
        academic_year=period.year.label,
        summary_path=str(path),
        hubs=outcomes,
        england=england,
        reconciled=reconciled,
    )


def national_folder(configs: list[HubConfig], output_dir: str | None) -> Path:
    """Where the national summary goes: the folder given, else the first hub's output folder."""
    return Path(output_dir) if output_dir else configs[0].output_dir


def run_national_here(
    hubs_folder: Path,
    request: RunRequest,
    key: Callable[[HubConfig], bytes],
    *,
    check_totals: bool,
    output_dir: str | None,
    processes: int,
    runner: Runner,
    done: Callable[[HubOutcome], None] = lambda _outcome: None,
) -> NationalSummary:
    """The national run without Prefect: every hub here, ``processes`` at a time, then the summary."""
    configs = [load_config(path) for path in hub_configurations([str(hubs_folder / "*.toml")])]
    folder = national_folder(configs, output_dir)
    runner.logger.info(
        "National run for %s: %d hub(s) on this machine, %d at a time",
        request.period.year.label,
        len(configs),
        processes,
    )
    with check_folder(folder, check_totals) as check:
        outcomes = run_hubs_here(
            configs, replace(request, checked_inputs=check), key, processes=processes, done=done
        )
        return summarise(configs, outcomes, folder, request.period, check, runner)
