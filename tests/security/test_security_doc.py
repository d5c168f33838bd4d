"""SECURITY.md keeps up with the code: every pupil-level column the exports carry, and the settings it names."""

from pathlib import Path

from hubreturns.config import DATABASE_URL_VARIABLE
from ingest.pseudonymise import KEY_ENVIRONMENT_VARIABLE
from schemas.hub_exports import EnsembleMembers, Pupils, WcetParticipants

SECURITY = (Path(__file__).resolve().parents[2] / "SECURITY.md").read_text(encoding="utf-8")


def test_it_answers_what_a_hub_must_know_before_using_real_data() -> None:
    for heading in (
        "## What personal data the pipeline reads",
        "## Where it goes",
        "## How long it is kept",
        "## The pseudonymisation key",
        "## Before using real data",
        "## Reporting a vulnerability",
    ):
        assert heading in SECURITY


def test_it_lists_every_pupil_level_column_and_the_settings_by_their_real_names() -> None:
    pupil_level = {
        *Pupils.to_schema().columns, *WcetParticipants.to_schema().columns, *EnsembleMembers.to_schema().columns
    }
    missing = sorted(column for column in pupil_level if f"`{column}`" not in SECURITY)
    assert missing == [], f"SECURITY.md does not mention {missing}"
    for name in (KEY_ENVIRONMENT_VARIABLE, DATABASE_URL_VARIABLE, "allow_demo_key", "suppression_threshold"):
        assert f"`{name}" in SECURITY, name
