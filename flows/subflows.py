"""A run that crashes or is cancelled takes its subflows with it, so none of them stays "Running" in the UI.

When a run's process is killed outright, nothing in it can say so: the worker marks the run itself Crashed and
runs its ``on_crashed`` hooks, but the hub's annual-return subflow, which ran in the same process, would keep
the state it had. This hook, attached to ``rerun``, ``nightly`` and ``national``, gives each unfinished subflow
the parent's final state.
"""

from __future__ import annotations

import logging
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
from prefect.client.schemas.objects import State, StateType
from prefect.states import Cancelled, Crashed

logger = logging.getLogger(__name__)


def crash_subflows(flow: Any, flow_run: Any, state: State) -> None:
    """Give every unfinished subflow of ``flow_run`` the parent's end: Cancelled when cancelled, else Crashed."""
    ended = Cancelled if state.type == StateType.CANCELLED else Crashed
    message = f"Its parent run {flow_run.name} ended as {state.name}: {state.message or 'no reason given'}"
    with get_client(sync_client=True) as client:
        pending = [flow_run.id]
        while pending:
            children = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=pending))
            )
            pending = [child.id for child in children]
            for child in children:
                if child.state is not None and not child.state.is_final():
                    client.set_flow_run_state(child.id, ended(message=message), force=True)
                    logger.info("Subflow %s marked %s with its parent", child.name, ended.__name__)
