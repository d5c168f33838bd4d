"""Invented school names, in the forms GIAS has them: saints, Church of England suffixes, academies' names."""

from __future__ import annotations

import random

from hubreturns.synthetic.geography import LocalAuthority
from hubreturns.synthetic.names import SAINT_WITH_ACCENT, NameBook, possessive
from hubreturns.synthetic.register import Site


def school_name(
    rng: random.Random,
    names: NameBook,
    site: Site,
    authority: LocalAuthority,
    academy: bool,
    religion: str | None,
    type_name: str,
) -> str:
    """An invented name for a school of the site's kind, religious character and type, as GIAS spells names."""
    place = site.place
    kind = site.kind
    if kind in ("primary", "infant", "junior"):
        noun = {"primary": "Primary", "infant": "Infant", "junior": "Junior"}[kind]
        if religion == "RC":
            saint = SAINT_WITH_ACCENT if rng.random() < 0.04 else names.saint()
            saint_name = f"St {saint}" if saint == SAINT_WITH_ACCENT else possessive(saint, rng)
            return f"{saint_name} Catholic {'Voluntary Academy' if academy else noun + ' School'}"
        if religion == "CE":
            if rng.random() < 0.3:
                return f"{possessive(names.saint(), rng)} CofE {noun} {'Academy' if academy else 'School'}"
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
            return f"{possessive(names.saint(), rng)} Catholic {'Voluntary Academy' if academy else 'School'}"
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
