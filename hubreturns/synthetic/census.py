"""The synthetic school census: each site's roll by year group, and the SPC and SEN school-level files.

The public files have key-stage bands, not year groups; the per-year rolls kept here are the generator's own
truth, from which the bands, the WCET class sizes and the pupils' cohorts are all derived.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hubreturns.synthetic.register import Register, Site
from hubreturns.synthetic.school_calendar import census_day
from schemas.census import CENSUS_ETHNICITY_GROUPS, ethnicity_count_header
from schemas.periods import AcademicYear

NEXT_YEAR = {"R": "1", **{str(n): str(n + 1) for n in range(1, 13)}}
PREVIOUS_YEAR = {v: k for k, v in NEXT_YEAR.items()}
BANDS: dict[str, tuple[str, ...]] = {
    "Number of nursery pupils (years N1 and N2)": ("N",),
    "Number of reception pupils (year R)": ("R",),
    "Number of key stage 1 pupils (years 1 and 2)": ("1", "2"),
    "Number of key stage 2 pupils (years 3 to 6)": ("3", "4", "5", "6"),
    "Number of key stage 3 pupils (years 7 to 9)": ("7", "8", "9"),
    "Number of key stage 4 pupils (years 10 and 11)": ("10", "11"),
    "Number of key stage 5 pupils (years 12 to 14)": ("12", "13"),
}
BAND_OF_YEAR = {year: band for band, years in BANDS.items() for year in years}

# National-ish mixes of the 18 census ethnicity groups (order of CENSUS_ETHNICITY_GROUPS), per local authority.
_ETHNICITY: dict[str, tuple[float, ...]] = {
    "830": (88, 0.2, 0.1, 3.0, 0.2, 1.2, 0.3, 0.8, 1.2, 0.6, 0.5, 0.1, 0.6, 0.1, 0.6, 0.1, 0.3, 0.5),
    "831": (52, 0.2, 0.1, 9.0, 1.5, 3.0, 0.6, 2.0, 3.0, 6.0, 12, 0.5, 3.0, 0.7, 3.0, 0.6, 0.4, 2.5),
    "892": (45, 0.2, 0.1, 9.0, 1.0, 5.0, 1.0, 1.5, 4.5, 2.0, 8.0, 0.8, 3.0, 2.0, 10, 2.0, 1.0, 3.5),
    "891": (84, 0.2, 0.1, 4.0, 0.3, 1.6, 0.4, 1.0, 1.5, 1.0, 1.2, 0.1, 0.8, 0.2, 1.2, 0.2, 0.4, 0.8),
    "856": (22, 0.1, 0.1, 8.0, 1.0, 2.0, 0.5, 1.5, 3.0, 32, 5.0, 2.0, 5.0, 1.0, 8.0, 1.0, 0.5, 6.0),
}
_FSM = {"830": 0.19, "831": 0.27, "892": 0.33, "891": 0.21, "856": 0.29}
_EAL = {"830": 0.05, "831": 0.28, "892": 0.30, "891": 0.07, "856": 0.50}


@dataclass(frozen=True)
class _SizeBand:
    """A band of year-group sizes (pupils per year) and how often a school falls in it."""

    weight: int
    low: int
    high: int


# Primary year-group sizes in a shire county and in a city.
_PRIMARY_SIZES = {
    "county": (
        _SizeBand(weight=25, low=6, high=14),
        _SizeBand(weight=45, low=17, high=32),
        _SizeBand(weight=15, low=38, high=48),
        _SizeBand(weight=13, low=52, high=62),
        _SizeBand(weight=2, low=80, high=90),
    ),
    "city": (
        _SizeBand(weight=4, low=10, high=16),
        _SizeBand(weight=26, low=24, high=32),
        _SizeBand(weight=15, low=40, high=48),
        _SizeBand(weight=38, low=54, high=62),
        _SizeBand(weight=17, low=80, high=92),
    ),
}
_SEN_NEEDS = ("spld", "mld", "sld", "pmld", "semh", "slcn", "hi", "vi", "msi", "pd", "asd", "oth")
_SUPPORT_NEED_MIX = (13, 18, 1, 0.5, 20, 25, 2, 1, 0.5, 3, 10, 4)
_EHCP_NEED_MIX = (4, 8, 10, 3, 16, 15, 2, 1, 0.5, 5, 33, 2.5)


def _size(rng: random.Random, bands: tuple[_SizeBand, ...]) -> int:
    """A year-group size drawn from the bands (a band by weight, then a size within it)."""
    band = rng.choices(bands, weights=[b.weight for b in bands])[0]
    return rng.randint(band.low, band.high)


def _entry_sizes(rng: random.Random, site: Site, city: bool) -> dict[str, int]:
    """Typical pupils per year group for the site (before year-to-year noise)."""
    kind = site.kind
    sizes: dict[str, int] = {}
    if kind in ("primary", "infant", "junior", "all-through"):
        if kind == "all-through":
            primary = rng.randint(55, 62)
        elif kind in ("infant", "junior"):
            primary = rng.randint(40, 90)
        else:
            primary = _size(rng, _PRIMARY_SIZES["city" if city else "county"])
        for year in ("R", "1", "2", "3", "4", "5", "6"):
            sizes[year] = primary
        if site.has_nursery:
            sizes["N"] = max(8, round(primary * rng.uniform(0.6, 1.0)))
    if kind in ("secondary", "all-through"):
        secondary = rng.randint(150, 300) if city else rng.randint(110, 260)
        if kind == "all-through":
            secondary = rng.randint(170, 210)
        for year in ("7", "8", "9", "10", "11"):
            sizes[year] = secondary
        if site.sixth_form:
            sizes["12"] = sizes["13"] = round(secondary * rng.uniform(0.35, 0.55))
    if kind == "special":
        for year in site.years:
            sizes[year] = rng.randint(5, 14)
    if kind == "ap":
        for year, (low, high) in zip(site.years, ((2, 4), (3, 6), (5, 10), (8, 15), (8, 16)), strict=True):
            sizes[year] = rng.randint(low, high)
    if kind == "nursery":
        sizes["N"] = rng.randint(70, 120)
    if kind == "utc":
        for year in site.years:
            sizes[year] = rng.randint(80, 120)
    if kind == "post16":
        sizes["12"] = sizes["13"] = rng.randint(220, 300)
    return {year: sizes[year] for year in ("N", *site.years) if year in sizes}


def build_rolls(rng: random.Random, register: Register, years: tuple[AcademicYear, AcademicYear]) -> None:
    """Give every site its pupils by year group for both census years, and its population's rates."""
    earlier, later = years
    for site in register.sites:
        authority = register.authorities[site.la]
        profile = authority.census_profile
        site.fsm_rate = min(0.75, max(0.02, _FSM[profile] * rng.uniform(0.35, 1.8)))
        site.eal_rate = min(0.9, max(0.0, _EAL[profile] * rng.uniform(0.3, 1.9)))
        noise = [w * rng.uniform(0.5, 1.5) for w in _ETHNICITY[profile]]
        total = sum(noise)
        site.ethnicity = tuple(w / total for w in noise)
        if site.kind == "special":
            site.sen_support_rate, site.ehcp_rate, site.male_share = 0.02, 0.96, 0.70
        elif site.kind == "ap":
            site.sen_support_rate, site.ehcp_rate, site.male_share = 0.45, 0.15, 0.68
        else:
            site.sen_support_rate = rng.uniform(0.09, 0.17)
            site.ehcp_rate = rng.uniform(0.012, 0.035)
            site.male_share = rng.uniform(0.48, 0.54)
        entry = _entry_sizes(rng, site, authority.city)
        first = {year: max(1, round(size * rng.uniform(0.92, 1.06))) for year, size in entry.items()}
        second: dict[str, int] = {}
        for year, size in entry.items():
            before = PREVIOUS_YEAR.get(year)
            if before in first and year not in ("12",) and site.kind != "special":
                second[year] = max(1, round(first[before] * rng.uniform(0.97, 1.02)))
            elif year == "12" and "11" in first:
                second[year] = max(1, round(first["11"] * rng.uniform(0.35, 0.55)))
            else:
                second[year] = max(1, round(size * rng.uniform(0.92, 1.06)))
        if site.history == "free_new":
            # A new free school opens with its first three year groups only.
            second = {year: count for year, count in second.items() if year in ("R", "1", "2")}
        for academic_year, roll in ((earlier, first), (later, second)):
            if site.urn(academic_year) is not None:
                site.rolls[academic_year.start_year] = roll


def year_group_size(site: Site, year: AcademicYear, nc_year: str) -> int:
    """Pupils of one year group as the public census lets anyone estimate it: the band divided by its years."""
    roll = site.rolls.get(year.start_year, {})
    band = BAND_OF_YEAR.get(nc_year)
    if band is None or nc_year not in roll:
        return 0
    years = BANDS[band]
    return sum(roll.get(y, 0) for y in years) // len(years)


@dataclass(frozen=True)
class CensusFigures:
    """One site's published census figures for one year."""

    headcount: int
    nursery: int
    fsm: int
    fsm_base: int
    male: int
    female: int
    bands: dict[str, int]
    ethnicity: tuple[int, ...]
    unclassified: int
    sen_support: int
    ehcp: int


def _split(rng: random.Random, total: int, weights: tuple[float, ...]) -> list[int]:
    """Split a whole number in proportion to weights (with a little noise), the parts summing exactly."""
    noisy = [w * rng.uniform(0.8, 1.2) for w in weights]
    scale = total / sum(noisy) if sum(noisy) else 0
    raw = [w * scale for w in noisy]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def census_figures(rng: random.Random, site: Site, year: AcademicYear) -> CensusFigures:
    """The site's census figures for the year, consistent with its roll and rates."""
    roll = site.rolls[year.start_year]
    headcount = sum(roll.values())
    nursery = roll.get("N", 0)
    bands = {band: sum(roll.get(y, 0) for y in years) for band, years in BANDS.items()}
    fsm_base = headcount - nursery
    fsm = round(fsm_base * site.fsm_rate)
    male = round(headcount * site.male_share)
    unclassified = round(headcount * rng.uniform(0.003, 0.02))
    ethnicity = tuple(_split(rng, headcount - unclassified, site.ethnicity))
    sen_support = round(headcount * site.sen_support_rate)
    ehcp = min(headcount - sen_support, round(headcount * site.ehcp_rate))
    return CensusFigures(
        headcount,
        nursery,
        fsm,
        fsm_base,
        male,
        headcount - male,
        bands,
        ethnicity,
        unclassified,
        sen_support,
        ehcp,
    )


_PHASE_TYPE_GROUPING = {
    "primary": "State-funded primary",
    "infant": "State-funded primary",
    "junior": "State-funded primary",
    "secondary": "State-funded secondary",
    "all-through": "State-funded secondary",
    "utc": "State-funded secondary",
    "post16": "State-funded secondary",
    "special": "State-funded special school",
    "ap": "State-funded AP school",
    "nursery": "State-funded nursery",
}
SPC_IDENTITY = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "urn",
    "laestab",
    "school_name",
    "phase_type_grouping",
    "type_of_establishment",
    "sex_of_school_description",
    "denomination",
    "admissions_policy",
    "urban_rural",
    "academy_flag",
    "district_administrative_code",
    "district_administrative_name",
    "parl_con_code",
    "parl_con_name",
    "school_postcode",
    "estab",
    "open_date",
)
FSM_HEADERS = (
    "number of pupils known to be eligible for free school meals",
    "% of pupils known to be eligible for free school meals",
    "number of pupils known to be eligible for free school meals (Performance Tables)",
    "% of pupils known to be eligible for free school meals (Performance Tables)",
    "number of FSM eligible pupils taking a free school meal on census day",
    "% of FSM eligible pupils taking free school meals",
    "Infants taken a free school meal on census day",
)
LANGUAGE_HEADERS = (
    "number of pupils whose first language is known or believed to be English",
    "% of pupils whose first language is known or believed to be English",
    "number of pupils whose first language is known or believed to be other than English",
    "% of pupils whose first language is known or believed to be other than English",
    "number of pupils whose first language is unclassified",
    "% of pupils whose first language is unclassified",
)


def spc_header() -> list[str]:
    """The school-level SPC header, in the order of DfE's 2023/24 data dictionary."""
    header = list(SPC_IDENTITY)
    header += [
        "headcount of pupils",
        "fte pupils",
        "full time pupils",
        "part time pupils",
        "headcount total male",
        "headcount total female",
        "total boarders",
        "male boarders",
        "female boarders",
        "number of pupils of compulsory school age and above (rounded)",
        "Number of pupils (used for FSM calculation in Performance Tables)",
        "number_of_dual_subsidiary_registrations",
        "Number of early year pupils (years E1 and E2)",
        *BANDS,
        "Number of pupils not reception or key stage 1 to 5",
        "full-time male Year group 12",
        "full-time female Year group 12",
        "full-time male Year group 13",
        "full-time female Year group 13",
        *FSM_HEADERS,
    ]
    for group in CENSUS_ETHNICITY_GROUPS:
        header += [ethnicity_count_header(group), f"% of pupils classified as {group} ethnic origin"]
    header += ["number of pupils unclassified", "% of pupils unclassified", *LANGUAGE_HEADERS]
    return header


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "z"


def spc_row(
    rng: random.Random, register: Register, site: Site, year: AcademicYear, figures: CensusFigures
) -> dict[str, str]:
    """One school's row of the SPC school-level file."""
    record = site.record_for(year)
    assert record is not None
    authority = register.authorities[site.la]
    h = figures.headcount
    tiny = h < 30
    part_time = round(figures.nursery * 0.8)
    religion = {"CE": "Church of England", "RC": "Roman Catholic"}.get(
        record.religion or "", "Does not apply"
    )
    row = {
        "time_period": year.census_period,
        "time_identifier": "Academic year",
        "geographic_level": "School",
        "country_code": "E92000001",
        "country_name": "England",
        "region_code": "E12000004",
        "region_name": "East Midlands",
        "old_la_code": site.la,
        "new_la_code": authority.gss,
        "la_name": authority.name,
        "urn": record.urn,
        "laestab": f"{site.la}{record.estab}",
        "school_name": record.name,
        "phase_type_grouping": _PHASE_TYPE_GROUPING[site.kind],
        "type_of_establishment": record.type_name,
        "sex_of_school_description": record.gender,
        "denomination": religion,
        "admissions_policy": "Non-selective"
        if site.kind in ("secondary", "all-through")
        else "Not applicable",
        "urban_rural": record.details.get("urban_rural", ""),
        "academy_flag": "Academy" if record.group_name in ("Academies", "Free Schools") else "Not applicable",
        "district_administrative_code": site.district.code,
        "district_administrative_name": site.district.name,
        "parl_con_code": record.details.get("constituency_code", ""),
        "parl_con_name": site.district.constituency,
        "school_postcode": record.details.get("postcode", ""),
        "estab": record.estab,
        "open_date": record.open_date.strftime("%d/%m/%Y") if record.open_date else "",
        "headcount of pupils": str(h),
        "fte pupils": f"{h - part_time / 2:.1f}",
        "full time pupils": str(h - part_time),
        "part time pupils": str(part_time),
        "headcount total male": str(figures.male),
        "headcount total female": str(figures.female),
        "total boarders": "0",
        "male boarders": "0",
        "female boarders": "0",
        "number of pupils of compulsory school age and above (rounded)": (
            str(
                5
                * round((h - figures.nursery - figures.bands["Number of reception pupils (year R)"] // 2) / 5)
            )
            if site.kind != "nursery"
            else "z"
        ),
        "Number of pupils (used for FSM calculation in Performance Tables)": str(figures.fsm_base),
        "number_of_dual_subsidiary_registrations": str(rng.randint(0, 6) if site.kind == "ap" else 0),
        "Number of early year pupils (years E1 and E2)": "0",
        "Number of pupils not reception or key stage 1 to 5": "0",
    }
    for band, count in figures.bands.items():
        row[band] = str(count)
    roll = site.rolls[year.start_year]
    for nc in ("12", "13"):
        boys = round(roll.get(nc, 0) * site.male_share)
        row[f"full-time male Year group {nc}"] = str(boys)
        row[f"full-time female Year group {nc}"] = str(roll.get(nc, 0) - boys)
    taking = round(figures.fsm * rng.uniform(0.78, 0.92))
    infants = (
        figures.bands["Number of reception pupils (year R)"]
        + figures.bands["Number of key stage 1 pupils (years 1 and 2)"]
    )
    row.update(
        {
            FSM_HEADERS[0]: str(figures.fsm),
            FSM_HEADERS[1]: _pct(figures.fsm, figures.fsm_base),
            FSM_HEADERS[2]: str(figures.fsm),
            FSM_HEADERS[3]: _pct(figures.fsm, figures.fsm_base),
            FSM_HEADERS[4]: str(taking),
            FSM_HEADERS[5]: _pct(taking, figures.fsm),
            FSM_HEADERS[6]: str(round(infants * rng.uniform(0.82, 0.95))),
        }
    )
    for group, count in zip(CENSUS_ETHNICITY_GROUPS, figures.ethnicity, strict=True):
        row[ethnicity_count_header(group)] = str(count)
        row[f"% of pupils classified as {group} ethnic origin"] = "x" if tiny else _pct(count, h)
    row["number of pupils unclassified"] = str(figures.unclassified)
    row["% of pupils unclassified"] = "x" if tiny else _pct(figures.unclassified, h)
    unknown = round(h * 0.002)
    other = round((h - unknown) * site.eal_rate)
    english = h - unknown - other
    for (count_header, pct_header), count in zip(
        (
            (LANGUAGE_HEADERS[0], LANGUAGE_HEADERS[1]),
            (LANGUAGE_HEADERS[2], LANGUAGE_HEADERS[3]),
            (LANGUAGE_HEADERS[4], LANGUAGE_HEADERS[5]),
        ),
        (english, other, unknown),
        strict=True,
    ):
        row[count_header] = str(count)
        row[pct_header] = "x" if tiny else _pct(count, h)
    return row


SEN_HEADER = [
    "time_period",
    "URN",
    "Total pupils",
    "SEN support",
    "EHC plan",
    "LSOA11",
    *[f"{prefix}_Primary_need_{need}" for need in _SEN_NEEDS for prefix in ("EHC", "SUP")],
]


def sen_row(rng: random.Random, site: Site, year: AcademicYear, figures: CensusFigures) -> dict[str, str]:
    """One school's row of the SEN school-level file (primary needs split to sum to the totals)."""
    record = site.record_for(year)
    assert record is not None
    row = {
        "time_period": year.census_period,
        "URN": record.urn,
        "Total pupils": str(figures.headcount),
        "SEN support": str(figures.sen_support),
        "EHC plan": str(figures.ehcp),
        "LSOA11": record.details.get("lsoa_code", ""),
    }
    for need, support, ehcp in zip(
        _SEN_NEEDS,
        _split(rng, figures.sen_support, _SUPPORT_NEED_MIX),
        _split(rng, figures.ehcp, _EHCP_NEED_MIX),
        strict=True,
    ):
        row[f"EHC_Primary_need_{need}"] = str(ehcp)
        row[f"SUP_Primary_need_{need}"] = str(support)
    return row


def census_sites(register: Register, year: AcademicYear) -> list[Site]:
    """Sites with a state-funded school on roll on the year's census day, in URN order."""
    day = census_day(year)
    sites = []
    for site in register.sites:
        record = site.record_for(year)
        if record is not None and record.open_on(day) and year.start_year in site.rolls:
            sites.append(site)
    return sorted(sites, key=lambda s: s.urn(year) or "")
