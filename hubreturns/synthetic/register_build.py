"""Building the synthetic register: sites planned per authority, their GIAS records over time, and the links.

The steps run in a fixed order on one seeded Random (trust codes, sites, special histories, each site's
records, then the establishments without a site), so the same seed gives the same register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from hubreturns.synthetic.names import TRUST_NAMES, NameBook
from hubreturns.synthetic.register import (
    AreaPlan,
    GiasRecord,
    IdRange,
    Link,
    Register,
    Site,
    Trust,
    demo_plan,
)
from hubreturns.synthetic.school_names import school_name
from schemas.periods import AcademicYear

# Establishment-number band -> the numbers GIAS gives schools of that band within an authority.
_ESTAB_RANGES = {
    "nursery": IdRange(low=1000, high=1099),
    "ap": IdRange(low=1100, high=1199),
    "primary": IdRange(low=2000, high=2999),
    "church": IdRange(low=3000, high=3499),
    "secondary": IdRange(low=4000, high=4799),
    "foundation": IdRange(low=5200, high=5299),
    "foundation_secondary": IdRange(low=5400, high=5499),
    "independent": IdRange(low=6000, high=6999),
    "special": IdRange(low=7000, high=7099),
    "college": IdRange(low=8000, high=8099),
}
_FREE_SCHOOL_TYPES = {
    "utc": "University technical college",
    "post16": "Free schools 16 to 19",
    "special": "Free schools special",
    "ap": "Free schools alternative provision",
}


@dataclass(frozen=True)
class _ExtraSchool:
    """An establishment without a site: its authority, GIAS type, establishment-number band and name."""

    la: str
    type_name: str
    band: str
    name: str


class _Identifiers:
    """URNs, establishment numbers and school names of an area, each handed out once."""

    def __init__(self, rng: random.Random, names: NameBook, plan: AreaPlan) -> None:
        self.rng = rng
        self.names = names
        self.plan = plan
        self.used_urns: set[str] = set()
        self.used_estabs: dict[str, set[int]] = {la: set() for la in plan.all_las}
        self.used_names: set[tuple[str, str]] = set()

    def old_urn(self) -> str:
        """A URN from the plan's range for schools open before academies (not used before)."""
        while True:
            urn = str(self.rng.randint(self.plan.old_urns.low, self.plan.old_urns.high))
            if urn not in self.used_urns:
                self.used_urns.add(urn)
                return urn

    def new_urn(self, open_year: int) -> str:
        """A URN from the block of the year the school opened (not used before)."""
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
        """A four-digit establishment number of the band, not used before in the authority."""
        numbers = _ESTAB_RANGES[band]
        used = self.used_estabs[la]
        while True:
            number = self.rng.randint(numbers.low, numbers.high)
            if number not in used:
                used.add(number)
                return f"{number:04d}"

    def unique_name(self, name: str, la: str) -> str:
        """Names repeat across local authorities (many St Joseph's), never within one."""
        if (la, name) in self.used_names:
            name = f"{name} ({self.names.place()})"
        self.used_names.add((la, name))
        return name


# --- sites --------------------------------------------------------------------------------------------------
def _plan_site(rng: random.Random, plan: AreaPlan, site: Site) -> None:
    """A site's nursery classes, sixth form and history before the special histories are handed out."""
    city = plan.authorities[site.la].city
    if site.kind in ("primary", "infant", "all-through"):
        site.has_nursery = rng.random() < (0.55 if city else 0.3)
    if site.kind == "secondary":
        site.sixth_form = rng.random() < 0.55
    if site.kind in ("all-through", "utc", "post16"):
        site.sixth_form = True
    share = plan.academy_share[site.la]
    if site.kind in ("primary", "infant", "junior"):
        site.history = "academy_hist" if rng.random() < share.primary else "maintained"
    elif site.kind in ("secondary", "all-through"):
        site.history = "academy_hist" if rng.random() < share.secondary else "maintained"
    elif site.kind in ("utc", "post16"):
        site.history = "free_hist"
    elif site.kind in ("special", "ap"):
        site.history = "academy_hist" if rng.random() < 0.3 else "maintained"
    else:
        site.history = "maintained"


def _plan_sites(rng: random.Random, names: NameBook, plan: AreaPlan) -> list[Site]:
    """Every authority's sites of each kind, each in a district and place (infants beside their juniors)."""
    sites: list[Site] = []
    key = 0
    hub_las = plan.hub_las
    for la in plan.all_las:
        authority = plan.authorities[la]
        for kind, count in plan.site_plan[la].items():
            if kind == "infant":
                continue  # built with their junior partners
            for _ in range(count):
                district = rng.choice(authority.districts)
                place = names.place()
                site = Site(key, la, kind, la in hub_las, place, district, "maintained")
                key += 1
                _plan_site(rng, plan, site)
                sites.append(site)
                if kind == "junior" and plan.site_plan[la].get("infant", 0):
                    partner = Site(key, la, "infant", la in hub_las, place, district, "maintained")
                    key += 1
                    _plan_site(rng, plan, partner)
                    sites.append(partner)
    return sites


def _assign_special_histories(rng: random.Random, sites: list[Site], plan: AreaPlan) -> None:
    """Academy conversions at the year boundary, free schools, closures and amalgamations."""
    hub = [s for s in sites if s.in_hub]
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
    first_la, last_la = plan.hub_las[0], plan.hub_las[-1]
    academies = [s for s in hub if s.kind == "primary" and s.history == "academy_hist" and s.la != first_la]
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


# --- school types -------------------------------------------------------------------------------------------
def _maintained_type(rng: random.Random, site: Site) -> tuple[str, str | None]:
    """The GIAS type of a maintained school of the site's kind, and its religious character (CE, RC or none)."""
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


def _academy_type(site: Site, sponsor: bool) -> str:
    """The GIAS type of the academy a site's school became (sponsored or converter)."""
    if site.kind == "special":
        return "Academy special sponsor led" if sponsor else "Academy special converter"
    if site.kind == "ap":
        return "Academy alternative provision converter"
    return "Academy sponsor led" if sponsor else "Academy converter"


def _estab_band(site: Site, type_name: str) -> str:
    """The establishment-number band of a school of the site's kind and type."""
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


# --- records ------------------------------------------------------------------------------------------------
class _RecordMaker:
    """The GIAS records and links of the area, made site by site from each site's history."""

    def __init__(self, rng: random.Random, names: NameBook, year: AcademicYear, plan: AreaPlan) -> None:
        self.rng = rng
        self.names = names
        self.later = year
        self.earlier = year.previous()
        self.plan = plan
        self.ids = _Identifiers(rng, names, plan)
        self.records: list[GiasRecord] = []
        self.links: list[Link] = []
        self.trusts = [
            Trust(code=f"{rng.randint(plan.trust_codes.low, plan.trust_codes.high):04d}", name=name)
            for name in TRUST_NAMES
        ]

    def past_years(self, first: int) -> list[int]:
        """Calendar years from `first` to the one before the earlier activity year (at least five of them)."""
        last = self.earlier.start_year - 1
        return list(range(min(first, last - 4), last + 1))

    def record(self, site: Site | None, **kwargs: object) -> GiasRecord:
        """A new record, kept in the register and on its site (if it has one)."""
        record = GiasRecord(site=site, **kwargs)  # type: ignore[arg-type]
        self.records.append(record)
        if site is not None:
            site.records.append(record)
        return record

    def link(self, earlier: GiasRecord, later: GiasRecord, kind: str, day: date | None) -> None:
        """The pair of links between a school and its successor: "Successor" from the earlier one and back."""
        suffix = f" - {kind}" if kind else ""
        self.links.append(Link(earlier.urn, later.urn, later.name, f"Successor{suffix}", day))
        self.links.append(Link(later.urn, earlier.urn, earlier.name, f"Predecessor{suffix}", day))

    def pick_trust(self) -> Trust:
        """One of the area's trusts; a few big trusts take most academies, as in most areas."""
        weights = [max(1, 12 - i) for i in range(len(self.trusts))]
        return self.rng.choices(self.trusts, weights=weights)[0]

    def old_open_date(self) -> date | None:
        """When a long-standing school opened: mostly unknown, some on GIAS's 1900 placeholder."""
        draw = self.rng.random()
        if draw < 0.7:
            return None
        if draw < 0.8:
            return date(1900, 1, 1)
        return date(self.rng.randint(1952, 2008), 9, 1)

    def name(self, site: Site, academy: bool, religion: str | None, type_name: str) -> str:
        """An invented name for the site's school (not yet made unique)."""
        return school_name(
            self.rng, self.names, site, self.plan.authorities[site.la], academy, religion, type_name
        )

    def make_records(self, site: Site) -> None:
        """The site's records as its history says: maintained, a free school, or an academy and predecessor."""
        if site.history in ("maintained", "closing", "proposed_close", "amalgamated"):
            self._maintained(site)
        elif site.history in ("free_hist", "free_new"):
            self._free_school(site)
        else:
            self._academy(site)

    def _maintained(self, site: Site) -> None:
        """One maintained school, open, closing, proposed to close or opened by amalgamation."""
        ids = self.ids
        la = site.la
        history = site.history
        later_start = self.later.start_year
        type_name, religion = _maintained_type(self.rng, site)
        if history == "amalgamated":
            type_name, religion = "Community school", None
        name = ids.unique_name(self.name(site, False, religion, type_name), la)
        record = self.record(
            site,
            urn=ids.old_urn(),
            la=la,
            estab=ids.estab(la, _estab_band(site, type_name)),
            name=name,
            type_name=type_name,
            status="Open",
            kind=site.kind,
            religion=religion,
            open_date=self.old_open_date(),
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

    def _free_school(self, site: Site) -> None:
        """A free school, opened in a past year or at the start of the later year."""
        ids = self.ids
        la = site.la
        later_start = self.later.start_year
        opened = later_start if site.history == "free_new" else self.rng.choice(self.past_years(2013))
        type_name = _FREE_SCHOOL_TYPES.get(site.kind, "Free schools")
        name = ids.unique_name(self.name(site, True, None, type_name), la)
        self.record(
            site,
            urn=ids.new_urn(opened),
            la=la,
            estab=ids.estab(la, _estab_band(site, type_name)),
            name=name,
            type_name=type_name,
            status="Open",
            kind=site.kind,
            open_date=date(opened, 9, 1),
            reason_opened="free",
            trust=self.pick_trust(),
        )

    def _academy(self, site: Site) -> None:
        """An academy with its maintained predecessor, converted in a past year or at either year's end."""
        rng = self.rng
        ids = self.ids
        la = site.la
        history = site.history
        later_start = self.later.start_year
        if history == "academy_hist":
            years = self.past_years(2011)
            converted = rng.choices(years, weights=[8 if y < 2018 else 4 for y in years])[0]
        elif history == "academy_boundary":
            converted = later_start
        else:  # academy_end
            converted = later_start + 1
        sponsor = rng.random() < (0.35 if site.kind in ("secondary", "special") else 0.25)
        old_type, religion = _maintained_type(rng, site)
        if religion is None and site.kind in ("primary", "infant", "junior") and rng.random() < 0.05:
            religion = "CE"
        old_name = ids.unique_name(self.name(site, False, religion, old_type), la)
        old_estab = ids.estab(la, _estab_band(site, old_type))
        old = self.record(
            site,
            urn=ids.old_urn(),
            la=la,
            estab=old_estab,
            name=old_name,
            type_name=old_type,
            status="Closed",
            kind=site.kind,
            religion=religion,
            open_date=self.old_open_date(),
            close_date=date(converted, 8, 31),
            reason_closed="sponsor" if sponsor else "converter",
        )
        new_type = _academy_type(site, sponsor)
        new_name = self.name(site, True, religion, "academy")
        # A converter often keeps its name.
        new_name = old_name if rng.random() < 0.5 or new_name == old_name else ids.unique_name(new_name, la)
        trust = self.pick_trust()
        single = site.kind == "secondary" and rng.random() < 0.15
        if single:
            codes = self.plan.trust_codes
            trust = Trust(code=f"{rng.randint(codes.low, codes.high):04d}", name=f"{new_name} Trust")
        new = self.record(
            site,
            urn=ids.new_urn(converted),
            la=la,
            estab=ids.estab(la, _estab_band(site, new_type)) if sponsor else old_estab,
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
        self.link(old, new, "", link_date)

    def _add_amalgamation(self, site: Site, record: GiasRecord) -> None:
        """The primary opened when an infant and a junior school on its site closed and merged."""
        ids = self.ids
        year = self.rng.choice(self.past_years(2008)[:12])
        record.open_date = date(year, 9, 1)
        record.reason_opened = "amalgamation"
        for noun, kind in (("Infant", "infant"), ("Junior", "junior")):
            old = self.record(
                None,
                urn=ids.old_urn(),
                la=site.la,
                estab=ids.estab(site.la, "primary"),
                name=ids.unique_name(f"{site.place} {noun} School", site.la),
                type_name="Community school",
                status="Closed",
                kind=kind,
                open_date=self.old_open_date(),
                close_date=date(year, 8, 31),
                reason_closed="amalgamation",
            )
            old.details["district"] = site.district.code
            self.link(old, record, "amalgamated", date(year, 9, 1))


# --- establishments without a site --------------------------------------------------------------------------
def _add_independents_and_college(maker: _RecordMaker) -> None:
    """Independent schools, two special schools outside the universe and a college (open, no site)."""
    ids = maker.ids
    place = maker.names.place
    # In the demo: Derbyshire (first), Derby (second) and Nottingham (last).
    hub_las = maker.plan.hub_las
    first, second, last = hub_las[0], hub_las[1 % len(hub_las)], hub_las[-1]
    independent = "Other independent school"
    extras = [
        _ExtraSchool(la=first, type_name=independent, band="independent", name=f"{place()} Hall School"),
        _ExtraSchool(
            la=first, type_name=independent, band="independent", name=f"{place()} Preparatory School"
        ),
        _ExtraSchool(
            la=last, type_name=independent, band="independent", name=f"{place()} High School for Girls"
        ),
        _ExtraSchool(
            la=first,
            type_name="Other independent special school",
            band="special",
            name=f"{place()} House School",
        ),
        _ExtraSchool(
            la=second,
            type_name="Non-maintained special school",
            band="special",
            name=f"{place()} School for Deaf Children",
        ),
        _ExtraSchool(la=second, type_name="Further education", band="college", name=f"{place()} College"),
    ]
    for extra in extras:
        kind = {"independent": "independent", "special": "special_other", "college": "college"}[extra.band]
        record = maker.record(
            None,
            urn=ids.old_urn() if extra.band != "college" else ids.new_urn(2015),
            la=extra.la,
            estab=ids.estab(extra.la, extra.band),
            name=ids.unique_name(extra.name, extra.la),
            type_name=extra.type_name,
            status="Open",
            kind=kind,
            open_date=maker.old_open_date(),
        )
        if "Girls" in extra.name:
            record.gender = "Girls"


def _add_proposed_school(maker: _RecordMaker) -> None:
    """A free school in the hub's first authority, proposed to open the year after the later one."""
    ids = maker.ids
    later_start = maker.later.start_year
    first = maker.plan.hub_las[0]
    maker.record(
        None,
        urn=ids.new_urn(later_start + 1),
        la=first,
        estab=ids.estab(first, "primary"),
        name=ids.unique_name(f"{maker.names.place()} Primary Academy", first),
        type_name="Free schools",
        status="Proposed to open",
        kind="primary",
        open_date=date(later_start + 2, 9, 1),
        reason_opened="free",
    )


def _add_closed_long_ago(maker: _RecordMaker, sites: list[Site]) -> None:
    """Ten schools closed long ago: some simply closed, some merged into a school still open."""
    rng = maker.rng
    ids = maker.ids
    hub_las = maker.plan.hub_las
    hub_primaries = [s for s in sites if s.in_hub and s.kind == "primary" and s.history == "maintained"]
    for index in range(10):
        neighbours = maker.plan.neighbour_las
        la = rng.choice(hub_las) if index < 8 or not neighbours else rng.choice(neighbours)
        year = rng.choice(maker.past_years(2006)[:16])
        kind = rng.choice(("primary", "primary", "infant", "secondary"))
        noun = {"primary": "Primary School", "infant": "Infant School", "secondary": "School"}[kind]
        record = maker.record(
            None,
            urn=ids.old_urn(),
            la=la,
            estab=ids.estab(la, "secondary" if kind == "secondary" else "primary"),
            name=ids.unique_name(f"{maker.names.place()} {noun}", la),
            type_name="Community school",
            status="Closed",
            kind=kind,
            open_date=maker.old_open_date(),
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
                maker.link(record, target.records[-1], "merged", date(year, 9, 1))


def build_register(
    rng: random.Random, names: NameBook, year: AcademicYear, plan: AreaPlan | None = None
) -> Register:
    """Sites and GIAS records of the plan's authorities (the demo's five by default), with the links."""
    plan = plan or demo_plan()
    maker = _RecordMaker(rng, names, year, plan)
    sites = _plan_sites(rng, names, plan)
    _assign_special_histories(rng, sites, plan)
    for site in sites:
        maker.make_records(site)
    _add_independents_and_college(maker)
    _add_proposed_school(maker)
    _add_closed_long_ago(maker, sites)
    return Register(plan.authorities, sites, maker.records, maker.links, date(year.start_year + 1, 9, 1))
