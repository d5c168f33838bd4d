"""A failed run tells a person: the hook posts to a real HTTP receiver standing in for the team's chat webhook."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect import flow

from flows.notifications import NOTIFY_BLOCK_VARIABLE, NOTIFY_URL_VARIABLE, hub_and_period, notify_failure

pytestmark = pytest.mark.flow
UI = "http://prefect.hub.example:4200"


@pytest.fixture
def ui_url():
    from prefect import settings

    with settings.temporary_settings(updates={settings.PREFECT_UI_URL: UI}):
        yield UI


def test_hub_and_period_in_words() -> None:
    assert hub_and_period({"hub": "trentvale", "academic_year": "2025/26", "as_of": None}) == (
        "trentvale",
        "academic year 2025/26",
    )
    assert hub_and_period({"config_paths": ["config/hubs/*.toml"], "as_of": "2026-11-23"}) == (
        "every configured hub",
        "the academic year containing 2026-11-23",
    )
    assert hub_and_period({"config_path": "/nowhere/derby.toml"}) == ("derby", "the current academic year")


def test_a_failed_rerun_posts_the_plain_reason_hub_period_and_link(
    prefect_server, hubs: Path, receiver, ui_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.rerun import rerun

    monkeypatch.setenv(NOTIFY_URL_VARIABLE, receiver.url)
    wcet = hubs / "exports" / "wcet.csv"
    wcet.write_text(wcet.read_text().replace("Autumn,10,15", "Autumn,ten,15"))
    state = rerun(
        hub="small-test",
        academic_year="2025/26",
        as_of="2026-11-23",
        hubs_folder=str(hubs),
        return_state=True,
    )
    assert state.is_failed()
    # One message, whichever of the rerun and its annual-return subflow carries the hook.
    (message,) = receiver.wait_for(1, timeout=10)
    assert message["hub"] == "small-test" and message["period"] == "academic year 2025/26, as of 2026-11-23"
    assert "wcet.csv row 4, column 'weeks': must be a whole number (found 'ten')" in message["reason"]
    assert message["state"] == "Failed"
    lines = message["text"].splitlines()
    assert lines[0].startswith("Hub returns: hub-") and lines[0].endswith(
        "failed for small-test, academic year 2025/26, as of 2026-11-23."
    )
    assert lines[1].startswith("Why: 1 problem(s) in the input files, so nothing new was published.")
    assert lines[-1] == f"Run: {message['flow_run']} {UI}/runs/flow-run/{message['flow_run_id']}"


def test_an_unknown_hub_is_notified_by_the_rerun_itself(
    prefect_server, hubs: Path, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.rerun import rerun

    monkeypatch.setenv(NOTIFY_URL_VARIABLE, receiver.url)
    state = rerun(hub="trentvale", academic_year="2025/26", hubs_folder=str(hubs), return_state=True)
    (message,) = receiver.wait_for(1, timeout=10)
    assert message["flow"] == "hub-rerun" and message["flow_run"] == "rerun-trentvale-2025-26"
    assert message["flow_run_id"] == str(state.state_details.flow_run_id)
    assert message["reason"] == state.message
    assert "There is no hub called 'trentvale'" in message["text"] and "small-test" in message["text"]


def test_a_parent_failing_because_its_subflow_failed_sends_no_second_message(
    prefect_server, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NOTIFY_URL_VARIABLE, receiver.url)

    @flow(name="child", on_failure=[notify_failure])
    def child(hub: str) -> None:
        raise ValueError(f"{hub} is broken")

    @flow(name="parent", on_failure=[notify_failure])
    def parent(config_paths: list[str]) -> None:
        child("derby", return_state=True)
        raise RuntimeError("the nightly run failed for 1 hub(s): derby.toml")

    @flow(name="lonely", on_failure=[notify_failure])
    def lonely(hub: str) -> None:
        raise ValueError("no such hub")

    assert parent(["x"], return_state=True).is_failed()
    assert lonely("york", return_state=True).is_failed()
    messages = receiver.wait_for(2, timeout=10)
    assert [(m["flow"], m["hub"]) for m in messages] == [("child", "derby"), ("lonely", "york")]
    assert "ValueError: derby is broken" in messages[0]["reason"]


def test_a_notification_block_named_in_the_environment_is_used(
    prefect_server, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    CustomWebhookNotificationBlock(
        name="helpdesk", url=receiver.url, json_data={"text": "{{subject}}", "body": "{{body}}"}
    ).save("helpdesk", overwrite=True)
    monkeypatch.setenv(NOTIFY_BLOCK_VARIABLE, "custom-webhook/helpdesk")
    monkeypatch.delenv(NOTIFY_URL_VARIABLE, raising=False)

    @flow(name="blocked", on_failure=[notify_failure])
    def blocked(hub: str, academic_year: str) -> None:
        raise ValueError("the census file is missing")

    assert blocked("leeds", "2024/25", return_state=True).is_failed()
    (message,) = receiver.wait_for(1, timeout=10)
    assert message["text"] == "Hub returns: blocked failed for leeds, academic year 2024/25."
    assert "Why: Flow run encountered an exception: ValueError: the census file is missing" in message["body"]


def test_the_main_and_nightly_flows_notify_once_when_a_hub_fails(
    prefect_server, hubs: Path, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.annual_return import annual_return
    from flows.nightly import nightly

    monkeypatch.setenv(NOTIFY_URL_VARIABLE, receiver.url)
    wcet = hubs / "exports" / "wcet.csv"
    wcet.write_text(wcet.read_text().replace("Autumn,10,15", "Autumn,ten,15"))
    state = annual_return(
        config_path=str(hubs / "small-test.toml"),
        academic_year="2025/26",
        as_of="2026-11-23",
        return_state=True,
    )
    assert state.is_failed()
    (direct,) = receiver.wait_for(1, timeout=10)
    assert direct["flow"] == "hub-annual-return" and direct["hub"] == "small-test"
    assert "must be a whole number (found 'ten')" in direct["reason"]

    night = nightly(config_paths=[str(hubs / "*.toml")], as_of="2026-11-23", return_state=True)
    assert night.is_failed()
    messages = receiver.wait_for(3, timeout=5)  # waits the full 5 s: a third message must not come
    assert len(messages) == 2
    assert messages[1]["flow"] == "hub-annual-return" and messages[1]["hub"] == "small-test"


TOKEN = "T0AAA/B0BBB/XyZsecretWebhookToken"


@flow(name="always-fails", on_failure=[notify_failure])
def _always_fails() -> None:
    raise ValueError("the run broke")


@pytest.mark.parametrize("reachable", [True, False])
def test_the_webhook_address_never_reaches_the_log(
    prefect_server,
    receiver,
    reachable: bool,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A chat webhook's address carries its secret token: the log names the host only, sent or not.
    address = (
        f"{receiver.url.rstrip('/')}/services/{TOKEN}"
        if reachable
        else f"http://127.0.0.1:1/services/{TOKEN}"
    )
    monkeypatch.setenv(NOTIFY_URL_VARIABLE, address)
    caplog.set_level("INFO")
    assert _always_fails(return_state=True).is_failed()
    log = "\n".join(record.getMessage() for record in caplog.records)
    if reachable:
        assert len(receiver.wait_for(1, timeout=10)) == 1
        assert "Failure notified to the webhook at 127.0.0.1" in log
    else:
        assert (
            "Could not send the failure notification: the webhook could not be reached (ConnectError)" in log
        )
    assert "secretWebhookToken" not in log and "/services/" not in log
