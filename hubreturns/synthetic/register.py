"""The synthetic school register: schools (sites), their GIAS establishment records and the GIAS links file.

A *site* is one physical state-funded school with pupils on roll; it carries one GIAS record per URN it has
had (a maintained school that became an academy has two). Other records (independent schools, colleges,
schools closed long ago, a school proposed to open) have no site.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from hubreturns.synthetic.school_calendar import census_day
from hubreturns.synthetic.names import SAINT_WITH_ACCENT, TRUST_NAMES, NameBook, possessive
from schemas.periods import AcademicYear
from schemas.vocabulary import (
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
)

HUB_LAS = ("830", "831", "892")
NEIGHBOUR_LAS = ("891", "856")
ALL_LAS = HUB_LAS + NEIGHBOUR_LAS

# Type name -> (type code, group code, group name), as in GIAS (codes keep their leading zeros).
TYPES: dict[str, tuple[str, str, str]] = {
    "Community school": ("01", "4", "Local authority maintained schools"),
    "Voluntary aided school": ("02", "4", "Local authority maintained schools"),
    "Voluntary controlled school": ("03", "4", "Local authority maintained schools"),
    "Foundation school": ("05", "4", "Local authority maintained schools"),
    "Community special school": ("07", "5", "Special schools"),
    "Non-maintained special school": ("08", "5", "Special schools"),
    "Other independent special school": ("10", "5", "Special schools"),
    "Other independent school": ("11", "3", "Independent schools"),
    "Foundation special school": ("12", "5", "Special schools"),
    "Pupil referral unit": ("14", "4", "Local authority maintained schools"),
    "Local authority nursery school": ("15", "4", "Local authority maintained schools"),
    "Further education": ("18", "1", "Colleges"),
    "Academy sponsor led": ("28", "10", "Academies"),
    "Academy special sponsor led": ("33", "10", "Academies"),
    "Academy converter": ("34", "10", "Academies"),
    "Free schools": ("35", "11", "Free Schools"),
    "Free schools special": ("36", "11", "Free Schools"),
    "Free schools alternative provision": ("38", "11", "Free Schools"),
    "Free schools 16 to 19": ("39", "11", "Free Schools"),
    "University technical college": ("40", "11", "Free Schools"),
    "Academy alternative provision converter": ("42", "10", "Academies"),
    "Academy special converter": ("44", "10", "Academies"),
}
STATUS_CODES = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3", "Proposed to open": "4"}
PHASES = {
    "Not applicable": "0",
    "Nursery": "1",
    "Primary": "2",
    "Secondary": "4",
    "16 plus": "6",
    "All-through": "7",
}
# Kind of site -> (phase, NC years taught; "N" is nursery classes).
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "primary": ("Primary", ("R", "1", "2", "3", "4", "5", "6")),
    "infant": ("Primary", ("R", "1", "2")),
    "junior": ("Primary", ("3", "4", "5", "6")),
    "secondary": ("Secondary", ("7", "8", "9", "10", "11")),
    "all-through": (
        "All-through",
        ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"),
    ),
    "special": ("Not applicable", ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13")),
    "ap": ("Not applicable", ("7", "8", "9", "10", "11")),
    "nursery": ("Nursery", ()),
    "utc": ("Secondary", ("10", "11", "12", "13")),
    "post16": ("16 plus", ("12", "13")),
}
REASONS_OPENED = {
    "none": ("00", "Not applicable"),
    "amalgamation": ("01", "Result of Amalgamation"),
    "new": ("08", "New Provision"),
    "converter": ("10", "Academy Converter"),
    "sponsor": ("11", "Academy Sponsor Led"),
    "free": ("12", "Academy Free School"),
}
REASONS_CLOSED = {
    "none": ("00", "Not applicable"),
    "closure": ("02", "Closure"),
    "amalgamation": ("01", "For Merger / Amalgamation"),
    "converter": ("10", "Academy Converter"),
    "sponsor": ("11", "Academy Sponsor Led"),
}


@dataclass(frozen=True)
class District:
    """A lower-tier district (or a unitary authority standing as its own district)."""

    code: str
    name: str
    towns: tuple[str, ...]
    outward: tuple[str, ...]
    constituency: str
    rural: float
    easting: tuple[int, int]
    northing: tuple[int, int]


@dataclass(frozen=True)
class LocalAuthority:
    """A local authority of the area: DfE code, name and GSS code from the shipped lookup, plus geography."""

    code: str
    name: str
    gss: str
    county: str
    phone_prefix: str
    districts: tuple[District, ...]
    diocese_ce: tuple[str, str]
    city: bool
    # Which of the shipped census mixes (ethnicity, FSM and EAL rates) the authority's pupils follow.
    profile: str = ""

    @property
    def census_profile(self) -> str:
        return self.profile or self.code


_GEOGRAPHY: dict[str, tuple[str, str, bool, tuple[str, str], tuple[District, ...]]] = {
    "830": (
        "Derbyshire",
        "01632960",
        False,
        ("CE12", "Diocese of Derby"),
        (
            District(
                "E07000032",
                "Amber Valley",
                ("Belper", "Ripley", "Alfreton", "Heanor"),
                ("DE5", "DE55", "DE56", "DE75"),
                "Amber Valley",
                0.4,
                (433000, 446000),
                (346000, 356000),
            ),
            District(
                "E07000033",
                "Bolsover",
                ("Bolsover", "Shirebrook", "Clowne"),
                ("S44", "S43", "NG20"),
                "Bolsover",
                0.5,
                (445000, 455000),
                (365000, 377000),
            ),
            District(
                "E07000034",
                "Chesterfield",
                ("Chesterfield", "Staveley"),
                ("S40", "S41", "S43"),
                "Chesterfield",
                0.1,
                (434000, 444000),
                (367000, 376000),
            ),
            District(
                "E07000035",
                "Derbyshire Dales",
                ("Matlock", "Ashbourne", "Bakewell", "Wirksworth"),
                ("DE4", "DE6", "DE45"),
                "Derbyshire Dales",
                0.85,
                (415000, 432000),
                (345000, 372000),
            ),
            District(
                "E07000036",
                "Erewash",
                ("Ilkeston", "Long Eaton", "Sandiacre"),
                ("DE7", "NG10"),
                "Erewash",
                0.2,
                (444000, 451000),
                (331000, 345000),
            ),
            District(
                "E07000037",
                "High Peak",
                ("Buxton", "Glossop", "Chapel-en-le-Frith", "New Mills"),
                ("SK17", "SK13", "SK23", "SK22"),
                "High Peak",
                0.6,
                (400000, 412000),
                (370000, 396000),
            ),
            District(
                "E07000038",
                "North East Derbyshire",
                ("Dronfield", "Clay Cross", "Eckington", "Killamarsh"),
                ("S18", "S45", "S21"),
                "North East Derbyshire",
                0.55,
                (435000, 448000),
                (360000, 382000),
            ),
            District(
                "E07000039",
                "South Derbyshire",
                ("Swadlincote", "Melbourne", "Hilton"),
                ("DE11", "DE12", "DE65", "DE73"),
                "South Derbyshire",
                0.6,
                (425000, 442000),
                (315000, 330000),
            ),
        ),
    ),
    "831": (
        "Derbyshire",
        "01632961",
        True,
        ("CE12", "Diocese of Derby"),
        (
            District(
                "E06000015",
                "Derby",
                ("Derby",),
                ("DE1", "DE3", "DE21", "DE22", "DE23", "DE24"),
                "Derby North",
                0.0,
                (430000, 440000),
                (331000, 340000),
            ),
        ),
    ),
    "892": (
        "Nottinghamshire",
        "01154960",
        True,
        ("CE29", "Diocese of Southwell and Nottingham"),
        (
            District(
                "E06000018",
                "Nottingham",
                ("Nottingham",),
                ("NG1", "NG2", "NG3", "NG5", "NG6", "NG7", "NG8", "NG11"),
                "Nottingham East",
                0.0,
                (453000, 462000),
                (335000, 345000),
            ),
        ),
    ),
    "891": (
        "Nottinghamshire",
        "01154961",
        False,
        ("CE29", "Diocese of Southwell and Nottingham"),
        (
            District(
                "E07000170",
                "Ashfield",
                ("Sutton-in-Ashfield", "Kirkby-in-Ashfield", "Hucknall"),
                ("NG15", "NG17"),
                "Ashfield",
                0.3,
                (448000, 455000),
                (345000, 362000),
            ),
            District(
                "E07000172",
                "Broxtowe",
                ("Beeston", "Eastwood", "Stapleford"),
                ("NG9", "NG16"),
                "Broxtowe",
                0.2,
                (447000, 454000),
                (335000, 348000),
            ),
            District(
                "E07000176",
                "Rushcliffe",
                ("West Bridgford", "Bingham"),
                ("NG2", "NG12", "NG13"),
                "Rushcliffe",
                0.6,
                (456000, 475000),
                (325000, 340000),
            ),
        ),
    ),
    "856": (
        "Leicestershire",
        "01164960",
        True,
        ("CE17", "Diocese of Leicester"),
        (
            District(
                "E06000016",
                "Leicester",
                ("Leicester",),
                ("LE1", "LE2", "LE3", "LE4", "LE5"),
                "Leicester South",
                0.0,
                (455000, 462000),
                (300000, 308000),
            ),
        ),
    ),
}


def la_lookup() -> dict[str, dict[str, str]]:
    """Live local authorities of config/local-authorities.csv by DfE 3-digit code (combined rows left out)."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    return {
        row["old_la_code"].strip(): row
        for row in csv.DictReader(io.StringIO(text))
        if row["status"] == "live" and row["old_la_code"].strip().isdigit()
    }


def load_local_authorities() -> dict[str, LocalAuthority]:
    """The demo area's local authorities, with names and GSS codes from config/local-authorities.csv."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    found: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["old_la_code"].strip()
        if code in ALL_LAS and row["status"] == "live":
            found[code] = (row["la_name"], row["new_la_code"])
    authorities = {}
    for code in ALL_LAS:
        county, phone, city, diocese, districts = _GEOGRAPHY[code]
        name, gss = found[code]
        authorities[code] = LocalAuthority(code, name, gss, county, phone, districts, diocese, city)
    return authorities


@dataclass(eq=False)
class GiasRecord:
    """One row of the GIAS establishments file."""

    urn: str
    la: str
    estab: str
    name: str
    type_name: str
    status: str
    kind: str
    open_date: date | None = None
    close_date: date | None = None
    reason_opened: str = "none"
    reason_closed: str = "none"
    site: Site | None = None
    trust: tuple[str, str] | None = None
    single_trust: bool = False
    sponsor: bool = False
    religion: str | None = None
    sixth_form: bool = False
    has_nursery: bool = False
    gender: str = "Mixed"
    details: dict[str, str] = field(default_factory=dict)

    @property
    def group_name(self) -> str:
        return TYPES[self.type_name][2]

    def open_during(self, year: AcademicYear) -> bool:
        """Open at some point in the academic year (SPEC 2.1)."""
        return (self.open_date is None or self.open_date <= year.end) and (
            self.close_date is None or self.close_date >= year.start
        )

    def open_on(self, day: date) -> bool:
        """Open on a day."""
        return (self.open_date is None or self.open_date <= day) and (
            self.close_date is None or self.close_date >= day
        )

    def state_funded(self) -> bool:
        """A school type of the hub universe (SPEC 2.1), whatever its dates."""
        return (
            (self.group_name in UNIVERSE_TYPE_GROUPS or self.type_name in UNIVERSE_EXTRA_TYPES)
            and self.type_name not in UNIVERSE_EXCLUDED_TYPES
            and self.status not in UNIVERSE_EXCLUDED_STATUSES
        )


@dataclass(eq=False)
class Site:
    """A physical state-funded school with pupils on roll, across the URNs it has had."""

    key: int
    la: str
    kind: str
    in_hub: bool
    place: str
    district: District
    history: str
    sixth_form: bool = False
    has_nursery: bool = False
    records: list[GiasRecord] = field(default_factory=list)
    # Filled by the census: NC year ("N" for nursery) -> pupils, per academic start year.
    rolls: dict[int, dict[str, int]] = field(default_factory=dict)
    fsm_rate: float = 0.0
    eal_rate: float = 0.0
    sen_support_rate: float = 0.0
    ehcp_rate: float = 0.0
    male_share: float = 0.51
    ethnicity: tuple[float, ...] = ()
    # Filled by activity planning: engaged with the hub in the year.
    engaged: dict[int, bool] = field(default_factory=dict)
    # Caches keyed by (academic start year, number of records), so a record added later cannot go stale.
    _on_roll: dict[tuple[int, int], GiasRecord | None] = field(default_factory=dict, repr=False)
    _activity_ok: dict[tuple[int, int], bool] = field(default_factory=dict, repr=False)

    @property
    def years(self) -> tuple[str, ...]:
        base = KINDS[self.kind][1]
        if self.kind == "secondary" and self.sixth_form:
            return (*base, "12", "13")
        return base

    def record_for(self, year: AcademicYear) -> GiasRecord | None:
        """The record whose URN is on roll in the year: the one open on the year's census day."""
        key = (year.start_year, len(self.records))
        if key not in self._on_roll:
            day = census_day(year)
            self._on_roll[key] = next((r for r in reversed(self.records) if r.open_on(day)), None)
        return self._on_roll[key]

    def urn(self, year: AcademicYear) -> str | None:
        """The URN on roll in the year (None when the school was not open)."""
        record = self.record_for(year)
        return record.urn if record else None

    def open_all_year(self, year: AcademicYear) -> bool:
        """One URN covers the whole academic year."""
        record = self.record_for(year)
        return record is not None and record.open_on(year.start) and record.open_on(year.end)

    def in_universe(self, year: AcademicYear) -> bool:
        """The site's URN for the year is a school of the hub's universe."""
        record = self.record_for(year)
        return self.in_hub and record is not None and record.state_funded() and record.open_during(year)

    def activity_ok(self, year: AcademicYear) -> bool:
        """Hub activity may name this school in the year: in the universe and open all year under one URN."""
        key = (year.start_year, len(self.records))
        if key not in self._activity_ok:
            self._activity_ok[key] = self.in_universe(year) and self.open_all_year(year)
        return self._activity_ok[key]

    def pupil_ok(self, year: AcademicYear) -> bool:
        """Pupils of the school may take part in pupil-level activity in the year (not at a closing school)."""
        return self.activity_ok(year) and self.kind not in ("nursery", "post16") and self.history != "closing"

    def stable_urn(self, years: tuple[AcademicYear, ...]) -> bool:
        """The same URN covers every one of the years, all year (safe for spans crossing years)."""
        urns = {self.urn(y) for y in years}
        return len(urns) == 1 and all(self.activity_ok(y) for y in years)


@dataclass(frozen=True)
class Link:
    """One row of the GIAS links file."""

    urn: str
    link_urn: str
    link_name: str
    link_type: str
    link_date: date | None


@dataclass
class Register:
    """The whole synthetic register: local authorities, sites, every GIAS record and the links."""

    authorities: dict[str, LocalAuthority]
    sites: list[Site]
    records: list[GiasRecord]
    links: list[Link]
    file_date: date


@dataclass(frozen=True)
class AreaPlan:
    """What the register holds: the hub's and its neighbours' authorities, how many sites of each kind each
    authority has, academy shares, and the ranges identifiers are drawn from (disjoint between hubs)."""

    hub_las: tuple[str, ...]
    neighbour_las: tuple[str, ...]
    authorities: dict[str, LocalAuthority]
    site_plan: dict[str, dict[str, int]]
    academy_share: dict[str, tuple[float, float]]
    old_urns: tuple[int, int] = (110000, 126999)
    new_urn_base: int = 136000
    new_urn_block: int = 1300
    # The last opening-year block new URNs may use (None: no limit, as the demo area has).
    new_urn_last_block: int | None = None
    trust_codes: tuple[int, int] = (2000, 17999)

    @property
    def all_las(self) -> tuple[str, ...]:
        return self.hub_las + self.neighbour_las


# How many sites of each kind each local authority has (about 550 in the hub's three).
_SITE_PLAN: dict[str, dict[str, int]] = {
    "830": {
        "primary": 262,
        "infant": 12,
        "junior": 12,
        "secondary": 46,
        "all-through": 1,
        "special": 10,
        "ap": 2,
        "nursery": 4,
    },
    "831": {
        "primary": 66,
        "infant": 3,
        "junior": 3,
        "secondary": 14,
        "all-through": 1,
        "special": 5,
        "ap": 1,
        "nursery": 2,
    },
    "892": {
        "primary": 72,
        "infant": 3,
        "junior": 3,
        "secondary": 16,
        "all-through": 1,
        "special": 6,
        "ap": 2,
        "nursery": 3,
        "utc": 1,
        "post16": 1,
    },
    "891": {"primary": 16, "secondary": 4, "special": 1},
    "856": {"primary": 12, "secondary": 4, "special": 1},
}
_ACADEMY_SHARE = {
    "830": (0.32, 0.80),
    "831": (0.45, 0.90),
    "892": (0.55, 0.95),
    "891": (0.50, 0.90),
    "856": (0.40, 0.70),
}
_ESTAB_RANGES = {
    "nursery": (1000, 1099),
    "ap": (1100, 1199),
    "primary": (2000, 2999),
    "church": (3000, 3499),
    "secondary": (4000, 4799),
    "foundation": (5200, 5299),
    "foundation_secondary": (5400, 5499),
    "independent": (6000, 6999),
    "special": (7000, 7099),
    "college": (8000, 8099),
}


def demo_plan() -> AreaPlan:
    """The demo hub area: Trentvale's three authorities and two neighbours whose staff come to its CPD."""
    return AreaPlan(HUB_LAS, NEIGHBOUR_LAS, load_local_authorities(), _SITE_PLAN, _ACADEMY_SHARE)


class _RegisterBuilder:
    def __init__(self, rng: random.Random, names: NameBook, year: AcademicYear, plan: AreaPlan) -> None:
        self.rng = rng
        self.names = names
        self.later = year
        self.earlier = year.previous()
        self.plan = plan
        self.authorities = plan.authorities
        self.sites: list[Site] = []
        self.records: list[GiasRecord] = []
        self.links: list[Link] = []
        self.used_urns: set[str] = set()
        self.used_estabs: dict[str, set[int]] = {la: set() for la in plan.all_las}
        self.used_names: set[tuple[str, str]] = set()
        self.trusts = [(f"{self.rng.randint(*plan.trust_codes):04d}", name) for name in TRUST_NAMES]

    # --- identifiers -------------------------------------------------------------------------------------
    def old_urn(self) -> str:
        while True:
            urn = str(self.rng.randint(*self.plan.old_urns))
            if urn not in self.used_urns:
                self.used_urns.add(urn)
                return urn

    def new_urn(self, open_year: int) -> str:
        plan = self.plan
        block = max(open_year - 2011, 0)
        if plan.new_urn_last_block is not None:
            block = min(block, plan.new_urn_last_block)
        base = plan.new_urn_base + block * plan.new_urn_block
        while True:
            urn = str(base + self.rng.randint(0, plan.new_urn_block - 1))
            if urn not in self.used_urns:
                self.used_urns.add(urn)
                return urn

    def estab(self, la: str, band: str) -> str:
        low, high = _ESTAB_RANGES[band]
        used = self.used_estabs[la]
        while True:
            number = self.rng.randint(low, high)
            if number not in used:
                used.add(number)
                return f"{number:04d}"

    def past_years(self, first: int) -> list[int]:
        """Calendar years from `first` to the one before the earlier activity year (at least five of them)."""
        last = self.earlier.start_year - 1
        return list(range(min(first, last - 4), last + 1))

    def unique_name(self, name: str, la: str) -> str:
        """Names repeat across local authorities (many St Joseph's), never within one."""
        if (la, name) in self.used_names:
            name = f"{name} ({self.names.place()})"
        self.used_names.add((la, name))
        return name

    # --- sites --------------------------------------------------------------------------------------------
    def build(self) -> Register:
        key = 0
        hub_las = self.plan.hub_las
        for la in self.plan.all_las:
            authority = self.authorities[la]
            for kind, count in self.plan.site_plan[la].items():
                if kind == "infant":
                    continue  # built with their junior partners
                for _ in range(count):
                    district = self.rng.choice(authority.districts)
                    place = self.names.place()
                    site = Site(key, la, kind, la in hub_las, place, district, "maintained")
                    key += 1
                    self._plan_site(site)
                    self.sites.append(site)
                    if kind == "junior" and self.plan.site_plan[la].get("infant", 0):
                        partner = Site(key, la, "infant", la in hub_las, place, district, "maintained")
                        key += 1
                        self._plan_site(partner)
                        self.sites.append(partner)
        self._assign_special_histories()
        for site in self.sites:
            self._make_records(site)
        self._add_other_establishments()
        file_date = date(self.later.start_year + 1, 9, 1)
        return Register(self.authorities, self.sites, self.records, self.links, file_date)

    def _plan_site(self, site: Site) -> None:
        rng = self.rng
        city = self.authorities[site.la].city
        if site.kind in ("primary", "infant", "all-through"):
            site.has_nursery = rng.random() < (0.55 if city else 0.3)
        if site.kind == "secondary":
            site.sixth_form = rng.random() < 0.55
        if site.kind in ("all-through", "utc", "post16"):
            site.sixth_form = True
        primary_share, secondary_share = self.plan.academy_share[site.la]
        if site.kind in ("primary", "infant", "junior"):
            site.history = "academy_hist" if rng.random() < primary_share else "maintained"
        elif site.kind in ("secondary", "all-through"):
            site.history = "academy_hist" if rng.random() < secondary_share else "maintained"
        elif site.kind in ("utc", "post16"):
            site.history = "free_hist"
        elif site.kind in ("special", "ap"):
            site.history = "academy_hist" if rng.random() < 0.3 else "maintained"
        else:
            site.history = "maintained"

    def _assign_special_histories(self) -> None:
        """Academy conversions at the year boundary, free schools, closures and amalgamations."""
        rng = self.rng
        hub = [s for s in self.sites if s.in_hub]
        maintained_primary = [s for s in hub if s.kind == "primary" and s.history == "maintained"]
        maintained_secondary = [s for s in hub if s.kind == "secondary" and s.history == "maintained"]
        rng.shuffle(maintained_primary)
        rng.shuffle(maintained_secondary)
        # Ten primaries and two secondaries convert on 1 September between the two years of activity.
        for site in maintained_primary[:10] + maintained_secondary[:2]:
            site.history = "academy_boundary"
        # Two convert at the end of the later year (the academy opens on the file's date).
        for site in maintained_primary[10:12]:
            site.history = "academy_end"
        for site, history in zip(maintained_primary[12:14], ("closing", "proposed_close"), strict=False):
            site.history = history
        for site in maintained_primary[14:16]:
            site.history = "amalgamated"
        # Free schools: three primaries (one opening at the start of the later year), one secondary; the
        # primaries are outside the hub's first authority, the rest in its last (Nottingham in the demo).
        first_la, last_la = self.plan.hub_las[0], self.plan.hub_las[-1]
        academies = [
            s for s in hub if s.kind == "primary" and s.history == "academy_hist" and s.la != first_la
        ]
        rng.shuffle(academies)
        for site, history in zip(academies[:3], ("free_new", "free_hist", "free_hist"), strict=False):
            site.history = history
        secondaries = [
            s for s in hub if s.kind == "secondary" and s.history == "academy_hist" and s.la == last_la
        ]
        for site in secondaries[:1]:
            site.history = "free_hist"
        # A special free school and an alternative provision free school.
        for kind in ("special", "ap"):
            found = next((s for s in hub if s.kind == kind and s.la == last_la), None)
            if found is not None:
                found.history = "free_hist"

    # --- records ------------------------------------------------------------------------------------------
    def _school_name(self, site: Site, academy: bool, religion: str | None, type_name: str) -> str:
        rng = self.rng
        place = site.place
        kind = site.kind
        authority = self.authorities[site.la]
        if kind in ("primary", "infant", "junior"):
            noun = {"primary": "Primary", "infant": "Infant", "junior": "Junior"}[kind]
            if religion == "RC":
                saint = SAINT_WITH_ACCENT if rng.random() < 0.04 else self.names.saint()
                saint_name = f"St {saint}" if saint == SAINT_WITH_ACCENT else possessive(saint, rng)
                return f"{saint_name} Catholic {'Voluntary Academy' if academy else noun + ' School'}"
            if religion == "CE":
                if rng.random() < 0.3:
                    return f"{possessive(self.names.saint(), rng)} CofE {noun} {'Academy' if academy else 'School'}"
                suffix = rng.choice(("CofE", "C of E", "Church of England"))
                if type_name == "Voluntary controlled school" and rng.random() < 0.5:
                    suffix += rng.choice((" (VC)", " (Controlled)"))
                elif type_name == "Voluntary aided school" and rng.random() < 0.5:
                    suffix += rng.choice((" (VA)", " (Aided)"))
                return f"{place} {suffix} {noun} {'Academy' if academy else 'School'}"
            if academy:
                return rng.choice(
                    (f"{place} {noun} Academy", f"{place} {noun} School", f"The {place} {noun} Academy")
                )
            return rng.choice(
                (
                    f"{place} {noun} School",
                    f"{place} {noun} School",
                    f"{place} Community {noun} School",
                    f"{place} Nursery and {noun} School" if kind != "junior" else f"{place} {noun} School",
                )
            )
        if kind == "secondary":
            if religion == "RC":
                return f"{possessive(self.names.saint(), rng)} Catholic {'Voluntary Academy' if academy else 'School'}"
            if religion == "CE":
                return f"{place} Church of England {'Academy' if academy else 'School'}"
            if academy:
                return rng.choice(
                    (
                        f"{place} Academy",
                        f"{place} School",
                        f"The {place} Academy",
                        f"{place} High School",
                        f"{place} Community Academy",
                    )
                )
            return rng.choice((f"{place} School", f"{place} High School", f"{place} Community School"))
        if kind == "all-through":
            return f"{place} {'All-through Academy' if academy else 'School'}"
        if kind == "special":
            return rng.choice(
                (
                    f"{place} School",
                    f"{place} Special School",
                    f"The {place} School",
                    f"{place} Academy" if academy else f"{place} Community School",
                )
            )
        if kind == "ap":
            return f"{authority.name} Alternative Provision \u2013 {place} Centre"
        if kind == "nursery":
            return f"{place} Nursery School"
        if kind == "utc":
            return f"{authority.name} University Technical College"
        if kind == "post16":
            return f"{place} Sixth Form College"
        raise ValueError(kind)

    def _maintained_type(self, site: Site) -> tuple[str, str | None]:
        rng = self.rng
        if site.kind == "special":
            return ("Foundation special school" if rng.random() < 0.1 else "Community special school"), None
        if site.kind == "ap":
            return "Pupil referral unit", None
        if site.kind == "nursery":
            return "Local authority nursery school", None
        draw = rng.random()
        if draw < 0.62 or site.kind == "all-through":
            return "Community school", None
        if draw < 0.76:
            return "Voluntary controlled school", "CE"
        if draw < 0.92:
            return "Voluntary aided school", rng.choice(("RC", "RC", "CE"))
        return "Foundation school", None

    def _academy_type(self, site: Site, sponsor: bool) -> str:
        if site.kind == "special":
            return "Academy special sponsor led" if sponsor else "Academy special converter"
        if site.kind == "ap":
            return "Academy alternative provision converter"
        return "Academy sponsor led" if sponsor else "Academy converter"

    def _estab_band(self, site: Site, type_name: str) -> str:
        if site.kind == "nursery":
            return "nursery"
        if site.kind == "ap":
            return "ap"
        if site.kind == "special":
            return "special"
        if site.kind in ("secondary", "all-through", "utc", "post16"):
            return "foundation_secondary" if type_name == "Foundation school" else "secondary"
        if type_name in ("Voluntary aided school", "Voluntary controlled school"):
            return "church"
        if type_name == "Foundation school":
            return "foundation"
        return "primary"

    def _record(self, site: Site | None, **kwargs: object) -> GiasRecord:
        record = GiasRecord(site=site, **kwargs)  # type: ignore[arg-type]
        self.records.append(record)
        if site is not None:
            site.records.append(record)
        return record

    def _pick_trust(self) -> tuple[str, str]:
        # A few big trusts take most academies, as in most areas.
        weights = [max(1, 12 - i) for i in range(len(self.trusts))]
        return self.rng.choices(self.trusts, weights=weights)[0]

    def _make_records(self, site: Site) -> None:
        rng = self.rng
        la = site.la
        history = site.history
        later_start = self.later.start_year
        if history in ("maintained", "closing", "proposed_close", "amalgamated"):
            type_name, religion = self._maintained_type(site)
            if history == "amalgamated":
                type_name, religion = "Community school", None
            name = self.unique_name(self._school_name(site, False, religion, type_name), la)
            record = self._record(
                site,
                urn=self.old_urn(),
                la=la,
                estab=self.estab(la, self._estab_band(site, type_name)),
                name=name,
                type_name=type_name,
                status="Open",
                kind=site.kind,
                religion=religion,
                open_date=self._old_open_date(),
            )
            if history == "closing":
                record.status = "Closed"
                record.close_date = date(later_start + 1, 3, 31)
                record.reason_closed = "closure"
            elif history == "proposed_close":
                record.status = "Open, but proposed to close"
                record.close_date = date(later_start + 1, 12, 31)
            elif history == "amalgamated":
                self._add_amalgamation(site, record)
            return
        if history in ("free_hist", "free_new"):
            opened = later_start if history == "free_new" else rng.choice(self.past_years(2013))
            type_name = {
                "utc": "University technical college",
                "post16": "Free schools 16 to 19",
                "special": "Free schools special",
                "ap": "Free schools alternative provision",
            }.get(site.kind, "Free schools")
            name = self.unique_name(self._school_name(site, True, None, type_name), la)
            self._record(
                site,
                urn=self.new_urn(opened),
                la=la,
                estab=self.estab(la, self._estab_band(site, type_name)),
                name=name,
                type_name=type_name,
                status="Open",
                kind=site.kind,
                open_date=date(opened, 9, 1),
                reason_opened="free",
                trust=self._pick_trust(),
            )
            return
        # An academy with its maintained predecessor.
        if history == "academy_hist":
            years = self.past_years(2011)
            converted = rng.choices(years, weights=[8 if y < 2018 else 4 for y in years])[0]
        elif history == "academy_boundary":
            converted = later_start
        else:  # academy_end
            converted = later_start + 1
        sponsor = rng.random() < (0.35 if site.kind in ("secondary", "special") else 0.25)
        old_type, religion = self._maintained_type(site)
        if religion is None and site.kind in ("primary", "infant", "junior") and rng.random() < 0.05:
            religion = "CE"
        old_name = self.unique_name(self._school_name(site, False, religion, old_type), la)
        old_estab = self.estab(la, self._estab_band(site, old_type))
        old = self._record(
            site,
            urn=self.old_urn(),
            la=la,
            estab=old_estab,
            name=old_name,
            type_name=old_type,
            status="Closed",
            kind=site.kind,
            religion=religion,
            open_date=self._old_open_date(),
            close_date=date(converted, 8, 31),
            reason_closed="sponsor" if sponsor else "converter",
        )
        new_type = self._academy_type(site, sponsor)
        new_name = self._school_name(site, True, religion, "academy")
        if rng.random() < 0.5 or new_name == old_name:
            new_name = old_name  # a converter often keeps its name
        else:
            new_name = self.unique_name(new_name, la)
        trust = self._pick_trust()
        single = site.kind == "secondary" and rng.random() < 0.15
        if single:
            trust = (f"{rng.randint(*self.plan.trust_codes):04d}", f"{new_name} Trust")
        new = self._record(
            site,
            urn=self.new_urn(converted),
            la=la,
            estab=self.estab(la, self._estab_band(site, new_type)) if sponsor else old_estab,
            name=new_name,
            type_name=new_type,
            status="Open",
            kind=site.kind,
            religion=religion,
            open_date=date(converted, 9, 1),
            reason_opened="sponsor" if sponsor else "converter",
            trust=trust,
            single_trust=single,
            sponsor=sponsor,
        )
        link_date = date(converted, 9, 1) if rng.random() < 0.8 or history != "academy_hist" else None
        self.links.append(Link(old.urn, new.urn, new.name, "Successor", link_date))
        self.links.append(Link(new.urn, old.urn, old.name, "Predecessor", link_date))

    def _old_open_date(self) -> date | None:
        draw = self.rng.random()
        if draw < 0.7:
            return None
        if draw < 0.8:
            return date(1900, 1, 1)
        return date(self.rng.randint(1952, 2008), 9, 1)

    def _add_amalgamation(self, site: Site, record: GiasRecord) -> None:
        """The primary opened when an infant and a junior school on its site closed and merged."""
        year = self.rng.choice(self.past_years(2008)[:12])
        record.open_date = date(year, 9, 1)
        record.reason_opened = "amalgamation"
        for noun, kind in (("Infant", "infant"), ("Junior", "junior")):
            old = self._record(
                None,
                urn=self.old_urn(),
                la=site.la,
                estab=self.estab(site.la, "primary"),
                name=self.unique_name(f"{site.place} {noun} School", site.la),
                type_name="Community school",
                status="Closed",
                kind=kind,
                open_date=self._old_open_date(),
                close_date=date(year, 8, 31),
                reason_closed="amalgamation",
            )
            old.details["district"] = site.district.code
            self.links.append(
                Link(old.urn, record.urn, record.name, "Successor - amalgamated", date(year, 9, 1))
            )
            self.links.append(
                Link(record.urn, old.urn, old.name, "Predecessor - amalgamated", date(year, 9, 1))
            )

    def _add_other_establishments(self) -> None:
        """Independent schools, a college, a school proposed to open and schools closed long ago."""
        rng = self.rng
        later_start = self.later.start_year
        # In the demo: Derbyshire (first), Derby (second) and Nottingham (last).
        hub_las = self.plan.hub_las
        first, second, last = hub_las[0], hub_las[1 % len(hub_las)], hub_las[-1]
        extras: list[tuple[str, str, str, str]] = [
            (first, "Other independent school", "independent", f"{self.names.place()} Hall School"),
            (first, "Other independent school", "independent", f"{self.names.place()} Preparatory School"),
            (last, "Other independent school", "independent", f"{self.names.place()} High School for Girls"),
            (first, "Other independent special school", "special", f"{self.names.place()} House School"),
            (
                second,
                "Non-maintained special school",
                "special",
                f"{self.names.place()} School for Deaf Children",
            ),
            (second, "Further education", "college", f"{self.names.place()} College"),
        ]
        for la, type_name, band, name in extras:
            kind = {"independent": "independent", "special": "special_other", "college": "college"}[band]
            record = self._record(
                None,
                urn=self.old_urn() if band != "college" else self.new_urn(2015),
                la=la,
                estab=self.estab(la, band),
                name=self.unique_name(name, la),
                type_name=type_name,
                status="Open",
                kind=kind,
                open_date=self._old_open_date(),
            )
            if "Girls" in name:
                record.gender = "Girls"
        self._record(
            None,
            urn=self.new_urn(later_start + 1),
            la=first,
            estab=self.estab(first, "primary"),
            name=self.unique_name(f"{self.names.place()} Primary Academy", first),
            type_name="Free schools",
            status="Proposed to open",
            kind="primary",
            open_date=date(later_start + 2, 9, 1),
            reason_opened="free",
        )
        # Schools closed long ago: some simply closed, some merged into a school still open.
        hub_primaries = [
            s for s in self.sites if s.in_hub and s.kind == "primary" and s.history == "maintained"
        ]
        for index in range(10):
            neighbours = self.plan.neighbour_las
            la = rng.choice(hub_las) if index < 8 or not neighbours else rng.choice(neighbours)
            year = rng.choice(self.past_years(2006)[:16])
            kind = rng.choice(("primary", "primary", "infant", "secondary"))
            noun = {"primary": "Primary School", "infant": "Infant School", "secondary": "School"}[kind]
            record = self._record(
                None,
                urn=self.old_urn(),
                la=la,
                estab=self.estab(la, "secondary" if kind == "secondary" else "primary"),
                name=self.unique_name(f"{self.names.place()} {noun}", la),
                type_name="Community school",
                status="Closed",
                kind=kind,
                open_date=self._old_open_date(),
                close_date=date(year, 8, 31),
                reason_closed="closure",
            )
            if index < 3:
                target = (
                    next(s for s in hub_primaries if s.la == la)
                    if any(s.la == la for s in hub_primaries)
                    else None
                )
                if target is not None and target.records:
                    into = target.records[-1]
                    self.links.append(
                        Link(record.urn, into.urn, into.name, "Successor - merged", date(year, 9, 1))
                    )
                    self.links.append(
                        Link(into.urn, record.urn, record.name, "Predecessor - merged", date(year, 9, 1))
                    )


def build_register(
    rng: random.Random, names: NameBook, year: AcademicYear, plan: AreaPlan | None = None
) -> Register:
    """Sites and GIAS records of the plan's authorities (the demo's five by default), with the links."""
    return _RegisterBuilder(rng, names, year, plan or demo_plan()).build()
