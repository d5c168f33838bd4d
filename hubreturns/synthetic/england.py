"""A national-size synthetic England: every live English local authority, shared among 43 hub areas.

Layout under the output folder (the national roll-up reads exactly this):
    hubs/<slug>.toml        one configuration per hub; paths relative to hubs/, one shared store and output folder
    areas/<slug>/dfe/...    the hub's DfE files (GIAS for its authorities, census files for its schools)
    areas/<slug>/exports/   the hub's exports
    england.toml            the manifest: seed, academic years, counts and the hubs with their authorities

Each hub is written by the single-hub generator with its own seed (the main seed and the hub's index), its own
URN, trust, pupil-reference and export-id ranges, and no neighbouring authorities: every authority belongs to
a hub, so a neighbour's schools would be another hub's schools under other details.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from foundation.hub_config import la_names
from hubreturns.synthetic.generator import AreaSummary, HubIdentity, write_area
from hubreturns.synthetic.geography import Diocese, District, GridRange, LocalAuthority, la_lookup
from hubreturns.synthetic.names import NameBook
from hubreturns.synthetic.register import AcademyShare, AreaPlan, IdRange
from hubreturns.synthetic.write import write_toml
from schemas.periods import AcademicYear

HUB_COUNT = 43
# Sites (state-funded schools with pupils) per authority on average; with closures, conversions and free
# schools this gives about 24,500 schools in the national universe and about 9.1 million pupils on roll.
SCHOOLS_PER_LA = 162
MIN_LAS_PER_HUB, MAX_LAS_PER_HUB = 2, 6
# Relative size of an authority by kind (GSS entity code): shire counties have about three times the schools.
_ENTITY_WEIGHT = {"E10": 3.0, "E06": 1.0, "E08": 1.0, "E09": 0.8}
# Share of an authority's sites by kind, from the demo area's three authorities (primary takes the rest).
_KIND_SHARES = {
    "junior": 0.033,  # each junior school has an infant partner on its site
    "secondary": 0.138,
    "all-through": 0.006,
    "special": 0.038,
    "ap": 0.009,
    "nursery": 0.016,
    "utc": 0.002,
    "post16": 0.002,
}
# Ofcom's ranges reserved for drama, three-digit suffix to come; a hub's authorities never share one.
_DRAMA_PHONE_PREFIXES = (
    "01134960",
    "01144960",
    "01154960",
    "01164960",
    "01174960",
    "01184960",
    "01214960",
    "01614960",
    "01914980",
    "01632960",
)
_LONDON_PHONE_PREFIXES = ("02079460", "02079461", "02079462", "02079463", "02079464", "02079465")
# Church of England dioceses by region (GSS region code); the GIAS codes here are invented.
_DIOCESES = {
    "E12000001": ("Diocese of Durham", "Diocese of Newcastle"),
    "E12000002": (
        "Diocese of Manchester",
        "Diocese of Liverpool",
        "Diocese of Blackburn",
        "Diocese of Carlisle",
    ),
    "E12000003": ("Diocese of Leeds", "Diocese of Sheffield", "Diocese of York"),
    "E12000004": ("Diocese of Derby", "Diocese of Southwell and Nottingham", "Diocese of Leicester"),
    "E12000005": (
        "Diocese of Birmingham",
        "Diocese of Lichfield",
        "Diocese of Worcester",
        "Diocese of Coventry",
    ),
    "E12000006": ("Diocese of Ely", "Diocese of Chelmsford", "Diocese of St Albans", "Diocese of Norwich"),
    "E12000007": ("Diocese of London", "Diocese of Southwark"),
    "E12000008": (
        "Diocese of Canterbury",
        "Diocese of Rochester",
        "Diocese of Guildford",
        "Diocese of Oxford",
    ),
    "E12000009": ("Diocese of Bristol", "Diocese of Exeter", "Diocese of Truro", "Diocese of Bath and Wells"),
}
_DIOCESE_NAMES = sorted({name for names in _DIOCESES.values() for name in names})
_POSTCODE_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # no Q, V or X in first place
_POSTCODE_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # no I, J or Z in second place


@dataclass(frozen=True)
class EnglishLA:
    """A live English local authority as config/local-authorities.csv has it."""

    code: str
    name: str
    gss: str
    region: str
    entity: str

    @property
    def short_name(self) -> str:
        """'Bristol, City of' -> 'Bristol'."""
        return self.name.split(",")[0].strip()


@dataclass(frozen=True)
class HubPlan:
    """One hub of the national partition."""

    index: int
    slug: str
    name: str
    lead_organisation: str
    la_codes: tuple[str, ...]


@dataclass(frozen=True)
class EnglandSummary:
    """What generate_england wrote: the manifest's figures and one summary per hub."""

    manifest: Path
    hubs: tuple[AreaSummary, ...]
    seconds: float

    @property
    def schools(self) -> int:
        """Schools in the hubs' universes in the later year."""
        return sum(hub.schools for hub in self.hubs)

    @property
    def pupils(self) -> int:
        """Pupils on roll in the later year's census files."""
        return sum(hub.pupils for hub in self.hubs)


def english_authorities() -> list[EnglishLA]:
    """Every live English local authority (DfE code with a GSS code and region), in region then code order."""
    rows = la_lookup()
    found = [
        EnglishLA(
            code=code,
            name=name,
            gss=rows[code]["new_la_code"],
            region=rows[code]["parent_geography_code"],
            entity=rows[code]["entity_code"],
        )
        for code, name in la_names().items()
        if rows[code]["new_la_code"].startswith("E") and rows[code]["parent_geography_code"]
    ]
    return sorted(found, key=lambda la: (la.region, la.code))


def slugify(text: str) -> str:
    """A configuration slug: lower-case ASCII letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64]


def _hub_sizes(count: int, hubs: int) -> list[int]:
    """Authorities per hub for `count` authorities in `hubs` hubs: even, then varied pairwise within 2 to 6."""
    base, extra = divmod(count, hubs)
    sizes = [base + (1 if i < extra else 0) for i in range(hubs)]
    for i in range(0, hubs - 1, 2):
        shift = 1 + (i // 2) % 2
        while shift and (sizes[i] - shift < MIN_LAS_PER_HUB or sizes[i + 1] + shift > MAX_LAS_PER_HUB):
            shift -= 1
        sizes[i] -= shift
        sizes[i + 1] += shift
    return sizes


def _hubs_per_region(regions: dict[str, int], hubs: int) -> dict[str, int]:
    """Hubs per region in proportion to its authorities (largest remainder), each hub within 2 to 6."""
    total = sum(regions.values())
    quotas = {region: count * hubs / total for region, count in regions.items()}
    given = {region: max(1, int(quota)) for region, quota in quotas.items()}
    by_remainder = sorted(regions, key=lambda r: (given[r] - quotas[r], r))
    while sum(given.values()) < hubs:
        region = next(r for r in by_remainder if regions[r] >= MIN_LAS_PER_HUB * (given[r] + 1))
        given[region] += 1
        by_remainder.remove(region)
        by_remainder.append(region)
    while sum(given.values()) > hubs:
        region = next(r for r in reversed(by_remainder) if regions[r] <= MAX_LAS_PER_HUB * (given[r] - 1))
        given[region] -= 1
    for region, count in given.items():
        if not MIN_LAS_PER_HUB * count <= regions[region] <= MAX_LAS_PER_HUB * count:
            raise ValueError(
                f"cannot share region {region}'s {regions[region]} authorities among {count} hubs"
            )
    return given


def partition_hubs(authorities: Sequence[EnglishLA] | None = None, hubs: int = HUB_COUNT) -> list[HubPlan]:
    """Share the authorities among `hubs` hubs of 2 to 6 neighbouring authorities (same region, DfE code order)."""
    authorities = list(authorities if authorities is not None else english_authorities())
    regions: dict[str, list[EnglishLA]] = {}
    for la in sorted(authorities, key=lambda la: (la.region, la.code)):
        regions.setdefault(la.region, []).append(la)
    per_region = _hubs_per_region({region: len(las) for region, las in regions.items()}, hubs)
    plans: list[HubPlan] = []
    for region, las in regions.items():
        start = 0
        for size in _hub_sizes(len(las), per_region[region]):
            members = las[start : start + size]
            start += size
            first = members[0].short_name
            plans.append(
                HubPlan(
                    index=len(plans),
                    slug=slugify(first),
                    name=f"{first} and District Music Hub",
                    lead_organisation=f"{first} Music Education Trust",
                    la_codes=tuple(la.code for la in members),
                )
            )
    return plans


def la_site_counts(
    seed: int, authorities: Sequence[EnglishLA], schools_per_la: int = SCHOOLS_PER_LA
) -> dict[str, int]:
    """Sites per authority: `schools_per_la` on average over all of them, counties bigger, every one varied."""
    rng = random.Random(f"{seed}:england-sizes")
    weights = {
        la.code: _ENTITY_WEIGHT.get(la.entity, 1.0) * rng.lognormvariate(0, 0.4)
        for la in sorted(authorities, key=lambda la: la.code)
    }
    total = sum(weights.values())
    return {
        code: max(12, min(700, round(schools_per_la * len(weights) * weight / total)))
        for code, weight in weights.items()
    }


def _site_plan(rng: random.Random, sites: int) -> dict[str, int]:
    """Sites of each kind for an authority of `sites` sites (stochastic rounding keeps national shares)."""
    plan = {kind: int(share * sites + rng.random()) for kind, share in _KIND_SHARES.items()}
    plan["infant"] = plan["junior"]
    plan["primary"] = max(4, sites - sum(plan.values()))
    order = (
        "primary",
        "infant",
        "junior",
        "secondary",
        "all-through",
        "special",
        "ap",
        "nursery",
        "utc",
        "post16",
    )
    return {kind: plan[kind] for kind in order if plan[kind]}


def _outward_area(name: str) -> str:
    """A postcode area of two letters made from the authority's name (invented, valid in form)."""
    letters = [c for c in name.upper() if c.isalpha()]
    first = letters[0] if letters[0] in _POSTCODE_FIRST else "S"
    second = next((c for c in letters[1:] if c in _POSTCODE_SECOND and c not in "AEIOU"), "L")
    return first + second


def _authority(seed: int, la: EnglishLA, position: int) -> LocalAuthority:
    """An authority's invented geography: districts, towns, postcodes, phone range, diocese and census mix."""
    rng = random.Random(f"{seed}:geography:{la.code}")
    names = NameBook(rng)
    # Metropolitan districts and London boroughs have the cities' bigger primaries; unitaries, like the shire
    # counties, have the county mix (calibrated to about 371 pupils a school, the national figure).
    city = la.entity in ("E08", "E09")
    area = _outward_area(la.short_name)
    outward_number = iter(range(1, 99))
    box_east, box_north = rng.randint(150, 600) * 1000, rng.randint(60, 600) * 1000
    district_names = (
        [names.place() for _ in range(rng.randint(4, 7))] if la.entity == "E10" else [la.short_name]
    )
    districts = []
    for index, district_name in enumerate(district_names):
        code = la.gss if la.entity != "E10" else f"E07{900000 + int(la.code) * 10 + index}"
        towns = (
            (la.short_name,) if la.entity != "E10" else tuple(names.place() for _ in range(rng.randint(2, 4)))
        )
        outward = tuple(f"{area}{next(outward_number)}" for _ in range(4 if city else 3))
        east, north = box_east + index * 12000, box_north + rng.randint(0, 20) * 1000
        rural = 0.0 if la.entity == "E09" else (0.1 if city else 0.55)
        districts.append(
            District(
                code=code,
                name=district_name,
                towns=towns,
                outward=outward,
                constituency=district_name,
                rural=rural,
                easting=GridRange(low=east, high=east + 11000),
                northing=GridRange(low=north, high=north + 11000),
            )
        )
    prefixes = _LONDON_PHONE_PREFIXES if la.entity == "E09" else _DRAMA_PHONE_PREFIXES
    diocese = rng.choice(_DIOCESES.get(la.region, _DIOCESE_NAMES))
    profile = {
        "E09": "856",
        "E08": rng.choice(("831", "892")),
        "E10": rng.choice(("830", "891")),
    }.get(la.entity, "831" if city else "891")
    return LocalAuthority(
        code=la.code,
        name=la.name,
        gss=la.gss,
        county=la.short_name,
        phone_prefix=prefixes[position % len(prefixes)],
        districts=tuple(districts),
        diocese_ce=Diocese(code=f"CE{_DIOCESE_NAMES.index(diocese) + 1:02d}", name=diocese),
        city=city,
        profile=profile,
    )


def area_plan(seed: int, hub: HubPlan, authorities: dict[str, EnglishLA], sites: dict[str, int]) -> AreaPlan:
    """The register plan of one hub: its authorities only, with identifier ranges no other hub uses."""
    rng = random.Random(f"{seed}:plan:{hub.index}")
    i = hub.index
    return AreaPlan(
        hub_las=hub.la_codes,
        neighbour_las=(),
        authorities={
            code: _authority(seed, authorities[code], position) for position, code in enumerate(hub.la_codes)
        },
        site_plan={code: _site_plan(rng, sites[code]) for code in hub.la_codes},
        academy_share={
            code: AcademyShare(primary=rng.uniform(0.25, 0.6), secondary=rng.uniform(0.65, 0.95))
            for code in hub.la_codes
        },
        old_urns=IdRange(low=100000 + i * 4500, high=100000 + i * 4500 + 4499),
        new_urn_base=300000 + i * 16000,
        new_urn_block=1000,
        new_urn_last_block=15,
        trust_codes=IdRange(low=20000 + i * 1000, high=20000 + i * 1000 + 999),
    )


@dataclass(frozen=True)
class _Job:
    """What a worker process needs to write one hub."""

    seed: int
    year: AcademicYear
    out_dir: Path
    hub: HubPlan
    authorities: dict[str, EnglishLA]
    sites: dict[str, int]


def _write_hub(job: _Job) -> AreaSummary:
    """Write one hub's area and configuration (run in a worker process)."""
    hub = job.hub
    return write_area(
        job.out_dir / "areas" / hub.slug,
        seed=f"{job.seed}/hub{hub.index:02d}",
        year=job.year,
        plan=area_plan(job.seed, hub, job.authorities, job.sites),
        hub=HubIdentity(hub.name, hub.slug, hub.lead_organisation),
        config_path=job.out_dir / "hubs" / f"{hub.slug}.toml",
        storage={"output_dir": "../out", "database_url": "sqlite:///../hubreturns.db"},
        id_prefix=f"H{hub.index + 1:02d}-",
        ref_prefix=f"H{hub.index + 1:02d}",
    )


def generate_england(
    out_dir: Path,
    *,
    seed: int = 2026,
    year: AcademicYear | None = None,
    today: date | None = None,
    hubs: int | None = None,
    schools_per_la: int = SCHOOLS_PER_LA,
    workers: int = 2,
    progress: Callable[[int, int, AreaSummary], None] | None = None,
) -> EnglandSummary:
    """Write England's hub areas (the first `hubs` of them if given) and the manifest; return the summary.

    `progress(done, total, summary)` is called as each hub finishes (in finishing order, which varies; the
    files do not)."""
    started = time.perf_counter()
    year = year or AcademicYear.latest_complete(today or date.today())
    out_dir = Path(out_dir)
    authorities = {la.code: la for la in english_authorities()}
    plans = partition_hubs(list(authorities.values()))[:hubs]
    sites = la_site_counts(seed, list(authorities.values()), schools_per_la)
    jobs = [_Job(seed, year, out_dir, hub, authorities, sites) for hub in plans]
    # Biggest hubs first, so the workers finish together.
    jobs.sort(key=lambda job: -sum(sites[code] for code in job.hub.la_codes))
    results: dict[int, AreaSummary] = {}
    if workers <= 1:
        for job in jobs:
            results[job.hub.index] = _write_hub(job)
            if progress:
                progress(len(results), len(jobs), results[job.hub.index])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_write_hub, job): job.hub.index for job in jobs}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress:
                    progress(len(results), len(jobs), results[futures[future]])
    summaries = tuple(results[hub.index] for hub in plans)
    manifest = out_dir / "england.toml"
    write_toml(
        manifest,
        {
            "england": {
                "seed": seed,
                "academic_years": [year.previous().label, year.label],
                "hub_count": len(summaries),
                "school_count": sum(s.schools for s in summaries),
                "pupil_count": sum(s.pupils for s in summaries),
            }
        },
        comment=(
            "Synthetic England written by hubreturns.synthetic.england: one configuration per hub in hubs/,\n"
            "each hub's files in areas/<slug>/. school_count: schools in the hubs' universes in the later year;\n"
            "pupil_count: pupils on roll in the later year's census files."
        ),
        arrays={
            "hubs": [
                {
                    "slug": hub.slug,
                    "name": hub.name,
                    "la_codes": list(hub.la_codes),
                    "config": f"hubs/{hub.slug}.toml",
                    "school_count": summary.schools,
                    "pupil_count": summary.pupils,
                }
                for hub, summary in zip(plans, summaries, strict=True)
            ]
        },
    )
    return EnglandSummary(manifest, summaries, time.perf_counter() - started)
