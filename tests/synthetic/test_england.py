"""The synthetic England (hubreturns/synthetic/england.py): a partition of every live English authority into
hubs, and a small multi-hub generation whose files are checked as the national roll-up will read them.

The full 43-hub generation is too slow for the suite: it is run by hand (`hubreturns generate --scale england`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from foundation.hub_config import la_names, load_config
from hubreturns.synthetic.england import english_authorities, generate_england, partition_hubs
from schemas.hub_exports import HUB_EXPORTS
from schemas.periods import AcademicYear
from schemas.vocabulary import (
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
)

YEAR = AcademicYear(2025)
SEED = 2026
HUBS = 3
SCHOOLS_PER_LA = 14
ID_COLUMNS = ("programme_id", "enrolment_id", "ensemble_id", "engagement_id", "event_id", "loan_id")
URN_COLUMNS = ("urn", "base_urn")


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def gias_date(text: str) -> date | None:
    if not text:
        return None
    day, month, year = text.split("-")
    return date(int(year), int(month), int(day))


def in_universe(row: dict[str, str], la_codes: tuple[str, ...], year: AcademicYear) -> bool:
    """SPEC 2.1, computed from the GIAS row alone."""
    state_funded = (
        row["EstablishmentTypeGroup (name)"] in UNIVERSE_TYPE_GROUPS
        or row["TypeOfEstablishment (name)"] in UNIVERSE_EXTRA_TYPES
    )
    opened, closed = gias_date(row["OpenDate"]), gias_date(row["CloseDate"])
    return (
        row["LA (code)"] in la_codes
        and state_funded
        and row["TypeOfEstablishment (name)"] not in UNIVERSE_EXCLUDED_TYPES
        and row["EstablishmentStatus (name)"] not in UNIVERSE_EXCLUDED_STATUSES
        and (opened is None or opened <= year.end)
        and (closed is None or closed >= year.start)
    )


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("england")
    lines: list[tuple[int, int, str]] = []
    summary = generate_england(
        out,
        seed=SEED,
        year=YEAR,
        hubs=HUBS,
        schools_per_la=SCHOOLS_PER_LA,
        workers=2,
        progress=lambda done, total, hub: lines.append((done, total, hub.slug)),
    )
    assert summary.manifest == out / "england.toml"
    assert [done for done, _, _ in lines] == [1, 2, 3] and {total for _, total, _ in lines} == {HUBS}
    return out


@pytest.fixture(scope="module")
def manifest(england: Path) -> dict:
    return tomllib.loads((england / "england.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hubs(england: Path, manifest: dict) -> dict[str, dict]:
    """Per hub slug: its configuration, GIAS rows, later-year census rows and exports."""
    found = {}
    for entry in manifest["hubs"]:
        config = load_config(england / entry["config"])
        census = {}
        for spc in config.input_files("census"):
            rows = read_csv(spc.path)
            census[AcademicYear(int(rows[0]["time_period"][:4]))] = rows
        exports = {
            name: read_csv(config.input_files(name)[0].path, "cp1252" if name == "ensembles" else "utf-8")
            for name in HUB_EXPORTS
            if name != "workforce"
        }
        found[entry["slug"]] = {
            "config": config,
            "gias": read_csv(config.input_files("gias")[0].path, "cp1252"),
            "census": census,
            "exports": exports,
        }
    return found


def test_partition_covers_every_live_english_authority_once() -> None:
    plans = partition_hubs()
    live = {code for code, name in la_names().items() if code != "702"}  # 702: forces' schools overseas
    assert len(live) == 153 and {la.code for la in english_authorities()} == live
    assert len(plans) == 43
    codes = [code for plan in plans for code in plan.la_codes]
    assert sorted(codes) == sorted(live), "every authority in exactly one hub"
    assert all(2 <= len(plan.la_codes) <= 6 for plan in plans)
    assert len({plan.slug for plan in plans}) == 43 and len({plan.name for plan in plans}) == 43
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", plan.slug) for plan in plans)
    assert [plan.index for plan in plans] == list(range(43))
    regions = {la.code: la.region for la in english_authorities()}
    assert all(len({regions[code] for code in plan.la_codes}) == 1 for plan in plans), (
        "a hub keeps to a region"
    )


def test_layout_and_configurations(england: Path, manifest: dict, hubs: dict[str, dict]) -> None:
    plans = partition_hubs()[:HUBS]
    assert [entry["slug"] for entry in manifest["hubs"]] == [plan.slug for plan in plans]
    assert sorted(p.name for p in (england / "hubs").iterdir()) == sorted(f"{p.slug}.toml" for p in plans)
    assert sorted(p.name for p in (england / "areas").iterdir()) == sorted(p.slug for p in plans)
    for plan in plans:
        config = hubs[plan.slug]["config"]
        assert config.hub.slug == plan.slug and config.hub.name == plan.name
        assert config.hub.la_codes == plan.la_codes
        assert config.settings.allow_demo_key and config.settings.suppression_threshold == 4
        # One store and one output folder for every hub.
        assert config.output_dir.resolve() == (england / "out").resolve()
        assert config.database_url == f"sqlite:///{(england / 'hubreturns.db').resolve()}"
        for source in ("gias", "gias_links", "census", "sen", *HUB_EXPORTS):
            for item in config.input_files(source):
                assert item.path.resolve().is_relative_to((england / "areas" / plan.slug).resolve())
                assert item.path.is_file()
        raw = tomllib.loads((england / "hubs" / f"{plan.slug}.toml").read_text(encoding="utf-8"))
        assert raw["storage"] == {"output_dir": "../out", "database_url": "sqlite:///../hubreturns.db"}
        assert raw["inputs"]["gias"].startswith(f"../areas/{plan.slug}/dfe/edubasealldata")


def test_authorities_are_disjoint_and_gias_keeps_to_its_hub(hubs: dict[str, dict]) -> None:
    seen: Counter[str] = Counter()
    for hub in hubs.values():
        la_codes = hub["config"].hub.la_codes
        assert 2 <= len(la_codes) <= 6
        seen.update(la_codes)
        assert {row["LA (code)"] for row in hub["gias"]} == set(la_codes), (
            "no neighbouring authority's schools"
        )
    assert max(seen.values()) == 1


def test_identifiers_are_unique_across_hubs(hubs: dict[str, dict]) -> None:
    def owners(values_by_hub: dict[str, set[str]]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for values in values_by_hub.values():
            counts.update(values - {""})
        return counts

    urns = {slug: {row["URN"] for row in hub["gias"]} for slug, hub in hubs.items()}
    laestabs = {
        slug: {row["LA (code)"] + row["EstablishmentNumber"] for row in hub["gias"]}
        for slug, hub in hubs.items()
    }
    refs = {slug: {row["pupil_ref"] for row in hub["exports"]["pupils"]} for slug, hub in hubs.items()}
    upns = {slug: {row["upn"] for row in hub["exports"]["pupils"]} for slug, hub in hubs.items()}
    activity_refs = {
        slug: {row["pupil_ref"] for table in hub["exports"].values() for row in table if row.get("pupil_ref")}
        for slug, hub in hubs.items()
    }
    ids = {
        slug: {
            f"{column}={row[column]}"
            for table in hub["exports"].values()
            for row in table
            for column in ID_COLUMNS
            if row.get(column)
        }
        for slug, hub in hubs.items()
    }
    for name, values in (
        ("URN", urns),
        ("LAESTAB", laestabs),
        ("pupil ref", refs),
        ("UPN", upns),
        ("pupil ref in activity", activity_refs),
        ("export id", ids),
    ):
        shared = [value for value, count in owners(values).items() if count > 1]
        assert not shared, f"{name}s in more than one hub: {shared[:5]}"
    for hub in hubs.values():
        assert all(re.fullmatch(r"\d{6}", row["URN"]) for row in hub["gias"])


def test_exports_name_only_the_hubs_own_schools(hubs: dict[str, dict]) -> None:
    for slug, hub in hubs.items():
        own = {row["URN"] for row in hub["gias"]}
        for name, table in hub["exports"].items():
            named = {row[column] for row in table for column in URN_COLUMNS if row.get(column)}
            assert named <= own, f"{slug} {name} names schools of another area: {sorted(named - own)[:5]}"
        refs = {row["pupil_ref"] for row in hub["exports"]["pupils"]}
        for name in ("wcet_participants", "tuition", "ensemble_members", "loans"):
            assert {row["pupil_ref"] for row in hub["exports"][name] if row["pupil_ref"]} <= refs


def test_manifest_counts_match_the_files(manifest: dict, hubs: dict[str, dict]) -> None:
    summary = manifest["england"]
    assert summary["seed"] == SEED
    assert summary["academic_years"] == [YEAR.previous().label, YEAR.label]
    assert summary["hub_count"] == HUBS == len(manifest["hubs"])
    for entry in manifest["hubs"]:
        hub = hubs[entry["slug"]]
        assert tuple(entry["la_codes"]) == hub["config"].hub.la_codes
        assert entry["name"] == hub["config"].hub.name
        universe = [row for row in hub["gias"] if in_universe(row, hub["config"].hub.la_codes, YEAR)]
        assert entry["school_count"] == len(universe) > 0
        assert entry["pupil_count"] == sum(int(row["headcount of pupils"]) for row in hub["census"][YEAR])
    assert summary["school_count"] == sum(entry["school_count"] for entry in manifest["hubs"])
    assert summary["pupil_count"] == sum(entry["pupil_count"] for entry in manifest["hubs"])


def test_activity_is_at_national_rates(hubs: dict[str, dict]) -> None:
    """WCET about 10% of the primary roll and ensembles about 6% of pupils, over the hubs together."""
    primary_roll = roll = wcet = members = 0
    for hub in hubs.values():
        la_codes = hub["config"].hub.la_codes
        census = {row["urn"]: int(row["headcount of pupils"]) for row in hub["census"][YEAR]}
        schools = [row for row in hub["gias"] if in_universe(row, la_codes, YEAR)]
        primary_roll += sum(census[r["URN"]] for r in schools if r["PhaseOfEducation (name)"] == "Primary")
        roll += sum(census[r["URN"]] for r in schools)
        programmes = {r["programme_id"] for r in hub["exports"]["wcet"] if r["academic_year"] == YEAR.label}
        wcet += len(
            {r["pupil_ref"] for r in hub["exports"]["wcet_participants"] if r["programme_id"] in programmes}
        )
        members += len(
            {
                r["pupil_ref"]
                for r in hub["exports"]["ensemble_members"]
                if date.fromisoformat(r["start_date"]) <= YEAR.end
                and (not r["end_date"] or date.fromisoformat(r["end_date"]) >= YEAR.start)
            }
        )
    assert 0.07 < wcet / primary_roll < 0.13
    assert 0.04 < members / roll < 0.08


def test_same_seed_gives_the_same_bytes_whatever_the_workers(england: Path, tmp_path: Path) -> None:
    generate_england(tmp_path, seed=SEED, year=YEAR, hubs=HUBS, schools_per_la=SCHOOLS_PER_LA, workers=1)
    assert file_hashes(tmp_path) == file_hashes(england)
