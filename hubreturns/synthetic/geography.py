"""The synthetic geography: local authorities, their districts, towns, postcodes and grid coordinates.

Every table here is a named record (no positional tuples): the demo area's five authorities are written out
in `DEMO_GEOGRAPHY`; England's are invented per authority by `hubreturns.synthetic.england`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

HUB_LAS = ("830", "831", "892")
NEIGHBOUR_LAS = ("891", "856")
ALL_LAS = HUB_LAS + NEIGHBOUR_LAS


@dataclass(frozen=True)
class GridRange:
    """An inclusive range of Ordnance Survey grid metres (an easting or a northing band)."""

    low: int
    high: int


@dataclass(frozen=True)
class Diocese:
    """A diocese as GIAS codes it."""

    code: str
    name: str


@dataclass(frozen=True)
class District:
    """A lower-tier district (or a unitary authority standing as its own district)."""

    code: str
    name: str
    towns: tuple[str, ...]
    outward: tuple[str, ...]
    constituency: str
    rural: float
    easting: GridRange
    northing: GridRange


@dataclass(frozen=True)
class AuthorityGeography:
    """The invented geography of one authority: county, phone range, city or shire, CE diocese, districts."""

    county: str
    phone_prefix: str
    city: bool
    diocese: Diocese
    districts: tuple[District, ...]


@dataclass(frozen=True)
class LocalAuthority:
    """A local authority of the area: DfE code, name and GSS code from the shipped lookup, plus geography."""

    code: str
    name: str
    gss: str
    county: str
    phone_prefix: str
    districts: tuple[District, ...]
    diocese_ce: Diocese
    city: bool
    # Which of the shipped census mixes (ethnicity, FSM and EAL rates) the authority's pupils follow.
    profile: str = ""

    @property
    def census_profile(self) -> str:
        """The code of the shipped census mix the authority's pupils follow (its own code by default)."""
        return self.profile or self.code


@dataclass(frozen=True)
class AuthorityName:
    """An authority's name and GSS code as config/local-authorities.csv has them."""

    name: str
    gss: str


DEMO_GEOGRAPHY: dict[str, AuthorityGeography] = {
    "830": AuthorityGeography(
        county="Derbyshire",
        phone_prefix="01632960",
        city=False,
        diocese=Diocese(code="CE12", name="Diocese of Derby"),
        districts=(
            District(
                code="E07000032",
                name="Amber Valley",
                towns=("Belper", "Ripley", "Alfreton", "Heanor"),
                outward=("DE5", "DE55", "DE56", "DE75"),
                constituency="Amber Valley",
                rural=0.4,
                easting=GridRange(low=433000, high=446000),
                northing=GridRange(low=346000, high=356000),
            ),
            District(
                code="E07000033",
                name="Bolsover",
                towns=("Bolsover", "Shirebrook", "Clowne"),
                outward=("S44", "S43", "NG20"),
                constituency="Bolsover",
                rural=0.5,
                easting=GridRange(low=445000, high=455000),
                northing=GridRange(low=365000, high=377000),
            ),
            District(
                code="E07000034",
                name="Chesterfield",
                towns=("Chesterfield", "Staveley"),
                outward=("S40", "S41", "S43"),
                constituency="Chesterfield",
                rural=0.1,
                easting=GridRange(low=434000, high=444000),
                northing=GridRange(low=367000, high=376000),
            ),
            District(
                code="E07000035",
                name="Derbyshire Dales",
                towns=("Matlock", "Ashbourne", "Bakewell", "Wirksworth"),
                outward=("DE4", "DE6", "DE45"),
                constituency="Derbyshire Dales",
                rural=0.85,
                easting=GridRange(low=415000, high=432000),
                northing=GridRange(low=345000, high=372000),
            ),
            District(
                code="E07000036",
                name="Erewash",
                towns=("Ilkeston", "Long Eaton", "Sandiacre"),
                outward=("DE7", "NG10"),
                constituency="Erewash",
                rural=0.2,
                easting=GridRange(low=444000, high=451000),
                northing=GridRange(low=331000, high=345000),
            ),
            District(
                code="E07000037",
                name="High Peak",
                towns=("Buxton", "Glossop", "Chapel-en-le-Frith", "New Mills"),
                outward=("SK17", "SK13", "SK23", "SK22"),
                constituency="High Peak",
                rural=0.6,
                easting=GridRange(low=400000, high=412000),
                northing=GridRange(low=370000, high=396000),
            ),
            District(
                code="E07000038",
                name="North East Derbyshire",
                towns=("Dronfield", "Clay Cross", "Eckington", "Killamarsh"),
                outward=("S18", "S45", "S21"),
                constituency="North East Derbyshire",
                rural=0.55,
                easting=GridRange(low=435000, high=448000),
                northing=GridRange(low=360000, high=382000),
            ),
            District(
                code="E07000039",
                name="South Derbyshire",
                towns=("Swadlincote", "Melbourne", "Hilton"),
                outward=("DE11", "DE12", "DE65", "DE73"),
                constituency="South Derbyshire",
                rural=0.6,
                easting=GridRange(low=425000, high=442000),
                northing=GridRange(low=315000, high=330000),
            ),
        ),
    ),
    "831": AuthorityGeography(
        county="Derbyshire",
        phone_prefix="01632961",
        city=True,
        diocese=Diocese(code="CE12", name="Diocese of Derby"),
        districts=(
            District(
                code="E06000015",
                name="Derby",
                towns=("Derby",),
                outward=("DE1", "DE3", "DE21", "DE22", "DE23", "DE24"),
                constituency="Derby North",
                rural=0.0,
                easting=GridRange(low=430000, high=440000),
                northing=GridRange(low=331000, high=340000),
            ),
        ),
    ),
    "892": AuthorityGeography(
        county="Nottinghamshire",
        phone_prefix="01154960",
        city=True,
        diocese=Diocese(code="CE29", name="Diocese of Southwell and Nottingham"),
        districts=(
            District(
                code="E06000018",
                name="Nottingham",
                towns=("Nottingham",),
                outward=("NG1", "NG2", "NG3", "NG5", "NG6", "NG7", "NG8", "NG11"),
                constituency="Nottingham East",
                rural=0.0,
                easting=GridRange(low=453000, high=462000),
                northing=GridRange(low=335000, high=345000),
            ),
        ),
    ),
    "891": AuthorityGeography(
        county="Nottinghamshire",
        phone_prefix="01154961",
        city=False,
        diocese=Diocese(code="CE29", name="Diocese of Southwell and Nottingham"),
        districts=(
            District(
                code="E07000170",
                name="Ashfield",
                towns=("Sutton-in-Ashfield", "Kirkby-in-Ashfield", "Hucknall"),
                outward=("NG15", "NG17"),
                constituency="Ashfield",
                rural=0.3,
                easting=GridRange(low=448000, high=455000),
                northing=GridRange(low=345000, high=362000),
            ),
            District(
                code="E07000172",
                name="Broxtowe",
                towns=("Beeston", "Eastwood", "Stapleford"),
                outward=("NG9", "NG16"),
                constituency="Broxtowe",
                rural=0.2,
                easting=GridRange(low=447000, high=454000),
                northing=GridRange(low=335000, high=348000),
            ),
            District(
                code="E07000176",
                name="Rushcliffe",
                towns=("West Bridgford", "Bingham"),
                outward=("NG2", "NG12", "NG13"),
                constituency="Rushcliffe",
                rural=0.6,
                easting=GridRange(low=456000, high=475000),
                northing=GridRange(low=325000, high=340000),
            ),
        ),
    ),
    "856": AuthorityGeography(
        county="Leicestershire",
        phone_prefix="01164960",
        city=True,
        diocese=Diocese(code="CE17", name="Diocese of Leicester"),
        districts=(
            District(
                code="E06000016",
                name="Leicester",
                towns=("Leicester",),
                outward=("LE1", "LE2", "LE3", "LE4", "LE5"),
                constituency="Leicester South",
                rural=0.0,
                easting=GridRange(low=455000, high=462000),
                northing=GridRange(low=300000, high=308000),
            ),
        ),
    ),
}


def la_lookup() -> dict[str, dict[str, str]]:
    """Live local authorities of config/local-authorities.csv by DfE 3-digit code (combined rows left out)."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    return {
        row["old_la_code"].strip(): row
        for row in csv.DictReader(io.StringIO(text))
        if row["status"] == "live" and row["old_la_code"].strip().isdigit()
    }


def load_local_authorities() -> dict[str, LocalAuthority]:
    """The demo area's local authorities, with names and GSS codes from config/local-authorities.csv."""
    text = resources.files("config").joinpath("local-authorities.csv").read_text(encoding="utf-8")
    found: dict[str, AuthorityName] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["old_la_code"].strip()
        if code in ALL_LAS and row["status"] == "live":
            found[code] = AuthorityName(name=row["la_name"], gss=row["new_la_code"])
    authorities = {}
    for code in ALL_LAS:
        geography = DEMO_GEOGRAPHY[code]
        authorities[code] = LocalAuthority(
            code=code,
            name=found[code].name,
            gss=found[code].gss,
            county=geography.county,
            phone_prefix=geography.phone_prefix,
            districts=geography.districts,
            diocese_ce=geography.diocese,
            city=geography.city,
        )
    return authorities
