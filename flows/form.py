"""The parameters a data officer fills in on the Prefect UI's run form, typed so the form shows choices and formats.

Prefect builds a deployment's form (its ``parameter_openapi_schema``) from the flow's signature when
``prefect deploy`` imports it; each type here gives the form what a person needs: the configured hubs as a
list to pick from (fixed when the deployment is made: after adding a hub, deploy again), a date picker for the
as-of date, the year's format (``2025/26``), and the sections as choices. Descriptions come from the flows'
docstrings (their ``Args:`` sections).
"""

from __future__ import annotations

import os
import re
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import WithJsonSchema

from core.hub_run import SECTIONS, Section

# Where the configured hubs are (one `<slug>.toml` each), relative to the checkout the worker runs from.
HUBS_FOLDER_VARIABLE = "HUBRETURNS_HUBS_FOLDER"
DEFAULT_HUBS_FOLDER = "config/hubs"
HUB_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ACADEMIC_YEAR_PATTERN = r"^[0-9]{4}/[0-9]{2}$"


def hubs_folder() -> Path:
    """The folder of hub configurations: ``$HUBRETURNS_HUBS_FOLDER``, else ``config/hubs``."""
    return Path(os.environ.get(HUBS_FOLDER_VARIABLE) or DEFAULT_HUBS_FOLDER)


def configured_hubs(folder: Path) -> list[str]:
    """The slugs of the hubs configured in ``folder`` (its ``<slug>.toml`` files), sorted."""
    return sorted(path.stem for path in Path(folder).glob("*.toml") if HUB_SLUG.match(path.stem))


def _hub_choices() -> Any:
    """The configured hubs as the form's choices, or free text when none is configured yet."""
    hubs = configured_hubs(hubs_folder())
    if not hubs:
        return Annotated[str, WithJsonSchema({"type": "string", "title": "Hub"})]
    return StrEnum("Hub", {hub: hub for hub in hubs})


# Evaluated when the flow is imported: `prefect deploy` fixes the choices the form offers.
HubChoice = _hub_choices()
AcademicYearLabel = Annotated[
    str | None,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ACADEMIC_YEAR_PATTERN,
            "examples": ["2025/26"],
            "title": "Academic year",
        }
    ),
]
AsOfDate = Annotated[date | None, WithJsonSchema({"type": "string", "format": "date", "title": "As of"})]
SectionChoices = Annotated[
    list[Section] | None,
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "enum": list(SECTIONS)},
            "uniqueItems": True,
            "title": "Sections",
        }
    ),
]


def as_text(value: object) -> str | None:
    """A form value (an enum member, a date or text) as the text the run works with."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
