"""The national roll-up as a Prefect flow: every hub's annual return as a subflow, then the national summary.

Each hub's run is a subflow inside a task, so hubs run side by side: on one machine, ``max_parallel_hubs``
at once in Prefect's process pool (one at a time: Prefect's default runner), or on a Dask cluster through
prefect-dask when a scheduler address is given (``dask_address``, or the HUBRETURNS_DASK_ADDRESS environment
variable; the cluster's workers must see the national output folder). A hub that fails does not stop the
others. The summary (core/national_run.py) puts every hub's KPIs side by side, adds them up for England and
checks the totals against the same KPIs computed directly over the inputs the hubs' runs validated.
"""

from __future__ import annotations

import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from core.hub_run import RunSummary, Section, run_request
from core.national_run import (
    HubOutcome,
    NationalSummary,
    check_folder,
    hub_configurations,
    national_folder,
    summarise,
)
from flows.annual_return import annual_return as hub_annual_return
from flows.plain import fail_plainly
from flows.steps import PrefectRunner
from flows.subflows import crash_subflows
from foundation.errors import ConfigError
from foundation.hub_config import load_config

DASK_ADDRESS_VARIABLE = "HUBRETURNS_DASK_ADDRESS"


@task(cache_policy=NO_CACHE)
def run_hub(config_path: str, parameters: dict, checked_inputs: str | None) -> HubOutcome:
    """One hub's annual return as its own subflow run; a failure is reported in the outcome, not raised."""
    config = load_config(Path(config_path))
    state = hub_annual_return(
        config_path=config_path, **parameters, checked_inputs=checked_inputs, return_state=True
    )
    if not state.is_completed():
        return HubOutcome(
            config.hub.slug, config.hub.name, "failed", message=state.message or "the run failed"
        )
    summary: RunSummary = state.result()
    return HubOutcome(config.hub.slug, config.hub.name, summary.status, summary.message, summary.outputs)


@flow(name="hub-returns-national-hubs")
def run_hubs(config_paths: list[str], parameters: dict, checked_inputs: str | None) -> list[HubOutcome]:
    """Every hub's run, one task each, side by side on the flow's task runner."""
    runs = [run_hub.submit(path, parameters, checked_inputs) for path in config_paths]
    return [future.result() for future in runs]


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
    configs = [load_config(path) for path in hub_configurations([str(Path(hubs_folder) / "*.toml")])]
    request = run_request(academic_year, as_of, strict=strict, published=published, sections=sections)
    address = dask_address or os.environ.get(DASK_ADDRESS_VARIABLE) or None
    where = f"the Dask cluster at {address}" if address else f"this machine, {max_parallel_hubs} at a time"
    get_run_logger().info(
        "National run for %s: %d hub(s) on %s", request.period.year.label, len(configs), where
    )
    folder = national_folder(configs, output_dir)
    parameters = {
        "academic_year": request.period.year.label,
        "as_of": request.period.as_of.isoformat(),
        "strict": strict,
        "published": published,
        "sections": list(request.sections),
        "skip_unchanged": skip_unchanged,
    }
    with check_folder(folder, check_totals) as check:
        outcomes = run_hubs.with_options(task_runner=task_runner(max_parallel_hubs, address))(
            [str(config.config_path) for config in configs], parameters, str(check) if check else None
        )
        return summarise(configs, outcomes, folder, request.period, check, PrefectRunner())
