"""The deployments as they run in production: a real Prefect server, `prefect deploy` from prefect.yaml, a process
worker, and the `rerun` deployment triggered from the command line the way the README tells a data officer.

Everything started here is stopped here, the worker first (SIGINT), then the server, even when a test fails.
"""

from __future__ import annotations

import contextlib
import json
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
import psutil
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
    worker: subprocess.Popen
    area: Path  # the generated real-size hub's folder (configured in `hubs` as trentvale.toml)


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
    # The hubs folder as a hub's IT sets it up: the tiny fixture hub, and a generated hub of 551 schools (the
    # demo area) linked in as config/hubs/trentvale.toml is, with every default setting (school reports in their
    # process pool). The form's hub choices are fixed from this folder when `prefect deploy` imports the flows.
    hubs = make_hubs_folder(tmp / "hubs")
    area = tmp / "trentvale-area"
    generated = subprocess.run(
        [sys.executable, "-m", "hubreturns.cli", "generate", "--out", str(area), "--year", "2025/26"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stderr
    (hubs / "trentvale.toml").symlink_to(area / "hub.toml")
    client_env["HUBRETURNS_HUBS_FOLDER"] = str(hubs)
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
        nightly = _retrying_when_busy(
            "GET", f"{api_url}/deployments/name/hub-returns-nightly/nightly", None
        ).json()
        _retrying_when_busy("PATCH", f"{api_url}/deployments/{nightly['id']}", {"paused": True})
        yield Stack(api_url, client_env, hubs, receiver, logs, worker, area)
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


def _trigger_refused(stack: Stack, *params: str) -> str:
    """`prefect deployment run` that the server refuses; returns what the officer reads."""
    result = subprocess.run(
        [*PREFECT, "deployment", "run", "hub-rerun/rerun", *params],
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0, result.stdout
    return result.stdout + result.stderr


def _trigger(stack: Stack, *params: str, deployment: str = "hub-rerun/rerun") -> str:
    """`prefect deployment run` as the README shows it; returns the flow run's id."""
    result = subprocess.run(
        [*PREFECT, "deployment", "run", deployment, *params],
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
    assert nightly["parameters"] == {"config_paths": ["config/hubs/*.toml"], "published": False}

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
    # A hub that was not configured when the deployment was made is refused before any run is created.
    refused = _trigger_refused(stack, "--params", f'{{"hub": "nowhere", "hubs_folder": "{hubs}"}}')
    assert "'nowhere' is not one of ['small-test', 'trentvale']" in refused
    # A configured hub whose file is not in the folder given fails plainly, and somebody is told.
    elsewhere = hubs.parent / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    bad = _trigger(stack, "--params", f'{{"hub": "small-test", "hubs_folder": "{elsewhere}"}}')

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
    assert failed["state"]["message"].startswith(f"There is no hub called 'small-test' in {elsewhere}")
    (message,) = stack.receiver.wait_for(1, timeout=10)
    assert message["flow_run_id"] == bad and message["hub"] == "small-test"
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


# --- the main job at real size: a generated hub of 551 schools, every default setting ----------------------


def _store_runs(area: Path) -> dict[str, tuple[str, str]]:
    """flow run id of each run's annual-return subflow -> (run id, status), from the hub's own store."""
    with sa.create_engine(f"sqlite:///{area / 'hubreturns.db'}").connect() as connection:
        rows = connection.execute(sa.text("select flow_run_id, run_id, status from runs")).all()
    return {flow_run_id: (run_id, status) for flow_run_id, run_id, status in rows}


def _subflows(stack: Stack, flow_run_id: str) -> list[dict]:
    return _retrying_when_busy(
        "POST",
        f"{stack.api_url}/flow_runs/filter",
        {"flow_runs": {"parent_flow_run_id": {"any_": [flow_run_id]}}},
    ).json()


def _run_ids_named(workbook: Path) -> set[str]:
    """The run ids a workbook's cover names (its shared strings hold every text cell)."""
    import zipfile

    with zipfile.ZipFile(workbook) as archive:
        text = archive.read("xl/sharedStrings.xml").decode()
    return set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text))


def _published_set(area: Path) -> list[Path]:
    year = area / "out" / "trentvale" / "2025-26"
    return sorted(year.glob("*.xlsx")) + sorted((year / "schools").glob("*.xlsx"))


def _assert_one_whole_set_from(area: Path, run_id: str) -> None:
    """The published folder holds the return, tracker, validation report and every school's report, each
    naming this run on its cover."""
    published = _published_set(area)
    names = {p.name for p in published}
    assert {
        "trentvale-2025-26-annual-return.xlsx",
        "trentvale-2025-26-school-engagement.xlsx",
        "trentvale-2025-26-validation.xlsx",
    } <= names
    reports = [p for p in published if p.parent.name == "schools"]
    assert len(reports) == 551
    named = {p.name: _run_ids_named(p) for p in published}
    assert {p for p, ids in named.items() if run_id not in ids} == set()
    # Only this run (a workbook may also name the run it compares with, never a different run's figures).
    with sa.create_engine(f"sqlite:///{area / 'hubreturns.db'}").connect() as connection:
        stored = {r for (r,) in connection.execute(sa.text("select run_id from runs")).all()}
    assert run_id in stored


def _run_of(stack: Stack, flow_run_id: str) -> tuple[str, str]:
    (subflow,) = _subflows(stack, flow_run_id)
    assert subflow["state_type"] == "COMPLETED", subflow["state"]
    return _store_runs(stack.area)[subflow["id"]]


def test_nightly_and_rerun_through_the_worker_on_a_hub_of_551_schools(stack: Stack) -> None:
    nightly = _trigger(
        stack,
        "--params",
        json.dumps(
            {
                "config_paths": [str(stack.hubs / "trentvale.toml")],
                "as_of": "2026-08-31",
                "skip_unchanged": False,
            }
        ),
        deployment="hub-returns-nightly/nightly",
    )
    run = _wait_final(stack, nightly, timeout=600)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_tail(stack.logs / 'worker.log', 80)}"
    run_id, status = _run_of(stack, nightly)
    assert status == "published"
    _assert_one_whole_set_from(stack.area, run_id)

    started = time.monotonic()
    rerun = _trigger(
        stack,
        "--param",
        "hub=trentvale",
        "--param",
        'academic_year="2025/26"',
        "--param",
        'as_of="2026-11-23"',
        "--param",
        f'hubs_folder="{stack.hubs}"',
    )
    run = _wait_final(stack, rerun, timeout=600)
    print(f"rerun of the 551-school hub through the worker: {time.monotonic() - started:.1f} s")
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_tail(stack.logs / 'worker.log', 80)}"
    run_id, status = _run_of(stack, rerun)
    assert status == "published"
    _assert_one_whole_set_from(stack.area, run_id)
    # The summary is on the run the officer started, not only on its subflow.
    artifacts = _retrying_when_busy(
        "POST", f"{stack.api_url}/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [rerun]}}}
    ).json()
    (summary,) = [a for a in artifacts if a["type"] == "markdown"]
    assert "KPI 1" in summary["data"] and "trentvale-2025-26-annual-return.xlsx" in summary["data"]
    assert "Validation: " in summary["data"]


def _flow_run_process(stack: Stack, flow_run_id: str, timeout: float = 120) -> psutil.Process:
    """The process the worker started for a flow run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(stack.worker.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if child.environ().get("PREFECT__FLOW_RUN_ID") == flow_run_id:
                    return child
        time.sleep(0.2)
    pytest.fail(f"no process for flow run {flow_run_id}:\n{_tail(stack.logs / 'worker.log')}")


def test_a_rerun_killed_while_school_reports_are_written_leaves_one_whole_set(stack: Stack) -> None:
    before = _store_runs(stack.area)
    published_before = {p: p.read_bytes() for p in _published_set(stack.area)}
    assert len(published_before) > 551, "run after the real-size test: the set to keep must exist"
    killed = _trigger(
        stack,
        "--param",
        "hub=trentvale",
        "--param",
        'as_of="2026-07-31"',
        "--param",
        f'hubs_folder="{stack.hubs}"',
    )
    process = _flow_run_process(stack, killed)
    staging = stack.area / "out" / "trentvale" / ".staging"
    deadline = time.monotonic() + 300
    while len(list(staging.glob("*/trentvale/2025-26/schools/*.xlsx"))) < 100 and time.monotonic() < deadline:
        time.sleep(0.1)
    descendants = process.children(recursive=True)
    assert descendants, "the school reports were being written in their process pool"
    process.kill()

    run = _wait_final(stack, killed, timeout=120)
    assert run["state_type"] == "CRASHED", run["state"]
    # Nothing of the killed run lives on: no report-writing process, no subflow left "Running".
    _gone, alive = psutil.wait_procs(descendants, timeout=10)
    assert alive == [], [p.pid for p in alive]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(s["state_type"] == "RUNNING" for s in _subflows(stack, killed)):
        time.sleep(0.5)
    assert [s["state_type"] for s in _subflows(stack, killed)] == ["CRASHED"]
    # The published set is the previous run's, byte for byte; the store has that run and no trace of this one.
    assert {p: p.read_bytes() for p in _published_set(stack.area)} == published_before
    assert _store_runs(stack.area) == before

    again = _trigger(
        stack,
        "--param",
        "hub=trentvale",
        "--param",
        'as_of="2026-07-31"',
        "--param",
        f'hubs_folder="{stack.hubs}"',
    )
    run = _wait_final(stack, again, timeout=600)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_tail(stack.logs / 'worker.log', 80)}"
    run_id, _ = _run_of(stack, again)
    _assert_one_whole_set_from(stack.area, run_id)
    assert not any(staging.iterdir())


def test_the_rerun_form_is_one_a_data_officer_can_fill(stack: Stack) -> None:
    deployment = httpx.get(f"{stack.api_url}/deployments/name/hub-rerun/rerun", timeout=5).json()
    schema = deployment["parameter_openapi_schema"]
    properties = schema["properties"]
    # Every parameter says what it is for, in one line or two of plain words.
    assert all(p.get("description") for p in properties.values()), properties
    # The hub is chosen from the hubs configured when the deployment was made.
    hub = properties["hub"]
    assert schema["definitions"][hub["$ref"].split("/")[-1]]["enum"] == ["small-test", "trentvale"]
    # The as-of date is a date (the UI's date picker), the year says its format and is checked against it,
    # the sections are choices; none of them is a "str | None" toggle.
    assert (properties["as_of"]["type"], properties["as_of"]["format"]) == ("string", "date")
    assert properties["academic_year"]["pattern"] == r"^[0-9]{4}/[0-9]{2}$"
    assert "2025/26" in properties["academic_year"]["description"]
    assert properties["sections"]["items"]["enum"] == ["annual_return", "school_engagement", "school_reports"]
    assert not any("anyOf" in p for p in properties.values())
    assert "'2025-26' does not match" in _trigger_refused(
        stack, "--param", "hub=small-test", "--param", 'academic_year="2025-26"'
    )
