"""Write a whole synthetic hub area: DfE register and census files, every hub export and hub.toml."""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from hubreturns.synthetic.activity import build_pupil_activity
from hubreturns.synthetic.census import (
    SEN_HEADER,
    CensusFigures,
    build_rolls,
    census_figures,
    census_sites,
    sen_row,
    spc_header,
    spc_row,
)
from hubreturns.synthetic.gias import (
    GIAS_HEADER,
    LINK_HEADER,
    LINK_UNQUOTED,
    UNQUOTED,
    assign_details,
    gias_row,
    link_row,
)
from hubreturns.synthetic.names import NameBook
from hubreturns.synthetic.organisation import build_finance, build_workforce
from hubreturns.synthetic.pupils import PupilBook
from hubreturns.synthetic.register import AreaPlan, Register, demo_plan
from hubreturns.synthetic.register_build import build_register
from hubreturns.synthetic.school_calendar import census_day
from hubreturns.synthetic.schools import (
    build_cpd,
    build_engagements,
    build_events,
    build_singing,
    officers_by_district,
    plan_engagement,
)
from hubreturns.synthetic.write import write_csv, write_dfe_csv, write_toml, write_xlsx
from schemas.hub_exports import HUB_EXPORTS
from schemas.periods import AcademicYear

HUB_NAME = "Trentvale Music Hub"
HUB_SLUG = "trentvale"
LEAD_ORGANISATION = "Trentvale Music Trust"
# Exports written in another encoding or format than UTF-8 CSV, as real management systems do.
CP1252_EXPORTS = ("ensembles",)
WORKBOOK_EXPORTS = {"workforce": "Staff"}
# Export columns holding the management system's own ids, prefixed per hub when several hubs are written.
ID_COLUMNS = ("programme_id", "enrolment_id", "ensemble_id", "engagement_id", "event_id", "loan_id")


@dataclass(frozen=True)
class HubIdentity:
    """Who the hub is: the [hub] table of its configuration, bar the local authorities."""

    name: str
    slug: str
    lead_organisation: str


@dataclass(frozen=True)
class AreaSummary:
    """What one written area holds, for progress lines and the England manifest."""

    slug: str
    la_codes: tuple[str, ...]
    config: Path
    schools: int
    pupils: int
    rows: dict[str, int]


DEMO_HUB = HubIdentity(HUB_NAME, HUB_SLUG, LEAD_ORGANISATION)


def _stream(seed: int | str, name: str) -> random.Random:
    """An independent seeded stream per concern, so changing one part does not reshuffle the others."""
    return random.Random(f"{seed}:{name}")


def _write_register(
    out_dir: Path,
    register: Register,
    figures: dict[tuple[int, int], CensusFigures],
    years: tuple[AcademicYear, AcademicYear],
    rng: random.Random,
) -> tuple[str, str]:
    """The GIAS establishments and links files; each open school carries its latest census figures."""
    stamp = register.file_date.strftime("%Y%m%d")
    rows = []
    for record in sorted(register.records, key=lambda r: r.urn):
        record_figures, day = None, None
        if record.site is not None:
            for year in reversed(years):
                if record.site.record_for(year) is record and (record.site.key, year.start_year) in figures:
                    record_figures, day = figures[(record.site.key, year.start_year)], census_day(year)
                    break
        rows.append(gias_row(record, register, record_figures, day, rng))
    gias_name = f"dfe/edubasealldata{stamp}.csv"
    links_name = f"dfe/links_edubasealldata{stamp}.csv"
    write_dfe_csv(out_dir / gias_name, GIAS_HEADER, rows, unquoted=UNQUOTED)
    links = sorted(register.links, key=lambda link: (link.urn, link.link_urn))
    write_dfe_csv(
        out_dir / links_name, LINK_HEADER, [link_row(link) for link in links], unquoted=LINK_UNQUOTED
    )
    return gias_name, links_name


def generate_hub_area(
    out_dir: Path, *, seed: int = 2026, year: AcademicYear | None = None, today: date | None = None
) -> Path:
    """Write the synthetic hub area into out_dir and return the path of out_dir/'hub.toml'."""
    out_dir = Path(out_dir)
    summary = write_area(
        out_dir,
        seed=seed,
        year=year or AcademicYear.latest_complete(today or date.today()),
        plan=demo_plan(),
        hub=DEMO_HUB,
        config_path=out_dir / "hub.toml",
        storage={"output_dir": "out", "database_url": "sqlite:///hubreturns.db"},
    )
    return summary.config


def _relative(path: Path, folder: Path) -> str:
    """A path as the configuration writes it: relative to the configuration's folder, with forward slashes."""
    return Path(os.path.relpath(path, folder)).as_posix()


def write_area(
    out_dir: Path,
    *,
    seed: int | str,
    year: AcademicYear,
    plan: AreaPlan,
    hub: HubIdentity,
    config_path: Path,
    storage: Mapping[str, str],
    id_prefix: str = "",
    ref_prefix: str = "SA",
) -> AreaSummary:
    """Write one synthetic hub area's DfE files and exports into out_dir and its configuration at config_path."""
    years = (year.previous(), year)
    out_dir = Path(out_dir)
    dfe, exports = out_dir / "dfe", out_dir / "exports"
    dfe.mkdir(parents=True, exist_ok=True)
    exports.mkdir(parents=True, exist_ok=True)

    names = NameBook(_stream(seed, "names"))
    register = build_register(_stream(seed, "register"), names, year, plan)
    assign_details(_stream(seed, "addresses"), names, register)
    build_rolls(_stream(seed, "rolls"), register, years)

    # The census files, one SPC and one SEN file per year.
    census_rng = _stream(seed, "census")
    figures: dict[tuple[int, int], CensusFigures] = {}
    census_files, sen_files = [], []
    for census_year in years:
        sites = census_sites(register, census_year)
        spc_rows, sen_rows = [], []
        for site in sites:
            site_figures = census_figures(census_rng, site, census_year)
            figures[(site.key, census_year.start_year)] = site_figures
            spc_rows.append(spc_row(census_rng, register, site, census_year, site_figures))
            sen_rows.append(sen_row(census_rng, site, census_year, site_figures))
        end_year = census_year.start_year + 1
        census_name = f"dfe/spc_school_level_underlying_data_{end_year}.csv"
        sen_name = f"dfe/sen_school_level_ud_{end_year}.csv"
        write_csv(out_dir / census_name, spc_header(), spc_rows, encoding="utf-8")
        write_csv(out_dir / sen_name, SEN_HEADER, sen_rows, encoding="cp1252", line_end="\r\n")
        census_files.append(census_name)
        sen_files.append(sen_name)
    gias_name, links_name = _write_register(out_dir, register, figures, years, _stream(seed, "gias"))

    # The hub's activity.
    plan_engagement(_stream(seed, "engagement"), register, years)
    book = PupilBook(_stream(seed, "pupils"), register, years, ref_prefix=ref_prefix)
    activity = build_pupil_activity(_stream(seed, "activity"), register, book, years)
    officer_rng = _stream(seed, "officers")
    officers = officers_by_district(
        officer_rng, register, [NameBook(officer_rng).officer() for _ in range(9)]
    )
    roll = sum(sum(site.rolls[year.start_year].values()) for site in register.sites if site.in_universe(year))
    later = years[1]
    # Pupils known to the hub: everyone on a WCET roll, learning, in an ensemble or borrowing an instrument.
    known = {
        str(row["pupil_ref"])
        for table in (activity.wcet_participants, activity.tuition, activity.ensemble_members, activity.loans)
        for row in table
        if row["pupil_ref"]
    }
    rows: dict[str, list[dict[str, object]]] = {
        "pupils": [
            {
                "pupil_ref": p.ref,
                "upn": p.upn,
                "urn": p.later_site.urn(later),
                "nc_year": p.later_nc,
                "gender": p.gender,
                "fsm": p.fsm,
                "pupil_premium": p.pupil_premium,
                "sen_status": p.sen_status,
                "looked_after": p.looked_after,
                "ethnicity_group": p.ethnicity_group,
            }
            for p in sorted(book.pupils, key=lambda p: p.ref)
            if p.ref in known
        ],
        "wcet": activity.wcet,
        "wcet_participants": activity.wcet_participants,
        "tuition": activity.tuition,
        "ensembles": activity.ensembles,
        "ensemble_members": activity.ensemble_members,
        "singing": build_singing(_stream(seed, "singing"), register, years, activity.school_choirs),
        "engagements": build_engagements(_stream(seed, "engagements"), register, years, officers),
        "cpd": build_cpd(_stream(seed, "cpd"), register, years),
        "loans": activity.loans,
        "events": build_events(_stream(seed, "events"), register, years),
        "workforce": build_workforce(_stream(seed, "workforce"), years),
        "finance": build_finance(_stream(seed, "finance"), years, roll),
    }
    if id_prefix:
        for name, table in rows.items():
            rows[name] = [
                {**row, **{c: f"{id_prefix}{row[c]}" for c in ID_COLUMNS if row.get(c) is not None}}
                for row in table
            ]
    folder = config_path.parent

    def relative(name: str) -> str:
        return _relative(out_dir / name, folder)

    inputs: dict[str, object] = {
        "gias": relative(gias_name),
        "gias_links": relative(links_name),
        "census": [relative(name) for name in census_files],
        "sen": [relative(name) for name in sen_files],
    }
    for name, model in HUB_EXPORTS.items():
        header = list(model.to_schema().columns)
        if name in WORKBOOK_EXPORTS:
            path = f"exports/{name}.xlsx"
            created = datetime.combine(year.end + timedelta(days=1), datetime.min.time())
            write_xlsx(out_dir / path, WORKBOOK_EXPORTS[name], header, rows[name], created=created)
            inputs[name] = {"path": relative(path), "sheet": WORKBOOK_EXPORTS[name]}
        else:
            path = f"exports/{name}.csv"
            encoding = "cp1252" if name in CP1252_EXPORTS else "utf-8"
            write_csv(out_dir / path, header, rows[name], encoding=encoding)
            inputs[name] = relative(path)

    config_path.parent.mkdir(parents=True, exist_ok=True)
    write_toml(
        config_path,
        {
            "hub": {
                "name": hub.name,
                "slug": hub.slug,
                "lead_organisation": hub.lead_organisation,
                "contact": f"Data team, data@{hub.slug}.example",
                "la_codes": list(plan.hub_las),
            },
            "storage": dict(storage),
            "inputs": inputs,
            "settings": {"suppression_threshold": 4, "allow_demo_key": True},
        },
        comment=(
            f"Synthetic hub area written by hubreturns.synthetic (seed {seed}, academic years "
            f"{years[0].label} and {years[1].label}).\n"
            "Every school name, postcode, trust and pupil is invented; the local authorities are real."
        ),
    )
    universe = {
        r.urn for r in register.records if r.la in plan.hub_las and r.state_funded() and r.open_during(later)
    }
    pupils = sum(f.headcount for (_, start), f in figures.items() if start == later.start_year)
    return AreaSummary(
        hub.slug,
        plan.hub_las,
        config_path,
        len(universe),
        pupils,
        {name: len(table) for name, table in rows.items()},
    )
