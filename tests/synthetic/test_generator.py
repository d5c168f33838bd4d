"""The synthetic hub area (hubreturns/synthetic): deterministic, in the real DfE layouts, and consistent.

One area is generated per module (a few seconds); every expectation is computed here with plain Python
from the files themselves, never from the generator's internals.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from foundation.hub_config import load_config
from hubreturns.synthetic import generate_hub_area
from schemas.census import SEN_COLUMNS, SPC_COLUMNS
from schemas.hub_exports import HUB_EXPORTS
from schemas.periods import AcademicYear
from schemas.vocabulary import (
    CENSUS_NULL_TOKENS,
    INCOME_SOURCES,
    SUCCESSOR_LINK_TYPES,
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
    UPN_REGEX,
)

YEAR = AcademicYear(2025)
EARLIER = YEAR.previous()
YEARS = (EARLIER, YEAR)
SEED = 2026
HUB_LAS = ("830", "831", "892")
BAND_HEADERS = (
    "Number of early year pupils (years E1 and E2)",
    "Number of nursery pupils (years N1 and N2)",
    "Number of reception pupils (year R)",
    "Number of key stage 1 pupils (years 1 and 2)",
    "Number of key stage 2 pupils (years 3 to 6)",
    "Number of key stage 3 pupils (years 7 to 9)",
    "Number of key stage 4 pupils (years 10 and 11)",
    "Number of key stage 5 pupils (years 12 to 14)",
    "Number of pupils not reception or key stage 1 to 5",
)
KS_BANDS = {
    "3": ("Number of key stage 2 pupils (years 3 to 6)", 4),
    "4": ("Number of key stage 2 pupils (years 3 to 6)", 4),
    "5": ("Number of key stage 2 pupils (years 3 to 6)", 4),
    "6": ("Number of key stage 2 pupils (years 3 to 6)", 4),
}


# --- reading the files as a data officer's tools would --------------------------------------------------------
def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def gias_date(text: str) -> date | None:
    if not text:
        return None
    day, month, year = text.split("-")
    return date(int(year), int(month), int(day))


def iso(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trentvale")
    config = generate_hub_area(out, seed=SEED, year=YEAR)
    assert config == out / "hub.toml"
    return out


@pytest.fixture(scope="module")
def config(area: Path):
    return load_config(area / "hub.toml")


@pytest.fixture(scope="module")
def gias(config) -> list[dict[str, str]]:
    return read_csv(config.input_files("gias")[0].path, "cp1252")


@pytest.fixture(scope="module")
def links(config) -> list[dict[str, str]]:
    return read_csv(config.input_files("gias_links")[0].path, "cp1252")


@pytest.fixture(scope="module")
def census(config) -> dict[AcademicYear, dict[str, dict[str, str]]]:
    """SPC rows by year and URN (the year read from each file's own time_period)."""
    by_year: dict[AcademicYear, dict[str, dict[str, str]]] = {}
    for spc in config.input_files("census"):
        rows = read_csv(spc.path)
        period = rows[0]["time_period"]
        by_year[AcademicYear(int(period[:4]))] = {row["urn"]: row for row in rows}
    return by_year


@pytest.fixture(scope="module")
def exports(config) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for name in HUB_EXPORTS:
        path = config.input_files(name)[0].path
        if path.suffix == ".xlsx":
            sheet = openpyxl.load_workbook(path, read_only=True)["Staff"]
            values = list(sheet.iter_rows(values_only=True))
            header = [str(v) for v in values[0]]
            tables[name] = [
                {h: "" if v is None else str(v) for h, v in zip(header, row, strict=True)}
                for row in values[1:]
            ]
        else:
            tables[name] = read_csv(path, "cp1252" if name == "ensembles" else "utf-8")
    return tables


def universe(gias: list[dict[str, str]], year: AcademicYear) -> dict[str, dict[str, str]]:
    """SPEC 2.1: the hub's open state-funded schools of the year, by URN."""
    schools = {}
    for row in gias:
        state_funded = (
            row["EstablishmentTypeGroup (name)"] in UNIVERSE_TYPE_GROUPS
            or row["TypeOfEstablishment (name)"] in UNIVERSE_EXTRA_TYPES
        )
        opened, closed = gias_date(row["OpenDate"]), gias_date(row["CloseDate"])
        if (
            row["LA (code)"] in HUB_LAS
            and state_funded
            and row["TypeOfEstablishment (name)"] not in UNIVERSE_EXCLUDED_TYPES
            and row["EstablishmentStatus (name)"] not in UNIVERSE_EXCLUDED_STATUSES
            and (opened is None or opened <= year.end)
            and (closed is None or closed >= year.start)
        ):
            schools[row["URN"]] = row
    return schools


def year_of(day: date) -> AcademicYear:
    return AcademicYear.containing(day)


def overlaps(start: date, end: date | None, year: AcademicYear) -> bool:
    return start <= year.end and (end is None or end >= year.start)


# --- determinism --------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes_and_another_seed_differs(area: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    generate_hub_area(again, seed=SEED, year=YEAR)
    # Without a year, the latest complete one on `today`: 2025/26 on 1 March 2027.
    generate_hub_area(other, seed=SEED + 1, today=date(2027, 3, 1))

    first, second, third = file_hashes(area), file_hashes(again), file_hashes(other)
    assert len(first) == 20
    assert first == second
    assert first.keys() == third.keys()
    assert "dfe/spc_school_level_underlying_data_2026.csv" in first
    assert first["dfe/edubasealldata20260901.csv"] != third["dfe/edubasealldata20260901.csv"]
    assert first["exports/pupils.csv"] != third["exports/pupils.csv"]


# --- the DfE files ------------------------------------------------------------------------------------------
def test_gias_file_is_windows_1252_with_dfe_quoting(config) -> None:
    raw = config.input_files("gias")[0].path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in lines[0]
    assert lines[0].startswith('"URN","LA (code)","LA (name)","EstablishmentNumber","EstablishmentName"')
    assert '"CensusAreaStatisticWard (name)"' not in lines[0] and '"RSCRegion (name)"' not in lines[0]
    assert lines[0].endswith('"FSM","AccreditationExpiryDate"')
    assert re.match(r'^\d{6},"\d{3}","', lines[1])
    assert any(ch in text for ch in "é’–")
    header = next(csv.reader([lines[0]]))
    assert len(header) == 139
    # Numeric columns are unquoted, codes are quoted with their leading zeros.
    assert re.search(r',"0\d","(Community school|Voluntary aided school)",', text)
    assert '"Open, but proposed to close"' in text


# A few of the demo area's districts as the geography table has them, copied by hand: code -> grid box
# (easting range, northing range), outward postcodes and towns.
DISTRICTS = {
    "E06000015": (
        (430000, 440000),
        (331000, 340000),
        {"DE1", "DE3", "DE21", "DE22", "DE23", "DE24"},
        {"Derby"},
    ),
    "E07000032": (
        (433000, 446000),
        (346000, 356000),
        {"DE5", "DE55", "DE56", "DE75"},
        {"Belper", "Ripley", "Alfreton", "Heanor"},
    ),
    "E07000037": (
        (400000, 412000),
        (370000, 396000),
        {"SK17", "SK13", "SK23", "SK22"},
        {"Buxton", "Glossop", "Chapel-en-le-Frith", "New Mills"},
    ),
}
# Each authority's GSS code and Church of England diocese.
AUTHORITIES = {
    "830": ("E10000007", ("CE12", "Diocese of Derby")),
    "831": ("E06000015", ("CE12", "Diocese of Derby")),
    "892": ("E06000018", ("CE29", "Diocese of Southwell and Nottingham")),
    "891": ("E10000024", ("CE29", "Diocese of Southwell and Nottingham")),
    "856": ("E06000016", ("CE17", "Diocese of Leicester")),
}


def test_gias_geography_is_each_districts_and_authoritys_own(gias) -> None:
    """Grid references, postcodes and towns fall in the row's district; GSS codes and dioceses are its LA's."""
    checked: Counter[str] = Counter()
    for row in gias:
        gss, ce_diocese = AUTHORITIES[row["LA (code)"]]
        assert row["GSSLACode (name)"] == gss
        religion = row["ReligiousCharacter (name)"]
        diocese = (row["Diocese (code)"], row["Diocese (name)"])
        if religion == "Church of England":
            assert diocese == ce_diocese
        elif religion == "Roman Catholic":
            assert diocese == ("RC25", "Diocese of Nottingham")
        else:
            assert diocese == ("0000", "Not applicable")
        district = row["DistrictAdministrative (code)"]
        if district not in DISTRICTS:
            continue
        (east_low, east_high), (north_low, north_high), outward, towns = DISTRICTS[district]
        assert east_low <= int(row["Easting"]) <= east_high, row["URN"]
        assert north_low <= int(row["Northing"]) <= north_high, row["URN"]
        assert row["Postcode"].split(" ")[0] in outward, row["URN"]
        assert row["Town"] in towns, row["URN"]
        checked[district] += 1
    # Every one of the hand-copied districts has schools (Derby is a whole authority of about 95 sites).
    assert set(checked) == set(DISTRICTS) and checked["E06000015"] > 50
    assert {row["LA (code)"] for row in gias} == set(AUTHORITIES)


def test_gias_has_the_register_events_the_pipeline_must_handle(gias, links) -> None:
    by_urn = {row["URN"]: row for row in gias}
    assert len(by_urn) == len(gias)
    assert all(re.fullmatch(r"\d{6}", urn) for urn in by_urn)
    assert all(re.fullmatch(r"\d{4}", row["EstablishmentNumber"]) for row in gias)
    statuses = Counter(row["EstablishmentStatus (name)"] for row in gias)
    assert statuses["Proposed to open"] >= 1 and statuses["Open, but proposed to close"] >= 1
    closed = [row for row in gias if row["EstablishmentStatus (name)"] == "Closed"]
    assert any(gias_date(row["CloseDate"]) < date(2020, 1, 1) for row in closed)
    assert any(YEAR.start < gias_date(row["CloseDate"]) < YEAR.end for row in closed)
    types = {row["TypeOfEstablishment (name)"] for row in gias if row["LA (code)"] in HUB_LAS}
    assert {
        "Community school",
        "Voluntary aided school",
        "Voluntary controlled school",
        "Foundation school",
        "Local authority nursery school",
        "Pupil referral unit",
        "Academy converter",
        "Academy sponsor led",
        "Free schools",
        "Free schools 16 to 19",
        "Community special school",
        "Non-maintained special school",
        "Other independent school",
    } <= types
    assert any(t.startswith("Academy special") for t in types)
    phases = {row["PhaseOfEducation (name)"] for row in gias}
    assert {"Nursery", "Primary", "Secondary", "All-through", "Not applicable", "16 plus"} <= phases
    assert {row["LA (code)"] for row in gias} == {"830", "831", "892", "891", "856"}
    gss = {row["LA (code)"]: row["GSSLACode (name)"] for row in gias}
    assert gss["830"] == "E10000007" and gss["831"] == "E06000015" and gss["892"] == "E06000018"
    # Academy conversions between the two years: closed 31 August, academy opened 1 September, linked both ways.
    pairs = {(row["URN"], row["LinkURN"], row["LinkType"]) for row in links}
    converted = [row for row in gias if row["CloseDate"] == f"31-08-{YEAR.start_year}"]
    assert len(converted) >= 5
    for old in converted:
        successors = [new for urn, new, kind in pairs if urn == old["URN"] and kind in SUCCESSOR_LINK_TYPES]
        assert len(successors) == 1
        new = by_urn[successors[0]]
        assert (
            new["OpenDate"] == f"01-09-{YEAR.start_year}"
            and new["EstablishmentTypeGroup (name)"] == "Academies"
        )
        assert (new["URN"], old["URN"], "Predecessor") in pairs


def test_links_file_layout(config, gias) -> None:
    raw = config.input_files("gias_links")[0].path.read_bytes().decode("cp1252")
    assert raw.startswith('"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\r\n')
    assert re.match(r'^\d{6},\d{6},"', raw.split("\r\n")[1])
    known = {row["URN"] for row in gias}
    for row in read_csv(config.input_files("gias_links")[0].path, "cp1252"):
        assert row["URN"] in known and row["LinkURN"] in known


def test_census_files_have_every_spc_column_and_sane_numbers(config, census) -> None:
    assert set(census) == {EARLIER, YEAR}
    for spc in config.input_files("census"):
        header = next(csv.reader([spc.path.read_text(encoding="utf-8").split("\n", 1)[0]]))
        assert set(SPC_COLUMNS) <= set(header)
    nulls_seen = 0
    for rows in census.values():
        for row in rows.values():
            for column in SPC_COLUMNS:
                assert row[column] not in CENSUS_NULL_TOKENS, (column, row["urn"])
            headcount = int(row["headcount of pupils"])
            bands = sum(int(row[band]) for band in BAND_HEADERS)
            assert abs(bands - headcount) <= max(2, headcount * 0.02)
            assert int(row["headcount total male"]) + int(row["headcount total female"]) == headcount
            nulls_seen += sum(1 for v in row.values() if v in ("x", "z"))
    assert nulls_seen > 0
    later = list(census[YEAR].values())
    fsm = sum(int(r["number of pupils known to be eligible for free school meals"]) for r in later)
    assert 0.20 < fsm / sum(int(r["headcount of pupils"]) for r in later) < 0.30


def test_sen_files_have_the_sen_columns(config, census) -> None:
    for sen in config.input_files("sen"):
        rows = read_csv(sen.path, "cp1252")
        assert set(SEN_COLUMNS) <= set(rows[0])
        year = AcademicYear(int(rows[0]["time_period"][:4]))
        assert {row["URN"] for row in rows} == set(census[year])
        for row in rows:
            assert int(row["SEN support"]) + int(row["EHC plan"]) <= int(row["Total pupils"])


def test_universe_and_census_roll_are_hub_sized(gias, census) -> None:
    for year in YEARS:
        schools = universe(gias, year)
        assert 500 <= len(schools) <= 600
        assert set(schools) <= set(census[year]), "every school of the universe has a census row"
    roll = sum(int(census[YEAR][urn]["headcount of pupils"]) for urn in universe(gias, YEAR))
    assert 180_000 <= roll <= 220_000
    # Census URNs are the ones open in that year: old URN before a conversion, academy URN after.
    converted = [row["URN"] for row in gias if row["CloseDate"] == f"31-08-{YEAR.start_year}"]
    assert all(urn in census[EARLIER] and urn not in census[YEAR] for urn in converted)


# --- configuration and export layouts ----------------------------------------------------------------------
def test_hub_toml_loads_and_lists_every_source(config, area: Path) -> None:
    assert config.hub.name == "Trentvale Music Hub" and config.hub.slug == "trentvale"
    assert config.hub.la_codes == HUB_LAS
    assert config.settings.allow_demo_key and config.settings.suppression_threshold == 4
    for source in ("gias", "gias_links", *HUB_EXPORTS):
        assert len(config.input_files(source)) == 1
        assert config.input_files(source)[0].path.is_file()
    assert len(config.input_files("census")) == 2 and len(config.input_files("sen")) == 2
    workforce = config.input_files("workforce")[0]
    assert workforce.path.suffix == ".xlsx" and workforce.sheet == "Staff"
    assert config.output_dir == (area / "out").resolve()


def test_every_export_header_is_its_models_columns(config, exports) -> None:
    for name, model in HUB_EXPORTS.items():
        path = config.input_files(name)[0].path
        columns = list(model.to_schema().columns)
        if path.suffix == ".xlsx":
            workbook = openpyxl.load_workbook(path, read_only=True)
            assert workbook.sheetnames[0] == "Staff"
        else:
            encoding = "cp1252" if name == "ensembles" else "utf-8"
            header = next(csv.reader([path.read_bytes().decode(encoding).split("\n", 1)[0].rstrip("\r")]))
            assert header == columns, name
        assert exports[name], f"{name} is empty"
        assert list(exports[name][0]) == columns
    ensembles = config.input_files("ensembles")[0].path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        ensembles.decode("utf-8")


def test_values_follow_the_export_conventions(exports) -> None:
    booleans = {
        "pupils": ("fsm", "pupil_premium", "looked_after"),
        "wcet": ("first_time",),
        "singing": ("regular", "school_choir"),
        "engagements": ("mdp_published",),
    }
    for name, columns in booleans.items():
        for row in exports[name]:
            for column in columns:
                assert row[column] in ("Y", "N", "") and (row[column] or column == "mdp_published")
    for name in ("tuition", "ensemble_members", "loans"):
        for row in exports[name]:
            start, end = iso(row["start_date"]), iso(row["end_date"])
            assert end is None or end >= start
            assert any(overlaps(start, end, year) for year in YEARS)
    for name in ("engagements", "cpd", "events", "finance"):
        for row in exports[name]:
            assert year_of(iso(row["date"])) in YEARS
    for row in exports["engagements"]:
        if row["next_due"]:
            assert year_of(iso(row["next_due"])) == year_of(iso(row["date"]))
    for name in ("wcet", "singing", "workforce"):
        assert {row["academic_year"] for row in exports[name]} == {EARLIER.label, YEAR.label}


# --- referential rules --------------------------------------------------------------------------------------
def test_ids_are_unique_and_known(exports) -> None:
    for name, key in (
        ("pupils", "pupil_ref"),
        ("wcet", "programme_id"),
        ("tuition", "enrolment_id"),
        ("ensembles", "ensemble_id"),
        ("engagements", "engagement_id"),
        ("loans", "loan_id"),
    ):
        values = [row[key] for row in exports[name]]
        assert len(values) == len(set(values)), name
    pupils = {row["pupil_ref"]: row for row in exports["pupils"]}
    assert all(re.fullmatch(r"SA\d{7}", ref) for ref in pupils)
    upns = [row["upn"] for row in pupils.values() if row["upn"]]
    assert len(upns) == len(set(upns)) and all(re.fullmatch(UPN_REGEX, upn) for upn in upns)
    assert 0.85 < len(upns) / len(pupils) < 0.95
    used: set[str] = set()
    for name in ("wcet_participants", "tuition", "ensemble_members", "loans"):
        refs = {row["pupil_ref"] for row in exports[name] if row["pupil_ref"]}
        assert refs <= set(pupils), name
        used |= refs
    assert used == set(pupils), "pupils lists exactly the pupils known to the hub"
    assert {row["ensemble_id"] for row in exports["ensemble_members"]} <= {
        r["ensemble_id"] for r in exports["ensembles"]
    }
    assert {row["programme_id"] for row in exports["wcet_participants"]} == {
        r["programme_id"] for r in exports["wcet"]
    }


def test_every_urn_is_a_universe_school_open_in_the_rows_year(gias, exports) -> None:
    open_in = {year: universe(gias, year) for year in YEARS}
    neighbours = {row["URN"] for row in gias if row["LA (code)"] in ("891", "856")}
    for name in ("wcet", "singing"):
        for row in exports[name]:
            assert row["urn"] in open_in[AcademicYear.parse(row["academic_year"])], (name, row)
    for name in ("engagements", "cpd", "events"):
        for row in exports[name]:
            if name == "cpd" and row["urn"] in neighbours:
                continue
            assert row["urn"] in open_in[year_of(iso(row["date"]))], (name, row)
    # Except a few neighbouring schools' staff at the hub's CPD: open state-funded schools of another LA.
    visiting = [row for row in exports["cpd"] if row["urn"] in neighbours]
    assert len(visiting) == 2 * len(YEARS)
    assert len({row["urn"] for row in visiting}) >= 2
    for row in exports["loans"]:
        start, end = iso(row["start_date"]), iso(row["end_date"])
        for year in YEARS:
            if overlaps(start, end, year) or year == year_of(start):
                assert row["urn"] in open_in[year], row
        assert row["urn"] or row["pupil_ref"]
    for row in exports["ensembles"]:
        if row["lead"] == "school":
            assert row["base_urn"] in open_in[EARLIER] and row["base_urn"] in open_in[YEAR]
    for row in exports["pupils"]:
        assert row["urn"] in open_in[YEAR]


def test_wcet_classes_fit_the_census_and_keep_their_pupils(gias, links, census, exports) -> None:
    programmes = {row["programme_id"]: row for row in exports["wcet"]}
    rolls: dict[str, list[str]] = defaultdict(list)
    for row in exports["wcet_participants"]:
        rolls[row["programme_id"]].append(row["pupil_ref"])
    per_year_group: Counter[tuple[str, str, str, str]] = Counter()
    class_rolls: dict[tuple[str, str, str, str], set[frozenset[str]]] = defaultdict(set)
    for programme_id, row in programmes.items():
        pupils = int(row["pupils"])
        assert 15 <= pupils <= 32 and 6 <= int(row["weeks"]) <= 14
        assert len(rolls[programme_id]) == len(set(rolls[programme_id])) == pupils
        per_year_group[(row["academic_year"], row["urn"], row["nc_year"], row["term"])] += pupils
        class_rolls[(row["academic_year"], row["urn"], row["nc_year"], row["class_name"])].add(
            frozenset(rolls[programme_id])
        )
    for (label, urn, nc_year, _), pupils in per_year_group.items():
        band, years = KS_BANDS[nc_year]
        assert pupils <= int(census[AcademicYear.parse(label)][urn][band]) // years
    assert all(len(terms) == 1 for terms in class_rolls.values()), "a class keeps its pupils across terms"
    # WCET pupils are in pupils at that school, a year older when the WCET was in the earlier year.
    successor = {r["URN"]: r["LinkURN"] for r in links if r["LinkType"] in SUCCESSOR_LINK_TYPES}
    pupils = {row["pupil_ref"]: row for row in exports["pupils"]}
    for programme_id, refs in rolls.items():
        row = programmes[programme_id]
        earlier = row["academic_year"] == EARLIER.label
        for ref in refs:
            pupil = pupils[ref]
            expected_year = str(int(row["nc_year"]) + (1 if earlier else 0))
            assert pupil["nc_year"] == expected_year
            assert pupil["urn"] in (row["urn"], successor.get(row["urn"]))


# --- rates of the national figures --------------------------------------------------------------------------
def test_activity_rates_follow_the_national_figures(gias, census, exports) -> None:
    programmes = {row["programme_id"]: row for row in exports["wcet"]}
    pupils = {row["pupil_ref"]: row for row in exports["pupils"]}
    wcet_pupils = {year: set() for year in YEARS}
    for row in exports["wcet_participants"]:
        wcet_pupils[AcademicYear.parse(programmes[row["programme_id"]]["academic_year"])].add(
            row["pupil_ref"]
        )
    learners = {
        year: {
            r["pupil_ref"]
            for r in exports["tuition"]
            if overlaps(iso(r["start_date"]), iso(r["end_date"]), year)
        }
        for year in YEARS
    }
    for year in YEARS:
        schools = universe(gias, year)
        primary = {u: r for u, r in schools.items() if r["PhaseOfEducation (name)"] == "Primary"}
        primary_roll = sum(int(census[year][u]["headcount of pupils"]) for u in primary)
        roll = sum(int(census[year][u]["headcount of pupils"]) for u in schools)
        assert 0.08 < len(wcet_pupils[year]) / primary_roll < 0.12
        hosts = {r["urn"] for r in programmes.values() if r["academic_year"] == year.label}
        assert 0.45 <= len(hosts & set(primary)) / len(primary) <= 0.60
        assert 0.035 < len(learners[year]) / roll < 0.055
        members = {
            r["pupil_ref"]
            for r in exports["ensemble_members"]
            if overlaps(iso(r["start_date"]), iso(r["end_date"]), year)
        }
        assert 0.05 < len(members) / roll < 0.07
        pupil_loans = [
            r
            for r in exports["loans"]
            if r["pupil_ref"] and overlaps(iso(r["start_date"]), iso(r["end_date"]), year)
        ]
        assert 600 <= len(pupil_loans) <= 800
        assert 100 <= sum(1 for r in exports["workforce"] if r["academic_year"] == year.label) <= 140
        income = [r for r in exports["finance"] if r["kind"] == "income" and year_of(iso(r["date"])) == year]
        assert {r["category"] for r in income} == set(INCOME_SOURCES)
        grant = sum(float(r["amount_gbp"]) for r in income if r["category"] == "DfE grant")
        assert 0.35 <= grant / sum(float(r["amount_gbp"]) for r in income) <= 0.40
    continuing = wcet_pupils[EARLIER] & learners[YEAR]
    assert 0.25 <= len(continuing) / len(wcet_pupils[EARLIER]) <= 0.35
    assert 120 <= len(exports["ensembles"]) <= 180
    choirs = sum(1 for r in exports["ensembles"] if r["type"] in ("choir", "vocal group"))
    assert 0.25 <= choirs / len(exports["ensembles"]) <= 0.45
    fsm = sum(1 for r in pupils.values() if r["fsm"] == "Y") / len(pupils)
    assert 0.20 < fsm < 0.32
    assert all(r["pupil_premium"] == "Y" for r in pupils.values() if r["fsm"] == "Y")
    sen = Counter(r["sen_status"] for r in pupils.values())
    assert 0.10 < sen["K"] / len(pupils) < 0.16 and 0.015 < sen["E"] / len(pupils) < 0.04
