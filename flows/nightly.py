"""The nightly run: every configured hub's annual return for the current academic year, one subflow per hub.

Scheduled at 02:00 Europe/London by the `nightly` deployment in prefect.yaml. A hub whose run fails does not
stop the others; the nightly run fails at the end if any hub failed, so the failure is seen.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from core.national_run import hub_configurations
from flows.annual_return import RunSummary, annual_return, run_artifact
from flows.form import AsOfDate, as_text
from flows.notifications import notify_failure
from flows.subflows import crash_subflows


@flow(
    name="hub-returns-nightly",
    on_failure=[notify_failure],
    on_crashed=[notify_failure, crash_subflows],
    on_cancellation=[crash_subflows],
)
def nightly(
    config_paths: list[str],
    as_of: AsOfDate = None,
    skip_unchanged: bool = True,
    published: bool = False,
) -> list[RunSummary]:
    """Run the annual return of every configured hub for the academic year containing the as-of date.

    Args:
        config_paths: The hubs' configuration files, or patterns matching them (e.g. config/hubs/*.toml).
        as_of: Count activity recorded up to this date. Leave empty for today.
        skip_unchanged: Leave alone a hub none of whose input files, settings or code changed since its last
            published run for the year.
        published: Also write each hub's published variant of the return (small numbers suppressed). Off, a
            hub's new set of outputs has no published variant.
    """
    logger = get_run_logger()
    summaries, failed = [], []
    for path in hub_configurations(config_paths):
        state = annual_return(
            config_path=str(path),
            as_of=as_text(as_of),
            skip_unchanged=skip_unchanged,
            published=published,
            return_state=True,
        )
        if state.is_completed():
            summaries.append(state.result())
        else:
            failed.append(path.name)
            logger.error("%s failed: %s", path.name, state.message)
    # The run the schedule started carries every hub's summary, as each hub's own run does.
    create_markdown_artifact(
        key="nightly",
        markdown="\n".join(
            [*(run_artifact(s) for s in summaries), *(f"# {name}: failed\n" for name in failed)]
        ),
    )
    if failed:
        raise RuntimeError(f"the nightly run failed for {len(failed)} hub(s): {', '.join(failed)}")
    return summaries
