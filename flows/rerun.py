"""Rerun one hub and period after a correction: the flow behind the `rerun` deployment (prefect.yaml).

A data officer picks the hub by its slug (the name of its file in `config/hubs/`), the academic year and the
as-of date in the Prefect UI's form or on the command line; the run is the hub's annual return as a subflow.
"""

from __future__ import annotations

import re
from pathlib import Path

from prefect import flow
from prefect.states import Failed, State

from flows.annual_return import RunSummary, Section, annual_return
from flows.notifications import notify_failure
from flows.plain import fail_plainly
from hubreturns.errors import ConfigError

HUB_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _run_name() -> str:
    """`rerun-<hub>-<year>` (or `-as-of-<date>`), so the run list says which hub and period each run was."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    period = parameters.get("academic_year") or (
        f"as-of-{parameters['as_of']}" if parameters.get("as_of") else "now"
    )
    return f"rerun-{parameters.get('hub')}-{str(period).replace('/', '-')}"


def hub_configuration(hub: str, hubs_folder: Path) -> Path:
    """The configuration file of the hub with this slug: `<hubs_folder>/<slug>.toml`."""
    configured = sorted(path.stem for path in hubs_folder.glob("*.toml"))
    path = hubs_folder / f"{hub}.toml"
    if HUB_SLUG.match(hub) and path.is_file():
        return path
    choices = ", ".join(configured) if configured else f"none: put one `<slug>.toml` per hub in {hubs_folder}"
    raise ConfigError(f"There is no hub called '{hub}' in {hubs_folder}. The configured hubs are: {choices}.")


@flow(
    name="hub-rerun",
    flow_run_name=_run_name,
    on_failure=[notify_failure],
    on_crashed=[notify_failure],
)
@fail_plainly
def rerun(
    hub: str,
    academic_year: str | None = None,
    as_of: str | None = None,
    strict: bool = True,
    published: bool = False,
    sections: list[Section] | None = None,
    hubs_folder: str = "config/hubs",
) -> RunSummary | State:
    """Run one hub's annual return again (academic year like 2025/26, as-of date YYYY-MM-DD; default today)."""
    config_path = hub_configuration(hub, Path(hubs_folder).resolve())
    state = annual_return(
        config_path=str(config_path),
        academic_year=academic_year,
        as_of=as_of,
        strict=strict,
        published=published,
        sections=sections,
        return_state=True,
    )
    if not state.is_completed():
        # The subflow has logged (and notified) its plain message: the rerun fails with the same words.
        return Failed(message=state.message)
    return state.result()
