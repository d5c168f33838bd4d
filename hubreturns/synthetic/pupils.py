"""Pupils known to the hub: invented children placed in real-looking cohorts of the census schools.

Every pupil has a place (school and NC year) in the later year, and one in the earlier year when they were
at school then. Activities draw pupils from a cohort (a school's year group in a year); a cohort never
hands out more new pupils than the census says it has, so activity counts stay within the rolls.
"""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass

from hubreturns.synthetic.census import NEXT_YEAR, PREVIOUS_YEAR
from hubreturns.synthetic.register import Register, Site
from schemas.census import CENSUS_ETHNICITY_GROUPS
from schemas.periods import AcademicYear

_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_MAJOR_GROUPS = tuple(CENSUS_ETHNICITY_GROUPS.values())


@dataclass(frozen=True, eq=False)
class Place:
    """Where a pupil is in a year: the school (site) and the NC year."""

    site: Site
    nc: str


@dataclass(eq=False)
class Pupil:
    """One invented pupil."""

    ref: str
    upn: str | None
    gender: str
    fsm: bool
    pupil_premium: bool
    sen_status: str
    looked_after: bool
    ethnicity_group: str | None
    later_site: Site
    later_nc: str
    earlier_site: Site | None
    earlier_nc: str | None

    def place(self, year_index: int) -> Place | None:
        """School and NC year in the earlier (0) or later (1) year."""
        if year_index == 1:
            return Place(site=self.later_site, nc=self.later_nc)
        if self.earlier_site is None or self.earlier_nc is None:
            return None
        return Place(site=self.earlier_site, nc=self.earlier_nc)


def upn_check_letter(body: str) -> str:
    """DfE's UPN check letter for the 12 characters after it (weights 2 to 13, modulo 23)."""
    total = sum(int(char) * weight for weight, char in enumerate(body, start=2))
    return _UPN_CHECK_LETTERS[total % 23]


class PupilBook:
    """All pupils created so far, indexed by cohort (site, NC year, year) in both years."""

    def __init__(
        self,
        rng: random.Random,
        register: Register,
        years: tuple[AcademicYear, AcademicYear],
        *,
        ref_prefix: str = "SA",
    ) -> None:
        self.rng = rng
        self.years = years
        # Management-system ids start with the prefix (one per hub when several hubs are generated).
        self.ref_prefix = ref_prefix
        self.pupils: list[Pupil] = []
        self._cohorts: dict[tuple[int, str, int], list[Pupil]] = {}
        self._next_ref = rng.randint(10000, 40000)
        self._upn_serials: dict[tuple[str, str, int], int] = {}
        self._feeders: dict[tuple[int, str], list[Site]] = {}
        self._ethnicity: dict[int, list[float]] = {}
        hub_sites = [s for s in register.sites if s.in_hub]
        # Where pupils go next (or came from) when they change school: same LA, right year group; schools
        # whose intake year it is first (a secondary for year 7, a junior school for year 3).
        self._receivers: dict[tuple[str, str], list[Site]] = {}
        self._senders: dict[tuple[str, str], list[Site]] = {}
        later, earlier = years[1], years[0]
        intake: dict[tuple[str, str], list[Site]] = {}
        for site in hub_sites:
            if site.kind in ("special", "ap"):
                continue
            if (
                site.pupil_ok(later)
                and site.engaged.get(later.start_year, True)
                and site.history != "free_new"
            ):
                for nc in site.years:
                    self._receivers.setdefault((site.la, nc), []).append(site)
                    if PREVIOUS_YEAR.get(nc) not in site.years:
                        intake.setdefault((site.la, nc), []).append(site)
            if site.pupil_ok(earlier):
                top = site.years[-1] if site.years else None
                if top:
                    self._senders.setdefault((site.la, top), []).append(site)
        for key, sites in intake.items():
            self._receivers[key] = sites

    # --- cohorts ---------------------------------------------------------------------------------------
    def cohort(self, site: Site, nc: str, year_index: int) -> list[Pupil]:
        """Pupils created so far in one school's year group in one year."""
        return self._cohorts.setdefault((site.key, nc, year_index), [])

    def cohort_size(self, site: Site, nc: str, year_index: int) -> int:
        """The year group's roll in that year's census."""
        return site.rolls.get(self.years[year_index].start_year, {}).get(nc, 0)

    def draw(
        self,
        site: Site,
        nc: str,
        year_index: int,
        count: int,
        *,
        reuse: float = 0.0,
        exclude: Container[str] | None = None,
    ) -> list[Pupil]:
        """Up to `count` distinct pupils of a year group: existing ones with probability `reuse`, else new
        ones while the roll allows; pupils whose ref is in `exclude` are never chosen."""
        if year_index == 0 and nc not in NEXT_YEAR:
            raise ValueError(f"year {nc} pupils of the earlier year have left school by the later year")
        rng = self.rng
        members = self.cohort(site, nc, year_index)
        capacity = self.cohort_size(site, nc, year_index)
        chosen: list[Pupil] = []
        taken: set[str] = set()
        for _ in range(count):
            want_existing = bool(members) and (rng.random() < reuse or len(members) >= capacity)
            pick = self._existing(members, exclude, taken) if want_existing else None
            if pick is None and len(members) < capacity:
                pick = self._create(site, nc, year_index)
            if pick is None and not want_existing:
                pick = self._existing(members, exclude, taken)
            if pick is None:
                break
            chosen.append(pick)
            taken.add(pick.ref)
        return chosen

    def _existing(
        self, members: list[Pupil], exclude: Container[str] | None, taken: set[str]
    ) -> Pupil | None:
        """A random member of a cohort not excluded nor already taken (None when there is none)."""
        rng = self.rng
        for _ in range(6):
            pupil = members[rng.randrange(len(members))]
            if pupil.ref not in taken and (exclude is None or pupil.ref not in exclude):
                return pupil
        free = [p for p in members if p.ref not in taken and (exclude is None or p.ref not in exclude)]
        return rng.choice(free) if free else None

    # --- creation --------------------------------------------------------------------------------------
    def _create(self, site: Site, nc: str, year_index: int) -> Pupil:
        """A new pupil of the cohort, with a place in the other year and their own characteristics."""
        rng = self.rng
        earlier: Place | None
        if year_index == 1:
            later = Place(site=site, nc=nc)
            earlier = self._earlier_place(site, nc)
        else:
            later = self._later_place(site, nc)
            earlier = Place(site=site, nc=nc)
        later_site, later_nc = later.site, later.nc
        fsm = rng.random() < site.fsm_rate
        looked_after = rng.random() < (0.03 if site.kind in ("special", "ap") else 0.005)
        pupil_premium = fsm or looked_after or rng.random() < 0.08
        if rng.random() < site.ehcp_rate:
            sen = "E"
        elif rng.random() < site.sen_support_rate:
            sen = "K"
        else:
            sen = "none"
        draw = rng.random()
        if draw < 0.015:
            ethnicity = "Unclassified"
        elif draw < 0.025:
            ethnicity = None
        else:
            ethnicity = rng.choices(_MAJOR_GROUPS, cum_weights=self._ethnicity_weights(site))[0]
        male = rng.random() < site.male_share
        gender = "X" if rng.random() < 0.002 else ("M" if male else "F")
        self._next_ref += rng.randint(1, 3)
        pupil = Pupil(
            ref=f"{self.ref_prefix}{self._next_ref:07d}",
            upn=self._upn(later_site, later_nc) if rng.random() < 0.9 else None,
            gender=gender,
            fsm=fsm,
            pupil_premium=pupil_premium,
            sen_status=sen,
            looked_after=looked_after,
            ethnicity_group=ethnicity,
            later_site=later_site,
            later_nc=later_nc,
            earlier_site=earlier.site if earlier else None,
            earlier_nc=earlier.nc if earlier else None,
        )
        self.pupils.append(pupil)
        self.cohort(later_site, later_nc, 1).append(pupil)
        if earlier:
            self.cohort(earlier.site, earlier.nc, 0).append(pupil)
        return pupil

    def _ethnicity_weights(self, site: Site) -> list[float]:
        if site.key not in self._ethnicity:
            total, cumulative = 0.0, []
            for weight in site.ethnicity:
                total += weight
                cumulative.append(total)
            self._ethnicity[site.key] = cumulative
        return self._ethnicity[site.key]

    def _later_place(self, site: Site, nc: str) -> Place:
        """Where a pupil of the earlier year is in the later year: next year group, moving school if need be."""
        following = NEXT_YEAR[nc]
        later = self.years[1]
        if following in site.years and site.pupil_ok(later):
            return Place(site=site, nc=following)
        key = (site.key, following)
        if key not in self._feeders:
            options = self._receivers.get((site.la, following)) or [
                s
                for (_, n), group in sorted(self._receivers.items(), key=lambda item: item[0])
                if n == following
                for s in group
            ]
            # Most pupils of a school move on to one main school; a few go elsewhere.
            self._feeders[key] = [self.rng.choice(options), self.rng.choice(options)]
        main, other = self._feeders[key]
        return Place(site=main if self.rng.random() < 0.8 else other, nc=following)

    def _earlier_place(self, site: Site, nc: str) -> Place | None:
        """Where a pupil of the later year was a year before (None for reception or a school new to them)."""
        before = PREVIOUS_YEAR.get(nc)
        earlier = self.years[0]
        if before is None:
            return None
        if before in site.years and site.pupil_ok(earlier):
            return Place(site=site, nc=before)
        senders = self._senders.get((site.la, before))
        if not senders:
            return None
        return Place(site=self.rng.choice(senders), nc=before)

    def _upn(self, site: Site, nc: str) -> str:
        """A UPN in DfE's layout: check letter, LA, establishment, year allocated, serial."""
        record = site.record_for(self.years[1])
        estab = record.estab if record else "2000"
        years_in_school = {"R": 0}.get(nc, int(nc) if nc.isdigit() else 0)
        allocated = (self.years[1].start_year - years_in_school) % 100
        key = (site.la, estab, allocated)
        serial = self._upn_serials.get(key, self.rng.randint(1, 300)) + self.rng.randint(1, 3)
        if serial > 999:
            key = (site.la, estab, (allocated + 50) % 100)
            serial = self._upn_serials.get(key, 0) + 1
            allocated = key[2]
        self._upn_serials[key] = serial
        body = f"{site.la}{estab}{allocated:02d}{serial:03d}"
        return upn_check_letter(body) + body
