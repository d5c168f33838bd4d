"""The ensembles of the hub area before anyone joins them: hub-led, partner-led and school-based ones.

About 150 ensembles: flagship and area ensembles run by the hub, partners' ensembles, and ensembles based at
schools (about a third of them choirs). Members are drawn later, with the pupils (`activity.py`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hubreturns.synthetic.pupils import PupilBook
from hubreturns.synthetic.register import Register, Site
from schemas.periods import AcademicYear

Row = dict[str, object]


@dataclass(eq=False)
class EnsembleDefinition:
    """An ensemble before its members are drawn."""

    ensemble_id: str
    name: str
    type: str
    level: str
    lead: str
    site: Site | None
    base_urn: str | None
    nc_years: tuple[str, ...]
    size: int

    def row(self) -> Row:
        """The ensemble's row of the ensembles export."""
        return {
            "ensemble_id": self.ensemble_id,
            "name": self.name,
            "type": self.type,
            "level": self.level,
            "lead": self.lead,
            "base_urn": self.base_urn,
        }

    def capacity(self, book: PupilBook) -> int:
        """A school's ensemble takes at most about half of the year groups it draws from."""
        assert self.site is not None
        return max(8, sum(book.cohort_size(self.site, nc, 1) for nc in self.nc_years) // 2)


@dataclass(frozen=True)
class _EnsembleTemplate:
    """A hub-led or partner-led ensemble: its name (an area's with "{area}"), type, level and typical size."""

    name: str
    type: str
    level: str
    size: int


@dataclass(frozen=True)
class _SchoolEnsembleTemplate:
    """A school-based ensemble: the label after the school's name, type, level, typical size, how many schools."""

    label: str
    type: str
    level: str
    size: int
    schools: int


_LEVEL_YEARS = {
    "entry": ("4", "5", "6", "7"),
    "foundation": ("5", "6", "7", "8", "9"),
    "intermediate": ("7", "8", "9", "10", "11"),
    "advanced": ("9", "10", "11", "12", "13"),
}
_AREAS = (
    "Derby City",
    "Nottingham City",
    "Amber Valley",
    "Bolsover",
    "Chesterfield",
    "Derbyshire Dales",
    "Erewash",
    "High Peak",
    "North East Derbyshire",
    "South Derbyshire",
)
_FLAGSHIPS = (
    _EnsembleTemplate(name="Trentvale Youth Orchestra", type="orchestra", level="advanced", size=80),
    _EnsembleTemplate(name="Trentvale Youth Wind Orchestra", type="wind band", level="advanced", size=60),
    _EnsembleTemplate(name="Trentvale Youth Choir", type="choir", level="advanced", size=60),
    _EnsembleTemplate(name="Trentvale Youth Jazz Orchestra", type="jazz", level="advanced", size=22),
    _EnsembleTemplate(name="Trentvale Youth Brass Band", type="brass band", level="advanced", size=32),
    _EnsembleTemplate(name="Trentvale Chamber Choir", type="vocal group", level="advanced", size=24),
    _EnsembleTemplate(name="Trentvale Young Voices", type="choir", level="entry", size=150),
    _EnsembleTemplate(
        name="Trentvale Music Tech Collective", type="music technology", level="intermediate", size=16
    ),
)
_AREA_TEMPLATES = (
    _EnsembleTemplate(name="{area} Junior Strings", type="orchestra", level="foundation", size=35),
    _EnsembleTemplate(name="{area} Training Band", type="wind band", level="entry", size=35),
    _EnsembleTemplate(name="{area} Youth Orchestra", type="orchestra", level="intermediate", size=50),
    _EnsembleTemplate(name="{area} Junior Choir", type="choir", level="foundation", size=70),
    _EnsembleTemplate(name="{area} Area Choir", type="choir", level="entry", size=110),
    _EnsembleTemplate(name="{area} Rock School", type="rock/pop", level="intermediate", size=20),
    _EnsembleTemplate(name="{area} Youth Brass", type="brass band", level="intermediate", size=28),
    _EnsembleTemplate(name="{area} Samba", type="world", level="entry", size=30),
    _EnsembleTemplate(name="{area} Folk Ensemble", type="folk", level="foundation", size=18),
    _EnsembleTemplate(name="{area} Guitar Ensemble", type="mixed", level="foundation", size=20),
    _EnsembleTemplate(name="{area} Youth Voices", type="vocal group", level="intermediate", size=30),
)
_PARTNER_ENSEMBLES = (
    _EnsembleTemplate(name="Peakland Brass Youth Band", type="brass band", level="intermediate", size=30),
    _EnsembleTemplate(name="Peakland Brass Training Band", type="brass band", level="entry", size=25),
    _EnsembleTemplate(name="Harmonia Voices Youth Choir", type="choir", level="intermediate", size=45),
    _EnsembleTemplate(name="Harmonia Voices Training Choir", type="choir", level="entry", size=50),
    _EnsembleTemplate(name="Trent Steel Collective Youth Pans", type="world", level="foundation", size=22),
    _EnsembleTemplate(name="Samba Rhythms Youth Bateria", type="world", level="foundation", size=30),
    _EnsembleTemplate(name="Soundwave Producers Club", type="music technology", level="foundation", size=15),
    _EnsembleTemplate(name="Folk Roots Youth Ceilidh Band", type="folk", level="intermediate", size=18),
    _EnsembleTemplate(
        name="East Midlands Sinfonia Youth Strings", type="orchestra", level="intermediate", size=30
    ),
    _EnsembleTemplate(name="Café Jazz Collective", type="jazz", level="intermediate", size=18),
    _EnsembleTemplate(name="Les Étoiles Children’s Choir", type="choir", level="foundation", size=45),
    _EnsembleTemplate(name="Valley Gospel Choir", type="choir", level="intermediate", size=40),
    _EnsembleTemplate(name="Northlight Youth Big Band", type="jazz", level="advanced", size=20),
    _EnsembleTemplate(
        name="Riverside Community Orchestra Juniors", type="orchestra", level="foundation", size=30
    ),
    _EnsembleTemplate(name="Sounds of the Peak Folk Group", type="folk", level="foundation", size=16),
    _EnsembleTemplate(name="Harmonia Voices Girls’ Choir", type="choir", level="intermediate", size=35),
    _EnsembleTemplate(name="Peakland Youth Wind Band", type="wind band", level="intermediate", size=40),
    _EnsembleTemplate(name="Soundwave Band Lab", type="rock/pop", level="foundation", size=18),
    _EnsembleTemplate(name="Trent Steel Collective Juniors", type="world", level="entry", size=25),
    _EnsembleTemplate(name="Samba Rhythms Street Band", type="world", level="intermediate", size=28),
    _EnsembleTemplate(name="Kingfisher Young Strings", type="orchestra", level="advanced", size=20),
    _EnsembleTemplate(name="Amber Valley Community Choir Youth", type="choir", level="foundation", size=40),
    _EnsembleTemplate(name="Northlight Jazz Workshop", type="jazz", level="foundation", size=16),
)
# School-based ensembles: label, type, level, typical size, how many schools have one.
_SCHOOL_TEMPLATES_PRIMARY = (
    _SchoolEnsembleTemplate(label="Choir", type="choir", level="entry", size=40, schools=18),
    _SchoolEnsembleTemplate(label="Singers", type="vocal group", level="foundation", size=20, schools=4),
    _SchoolEnsembleTemplate(label="Samba Band", type="world", level="entry", size=20, schools=7),
    _SchoolEnsembleTemplate(label="Orchestra", type="mixed", level="foundation", size=20, schools=9),
    _SchoolEnsembleTemplate(label="Ukulele Club", type="mixed", level="entry", size=18, schools=7),
    _SchoolEnsembleTemplate(label="Recorder Group", type="mixed", level="entry", size=15, schools=5),
)
_SCHOOL_TEMPLATES_SECONDARY = (
    _SchoolEnsembleTemplate(label="Choir", type="choir", level="intermediate", size=45, schools=6),
    _SchoolEnsembleTemplate(label="Chamber Choir", type="vocal group", level="advanced", size=20, schools=2),
    _SchoolEnsembleTemplate(label="Jazz Band", type="jazz", level="intermediate", size=18, schools=3),
    _SchoolEnsembleTemplate(label="Rock Band", type="rock/pop", level="intermediate", size=10, schools=3),
    _SchoolEnsembleTemplate(label="Orchestra", type="orchestra", level="intermediate", size=35, schools=4),
    _SchoolEnsembleTemplate(label="Wind Band", type="wind band", level="intermediate", size=30, schools=2),
    _SchoolEnsembleTemplate(
        label="Music Tech Club", type="music technology", level="foundation", size=12, schools=2
    ),
)
_NAME_STOP_WORDS = {
    "Primary",
    "Infant",
    "Junior",
    "Catholic",
    "CofE",
    "C",
    "Church",
    "Community",
    "Nursery",
    "School",
    "Academy",
    "High",
    "All-through",
    "Voluntary",
    "(VC)",
    "(VA)",
    "(Controlled)",
    "(Aided)",
}


def _short_name(name: str) -> str:
    """A school's name up to its first generic word ("Ashby Primary School" -> "Ashby")."""
    words = []
    for word in name.split():
        if word in _NAME_STOP_WORDS:
            break
        words.append(word)
    return " ".join(words) or name


def _hub_or_partner_ensemble(template: _EnsembleTemplate, name: str, lead: str) -> EnsembleDefinition:
    """An ensemble not based at a school, open to the NC years of its level."""
    return EnsembleDefinition(
        ensemble_id="",
        name=name,
        type=template.type,
        level=template.level,
        lead=lead,
        site=None,
        base_urn=None,
        nc_years=_LEVEL_YEARS[template.level],
        size=template.size,
    )


def plan_ensembles(
    rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear]
) -> list[EnsembleDefinition]:
    """About 150 ensembles: hub-led (flagship and area), school-led (based at a school) and partner-led."""
    definitions: list[EnsembleDefinition] = []
    for flagship in _FLAGSHIPS:
        definitions.append(_hub_or_partner_ensemble(flagship, flagship.name, "hub"))
    for area in _AREAS:
        for template in rng.sample(_AREA_TEMPLATES, rng.randint(4, 5)):
            definitions.append(_hub_or_partner_ensemble(template, template.name.format(area=area), "hub"))
    for partner in _PARTNER_ENSEMBLES:
        definitions.append(_hub_or_partner_ensemble(partner, partner.name, "partner"))
    bases = [
        s
        for s in register.sites
        if s.in_hub
        and s.stable_urn(years)
        and all(s.engaged.get(y.start_year) for y in years)
        and s.kind in ("primary", "junior", "secondary", "all-through")
    ]
    primaries = [
        s for s in bases if s.kind in ("primary", "junior") and s.rolls[years[1].start_year].get("5", 0) >= 20
    ]
    secondaries = [s for s in bases if s.kind in ("secondary", "all-through")]
    used_names: set[str] = {d.name for d in definitions}
    for templates, pool in (
        (_SCHOOL_TEMPLATES_PRIMARY, primaries),
        (_SCHOOL_TEMPLATES_SECONDARY, secondaries),
    ):
        # A fixed number of each kind (about a third of all ensembles are choirs), at schools drawn at random.
        kinds = [template for template in templates for _ in range(template.schools)]
        for base, school_template in zip(rng.sample(pool, min(len(kinds), len(pool))), kinds, strict=False):
            record = base.record_for(years[1])
            assert record is not None
            name = f"{_short_name(record.name)} {school_template.label}"
            if name in used_names:
                name = f"{name} ({record.details.get('town', base.place)})"
            used_names.add(name)
            choir = school_template.type == "choir"
            nc_years = tuple(nc for nc in base.years if nc not in ("R", "1", "2") or choir)
            if choir and base.kind in ("primary", "junior"):
                nc_years = tuple(nc for nc in base.years if nc in ("2", "3", "4", "5", "6"))
            definitions.append(
                EnsembleDefinition(
                    ensemble_id="",
                    name=name,
                    type=school_template.type,
                    level=school_template.level,
                    lead="school",
                    site=base,
                    base_urn=record.urn,
                    nc_years=nc_years,
                    size=school_template.size,
                )
            )
    order = list(range(len(definitions)))
    rng.shuffle(order)
    for number, index in enumerate(order, start=1):
        definitions[index].ensemble_id = f"ENS{number:03d}"
    return sorted(definitions, key=lambda d: d.ensemble_id)
