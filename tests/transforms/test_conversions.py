"""A school that converts to an academy (or merges) during the year is one school, under its successor.

The small hub's GIAS download gains what a real one has: Hilltop Junior (100007) closes on 31/12/2025 and
reopens the next day as Hilltop Academy (100008), itself the successor of Hilltop Middle (100009, closed
2019: a chain, 100009 to 100007 to 100008); Vale Infant (100010) and Vale Junior (100011) close on
31/12/2025 and merge into Vale Primary (100012), linked from the new school's end only (Predecessor rows).
Brook Lane Primary (100013) becomes an academy (100014) on 1 September 2026, after the year. The SMEP log has
conversations under the old and the new URNs. Everything reads through the real pipeline.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from foundation.hub_config import load_config
from foundation.ofsted_frameworks import load_framework
from hubreturns.synthetic.gias import UNQUOTED
from ingest.pipeline import input_frames, load_and_check
from schemas.periods import AcademicYear
from transforms.activity import HubData
from transforms.engagement_tables import EngagementRules, engagement_tables
from transforms.kpis import kpi_values
from transforms.universe import school_universe

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"
KEY = b"conversion-test-key-0123456789"
YEAR, AS_OF = AcademicYear(2025), date(2026, 7, 31)
RULES = EngagementRules(
    high_fsm_pct=30,
    school_leader_roles=("Headteacher",),
    staff_hours_per_fte=1265,
    framework=load_framework("renewed-2025-11"),
)
SCHOOLS = {  # URN: (name, type, group, status, opened, closed)
    "100007": ("Hilltop Junior School", "Community school", "Local authority maintained schools", "Closed",
               "", "31-12-2025"),
    "100008": ("Hilltop Academy", "Academy converter", "Academies", "Open", "01-01-2026", ""),
    "100009": ("Hilltop Middle School", "Community school", "Local authority maintained schools", "Closed",
               "", "31-08-2019"),
    "100010": ("Vale Infant School", "Community school", "Local authority maintained schools", "Closed",
               "", "31-12-2025"),
    "100011": ("Vale Junior School", "Community school", "Local authority maintained schools", "Closed",
               "", "31-12-2025"),
    "100012": ("Vale Primary School", "Community school", "Local authority maintained schools", "Open",
               "01-01-2026", ""),
    # Converts after the year (as a GIAS download made in September shows): 2025/26 is still 100013's.
    "100013": ("Brook Lane Primary School", "Community school", "Local authority maintained schools", "Closed",
               "", "31-08-2026"),
    "100014": ("Brook Lane Academy", "Academy converter", "Academies", "Open", "01-09-2026", ""),
}  # fmt: skip
LINKS = [
    ("100009", "100007", "Hilltop Junior School", "Successor", "01-09-2019"),
    ("100007", "100008", "Hilltop Academy", "Successor", "01-01-2026"),
    ("100008", "100007", "Hilltop Junior School", "Predecessor", "01-01-2026"),
    ("100012", "100010", "Vale Infant School", "Predecessor - merged", "01-01-2026"),
    ("100012", "100011", "Vale Junior School", "Predecessor - merged", "01-01-2026"),
    ("100013", "100014", "Brook Lane Academy", "Successor", "01-09-2026"),
]
# Conversations: two before the conversion under the old URNs, three after under the new ones.
CONTACTS = [
    ("C1", "100007", "2025-10-01"),
    ("C2", "100008", "2026-02-02"),
    ("C3", "100010", "2025-11-05"),
    ("C4", "100011", "2025-11-06"),
    ("C5", "100012", "2026-03-03"),
    ("C6", "100013", "2026-05-05"),
]


def _append_gias(path: Path) -> None:
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    header = list(rows[0])
    template = next(r for r in rows if r["URN"] == "100001")
    for urn, (name, kind, group, status, opened, closed) in SCHOOLS.items():
        rows.append({**template, "URN": urn, "EstablishmentName": name, "TypeOfEstablishment (name)": kind,
                     "EstablishmentTypeGroup (name)": group, "EstablishmentStatus (name)": status,
                     "OpenDate": opened, "CloseDate": closed, "EstablishmentNumber": "2" + urn[-3:]})  # fmt: skip
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join(r[h] if h in UNQUOTED else f'"{r[h]}"' for h in header) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> HubData:
    hub = tmp_path_factory.mktemp("conversion") / "hub"
    shutil.copytree(FIXTURE, hub)
    _append_gias(hub / "dfe" / "edubasealldata20260901.csv")
    with (hub / "dfe" / "links_edubasealldata20260901.csv").open("a", encoding="cp1252", newline="") as links:
        links.writelines(f'{u},{v},"{n}","{t}","{d}"\r\n' for u, v, n, t, d in LINKS)
    engagements = hub / "exports" / "engagements.csv"
    template = engagements.read_text().splitlines()[2].split(",")  # G2: a visit at level 1
    with engagements.open("a") as log:
        for contact, urn, day in CONTACTS:
            log.write(",".join([contact, urn, day, *template[3:]]) + "\n")
    loaded = load_and_check(load_config(hub / "hub.toml"), key=KEY, year=YEAR, as_of=AS_OF)
    failures = pl.concat([item.failures for item in loaded])
    assert failures.is_empty(), failures.to_dicts()
    return HubData.of_frames(input_frames(loaded))


def test_the_universe_has_each_converted_school_once_under_its_successor(data: HubData) -> None:
    universe = school_universe(data.establishments, la_codes=["830", "831"], year=YEAR,
                               links=data.establishment_links).collect()  # fmt: skip
    assert universe.select("urn", "school_name").rows() == [
        ("100001", "Ashby Brook Primary School"),
        ("100002", "Crossfield Academy"),
        ("100003", "Église Street Primary School"),
        ("100008", "Hilltop Academy"),
        ("100012", "Vale Primary School"),
        ("100013", "Brook Lane Primary School"),
    ]


def test_last_years_universe_has_the_schools_as_they_were(data: HubData) -> None:
    # In 2024/25 neither academy nor Vale Primary existed: the old schools were that year's schools.
    universe = school_universe(data.establishments, la_codes=["830", "831"], year=YEAR.previous(),
                               links=data.establishment_links).collect()  # fmt: skip
    assert sorted(universe.get_column("urn")) == [
        "100001", "100002", "100003", "100007", "100010", "100011", "100013",
    ]  # fmt: skip


def test_activity_under_the_old_urns_is_counted_under_the_successor(data: HubData) -> None:
    contacts = data.engagements.filter(pl.col("engagement_id").str.starts_with("C")).collect()
    assert sorted(contacts.select("engagement_id", "urn").rows()) == [
        ("C1", "100008"), ("C2", "100008"), ("C3", "100012"), ("C4", "100012"), ("C5", "100012"),
        ("C6", "100013"),
    ]  # fmt: skip


# The layout's core roles and a SMEP contact: the contacts made under old and new URNs then count too.
CORE_ROLES_AND_CONTACTS = ("has_wcet", "has_tuition", "has_ensemble", "has_singing", "has_smep_contact")


def test_kpi5_counts_each_converted_school_once(data: HubData) -> None:
    kpis = kpi_values(
        data, la_codes=("830", "831"), year=YEAR, as_of=AS_OF, engaged_duties=CORE_ROLES_AND_CONTACTS
    ).collect()
    (kpi5,) = kpis.filter(pl.col("kpi_code") == "KPI 5").select("count", "denominator").rows()
    # Six schools, all engaged: 100001 (WCET, tuition, ...), 100002 (ensemble, SMEP), 100003 (WCET,
    # singing), 100013 (its contact), and 100008 and 100012 through the contacts made under their old URNs
    # and new ones. Counted per URN, the three closed URNs would have made it 9 of 9.
    assert kpi5 == (6, 6)


def test_the_tracker_and_the_school_report_have_one_school_with_all_its_conversations(data: HubData) -> None:
    progression = pl.LazyFrame()
    tables = engagement_tables(
        data, progression, la_codes=("830", "831"), year=YEAR, as_of=AS_OF, rules=RULES
    )
    tracker = tables["tracker"].collect()
    assert sorted(tracker.get_column("urn")) == ["100001", "100002", "100003", "100008", "100012", "100013"]
    conversations = tables["conversations"].collect()
    per_school = dict(conversations.group_by("urn").len().iter_rows())
    assert per_school["100008"] == 2 and per_school["100012"] == 3
    assert not {"100007", "100010", "100011"} & set(per_school)
    assert (
        tables["exceptions"].collect().filter(pl.col("urn").is_in(["100007", "100010", "100011"])).is_empty()
    )
