"""The annual return for one hub and academic year, as a Prefect flow: the core's run, its steps as tasks.

The run itself (read, validate, compute, write, record, publish) is core/hub_run.py; this flow gives it a
Prefect runner, so each step is a task seen in the UI, and leaves the run's summary as an artifact.
Runs nightly (prefect.yaml, deployment `nightly`), on demand (deployment `rerun`) and inside the national run.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from core.hub_run import (
    RunSummary,
    Section,
    ValidationSummary,
    resolve_period,
    run_hub,
    run_request,
    validate_hub,
)
from flows.notifications import notify_failure
from flows.plain import fail_plainly
from flows.steps import PrefectRunner
from foundation.hub_config import load_config


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
    checked_inputs: str | None = None,
) -> RunSummary:
    """Build one hub's annual return, school engagement tracker and school reports for an academic year
    (default: the year containing the as-of date); ``sections`` writes only some of them. With
    ``skip_unchanged`` (the nightly run) nothing is done when no input, setting or code has changed since the
    last published run for the period. ``checked_inputs`` is the national run's folder for the inputs the
    run validates (its check of England's totals reads them).
    """
    # The store's URL (it may hold a password) is never a parameter, which Prefect would record and show: it
    # comes from the configuration or HUBRETURNS_DATABASE_URL.
    config = load_config(Path(config_path))
    request = run_request(
        academic_year,
        as_of,
        strict=strict,
        published=published,
        sections=list(sections) if sections else None,
        skip_unchanged=skip_unchanged,
    )
    if checked_inputs:
        request = replace(request, checked_inputs=Path(checked_inputs))
    summary = run_hub(config, request, PrefectRunner())
    create_markdown_artifact(key=f"{config.hub.slug}-annual-return", markdown=run_artifact(summary))
    return summary


@flow(name="hub-validate-inputs")
@fail_plainly
def validate_inputs(
    config_path: str, academic_year: str | None = None, as_of: str | None = None
) -> ValidationSummary:
    """Check a hub's input files and write the validation report only; nothing is published or recorded."""
    config = load_config(Path(config_path))
    period = resolve_period(academic_year, as_of, today=date.today())
    return validate_hub(config, period, PrefectRunner())


def run_artifact(summary: RunSummary) -> str:
    """The run's summary in markdown: its KPIs, validation counts and where its outputs are."""
    if summary.status == "unchanged":
        return f"# {summary.hub} {summary.academic_year}: nothing to do\n\n{summary.message}\n"
    rows = "\n".join(
        f"| {k.kpi_code} | {k.measure} | {k.count:,} | "
        + (f"{k.count_pct:.1%}" if k.count_pct is not None else "[x]")
        + " |"
        for k in summary.kpis
    )
    outputs = "\n".join(f"- {name}: `{path}`" for name, path in summary.outputs.items())
    return (
        f"# {summary.hub} {summary.academic_year}: {summary.status}\n\n"
        f"| KPI | Measure | Number | % |\n|---|---|---|---|\n{rows}\n\n"
        f"Validation: {summary.error_count} error(s), {summary.warning_count} warning(s); "
        f"rows quarantined: {summary.rows_quarantined}\n\n{outputs}\n"
    )
