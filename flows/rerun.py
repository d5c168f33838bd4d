"""Rerun one hub and period after a correction: the flow behind the `rerun` deployment (prefect.yaml).

A data officer picks the hub by its slug (the name of its file in `config/hubs/`), the academic year and the
as-of date in the Prefect UI's form or on the command line; the run is the hub's annual return as a subflow.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.states import Failed, State

from flows.annual_return import RunSummary, annual_return, run_artifact
from flows.form import (
    DEFAULT_HUBS_FOLDER,
    HUB_SLUG,
    AcademicYearLabel,
    AsOfDate,
    HubChoice,
    SectionChoices,
    as_text,
    configured_hubs,
)
from flows.notifications import notify_failure
from flows.plain import fail_plainly
from flows.subflows import crash_subflows
from foundation.errors import ConfigError


def _run_name() -> str:
    """`rerun-<hub>-<year>` (or `-as-of-<date>`), so the run list says which hub and period each run was."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    period = parameters.get("academic_year") or (
        f"as-of-{parameters['as_of']}" if parameters.get("as_of") else "now"
    )
    return f"rerun-{as_text(parameters.get('hub'))}-{str(as_text(period)).replace('/', '-')}"


def hub_configuration(hub: str, hubs_folder: Path) -> Path:
    """The configuration file of the hub with this slug: `<hubs_folder>/<slug>.toml`."""
    configured = configured_hubs(hubs_folder)
    path = hubs_folder / f"{hub}.toml"
    if HUB_SLUG.match(hub) and path.is_file():
        return path
    choices = ", ".join(configured) if configured else f"none: put one `<slug>.toml` per hub in {hubs_folder}"
    raise ConfigError(f"There is no hub called '{hub}' in {hubs_folder}. The configured hubs are: {choices}.")


@flow(
    name="hub-rerun",
    flow_run_name=_run_name,
    on_failure=[notify_failure],
    on_crashed=[notify_failure, crash_subflows],
    on_cancellation=[crash_subflows],
)
@fail_plainly
def rerun(
    hub: HubChoice,  # type: ignore[valid-type]  # the configured hubs, fixed when the flow is imported
    academic_year: AcademicYearLabel = None,
    as_of: AsOfDate = None,
    strict: bool = True,
    published: bool = False,
    sections: SectionChoices = None,
    hubs_folder: str = DEFAULT_HUBS_FOLDER,
) -> RunSummary | State:
    """Run one hub's annual return again after a correction.

    Args:
        hub: The hub to run. The list holds the hubs configured when the deployment was made: after adding a
            hub's file to config/hubs, run `prefect deploy --all` again.
        academic_year: The academic year to report, written like 2025/26. Leave empty for the year containing
            the as-of date.
        as_of: Count activity recorded up to this date. Leave empty for today.
        strict: On: if any row of the input files breaks a rule, nothing is published. Off: publish anyway,
            leaving those rows out and counting them.
        published: Also write the published variant of the return (small numbers suppressed), the one to send.
        sections: Which outputs to write again. Leave empty for all (annual return, school engagement tracker
            and every school's report).
        hubs_folder: The folder holding the hubs' configuration files (leave as it is unless told otherwise).
    """
    config_path = hub_configuration(str(as_text(hub)), Path(hubs_folder).resolve())
    state = annual_return(
        config_path=str(config_path),
        academic_year=academic_year,
        as_of=as_text(as_of),
        strict=strict,
        published=published,
        sections=sections,
        return_state=True,
    )
    if not state.is_completed():
        # The subflow has logged (and notified) its plain message: the rerun fails with the same words.
        return Failed(message=state.message)
    summary: RunSummary = state.result()
    # The officer looks at the run they started: the summary is on it, not only on its subflow.
    create_markdown_artifact(key=f"rerun-{summary.hub}", markdown=run_artifact(summary))
    return summary
