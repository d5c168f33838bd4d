"""School-level hub activity: which schools engage each year, the SMEP contact log, singing, CPD and events."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from hubreturns.synthetic.names import PROFESSIONAL_PARTNERS, VENUES
from hubreturns.synthetic.register import Register, Site
from hubreturns.synthetic.school_calendar import term_day
from schemas.periods import AcademicYear
from schemas.vocabulary import DUTY_AREAS

Row = dict[str, object]


@dataclass(frozen=True)
class _Minutes:
    """The shortest and longest a kind of contact with a school lasts, in minutes."""

    fewest: int
    most: int


@dataclass(frozen=True)
class _Audience:
    """Whom a CPD event is for, and the kinds of school they work at (None: any school)."""

    name: str
    kinds: tuple[str, ...] | None


_PRIMARY_ACTIONS = (
    "Book WCET for Year 4 in the spring term",
    "Plan a live music visit for KS1",
)
_SECONDARY_ACTIONS = (
    "Check the school's timetable for curriculum music in KS3",
    "Discuss GCSE and A level music entries and routes into area ensembles",
)
_ACTIONS = (
    "Share the MDP template and examples",
    "Invite the music lead to the next network meeting",
    "Follow up on ensemble places for Year 6 pupils",
    "Review instrument loan stock with the school",
    "Agree a singing strategy, including a weekly singing assembly",
    "Offer CPD on the model music curriculum",
    "Signpost tuition remission for pupil premium pupils",
    "Discuss progression routes, including tuition and area ensembles",
    "Support the school to publish its MDP on the website",
)
# Whom an officer meets at each kind of school -> weight.
_ROLES: dict[str, dict[str, int]] = {
    "primary": {
        "Headteacher": 35,
        "Music lead": 40,
        "Deputy headteacher": 10,
        "SENCo": 5,
        "School business manager": 5,
        "Class teacher": 5,
    },
    "secondary": {
        "Head of music": 55,
        "Headteacher": 10,
        "Deputy headteacher": 15,
        "Director of music": 10,
        "SENCo": 10,
    },
    "other": {"Headteacher": 50, "Music lead": 30, "SENCo": 20},
}
# Kind of contact -> weight.
_KINDS = {"conversation": 50, "visit": 30, "MDP review": 12, "network": 8}
_DURATIONS = {
    "conversation": _Minutes(fewest=20, most=60),
    "visit": _Minutes(fewest=45, most=180),
    "MDP review": _Minutes(fewest=30, most=90),
    "network": _Minutes(fewest=60, most=150),
}
_RAG_WEIGHTS = {0: (70, 25, 5), 1: (30, 45, 25), 2: (10, 45, 45), 3: (3, 27, 70)}
_SINGING_PROGRAMMES = (
    "Trentvale Sings",
    "Big Sing",
    "Voices Together",
    "Singing Schools Award",
    "Choir Kickstart",
    "Song Share",
)
_CPD_TITLES = (
    "Primary music curriculum: planning for progression",
    "Leading singing in the classroom",
    "The model music curriculum in practice",
    "Music technology at KS3",
    "Inclusive music-making for SEND",
    "Developing your music development plan",
    "Assessment in music",
    "EYFS music and movement",
    "Ukulele for teachers",
    "Supporting WCET in your classroom",
    "Network meeting: primary music leads",
    "Network meeting: secondary heads of music",
    "GCSE composition workshop",
    "Vocal health for teachers",
    "Music in the inspection framework",
    "Rhythm games and body percussion",
    "Listening and appraising with confidence",
    "Composing at KS2",
    "Recorder for beginners",
    "Running a school choir",
    "Samba for schools",
    "Music leadership for headteachers",
    "Trauma-informed music practice",
    "Adaptive instruments and assistive technology",
    "Kod\u00e1ly approaches at KS1",
    "Notation made simple",
    "Improvisation for non-specialists",
    "KS3 curriculum planning",
    "Pupil voice in music",
    "Planning a school concert",
    "Conducting for beginners",
    "Music and wellbeing",
)
_AUDIENCES = (
    _Audience(name="Primary music leads", kinds=("primary", "infant", "junior")),
    _Audience(name="Secondary music teachers", kinds=("secondary", "all-through", "utc")),
    _Audience(name="EYFS practitioners", kinds=("nursery", "primary", "infant")),
    _Audience(name="SEND practitioners", kinds=("special", "ap", "primary", "secondary")),
    _Audience(name="Headteachers and senior leaders", kinds=None),
    _Audience(name="All school staff", kinds=None),
    _Audience(name="Teaching assistants", kinds=("primary", "infant", "junior", "special")),
)
_EVENT_TITLES = (
    "Trentvale Schools Prom",
    "Big Sing Festival",
    "Orchestra Day",
    "Year 4 WCET Celebration Concert",
    "Massed Choirs Festival",
    "Brass Day",
    "Samba Carnival",
    "Rock and Pop Showcase",
    "Songwriting Sharing Day",
    "Christmas Sing-along",
    "Youth Ensembles Winter Concert",
    "Summer Music Festival",
    "String Quartet Schools Tour",
    "Primary Strings Play Day",
    "Opera Workshop Day",
    "Jazz Day",
    "Percussion Spectacular",
    "Music Technology Showcase",
)


def plan_engagement(rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear]) -> None:
    """Decide which schools of the universe engage with the hub each year (about 83% then 86%)."""
    for site in register.sites:
        for year, rate in zip(years, (0.83, 0.86), strict=True):
            engaged = site.activity_ok(year) and rng.random() < (rate if site.kind != "nursery" else 0.6)
            site.engaged[year.start_year] = engaged


def _activity_sites(register: Register, year: AcademicYear) -> list[Site]:
    return [s for s in register.sites if s.activity_ok(year)]


def _headcount(site: Site, year: AcademicYear) -> int:
    return sum(site.rolls.get(year.start_year, {}).values())


def build_engagements(
    rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear], officers: dict[str, str]
) -> list[Row]:
    """The SMEP log: 1-4 contacts a year for most engaged schools, a rare level-0 contact for the others."""
    rows: list[Row] = []
    number = 0
    marks: dict[int, str | None] = {}
    for year in years:
        for site in _activity_sites(register, year):
            if site.key not in marks:
                draw = rng.random()
                marks[site.key] = (
                    "Music Mark"
                    if draw < 0.07
                    else "Music Mark; Artsmark"
                    if draw < 0.10
                    else "Artsmark"
                    if draw < 0.14
                    else None
                )
            engaged = site.engaged[year.start_year]
            if engaged and rng.random() < 0.85:
                contacts = rng.choices((1, 2, 3, 4), weights=(30, 35, 22, 13))[0]
                level = rng.choices((1, 2, 3), weights=(50, 36, 14))[0]
            elif not engaged and rng.random() < 0.25:
                contacts, level = 1, 0
            else:
                continue
            days = sorted(term_day(rng, year) for _ in range(contacts))
            published = rng.random() < (0.2, 0.45, 0.7, 0.9)[level]
            kind_of_school = (
                "primary"
                if site.kind in ("primary", "infant", "junior", "nursery")
                else "secondary"
                if site.kind in ("secondary", "all-through", "utc")
                else "other"
            )
            roles = _ROLES[kind_of_school]
            for day in days:
                number += 1
                kind = rng.choices(list(_KINDS), weights=list(_KINDS.values()))[0]
                minutes = _DURATIONS[kind]
                due = day + timedelta(days=rng.randint(35, 120))
                row: Row = {
                    "engagement_id": f"SMEP{number:05d}",
                    "urn": site.urn(year),
                    "date": day,
                    "duration_minutes": 5 * rng.randint(minutes.fewest // 5, minutes.most // 5),
                    "kind": kind,
                    "with_role": rng.choices(list(roles), weights=list(roles.values()))[0]
                    if rng.random() > 0.08
                    else None,
                    "hub_officer": officers[site.district.code] if rng.random() > 0.05 else None,
                    "engagement_level": level,
                }
                for area in DUTY_AREAS:
                    blank = rng.random() < (0.6 if area == "wcet" and kind_of_school == "secondary" else 0.15)
                    row[f"rag_{area}"] = (
                        None if blank else rng.choices(("R", "A", "G"), weights=_RAG_WEIGHTS[level])[0]
                    )
                row["mdp_published"] = None if rng.random() < 0.08 else published
                row["quality_marks"] = marks[site.key]
                actions = _ACTIONS + (
                    _SECONDARY_ACTIONS if kind_of_school == "secondary" else _PRIMARY_ACTIONS
                )
                row["actions"] = "; ".join(rng.sample(actions, rng.randint(1, 2)))
                row["next_due"] = due if due <= year.end else None
                rows.append(row)
    return rows


def build_singing(
    rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear], school_choirs: set[str]
) -> list[Row]:
    """School singing programmes: about 40% of schools a year, 20-250 pupils each."""
    rows: list[Row] = []
    for year in years:
        for site in _activity_sites(register, year):
            if not site.engaged[year.start_year] or rng.random() > 0.47:
                continue
            headcount = _headcount(site, year)
            if headcount < 20:
                continue
            share = (
                rng.uniform(0.3, 1.0)
                if site.kind in ("primary", "infant", "junior", "nursery")
                else rng.uniform(0.05, 0.2)
            )
            pupils = max(20, min(250, round(headcount * share)))
            urn = site.urn(year)
            rows.append(
                {
                    "academic_year": year.label,
                    "urn": urn,
                    "programme": rng.choice(_SINGING_PROGRAMMES),
                    "pupils": pupils,
                    "regular": rng.random() < 0.8,
                    "school_choir": urn in school_choirs or rng.random() < 0.5,
                }
            )
    return rows


def build_cpd(rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear]) -> list[Row]:
    """About 30 CPD events a year, each attended by staff of several schools."""
    rows: list[Row] = []
    for year in years:
        sites = [s for s in _activity_sites(register, year) if s.engaged[year.start_year]]
        titles = rng.sample(_CPD_TITLES, rng.randint(28, 32))
        events = sorted((term_day(rng, year), title) for title in titles)
        for number, (day, title) in enumerate(events, start=1):
            audience = rng.choice(_AUDIENCES)
            if title.startswith("Network meeting: primary"):
                audience = _AUDIENCES[0]
            elif title.startswith("Network meeting: secondary"):
                audience = _AUDIENCES[1]
            pool = [s for s in sites if audience.kinds is None or s.kind in audience.kinds]
            hours = rng.choice((1.5, 1.5, 2.0, 2.0, 3.0, 6.0))
            for site in sorted(
                rng.sample(pool, min(len(pool), rng.randint(4, 22))), key=lambda s: s.urn(year) or ""
            ):
                rows.append(
                    {
                        "event_id": f"CPD{year.start_year % 100:02d}-{number:02d}",
                        "date": day,
                        "title": title,
                        "hours": hours,
                        "audience": audience.name if rng.random() > 0.05 else None,
                        "urn": site.urn(year),
                        "attendees": 1 if title.startswith("Network") else rng.randint(1, 3),
                    }
                )
    # Staff of a few schools of neighbouring areas come to the hub's courses: outside the universe, they are
    # listed on the SMEP tracker's Exceptions sheet, not counted.
    for year in years:
        neighbours = [
            s
            for s in register.sites
            if not s.in_hub and s.urn(year) and s.open_all_year(year) and s.kind == "primary"
        ]
        year_rows = [
            row for row in rows if str(row["event_id"]).startswith(f"CPD{year.start_year % 100:02d}-")
        ]
        for site in rng.sample(neighbours, min(2, len(neighbours))):
            event = rng.choice(year_rows)
            rows.append({**event, "urn": site.urn(year), "attendees": rng.randint(1, 2)})
    return rows


def build_events(
    rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear]
) -> list[Row]:
    """About 15 large-scale or live music events a year, each with pupils from several schools."""
    rows: list[Row] = []
    for year in years:
        sites = [
            s
            for s in _activity_sites(register, year)
            if s.engaged[year.start_year] and s.kind not in ("nursery",) and _headcount(s, year) >= 20
        ]
        titles = rng.sample(_EVENT_TITLES, rng.randint(14, 16))
        events = sorted((term_day(rng, year), title) for title in titles)
        for number, (day, title) in enumerate(events, start=1):
            venue = rng.choice(VENUES) if rng.random() > 0.05 else None
            partner = rng.choice(PROFESSIONAL_PARTNERS) if rng.random() < 0.7 else None
            for site in sorted(rng.sample(sites, rng.randint(3, 18)), key=lambda s: s.urn(year) or ""):
                headcount = _headcount(site, year)
                rows.append(
                    {
                        "event_id": f"EV{year.start_year % 100:02d}-{number:02d}",
                        "date": day,
                        "title": title,
                        "venue": venue,
                        "professional_partner": partner,
                        "urn": site.urn(year),
                        "pupils": min(headcount // 2, rng.randint(10, 120)),
                    }
                )
    return rows


def officers_by_district(rng: random.Random, register: Register, names: list[str]) -> dict[str, str]:
    """The hub officer who looks after each district's schools."""
    districts = sorted({s.district.code for s in register.sites})
    shuffled = list(names)
    rng.shuffle(shuffled)
    return {code: shuffled[i % len(shuffled)] for i, code in enumerate(districts)}
