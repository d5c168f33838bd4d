"""SECURITY.md keeps up with the code: every pupil-level column the exports carry, the settings it names, its
retention defaults, the store's tables in the audit's words, the commands it gives, and the DPIA outline."""

from pathlib import Path

from foundation.hub_config import DATABASE_URL_VARIABLE, Retention
from hubreturns.cli import build_parser
from ingest.pseudonymise import KEY_ENVIRONMENT_VARIABLE
from schemas.hub_exports import EnsembleMembers, Pupils, WcetParticipants
from store.models import Base
from store.retention import STORE_TABLES

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
        *Pupils.to_schema().columns,
        *WcetParticipants.to_schema().columns,
        *EnsembleMembers.to_schema().columns,
    }
    missing = sorted(column for column in pupil_level if f"`{column}`" not in SECURITY)
    assert missing == [], f"SECURITY.md does not mention {missing}"
    for name in (KEY_ENVIRONMENT_VARIABLE, DATABASE_URL_VARIABLE, "allow_demo_key", "suppression_threshold"):
        assert f"`{name}" in SECURITY, name


def test_it_gives_the_dpo_retention_erasure_the_audit_and_a_dpia_outline() -> None:
    for heading in (
        "### Removing a period or one pupil (`hubreturns purge`)",
        "### What is held (`hubreturns audit`)",
        "## Data protection impact assessment (outline)",
    ):
        assert heading in SECURITY
    dpia = SECURITY.split("## Data protection impact assessment (outline)")[1].split("\n## ")[0]
    for part in ("Purpose", "Lawful basis", "Data flows", "Retention", "Security"):
        assert f"**{part}.**" in dpia, part
    assert "*(hub:" in dpia.split("**Lawful basis.**")[1].split("\n3.")[0]  # left to the hub to fill in


def test_its_retention_table_states_the_real_settings_and_defaults() -> None:
    defaults = Retention()
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in _table_after("| Setting |")}
    assert set(rows) == {f"`{name}`" for name in Retention.model_fields}
    assert rows["`validation_failures_years`"].startswith(f"{defaults.validation_failures_years} ")
    assert defaults.runs_years is None and rows["`runs_years`"].startswith("absent: kept for ever")
    assert Retention.model_fields["runs_years"].metadata[0].ge == 3 and "at least 3" in SECURITY


def test_its_store_table_is_the_audits_and_the_models() -> None:
    """The same facts as the audit: one row per table of the store, described in the audit's own words."""
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in _table_after("| Table |")}
    assert rows == {f"`{table}`": text for table, text in STORE_TABLES.items()}
    assert set(STORE_TABLES) == set(Base.metadata.tables)


def test_the_commands_it_names_exist() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ("purge", "audit"):
        assert f"hubreturns {command}" in SECURITY and command in commands
    purge = commands["purge"].format_help()
    for option in ("--year", "--pupil", "--yes"):
        assert option in purge and (f"`{option}`" in SECURITY or f"{option} " in SECURITY), option


def _table_after(header: str) -> list[str]:
    """The body rows of the Markdown table whose header line starts with ``header``."""
    lines = SECURITY.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    body = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        body.append(line)
    return body
