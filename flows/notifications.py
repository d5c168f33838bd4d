"""Tell a person when a run fails or crashes: which hub and period, why in plain words, and a link to the run.

A flow state hook (`on_failure`, `on_crashed`), so it works in every mode: with a Prefect server or without,
and, for a run the worker sees crash (its process killed), from the worker itself. Where the message goes is
configuration, read from the environment of the process that runs the flow (the worker passes its own on):

- `HUBRETURNS_NOTIFY_URL`: a webhook that takes a JSON POST with a `text` field (Slack, Mattermost, Teams
  workflow, or any small receiver); the other fields (hub, period, reason, url...) are there for machines.
- `HUBRETURNS_NOTIFY_BLOCK`: a Prefect notification block, as `<block-type-slug>/<name>` (for example
  `slack-webhook/hub-team` or `custom-webhook/helpdesk`), created once in the UI (Blocks) or in code.

A run that failed only because a subflow failed (and that subflow already told someone) sends nothing more,
so one broken hub gives one message.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from prefect.logging.loggers import flow_run_logger

NOTIFY_URL_VARIABLE = "HUBRETURNS_NOTIFY_URL"
NOTIFY_BLOCK_VARIABLE = "HUBRETURNS_NOTIFY_BLOCK"
TIMEOUT_SECONDS = 10
# Flow runs this process has already notified about (a parent run looks here before sending its own).
_notified: set[UUID] = set()


def _hub_from_config(config_path: str) -> str:
    """The hub's slug from its configuration file, or the file's name if it cannot be read."""
    try:
        return str(tomllib.loads(Path(config_path).read_text(encoding="utf-8"))["hub"]["slug"])
    except (OSError, KeyError, TypeError, ValueError):
        return Path(config_path).stem


def hub_and_period(parameters: dict[str, Any]) -> tuple[str, str]:
    """Which hub(s) and which period a run was for, in words, from its parameters."""
    if parameters.get("hub"):
        hub = str(parameters["hub"])
    elif parameters.get("config_path"):
        hub = _hub_from_config(str(parameters["config_path"]))
    elif "config_paths" in parameters:
        hub = "every configured hub"
    else:
        hub = "unknown hub"
    as_of = parameters.get("as_of")
    if parameters.get("academic_year"):
        period = f"academic year {parameters['academic_year']}" + (f", as of {as_of}" if as_of else "")
    else:
        period = f"the academic year containing {as_of}" if as_of else "the current academic year"
    return hub, period


def run_url(flow_run_id: UUID) -> str | None:
    """The run's page in the Prefect UI, when the UI's address is known (PREFECT_UI_URL, or from the API URL)."""
    from prefect.settings import get_current_settings

    ui_url = get_current_settings().ui_url
    return f"{ui_url.rstrip('/')}/runs/flow-run/{flow_run_id}" if ui_url else None


def failure_message(flow_name: str, flow_run: Any, state: Any) -> dict[str, Any]:
    """The notification: a plain text for people and the same facts as fields for machines."""
    hub, period = hub_and_period(dict(flow_run.parameters or {}))
    reason = state.message or f"the run ended in state {state.name}"
    if state.is_crashed():
        reason = (
            "the run stopped before it finished (it crashed: the machine, the worker or the process went away). "
            f"Nothing new was published; run it again. Details: {reason}"
        )
    url = run_url(flow_run.id)
    text = (
        f"Hub returns: {flow_name} {state.name.lower()} for {hub}, {period}.\n"
        f"Why: {reason}\n"
        f"Run: {flow_run.name}" + (f" {url}" if url else "")
    )
    return {
        "text": text,
        "hub": hub,
        "period": period,
        "flow": flow_name,
        "flow_run": flow_run.name,
        "flow_run_id": str(flow_run.id),
        "state": state.name,
        "reason": reason,
        "url": url,
    }


def _a_subflow_was_notified(flow_run_id: UUID) -> bool:
    """True when a subflow of this run failed and this process already sent a message about it."""
    if not _notified:
        return False
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run_id]))
        )
    return any(child.id in _notified for child in children)


# httpx logs every request's full address at INFO, and a webhook's address is its password.
logging.getLogger("httpx").setLevel(logging.WARNING)


def send(notification: dict[str, Any]) -> list[str]:
    """Send the notification to every configured destination; returns where it went."""
    sent = []
    url = os.environ.get(NOTIFY_URL_VARIABLE)
    if url:
        httpx.post(url, json=notification, timeout=TIMEOUT_SECONDS).raise_for_status()
        # A webhook's address is its password (Slack, Teams): only its host is ever logged.
        sent.append(f"the webhook at {urlsplit(url).hostname}")
    block_name = os.environ.get(NOTIFY_BLOCK_VARIABLE)
    if block_name:
        from prefect.blocks.core import Block

        block = Block.load(block_name)
        block.notify(notification["text"], subject=notification["text"].splitlines()[0])  # type: ignore[attr-defined]
        sent.append(block_name)
    return sent


def _without_address(exc: Exception) -> str:
    """What went wrong in sending, without the webhook's address (httpx quotes it, token and all)."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"the webhook answered {exc.response.status_code} {exc.response.reason_phrase}"
    if isinstance(exc, httpx.HTTPError):
        return f"the webhook could not be reached ({type(exc).__name__})"
    return str(exc)


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Flow hook: tell a person that this run failed or crashed (a failing notification never hides the run's)."""
    logger = flow_run_logger(flow_run, flow)
    try:
        if state.is_failed() and _a_subflow_was_notified(flow_run.id):
            logger.info("A subflow's failure has already been notified; no second message.")
            return
        sent = send(failure_message(flow.name, flow_run, state))
    except Exception as exc:  # noqa: BLE001 - the run's own failure matters more than the message's
        logger.error("Could not send the failure notification: %s", _without_address(exc))
        return
    if sent:
        _notified.add(flow_run.id)
        logger.info("Failure notified to %s", ", ".join(sent))
    else:
        logger.warning(
            "Nobody was told of this failure: set %s or %s where the worker runs.",
            NOTIFY_URL_VARIABLE,
            NOTIFY_BLOCK_VARIABLE,
        )
