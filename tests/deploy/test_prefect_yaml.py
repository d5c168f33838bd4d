"""prefect.yaml matches the flows it deploys: entry points import, parameters exist and have the right types."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import Flow
from prefect.utilities.callables import parameter_schema
from prefect.utilities.schema_tools.validation import validate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


def _deployment(project: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [d for d in project["deployments"] if d["name"] == name]
    return found


def load_entrypoint(entrypoint: str) -> Flow:
    """The flow an entry point `path/to/module.py:name` names, imported from the checkout."""
    path, name = entrypoint.split(":")
    assert (ROOT / path).is_file(), f"{path} does not exist"
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert isinstance(flow, Flow), f"{entrypoint} is not a Prefect flow"
    return flow


def parameter_problems(deployment: dict[str, Any]) -> list[str]:
    """What is wrong with a deployment's parameters: unknown names and values the flow's schema rejects."""
    flow = load_entrypoint(deployment["entrypoint"])
    schema = parameter_schema(flow.fn).model_dump_for_openapi()
    parameters = deployment.get("parameters") or {}
    problems = [
        f"{name}: no such parameter of {flow.name}" for name in parameters if name not in schema["properties"]
    ]
    # Required parameters may be given when a run is created (rerun's `hub`), as the server allows.
    errors = validate(parameters, schema, ignore_required=True)
    problems += [f"{'.'.join(map(str, e.path)) or '(all)'}: {e.message}" for e in errors]
    return problems


@pytest.mark.parametrize("name", ["nightly", "rerun", "national"])
def test_deployment_parameters_fit_the_flow(project: dict[str, Any], name: str) -> None:
    deployment = _deployment(project, name)
    assert parameter_problems(deployment) == []
    assert deployment["work_pool"]["name"] == "hubreturns"


def test_a_misspelt_or_wrongly_typed_parameter_is_caught(project: dict[str, Any]) -> None:
    rerun = _deployment(project, "rerun")
    misspelt = copy.deepcopy(rerun)
    misspelt["parameters"]["acadmic_year"] = "2025/26"
    assert parameter_problems(misspelt) == ["acadmic_year: no such parameter of hub-rerun"]

    wrong_type = copy.deepcopy(rerun)
    wrong_type["parameters"]["academic_year"] = 2025  # a bare number in YAML (or --param) is not a year label
    wrong_format = copy.deepcopy(rerun)
    wrong_format["parameters"]["academic_year"] = "2025-26"  # the form says 2025/26
    wrong_date = copy.deepcopy(rerun)
    wrong_date["parameters"]["as_of"] = 20261123
    wrong_section = copy.deepcopy(rerun)
    wrong_section["parameters"]["sections"] = ["annual-return"]
    nightly = copy.deepcopy(_deployment(project, "nightly"))
    nightly["parameters"]["config_paths"] = "config/hubs/*.toml"  # must be a list
    for deployment in (wrong_type, wrong_section, nightly, wrong_date):
        problems = parameter_problems(deployment)
        assert len(problems) == 1 and "is not" in problems[0], problems
    assert parameter_problems(wrong_format) == [
        "academic_year: '2025-26' does not match '^[0-9]{4}/[0-9]{2}$'"
    ]


def test_nightly_runs_at_two_in_the_morning_london_time_one_at_a_time(project: dict[str, Any]) -> None:
    nightly = _deployment(project, "nightly")
    assert nightly["entrypoint"] == "flows/nightly.py:nightly"
    assert [(s["cron"], s["timezone"], s.get("active", True)) for s in nightly["schedules"]] == [
        ("0 2 * * *", "Europe/London", True)
    ]
    # Runs left over after downtime are cancelled, not queued up behind each other.
    assert nightly["concurrency_limit"] == {"limit": 1, "collision_strategy": "CANCEL_NEW"}


def test_rerun_is_on_demand_only_and_its_form_offers_the_sections(project: dict[str, Any]) -> None:
    rerun = _deployment(project, "rerun")
    assert rerun["entrypoint"] == "flows/rerun.py:rerun"
    assert not rerun.get("schedules") and not rerun.get("schedule")
    schema = parameter_schema(load_entrypoint(rerun["entrypoint"]).fn).model_dump_for_openapi()
    assert schema["required"] == ["hub"]
    assert set(schema["properties"]) == {
        "hub",
        "academic_year",
        "as_of",
        "strict",
        "published",
        "sections",
        "hubs_folder",
    }
    sections = schema["properties"]["sections"]["items"]
    assert sections["enum"] == ["annual_return", "school_engagement", "school_reports"]


def test_the_worker_runs_the_flows_from_the_checkout(project: dict[str, Any]) -> None:
    (step,) = project["pull"]
    assert step == {
        "prefect.deployments.steps.set_working_directory": {"directory": "{{ $HUBRETURNS_HOME }}"}
    }
