"""Pupil-level hub activity for the two years: WCET classes and rolls, tuition, ensembles and instrument loans.

Rates follow the national figures (domain-research.md §7): WCET about 10% of the primary roll, mostly
Year 4; about 30% of last year's WCET pupils learning this year; tuition about 4-5% of pupils; ensemble
members about 6% of pupils on roll; about 700 pupil loans a year.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from hubreturns.synthetic.census import year_group_size
from hubreturns.synthetic.ensembles import EnsembleDefinition, plan_ensembles
from hubreturns.synthetic.names import PARTNERS
from hubreturns.synthetic.pupils import Pupil, PupilBook
from hubreturns.synthetic.register import Register, Site
from hubreturns.synthetic.school_calendar import term_span
from schemas.periods import AcademicYear

Row = dict[str, object]


@dataclass(frozen=True)
class Instrument:
    """An instrument's family, its weight among tuition enrolments, and whether the hub lends it."""

    family: str
    weight: float
    lendable: bool


@dataclass(frozen=True)
class _WeekRange:
    """The fewest and most weeks a WCET programme runs in a term."""

    fewest: int
    most: int


@dataclass(frozen=True)
class _LoanSet:
    """A class set of instruments lent to a school, and the family it belongs to."""

    instrument: str
    family: str


# Instrument -> weight among WCET programmes.
WCET_INSTRUMENTS: dict[str, int] = {
    "ukulele": 18,
    "violin": 12,
    "recorder": 7,
    "clarinet": 6,
    "trumpet": 5,
    "cornet": 5,
    "samba drums": 8,
    "djembe": 8,
    "steel pans": 4,
    "glockenspiel": 5,
    "guitar": 6,
    "cello": 3,
    "flute": 3,
    "pBuzz": 4,
    "keyboard": 4,
}
INSTRUMENTS: dict[str, Instrument] = {
    "piano": Instrument(family="keyboard", weight=14, lendable=False),
    "keyboard": Instrument(family="keyboard", weight=5, lendable=True),
    "guitar": Instrument(family="guitar", weight=12, lendable=True),
    "electric guitar": Instrument(family="guitar", weight=4, lendable=True),
    "bass guitar": Instrument(family="guitar", weight=2, lendable=True),
    "ukulele": Instrument(family="guitar", weight=2, lendable=True),
    "violin": Instrument(family="strings", weight=11, lendable=True),
    "viola": Instrument(family="strings", weight=1.5, lendable=True),
    "cello": Instrument(family="strings", weight=3, lendable=True),
    "double bass": Instrument(family="strings", weight=0.7, lendable=True),
    "voice": Instrument(family="voice", weight=9, lendable=False),
    "drum kit": Instrument(family="percussion", weight=8, lendable=False),
    "tuned percussion": Instrument(family="percussion", weight=1, lendable=False),
    "flute": Instrument(family="woodwind", weight=6, lendable=True),
    "clarinet": Instrument(family="woodwind", weight=6, lendable=True),
    "saxophone": Instrument(family="woodwind", weight=5, lendable=True),
    "oboe": Instrument(family="woodwind", weight=0.6, lendable=True),
    "bassoon": Instrument(family="woodwind", weight=0.3, lendable=True),
    "recorder": Instrument(family="woodwind", weight=1, lendable=True),
    "trumpet": Instrument(family="brass", weight=5, lendable=True),
    "cornet": Instrument(family="brass", weight=2, lendable=True),
    "trombone": Instrument(family="brass", weight=2, lendable=True),
    "tenor horn": Instrument(family="brass", weight=1.2, lendable=True),
    "euphonium": Instrument(family="brass", weight=0.8, lendable=True),
    "french horn": Instrument(family="brass", weight=0.6, lendable=True),
    "tuba": Instrument(family="brass", weight=0.3, lendable=True),
    "music technology": Instrument(family="music technology", weight=1, lendable=False),
}
_TUITION_NAMES = tuple(INSTRUMENTS)
_TUITION_WEIGHTS = tuple(v.weight for v in INSTRUMENTS.values())
# NC year -> its weight in the mix of pupils learning outside WCET.
_LEARNER_YEARS: dict[str, int] = {
    "3": 4,
    "4": 7,
    "5": 11,
    "6": 12,
    "7": 11,
    "8": 11,
    "9": 10,
    "10": 10,
    "11": 8,
    "12": 7,
    "13": 5,
}
_TERMS = ("Autumn", "Spring", "Summer")
_TERM_WEEKS = {
    "Autumn": _WeekRange(fewest=10, most=14),
    "Spring": _WeekRange(fewest=8, most=12),
    "Summer": _WeekRange(fewest=6, most=12),
}
_CLASS_TREES = ("Ash", "Beech", "Cedar", "Elm", "Hazel", "Maple", "Oak", "Rowan", "Willow", "Birch", "Holly")
_ENSEMBLE_FAMILIES: dict[str, tuple[str, ...]] = {
    "orchestra": ("strings", "woodwind", "brass", "percussion"),
    "wind band": ("woodwind", "brass", "percussion"),
    "brass band": ("brass",),
    "jazz": ("woodwind", "brass", "keyboard", "guitar", "percussion"),
    "rock/pop": ("guitar", "keyboard", "percussion", "voice"),
    "folk": ("strings", "woodwind", "guitar"),
    "music technology": ("music technology", "keyboard"),
}
_SCHOOL_LOAN_SETS = (
    _LoanSet(instrument="ukulele class set", family="guitar"),
    _LoanSet(instrument="djembe set", family="percussion"),
    _LoanSet(instrument="glockenspiel class set", family="percussion"),
    _LoanSet(instrument="violin class set", family="strings"),
    _LoanSet(instrument="keyboard set", family="keyboard"),
    _LoanSet(instrument="samba kit", family="percussion"),
    _LoanSet(instrument="pBuzz class set", family="brass"),
    _LoanSet(instrument="recorder class set", family="woodwind"),
    _LoanSet(instrument="music technology kit", family="music technology"),
    _LoanSet(instrument="steel pan set", family="percussion"),
)


@dataclass(eq=False)
class Enrolment:
    """A tuition enrolment, kept to find learners for ensembles and loans."""

    pupil: Pupil
    instrument: str
    start: date
    end: date | None

    def active_in(self, year: AcademicYear) -> bool:
        """The enrolment runs at some point in the year."""
        return self.start <= year.end and (self.end is None or self.end >= year.start)


@dataclass
class PupilActivity:
    """The rows of the pupil-level exports."""

    wcet: list[Row] = field(default_factory=list)
    wcet_participants: list[Row] = field(default_factory=list)
    tuition: list[Row] = field(default_factory=list)
    ensembles: list[Row] = field(default_factory=list)
    ensemble_members: list[Row] = field(default_factory=list)
    loans: list[Row] = field(default_factory=list)
    school_choirs: set[str] = field(default_factory=set)


def _term_end_after(year: AcademicYear, day: date) -> date:
    """The last day of the first term of the year ending on or after a day."""
    for term in _TERMS:
        last = term_span(year, term).last
        if last >= day:
            return last
    return year.end


def _start_in(rng: random.Random, year: AcademicYear, weights: tuple[int, int, int] = (70, 20, 10)) -> date:
    """A start date in the first weeks of a term of the year."""
    term = rng.choices(_TERMS, weights=weights)[0]
    first = term_span(year, term).first
    return first + timedelta(days=rng.randint(4, 24))


@dataclass(eq=False)
class _ActivityState:
    """What the activity builders share: the draws, the pupils, the two years and what earlier steps made."""

    rng: random.Random
    book: PupilBook
    years: tuple[AcademicYear, AcademicYear]
    # Engaged schools whose pupils may take part, and pupils on roll in the universe, per year.
    pupil_sites: list[list[Site]]
    roll: list[int]
    out: PupilActivity = field(default_factory=PupilActivity)
    wcet_pupils: list[dict[str, Pupil]] = field(default_factory=lambda: [{}, {}])
    wcet_instrument: dict[str, str] = field(default_factory=dict)
    hosted_wcet: list[set[int]] = field(default_factory=lambda: [set(), set()])
    enrolments: list[Enrolment] = field(default_factory=list)
    learners: set[str] = field(default_factory=set)
    _choices: dict[tuple[int, tuple[str, ...]], tuple[list[tuple[Site, str]], list[int]]] = field(
        default_factory=dict
    )

    @classmethod
    def start(
        cls, rng: random.Random, register: Register, book: PupilBook, years: tuple[AcademicYear, AcademicYear]
    ) -> _ActivityState:
        """The state before any activity: the hub's engaged schools and its roll in each year."""
        hub = [s for s in register.sites if s.in_hub]
        return cls(
            rng=rng,
            book=book,
            years=years,
            pupil_sites=[[s for s in hub if s.pupil_ok(y) and s.engaged.get(y.start_year)] for y in years],
            roll=[sum(sum(s.rolls[y.start_year].values()) for s in hub if s.in_universe(y)) for y in years],
        )

    def cohort_choices(
        self, year_index: int, years: tuple[str, ...]
    ) -> tuple[list[tuple[Site, str]], list[int]]:
        """Every (site, NC year) of the engaged schools with its roll, for weighted draws."""
        key = (year_index, years)
        if key in self._choices:
            return self._choices[key]
        options, weights = [], []
        for site in self.pupil_sites[year_index]:
            for nc in years:
                size = self.book.cohort_size(site, nc, year_index)
                if size:
                    options.append((site, nc))
                    weights.append(size)
        self._choices[key] = (options, weights)
        return options, weights


class _WcetBuilder:
    """Whole-class ensemble teaching: the programmes of each year and the pupils on each class's roll."""

    def __init__(self, state: _ActivityState) -> None:
        self.state = state
        self.rng = state.rng
        self.book = state.book
        self.out = state.out

    def build(self) -> None:
        """WCET at about four in five engaged primaries each year: Year 4, some Year 3 or 5 as well."""
        rng = self.rng
        state = self.state
        programme = 0
        for index, year in enumerate(state.years):
            hosts = [s for s in state.pupil_sites[index] if s.kind in ("primary", "junior", "all-through")]
            for site in hosts:
                if rng.random() > 0.8:
                    continue
                plans = [("4", True)]
                extra = rng.random()
                if extra < 0.12:
                    plans.append(("3", True))
                elif extra < 0.26 and (index == 0 or site.key not in state.hosted_wcet[0]):
                    plans.append(("5", False))
                instrument = rng.choices(list(WCET_INSTRUMENTS), weights=list(WCET_INSTRUMENTS.values()))[0]
                for nc, first_time in plans:
                    programme = self._classes(site, year, index, nc, first_time, instrument, programme)

    def _classes(
        self,
        site: Site,
        year: AcademicYear,
        index: int,
        nc: str,
        first_time: bool,
        instrument: str,
        programme: int,
    ) -> int:
        """A year group's WCET classes and their terms; returns the last programme number used."""
        rng = self.rng
        state = self.state
        cap = min(year_group_size(site, year, nc), self.book.cohort_size(site, nc, index))
        if cap < 15:
            return programme
        total = cap - rng.randint(0, min(3, cap - 15))
        classes = math.ceil(total / 32)
        sizes = [total // classes + (1 if i < total % classes else 0) for i in range(classes)]
        exclude = state.wcet_pupils[0].keys() if index == 1 else None
        pupils = self.book.draw(site, nc, index, total, reuse=0.3, exclude=exclude)
        if len(pupils) < 15 * classes:
            classes = max(1, len(pupils) // 15)
            sizes = [len(pupils) // classes + (1 if i < len(pupils) % classes else 0) for i in range(classes)]
            if len(pupils) < 15:
                return programme
        if classes == 1:
            names = [rng.choice((f"Year {nc}", f"{nc}S", f"Class {nc}", f"{rng.choice(_CLASS_TREES)} Class"))]
        elif rng.random() < 0.5:
            names = [f"{nc}{letter}" for letter in "ABCD"[:classes]]
        else:
            names = [f"{tree} Class" for tree in rng.sample(_CLASS_TREES, classes)]
        partner = None
        provision = "delivered"
        if rng.random() < 0.12 or (instrument in ("samba drums", "steel pans") and rng.random() < 0.5):
            provision = "supported"
            partner = {"samba drums": PARTNERS[0], "steel pans": PARTNERS[3]}.get(
                instrument, rng.choice(PARTNERS)
            )
        for class_name, size in zip(names, sizes, strict=True):
            roll, pupils = pupils[:size], pupils[size:]
            terms_taught = rng.choices((1, 2, 3), weights=(15, 35, 50))[0]
            if terms_taught == 3:
                terms: tuple[str, ...] = _TERMS
            elif terms_taught == 2:
                terms = _TERMS[:2] if rng.random() < 0.6 else _TERMS[1:]
            else:
                terms = (rng.choice(_TERMS),)
            for term in terms:
                programme += 1
                programme_id = f"WC{year.start_year % 100:02d}-{programme:05d}"
                weeks = rng.randint(_TERM_WEEKS[term].fewest, _TERM_WEEKS[term].most)
                self.out.wcet.append(
                    {
                        "programme_id": programme_id,
                        "academic_year": year.label,
                        "urn": site.urn(year),
                        "nc_year": nc,
                        "class_name": class_name,
                        "instrument": instrument,
                        "term": term,
                        "weeks": weeks,
                        "pupils": len(roll),
                        "first_time": first_time,
                        "provision": provision,
                        "partner": partner,
                    }
                )
                for pupil in roll:
                    self.out.wcet_participants.append({"programme_id": programme_id, "pupil_ref": pupil.ref})
            for pupil in roll:
                state.wcet_pupils[index][pupil.ref] = pupil
                state.wcet_instrument[pupil.ref] = instrument
        state.hosted_wcet[index].add(site.key)
        return programme


class _TuitionBuilder:
    """Instrumental and vocal tuition: last year's learners, WCET pupils carrying on, and new starters."""

    def __init__(self, state: _ActivityState) -> None:
        self.state = state
        self.rng = state.rng
        self.book = state.book
        self._next_enrolment = 0
        # Pupils not to draw as new learners: every earlier WCET pupil (continuation is planned apart) and
        # everyone already learning.
        self.blocked = set(state.wcet_pupils[0])
        self.nc_weight = _LEARNER_YEARS

    def build(self) -> None:
        """Every enrolment of the two years, in the order the draws must come."""
        self._earlier_learners()
        self._wcet_continuation()
        self._later_starters()

    def _enrol(
        self, pupil: Pupil, instrument: str, start: date, end: date | None, lesson_type: str, standard: str
    ) -> None:
        """One enrolment's row, with any remission of the fee."""
        rng = self.rng
        self._next_enrolment += 1
        remission, reason = 0.0, None
        if pupil.looked_after:
            remission, reason = 100.0, "Looked after"
        elif pupil.fsm and rng.random() < 0.4:
            remission = rng.choice((100.0, 100.0, 75.0, 50.0, 50.0))
            reason = "Free school meals"
        elif pupil.pupil_premium and rng.random() < 0.2:
            remission, reason = 50.0, "Pupil premium"
        elif rng.random() < 0.04:
            remission = rng.choice((25.0, 50.0))
            reason = rng.choice(("Hardship", "Sibling discount"))
        self.state.out.tuition.append(
            {
                "enrolment_id": f"EN{self._next_enrolment:06d}",
                "pupil_ref": pupil.ref,
                "instrument": instrument,
                "lesson_type": lesson_type,
                "start_date": start,
                "end_date": end,
                "remission_pct": remission,
                "remission_reason": reason,
                "standard": standard,
                "provision": "delivered" if rng.random() < 0.85 else "supported",
            }
        )
        self.state.enrolments.append(Enrolment(pupil, instrument, start, end))
        self.state.learners.add(pupil.ref)

    def _lesson_type(self, nc: str) -> str:
        """Individual, small-group or large-group lessons, more groups in primary years."""
        primary = nc in ("R", "1", "2", "3", "4", "5", "6")
        weights = (25, 45, 30) if primary else (55, 35, 10)
        return self.rng.choices(("individual", "small_group", "large_group"), weights=weights)[0]

    def _standard(self, nc: str) -> str:
        """A learner's standard, higher in older year groups."""
        number = int(nc) if nc.isdigit() else 0
        if number <= 4:
            weights = (70, 30, 0, 0)
        elif number <= 6:
            weights = (40, 45, 15, 0)
        elif number <= 9:
            weights = (15, 40, 35, 10)
        else:
            weights = (5, 25, 40, 30)
        return self.rng.choices(("entry", "foundation", "intermediate", "advanced"), weights=weights)[0]

    def _weighted_cohorts(
        self, index: int, years: tuple[str, ...]
    ) -> tuple[list[tuple[Site, str]], list[float]]:
        """The cohorts of the year to draw learners from, weighted by roll and the NC-year mix of learners."""
        options, weights = self.state.cohort_choices(index, years)
        weights = [w * self.nc_weight[nc] for (site, nc), w in zip(options, weights, strict=True)]
        return options, _cumulative(weights)

    def _earlier_learners(self) -> None:
        """Pupils already learning in the earlier year; most carry on into the later one."""
        rng = self.rng
        state = self.state
        earlier, later = state.years
        options, cumulative = self._weighted_cohorts(0, tuple(nc for nc in _LEARNER_YEARS if nc != "13"))
        target = round(0.040 * state.roll[0])
        attempts = 0
        while len(state.learners) < target and attempts < target * 3:
            attempts += 1
            site, nc = rng.choices(options, cum_weights=cumulative)[0]
            drawn = self.book.draw(site, nc, 0, 1, reuse=0.1, exclude=self.blocked)
            if not drawn:
                continue
            pupil = drawn[0]
            self.blocked.add(pupil.ref)
            if rng.random() < 0.55:
                start = date(earlier.start_year - rng.randint(1, 3), 9, rng.randint(8, 26))
            else:
                start = _start_in(rng, earlier, (60, 25, 15))
            stays = pupil.later_site.engaged.get(later.start_year, False) and pupil.later_site.pupil_ok(later)
            draw = rng.random()
            if not stays or draw < 0.38:
                end: date | None = _term_end_after(earlier, start + timedelta(days=rng.randint(30, 200)))
            elif draw < 0.50:
                end = _term_end_after(later, later.start + timedelta(days=rng.randint(30, 300)))
            else:
                end = None
            instrument = rng.choices(_TUITION_NAMES, weights=_TUITION_WEIGHTS)[0]
            self._enrol(pupil, instrument, start, end, self._lesson_type(nc), self._standard(nc))
            if rng.random() < 0.07:
                second = rng.choices(_TUITION_NAMES, weights=_TUITION_WEIGHTS)[0]
                if second != instrument:
                    self._enrol(pupil, second, start, end, "individual", self._standard(nc))

    def _wcet_continuation(self) -> None:
        """About 30% of the earlier year's WCET pupils learn in the later year."""
        rng = self.rng
        state = self.state
        earlier, later = state.years
        wcet_earlier = list(state.wcet_pupils[0].values())
        candidates = [
            p
            for p in wcet_earlier
            if p.later_site.engaged.get(later.start_year) and p.later_site.pupil_ok(later)
        ]
        continuing = rng.sample(candidates, min(len(candidates), round(0.30 * len(wcet_earlier))))
        for pupil in continuing:
            self.blocked.add(pupil.ref)
            wcet_instrument = state.wcet_instrument.get(pupil.ref, "")
            if wcet_instrument in INSTRUMENTS and rng.random() < 0.6:
                instrument = wcet_instrument
            else:
                instrument = rng.choices(_TUITION_NAMES, weights=_TUITION_WEIGHTS)[0]
            if rng.random() < 0.1:
                start = term_span(earlier, "Summer").first + timedelta(days=rng.randint(4, 30))
            else:
                start = _start_in(rng, later, (75, 20, 5))
            end = None if rng.random() < 0.75 else _term_end_after(later, start + timedelta(days=60))
            lesson_type = rng.choices(("individual", "small_group", "large_group"), weights=(15, 50, 35))[0]
            standard = "entry" if rng.random() < 0.8 else "foundation"
            self._enrol(pupil, instrument, start, end, lesson_type, standard)

    def _later_starters(self) -> None:
        """New starters of the later year, about 0.7% of its roll."""
        rng = self.rng
        state = self.state
        later = state.years[1]
        options, cumulative = self._weighted_cohorts(1, tuple(_LEARNER_YEARS))
        target = len(state.learners) + round(0.007 * state.roll[1])
        attempts = 0
        while len(state.learners) < target and attempts < 20000:
            attempts += 1
            site, nc = rng.choices(options, cum_weights=cumulative)[0]
            drawn = self.book.draw(site, nc, 1, 1, reuse=0.1, exclude=self.blocked)
            if not drawn:
                continue
            pupil = drawn[0]
            self.blocked.add(pupil.ref)
            start = _start_in(rng, later, (65, 25, 10))
            end = None if rng.random() < 0.85 else _term_end_after(later, start + timedelta(days=60))
            instrument = rng.choices(_TUITION_NAMES, weights=_TUITION_WEIGHTS)[0]
            self._enrol(pupil, instrument, start, end, self._lesson_type(nc), self._standard(nc))


class _EnsembleBuilder:
    """Ensemble members over the two years: who joins, who carries on and who leaves."""

    def __init__(self, state: _ActivityState) -> None:
        self.state = state
        self.rng = state.rng
        self.book = state.book
        self.members_by_year: list[dict[str, list[Pupil]]] = [{}, {}]
        self.learners_by_year = [self._learners_by_nc(0), self._learners_by_nc(1)]

    def build(self, definitions: list[EnsembleDefinition]) -> None:
        """Every ensemble's row and its members' rows, sized so members come to about 6% of the roll."""
        out = self.state.out
        scale = self._ensemble_scale(definitions)
        for definition in definitions:
            out.ensembles.append(definition.row())
            if definition.lead == "school" and definition.type in ("choir", "vocal group"):
                out.school_choirs.add(definition.base_urn or "")
            size = max(8, round(definition.size * scale))
            if definition.site is not None:
                size = min(size, definition.capacity(self.book))
            current: dict[str, Pupil] = {}
            spans = self._earlier_members(definition, size, current)
            self._later_members(definition, size, current, spans)
            self._write_members(definition, current, spans)

    def _earlier_members(
        self, definition: EnsembleDefinition, size: int, current: dict[str, Pupil]
    ) -> dict[str, tuple[date, date | None]]:
        """The earlier year's members (added to `current`) and when each one's membership runs."""
        rng = self.rng
        earlier, later = self.state.years
        for pupil in self._ensemble_pupils(
            definition, 0, size, current, self.members_by_year[0], self.learners_by_year[0]
        ):
            current[pupil.ref] = pupil
        spans: dict[str, tuple[date, date | None]] = {}
        for ref, pupil in current.items():
            start = (
                date(earlier.start_year - rng.randint(1, 2), 9, rng.randint(8, 28))
                if rng.random() < 0.5 and pupil.earlier_nc not in ("3", "7")
                else _start_in(rng, earlier, (75, 20, 5))
            )
            stays = self._stays(definition, pupil)
            draw = rng.random()
            if not stays or draw < 0.28:
                end: date | None = _term_end_after(
                    earlier, max(start, earlier.start) + timedelta(days=rng.randint(40, 300))
                )
            elif draw < 0.36:
                end = _term_end_after(later, later.start + timedelta(days=rng.randint(20, 300)))
            else:
                end = None
            spans[ref] = (start, end)
        return spans

    def _later_members(
        self,
        definition: EnsembleDefinition,
        size: int,
        current: dict[str, Pupil],
        spans: dict[str, tuple[date, date | None]],
    ) -> None:
        """New members of the later year, up to its size with those carrying on (added to `current`, `spans`)."""
        rng = self.rng
        later = self.state.years[1]
        carrying = sum(1 for start, end in spans.values() if end is None or end >= later.start)
        wanted = max(0, round(size * rng.uniform(0.95, 1.1)) - carrying)
        newcomers = self._ensemble_pupils(
            definition, 1, wanted, current, self.members_by_year[1], self.learners_by_year[1]
        )
        for pupil in newcomers:
            current[pupil.ref] = pupil
            start = _start_in(rng, later, (75, 20, 5))
            end = (
                None
                if rng.random() < 0.85
                else _term_end_after(later, start + timedelta(days=rng.randint(40, 150)))
            )
            spans[pupil.ref] = (start, end)

    def _write_members(
        self,
        definition: EnsembleDefinition,
        current: dict[str, Pupil],
        spans: dict[str, tuple[date, date | None]],
    ) -> None:
        """The members' rows, and each member noted by NC year for the later ensembles' draws."""
        for ref, (start, end) in spans.items():
            self.state.out.ensemble_members.append(
                {
                    "ensemble_id": definition.ensemble_id,
                    "pupil_ref": ref,
                    "start_date": start,
                    "end_date": end,
                }
            )
            pupil = current[ref]
            for index in (0, 1):
                year = self.state.years[index]
                place = pupil.place(index)
                if place and start <= year.end and (end is None or end >= year.start):
                    self.members_by_year[index].setdefault(place.nc, []).append(pupil)

    def _ensemble_scale(self, definitions: list[EnsembleDefinition]) -> float:
        """Scale ensemble sizes so unique members come to about 6% of pupils on roll."""
        wanted = 0.066 * self.state.roll[1] * 1.12
        return wanted / sum(d.size for d in definitions)

    def _stays(self, definition: EnsembleDefinition, pupil: Pupil) -> bool:
        """The member can carry on into the later year (still at an engaged school, in the ensemble's years)."""
        later = self.state.years[1]
        if not (pupil.later_site.engaged.get(later.start_year) and pupil.later_site.pupil_ok(later)):
            return False
        if definition.site is not None and pupil.later_site is not definition.site:
            return False
        return pupil.later_nc in definition.nc_years or (
            definition.site is None and pupil.later_nc in ("12", "13")
        )

    def _learners_by_nc(self, index: int) -> dict[tuple[str, str], list[Pupil]]:
        """Pupils learning in the year, by NC year and instrument family."""
        year = self.state.years[index]
        grouped: dict[tuple[str, str], list[Pupil]] = {}
        for enrolment in self.state.enrolments:
            place = enrolment.pupil.place(index)
            if place and enrolment.active_in(year) and place.site.engaged.get(year.start_year):
                grouped.setdefault((place.nc, INSTRUMENTS[enrolment.instrument].family), []).append(
                    enrolment.pupil
                )
        return grouped

    def _ensemble_pupils(
        self,
        definition: EnsembleDefinition,
        index: int,
        count: int,
        current: dict[str, Pupil],
        members: dict[str, list[Pupil]],
        learners: dict[tuple[str, str], list[Pupil]],
    ) -> list[Pupil]:
        """Up to `count` new members for the year: learners of the right families, other members, anyone."""
        rng = self.rng
        nc_years = tuple(nc for nc in definition.nc_years if index == 1 or nc != "13")
        chosen: list[Pupil] = []
        taken = set(current)
        families = _ENSEMBLE_FAMILIES.get(definition.type)
        if definition.site is not None:
            options = [
                (definition.site, nc) for nc in nc_years if self.book.cohort_size(definition.site, nc, index)
            ]
            weights = [self.book.cohort_size(definition.site, nc, index) for _, nc in options]
        else:
            options, weights = self.state.cohort_choices(index, nc_years)
        if not options:
            return chosen
        cumulative = _cumulative(weights)
        attempts = 0
        while len(chosen) < count and attempts < count * 6:
            attempts += 1
            pupil: Pupil | None = None
            draw = rng.random()
            if definition.site is None and families is not None and draw < 0.6:
                pool = learners.get((rng.choice(nc_years), rng.choice(families)))
                if pool:
                    pupil = rng.choice(pool)
            elif definition.site is None and draw < 0.12:
                nc = rng.choice(nc_years)
                pool = members.get(nc, [])
                if pool:
                    pupil = rng.choice(pool)
            if pupil is None:
                site, nc = rng.choices(options, cum_weights=cumulative)[0]
                drawn = self.book.draw(site, nc, index, 1, reuse=0.35, exclude=taken)
                pupil = drawn[0] if drawn else None
            if pupil is None or pupil.ref in taken:
                continue
            place = pupil.place(index)
            if place is None or not place.site.engaged.get(self.state.years[index].start_year):
                continue
            if definition.site is not None and place.site is not definition.site:
                continue
            taken.add(pupil.ref)
            chosen.append(pupil)
        return chosen


class _LoanBuilder:
    """Instrument loans: to learners (about 700 a year) and class sets lent to WCET schools."""

    def __init__(self, state: _ActivityState) -> None:
        self.state = state
        self.rng = state.rng
        self.loan = 0
        self.holders: set[str] = set()

    def build(self) -> None:
        """Each year's pupil loans, then its class sets."""
        for index, year in enumerate(self.state.years):
            self._pupil_loans(index, year)
            self._class_sets(index, year)

    def _row(self, **values: object) -> None:
        """One loan's row, numbered in order."""
        self.loan += 1
        self.state.out.loans.append({"loan_id": f"LN{self.loan:05d}", **values})

    def _pupil_loans(self, index: int, year: AcademicYear) -> None:
        """Loans to learners of lendable instruments, up to about 700 running in the year."""
        rng = self.rng
        state = self.state
        earlier, later = state.years
        already = len(
            [
                row
                for row in state.out.loans
                if row["pupil_ref"] and (row["end_date"] is None or row["end_date"] >= year.start)  # type: ignore[operator]
            ]
        )
        wanted = rng.randint(680, 720) - already
        candidates = [
            e
            for e in state.enrolments
            if e.active_in(year)
            and INSTRUMENTS[e.instrument].lendable
            and e.pupil.ref not in self.holders
            and e.pupil.place(index) is not None
        ]
        rng.shuffle(candidates)
        for enrolment in candidates[: max(0, wanted)]:
            pupil = enrolment.pupil
            self.holders.add(pupil.ref)
            place = pupil.place(index)
            assert place is not None  # the candidates all have a place in the year
            site = place.site
            # Loans start in the year, or (some of the earlier year's) in the year before it, never
            # before the school's current URN opened.
            record = site.record_for(year)
            opened = record.open_date if record and record.open_date else date(1900, 1, 1)
            start = max(enrolment.start, year.start - timedelta(days=360), opened) + timedelta(
                days=rng.randint(0, 21)
            )
            if index == 1 or rng.random() < 0.75:
                start = max(start, year.start + timedelta(days=rng.randint(3, 60)))
            ends = enrolment.end
            if index == 0 and not (
                site.stable_urn(state.years) and pupil.later_site.engaged.get(later.start_year)
            ):
                ends = min(ends or earlier.end, _term_end_after(earlier, start + timedelta(days=30)))
            elif rng.random() < 0.3:
                ends = _term_end_after(year, start + timedelta(days=rng.randint(30, 200)))
            if ends is not None and ends < start:
                ends = _term_end_after(year, start)
            if index == 0 and ends is not None and ends < year.start:
                continue
            remission = rng.choices(
                ("free", "subsidised", "none"), weights=(55, 35, 10) if pupil.fsm else (3, 15, 82)
            )[0]
            charge = {
                "free": 0.0,
                "subsidised": float(rng.choice((15, 20, 25, 30, 40))),
                "none": float(rng.choice((45, 60, 75, 90, 120, 135))),
            }[remission]
            self._row(
                instrument=enrolment.instrument,
                family=INSTRUMENTS[enrolment.instrument].family,
                pupil_ref=pupil.ref,
                urn=site.urn(year),
                start_date=start,
                end_date=ends,
                charge_gbp=charge,
                remission=remission,
            )

    def _class_sets(self, index: int, year: AcademicYear) -> None:
        """Class sets lent for the year to about forty of the schools that host WCET."""
        rng = self.rng
        state = self.state
        hosts = [s for s in state.pupil_sites[index] if s.key in state.hosted_wcet[index]]
        for site in rng.sample(hosts, min(len(hosts), rng.randint(36, 44))):
            loan_set = rng.choice(_SCHOOL_LOAN_SETS)
            start = year.start + timedelta(days=rng.randint(2, 30))
            end = term_span(year, "Summer").last if rng.random() < 0.7 else None
            if end is None and not site.stable_urn(state.years):
                end = year.end
            remission = rng.choices(("none", "subsidised", "free"), weights=(60, 30, 10))[0]
            charge = {
                "free": 0.0,
                "subsidised": float(rng.choice((25, 40, 60, 80))),
                "none": float(rng.choice((90, 120, 150, 200, 250, 300))),
            }[remission]
            self._row(
                instrument=loan_set.instrument,
                family=loan_set.family,
                pupil_ref=None,
                urn=site.urn(year),
                start_date=start,
                end_date=end,
                charge_gbp=charge,
                remission=remission,
            )


def _cumulative(weights: list[int] | list[float]) -> list[float]:
    """Running totals of the weights, for draws with `cum_weights`."""
    total = 0.0
    cumulative = []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def build_pupil_activity(
    rng: random.Random, register: Register, book: PupilBook, years: tuple[AcademicYear, AcademicYear]
) -> PupilActivity:
    """WCET, tuition, ensembles and loans for both years (engagement must already be planned)."""
    state = _ActivityState.start(rng, register, book, years)
    _WcetBuilder(state).build()
    _TuitionBuilder(state).build()
    definitions = plan_ensembles(rng, register, years)
    _EnsembleBuilder(state).build(definitions)
    _LoanBuilder(state).build()
    return state.out
