"""Ofsted's school inspection frameworks as configuration: one TOML file per version in ``config/ofsted/``.

A file names the framework's evaluation areas, the hub's evidence (by key) that speaks to each, and the titles
the school brief's prompts are grouped under. A new revision of the framework is a new file, named in the
hub's settings (``ofsted_framework``), not new code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from foundation.errors import ConfigError

FRAMEWORK_FOLDER = "ofsted"


@dataclass(frozen=True)
class FrameworkArea:
    """One evaluation area of a framework and the keys of the hub's evidence that speak to it."""

    title: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class OfstedFramework:
    """One version of Ofsted's school inspection framework, as the tracker and the school briefs use it."""

    version: str
    title: str
    evidence_note: str
    prompt_areas: tuple[tuple[str, str], ...]
    areas: tuple[FrameworkArea, ...]

    def prompt_area_titles(self) -> dict[str, str]:
        """Prompt area key -> its title, in the file's order."""
        return dict(self.prompt_areas)


def available_frameworks() -> list[str]:
    """The versions shipped in ``config/ofsted/`` (file names without ``.toml``)."""
    folder = resources.files("config").joinpath(FRAMEWORK_FOLDER)
    return sorted(
        entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml")
    )


def load_framework(version: str) -> OfstedFramework:
    """The framework file ``config/ofsted/<version>.toml``; a clear error when it is missing or incomplete."""
    known = available_frameworks()
    if version not in known:
        raise ConfigError(
            f"The hub's setting ofsted_framework = {version!r} names no file in config/ofsted/: "
            f"choose one of {', '.join(known)}"
        )
    name = f"{version}.toml"
    text = resources.files("config").joinpath(FRAMEWORK_FOLDER, name).read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
        framework = OfstedFramework(
            version=str(data["version"]),
            title=str(data["title"]),
            evidence_note=str(data["evidence_note"]),
            prompt_areas=tuple((str(k), str(v)) for k, v in data["prompt_areas"].items()),
            areas=tuple(
                FrameworkArea(str(area["title"]), tuple(str(key) for key in area["evidence"]))
                for area in data["areas"]
            ),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"config/ofsted/{name} is not a complete framework file: {exc}") from exc
    if framework.version != version:
        raise ConfigError(f"config/ofsted/{name} says it is version {framework.version!r}, not {version!r}")
    return framework
