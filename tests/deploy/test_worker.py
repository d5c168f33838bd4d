"""The deployments as they run in production: a real Prefect server, `prefect deploy` from prefect.yaml, a process
worker, and the `rerun` deployment triggered from the command line the way the README tells a data officer.

Everything started here is stopped here, the worker first (SIGINT), then the server, even when a test fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest
import sqlalchemy as sa

from tests.deploy.conftest import Receiver, make_hubs_folder

ROOT = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
pytestmark = pytest.mark.flow


@dataclass
class Stack:
    api_url: str
    env: dict[str, str]
    hubs: Path
    receiver: Receiver
    logs: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen, sig: int, timeout: float) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)  # a worker asked twice stops (stack-notes §3.5)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Prefect server exited with {server.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the Prefect server did not answer within {timeout} s:\n{_tail(log)}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Server, work pool, `rerun` deployed from prefect.yaml, and a process worker; all on loopback, in tmp."""
    tmp = tmp_path_factory.mktemp("prefect-stack")
    logs = tmp / "logs"
    logs.mkdir()
    receiver = Receiver()
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_UI_URL")
    }
    base |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1"}
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    server_env = base | {"PREFECT_HOME": str(tmp / "server-home"), "PREFECT_UI_ENABLED": "false"}
    client_env = base | {
        "PREFECT_HOME": str(tmp / "client-home"),
        "PREFECT_API_URL": api_url,
        "HUBRETURNS_HOME": str(ROOT),
        "HUBRETURNS_NOTIFY_URL": receiver.url,
        "PREFECT_WORKER_QUERY_SECONDS": "1",  # default 10 s: pick runs up at once in a test
    }
    started: list[tuple[subprocess.Popen, int, float]] = []
    try:
        with (logs / "server.log").open("wb") as out:
            server = subprocess.Popen(
                [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env=server_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append((server, signal.SIGTERM, 15))
        _wait_healthy(api_url, server, logs / "server.log")

        pool = subprocess.run(
            [*PREFECT, "work-pool", "create", "hubreturns", "--type", "process"],
            env=client_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert pool.returncode == 0, pool.stdout + pool.stderr
        with (logs / "worker.log").open("wb") as out:
            worker = subprocess.Popen(
                [*PREFECT, "worker", "start", "--pool", "hubreturns", "--name", "test-worker"],
                env=client_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.insert(0, (worker, signal.SIGINT, 20))
        deploy = subprocess.run(
            [*PREFECT, "--no-prompt", "deploy", "--all"],
            cwd=ROOT,
            env=client_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert deploy.returncode == 0, deploy.stdout + deploy.stderr
        # The nightly schedule must not fire into this test should it run at 02:00 London time.
        nightly = _retrying_when_busy("GET", f"{api_url}/deployments/name/hub-returns-nightly/nightly", None).json()
        _retrying_when_busy("PATCH", f"{api_url}/deployments/{nightly['id']}", {"paused": True})
        yield Stack(api_url, client_env, make_hubs_folder(tmp / "hubs"), receiver, logs)
    finally:
        for process, sig, timeout in started:  # worker first, then the server
            _stop(process, sig, timeout)
        receiver.server.shutdown()
        receiver.server.server_close()


def _wait_final(stack: Stack, flow_run_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{stack.api_url}/flow_runs/{flow_run_id}", timeout=5).json()
        if run["state_type"] in FINAL:
            return run
        time.sleep(1)
    pytest.fail(f"flow run {flow_run_id} not finished after {timeout} s:\n{_tail(stack.logs / 'worker.log')}")


def _trigger(stack: Stack, *params: str) -> str:
    """`prefect deployment run` as the README shows it; returns the flow run's id."""
    result = subprocess.run(
        [*PREFECT, "deployment", "run", "hub-rerun/rerun", *params],
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return re.search(r"UUID:\s*([0-9a-f-]{36})", result.stdout).group(1)


def test_deployments_are_stored_as_prefect_yaml_says(stack: Stack) -> None:
    nightly = httpx.get(f"{stack.api_url}/deployments/name/hub-returns-nightly/nightly", timeout=5).json()
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in nightly["schedules"]] == [
        ("0 2 * * *", "Europe/London")
    ]
    assert nightly["global_concurrency_limit"]["limit"] == 1
    assert nightly["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
    assert nightly["parameters"] == {"config_paths": ["config/hubs/*.toml"], "as_of": None}

    deployment = httpx.get(f"{stack.api_url}/deployments/name/hub-rerun/rerun", timeout=5).json()
    assert deployment["work_pool_name"] == "hubreturns"
    assert deployment["entrypoint"] == "flows/rerun.py:rerun"
    assert deployment["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
    ]
    assert deployment["parameter_openapi_schema"]["required"] == ["hub"]
    assert deployment["enforce_parameter_schema"] is True
    assert deployment["schedules"] == [] and deployment["global_concurrency_limit"] is None


def test_worker_runs_a_rerun_triggered_from_the_command_line(stack: Stack) -> None:
    hubs = stack.hubs
    # Both at once: the worker runs them side by side.
    good = _trigger(
        stack,
        "--param",
        "hub=small-test",
        "--param",
        'academic_year="2025/26"',
        "--param",
        'as_of="2026-11-23"',
        "--param",
        'sections=["annual_return"]',
        "--param",
        f'hubs_folder="{hubs}"',
    )
    bad = _trigger(stack, "--params", f'{{"hub": "nowhere", "hubs_folder": "{hubs}"}}')

    run = _wait_final(stack, good)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_tail(stack.logs / 'worker.log')}"
    workbook = hubs / "out" / "small-test" / "2025-26" / "small-test-2025-26-annual-return.xlsx"
    kpis = {
        row[0]: row[1:] for row in openpyxl.load_workbook(workbook)["KPIs"].iter_rows(values_only=True) if row
    }
    assert list(kpis["KPI 1"][1:3]) == [17, 900]
    with sa.create_engine(f"sqlite:///{hubs / 'hubreturns.db'}").connect() as connection:
        stored = connection.execute(
            sa.text("select flow_run_id, hub_slug, academic_year, status from runs")
        ).all()
    ((subflow_run_id, *row),) = stored
    assert row == ["small-test", "2025/26", "published"]
    # The store names the annual-return subflow's run, whose parent is the triggered rerun.
    subflow = httpx.get(f"{stack.api_url}/flow_runs/{subflow_run_id}", timeout=5).json()
    parent_task = httpx.get(f"{stack.api_url}/task_runs/{subflow['parent_task_run_id']}", timeout=5).json()
    assert parent_task["flow_run_id"] == good

    failed = _wait_final(stack, bad)
    assert failed["state_type"] == "FAILED"
    assert failed["state"]["message"].startswith("There is no hub called 'nowhere'")
    (message,) = stack.receiver.wait_for(1, timeout=10)
    assert message["flow_run_id"] == bad and message["hub"] == "nowhere"
    assert message["reason"] == failed["state"]["message"]
    assert message["url"] == f"{stack.api_url.removesuffix('/api')}/runs/flow-run/{bad}"


def test_a_misspelt_parameter_is_refused_when_the_run_is_created(stack: Stack) -> None:
    result = subprocess.run(
        [
            *PREFECT,
            "deployment",
            "run",
            "hub-rerun/rerun",
            "--params",
            '{"hub": "small-test", "acadmic_year": "2025/26"}',
        ],
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "acadmic_year" in result.stdout + result.stderr


def _retrying_when_busy(method: str, url: str, body: dict | None) -> httpx.Response:
    """Send to the test server, retrying a 503: on two busy cores its SQLite database is sometimes locked."""
    for attempt in range(5):
        response = httpx.request(method, url, json=body, timeout=10)
        if response.status_code != 503:
            break
        time.sleep(1 + attempt)
    response.raise_for_status()
    return response


def _post_retrying_when_busy(url: str, body: dict) -> httpx.Response:
    """POST to the test server, retrying a 503."""
    return _retrying_when_busy("POST", url, body)


def test_nightly_runs_left_late_by_downtime_give_one_catch_up_run(stack: Stack, tmp_path: Path) -> None:
    hubs = make_hubs_folder(tmp_path / "hubs")
    nightly = httpx.get(f"{stack.api_url}/deployments/name/hub-returns-nightly/nightly", timeout=5).json()
    now = datetime.now(UTC)
    # Three nights the worker was away for: their runs are still waiting when it comes back.
    late = []
    for nights_ago in (3, 2, 1):
        created = _post_retrying_when_busy(
            f"{stack.api_url}/deployments/{nightly['id']}/create_flow_run",
            {
                "parameters": {"config_paths": [str(hubs / "*.toml")], "as_of": "2026-11-23"},
                "state": {
                    "type": "SCHEDULED",
                    "name": "Late",
                    "state_details": {"scheduled_time": (now - timedelta(days=nights_ago)).isoformat()},
                },
            },
        )
        late.append(created.json()["id"])
    finals = [_wait_final(stack, run_id) for run_id in late]
    assert sorted(run["state_type"] for run in finals) == ["CANCELLED", "CANCELLED", "COMPLETED"], [
        run["state"] for run in finals
    ]
    # The catch-up run is "as of" 2026-11-23: academic year 2026/27.
    assert [p.name for p in (hubs / "out").rglob("*-annual-return.xlsx")] == [
        "small-test-2026-27-annual-return.xlsx"
    ]
