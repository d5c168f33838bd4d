"""The synthetic school register's model: GIAS code tables, schools (sites), their records and the links.

A *site* is one physical state-funded school with pupils on roll; it carries one GIAS record per URN it has
had (a maintained school that became an academy has two). Other records (independent schools, colleges,
schools closed long ago, a school proposed to open) have no site. The register is built by
`hubreturns.synthetic.register_build`; the geography it sits on is `hubreturns.synthetic.geography`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hubreturns.synthetic.geography import (
    HUB_LAS,
    NEIGHBOUR_LAS,
    District,
    LocalAuthority,
    load_local_authorities,
)
from hubreturns.synthetic.school_calendar import census_day
from schemas.periods import AcademicYear
from schemas.vocabulary import (
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
)


@dataclass(frozen=True)
class EstablishmentType:
    """A GIAS establishment type's code and the type group it belongs to (codes keep their leading zeros)."""

    code: str
    group_code: str
    group_name: str


@dataclass(frozen=True)
class SiteKind:
    """A kind of site: its GIAS phase and the NC years it teaches ("N" is nursery classes)."""

    phase: str
    years: tuple[str, ...]


@dataclass(frozen=True)
class Coded:
    """A GIAS value as its "(code)" and "(name)" column pair holds it."""

    code: str
    name: str


@dataclass(frozen=True)
class Trust:
    """An academy trust: its GIAS group code and name."""

    code: str
    name: str


@dataclass(frozen=True)
class IdRange:
    """An inclusive range of identifiers (URNs, trust codes) an area draws from."""

    low: int
    high: int


@dataclass(frozen=True)
class AcademyShare:
    """The share of an authority's primary and secondary sites that are academies."""

    primary: float
    secondary: float


# Type name -> its GIAS codes, as in GIAS.
TYPES: dict[str, EstablishmentType] = {
    "Community school": EstablishmentType(
        code="01", group_code="4", group_name="Local authority maintained schools"
    ),
    "Voluntary aided school": EstablishmentType(
        code="02", group_code="4", group_name="Local authority maintained schools"
    ),
    "Voluntary controlled school": EstablishmentType(
        code="03", group_code="4", group_name="Local authority maintained schools"
    ),
    "Foundation school": EstablishmentType(
        code="05", group_code="4", group_name="Local authority maintained schools"
    ),
    "Community special school": EstablishmentType(code="07", group_code="5", group_name="Special schools"),
    "Non-maintained special school": EstablishmentType(
        code="08", group_code="5", group_name="Special schools"
    ),
    "Other independent special school": EstablishmentType(
        code="10", group_code="5", group_name="Special schools"
    ),
    "Other independent school": EstablishmentType(
        code="11", group_code="3", group_name="Independent schools"
    ),
    "Foundation special school": EstablishmentType(code="12", group_code="5", group_name="Special schools"),
    "Pupil referral unit": EstablishmentType(
        code="14", group_code="4", group_name="Local authority maintained schools"
    ),
    "Local authority nursery school": EstablishmentType(
        code="15", group_code="4", group_name="Local authority maintained schools"
    ),
    "Further education": EstablishmentType(code="18", group_code="1", group_name="Colleges"),
    "Academy sponsor led": EstablishmentType(code="28", group_code="10", group_name="Academies"),
    "Academy special sponsor led": EstablishmentType(code="33", group_code="10", group_name="Academies"),
    "Academy converter": EstablishmentType(code="34", group_code="10", group_name="Academies"),
    "Free schools": EstablishmentType(code="35", group_code="11", group_name="Free Schools"),
    "Free schools special": EstablishmentType(code="36", group_code="11", group_name="Free Schools"),
    "Free schools alternative provision": EstablishmentType(
        code="38", group_code="11", group_name="Free Schools"
    ),
    "Free schools 16 to 19": EstablishmentType(code="39", group_code="11", group_name="Free Schools"),
    "University technical college": EstablishmentType(code="40", group_code="11", group_name="Free Schools"),
    "Academy alternative provision converter": EstablishmentType(
        code="42", group_code="10", group_name="Academies"
    ),
    "Academy special converter": EstablishmentType(code="44", group_code="10", group_name="Academies"),
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
# Kind of site -> its phase and the NC years it teaches.
KINDS: dict[str, SiteKind] = {
    "primary": SiteKind(phase="Primary", years=("R", "1", "2", "3", "4", "5", "6")),
    "infant": SiteKind(phase="Primary", years=("R", "1", "2")),
    "junior": SiteKind(phase="Primary", years=("3", "4", "5", "6")),
    "secondary": SiteKind(phase="Secondary", years=("7", "8", "9", "10", "11")),
    "all-through": SiteKind(
        phase="All-through", years=("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13")
    ),
    "special": SiteKind(
        phase="Not applicable",
        years=("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"),
    ),
    "ap": SiteKind(phase="Not applicable", years=("7", "8", "9", "10", "11")),
    "nursery": SiteKind(phase="Nursery", years=()),
    "utc": SiteKind(phase="Secondary", years=("10", "11", "12", "13")),
    "post16": SiteKind(phase="16 plus", years=("12", "13")),
}
REASONS_OPENED: dict[str, Coded] = {
    "none": Coded(code="00", name="Not applicable"),
    "amalgamation": Coded(code="01", name="Result of Amalgamation"),
    "new": Coded(code="08", name="New Provision"),
    "converter": Coded(code="10", name="Academy Converter"),
    "sponsor": Coded(code="11", name="Academy Sponsor Led"),
    "free": Coded(code="12", name="Academy Free School"),
}
REASONS_CLOSED: dict[str, Coded] = {
    "none": Coded(code="00", name="Not applicable"),
    "closure": Coded(code="02", name="Closure"),
    "amalgamation": Coded(code="01", name="For Merger / Amalgamation"),
    "converter": Coded(code="10", name="Academy Converter"),
    "sponsor": Coded(code="11", name="Academy Sponsor Led"),
}


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
    trust: Trust | None = None
    single_trust: bool = False
    sponsor: bool = False
    religion: str | None = None
    sixth_form: bool = False
    has_nursery: bool = False
    gender: str = "Mixed"
    details: dict[str, str] = field(default_factory=dict)

    @property
    def group_name(self) -> str:
        """The GIAS type group of the record's establishment type."""
        return TYPES[self.type_name].group_name

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
        """The NC years the site teaches (a secondary with a sixth form adds 12 and 13)."""
        base = KINDS[self.kind].years
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
    academy_share: dict[str, AcademyShare]
    old_urns: IdRange = IdRange(low=110000, high=126999)
    new_urn_base: int = 136000
    new_urn_block: int = 1300
    # The last opening-year block new URNs may use (None: no limit, as the demo area has).
    new_urn_last_block: int | None = None
    trust_codes: IdRange = IdRange(low=2000, high=17999)

    @property
    def all_las(self) -> tuple[str, ...]:
        """The hub's authorities, then its neighbours'."""
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
    "830": AcademyShare(primary=0.32, secondary=0.80),
    "831": AcademyShare(primary=0.45, secondary=0.90),
    "892": AcademyShare(primary=0.55, secondary=0.95),
    "891": AcademyShare(primary=0.50, secondary=0.90),
    "856": AcademyShare(primary=0.40, secondary=0.70),
}


def demo_plan() -> AreaPlan:
    """The demo hub area: Trentvale's three authorities and two neighbours whose staff come to its CPD."""
    return AreaPlan(
        hub_las=HUB_LAS,
        neighbour_las=NEIGHBOUR_LAS,
        authorities=load_local_authorities(),
        site_plan=_SITE_PLAN,
        academy_share=_ACADEMY_SHARE,
    )
