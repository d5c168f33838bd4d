"""The GIAS file layout: the 2024-style establishments header, every record's row, and the links rows.

Values are returned as text; which columns go unquoted (the numeric ones, as in DfE's real file) is
`UNQUOTED`, used by the writer.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

from hubreturns.synthetic.census import CensusFigures
from hubreturns.synthetic.geography import Diocese, District
from hubreturns.synthetic.names import HEAD_JOB_TITLES, NameBook
from hubreturns.synthetic.register import (
    KINDS,
    PHASES,
    REASONS_CLOSED,
    REASONS_OPENED,
    STATUS_CODES,
    TYPES,
    Coded,
    GiasRecord,
    Link,
    Register,
)
from schemas.register import GIAS_DATE_FORMAT

# The header line of DfE's ~2021 extract, verbatim (data-formats.md §1.3); the 2024 files drop two columns
# and add FSM and AccreditationExpiryDate at the end.
_HEADER_2021_LINE = (
    '"URN","LA (code)","LA (name)","EstablishmentNumber","EstablishmentName",'
    '"TypeOfEstablishment (code)","TypeOfEstablishment (name)","EstablishmentTypeGroup (code)",'
    '"EstablishmentTypeGroup (name)","EstablishmentStatus (code)","EstablishmentStatus (name)",'
    '"ReasonEstablishmentOpened (code)","ReasonEstablishmentOpened (name)","OpenDate",'
    '"ReasonEstablishmentClosed (code)","ReasonEstablishmentClosed (name)","CloseDate",'
    '"PhaseOfEducation (code)","PhaseOfEducation (name)","StatutoryLowAge","StatutoryHighAge",'
    '"Boarders (code)","Boarders (name)","NurseryProvision (name)","OfficialSixthForm (code)",'
    '"OfficialSixthForm (name)","Gender (code)","Gender (name)","ReligiousCharacter (code)",'
    '"ReligiousCharacter (name)","ReligiousEthos (name)","Diocese (code)","Diocese (name)",'
    '"AdmissionsPolicy (code)","AdmissionsPolicy (name)","SchoolCapacity",'
    '"SpecialClasses (code)","SpecialClasses (name)","CensusDate","NumberOfPupils",'
    '"NumberOfBoys","NumberOfGirls","PercentageFSM","TrustSchoolFlag (code)",'
    '"TrustSchoolFlag (name)","Trusts (code)","Trusts (name)","SchoolSponsorFlag (name)",'
    '"SchoolSponsors (name)","FederationFlag (name)","Federations (code)","Federations (name)",'
    '"UKPRN","FEHEIdentifier","FurtherEducationType (name)","OfstedLastInsp",'
    '"OfstedSpecialMeasures (code)","OfstedSpecialMeasures (name)","LastChangedDate","Street",'
    '"Locality","Address3","Town","County (name)","Postcode","SchoolWebsite","TelephoneNum",'
    '"HeadTitle (name)","HeadFirstName","HeadLastName","HeadPreferredJobTitle",'
    '"BSOInspectorateName (name)","InspectorateReport","DateOfLastInspectionVisit",'
    '"NextInspectionVisit","TeenMoth (name)","TeenMothPlaces","CCF (name)","SENPRU (name)",'
    '"EBD (name)","PlacesPRU","FTProv (name)","EdByOther (name)","Section41Approved (name)",'
    '"SEN1 (name)","SEN2 (name)","SEN3 (name)","SEN4 (name)","SEN5 (name)","SEN6 (name)",'
    '"SEN7 (name)","SEN8 (name)","SEN9 (name)","SEN10 (name)","SEN11 (name)","SEN12 (name)",'
    '"SEN13 (name)","TypeOfResourcedProvision (name)","ResourcedProvisionOnRoll",'
    '"ResourcedProvisionCapacity","SenUnitOnRoll","SenUnitCapacity","GOR (code)","GOR (name)",'
    '"DistrictAdministrative (code)","DistrictAdministrative (name)","AdministrativeWard (code)",'
    '"AdministrativeWard (name)","ParliamentaryConstituency (code)",'
    '"ParliamentaryConstituency (name)","UrbanRural (code)","UrbanRural (name)",'
    '"GSSLACode (name)","Easting","Northing","CensusAreaStatisticWard (name)","MSOA (name)",'
    '"LSOA (name)","InspectorateName (name)","SENStat","SENNoStat",'
    '"BoardingEstablishment (name)","PropsName","PreviousLA (code)","PreviousLA (name)",'
    '"PreviousEstablishmentNumber","OfstedRating (name)","RSCRegion (name)","Country (name)",'
    '"UPRN","SiteName","QABName (code)","QABName (name)","EstablishmentAccredited (code)",'
    '"EstablishmentAccredited (name)","QABReport","CHNumber","MSOA (code)","LSOA (code)"'
)
_HEADER_2021 = next(csv.reader([_HEADER_2021_LINE]))
GIAS_HEADER: tuple[str, ...] = (
    *(c for c in _HEADER_2021 if c not in ("CensusAreaStatisticWard (name)", "RSCRegion (name)")),
    "FSM",
    "AccreditationExpiryDate",
)
# Numeric columns DfE writes without quotes (data-formats.md §1.2); everything else is quoted.
UNQUOTED = frozenset(
    {
        "URN",
        "StatutoryLowAge",
        "StatutoryHighAge",
        "SchoolCapacity",
        "UKPRN",
        "FEHEIdentifier",
        "TeenMothPlaces",
        "PlacesPRU",
        "ResourcedProvisionOnRoll",
        "ResourcedProvisionCapacity",
        "SenUnitOnRoll",
        "SenUnitCapacity",
        "Easting",
        "Northing",
        "SENStat",
        "SENNoStat",
        "UPRN",
        "FSM",
    }
)
_URBAN_RURAL = {
    "city": Coded(code="C1", name="(England/Wales) Urban city and town"),
    "town": Coded(code="D1", name="(England/Wales) Rural town and fringe"),
    "village": Coded(code="E1", name="(England/Wales) Rural village"),
    "hamlet": Coded(code="F1", name="(England/Wales) Rural hamlet and isolated dwellings"),
}
_SEN_NEEDS = (
    "ASD - Autistic Spectrum Disorder",
    "SLD - Severe Learning Difficulty",
    "MLD - Moderate Learning Difficulty",
    "SEMH - Social, Emotional and Mental Health",
    "SLCN - Speech, language and Communication",
    "PMLD - Profound and Multiple Learning Difficulty",
    "PD - Physical Disability",
)
_OFSTED = (
    "Outstanding",
    "Good",
    "Good",
    "Good",
    "Good",
    "Requires improvement",
    "Requires improvement",
    "Serious Weaknesses",
)
_RC_DIOCESE = Diocese(code="RC25", name="Diocese of Nottingham")
_NO_DIOCESE = Diocese(code="0000", name="Not applicable")
_RELIGIONS = {
    "CE": Coded(code="02", name="Church of England"),
    "RC": Coded(code="03", name="Roman Catholic"),
}
_NO_RELIGION = Coded(code="00", name="None")

_TRUST_FLAGS = {
    "none": Coded(code="0", name="Not applicable"),
    "foundation": Coded(code="1", name="Supported by a trust"),
    "single": Coded(code="3", name="Supported by a single-academy trust"),
    "multi": Coded(code="5", name="Supported by a multi-academy trust"),
}

LINK_HEADER = ("URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate")
LINK_UNQUOTED = frozenset({"URN", "LinkURN"})


@dataclass(frozen=True)
class _AgeRange:
    """A school's statutory low and high ages."""

    low: int
    high: int


_AGES = {
    "primary": _AgeRange(low=4, high=11),
    "infant": _AgeRange(low=4, high=7),
    "junior": _AgeRange(low=7, high=11),
    "secondary": _AgeRange(low=11, high=16),
    "all-through": _AgeRange(low=4, high=18),
    "special": _AgeRange(low=2, high=19),
    "ap": _AgeRange(low=11, high=16),
    "nursery": _AgeRange(low=2, high=5),
    "utc": _AgeRange(low=14, high=19),
    "post16": _AgeRange(low=16, high=19),
    "independent": _AgeRange(low=3, high=18),
    "special_other": _AgeRange(low=5, high=19),
    "college": _AgeRange(low=16, high=99),
}


def _slug(name: str) -> str:
    """The first three words of a name as a web address part ("St Mary's CofE" -> "st-mary-s")."""
    words = re.findall(r"[a-z0-9]+", name.lower().encode("ascii", "ignore").decode())
    return "-".join(words[:3])


def _gias_date(day: date | None) -> str:
    """A date as GIAS writes it (blank for none)."""
    return day.strftime(GIAS_DATE_FORMAT) if day else ""


def _address(
    rng: random.Random, names: NameBook, district: District, place: str, urban: bool
) -> dict[str, str]:
    """An invented address in the district: street, town, postcode, grid reference, ward and areas."""
    town = rng.choice(district.towns)
    ward_code = f"E05{rng.randint(1000, 15999):06d}"
    msoa = rng.randint(1, 40)
    lsoa_letter = rng.choice("ABCDEF")
    draw = rng.random()
    if urban or draw > district.rural:
        urban_rural = _URBAN_RURAL["city"]
    else:
        urban_rural = _URBAN_RURAL[rng.choice(("town", "village", "village", "hamlet"))]
    return {
        "street": names.street(),
        "locality": place if rng.random() < 0.5 else "",
        "town": town,
        "postcode": names.postcode(district.outward),
        "easting": str(rng.randint(district.easting.low, district.easting.high)),
        "northing": str(rng.randint(district.northing.low, district.northing.high)),
        "ward_code": ward_code,
        "ward_name": place
        if rng.random() < 0.4
        else f"{town} {rng.choice(('North', 'South', 'East', 'West', 'Central'))}",
        "constituency_code": f"E1400{abs(sum(map(ord, district.constituency))) % 9000 + 1000:04d}",
        "urban_rural_code": urban_rural.code,
        "urban_rural": urban_rural.name,
        "msoa_name": f"{district.name} {msoa:03d}",
        "msoa_code": f"E02{rng.randint(2000, 7999):06d}",
        "lsoa_name": f"{district.name} {msoa:03d}{lsoa_letter}",
        "lsoa_code": f"E01{rng.randint(10000, 35999):06d}",
        "district_code": district.code,
        "district_name": district.name,
        "constituency": district.constituency,
        "uprn": str(rng.randint(100030000000, 100039999999)) if rng.random() < 0.8 else "",
    }


def assign_details(rng: random.Random, names: NameBook, register: Register) -> None:
    """Addresses, heads, inspection dates and identifiers for every record (a site's records share an address)."""
    for site in register.sites:
        authority = register.authorities[site.la]
        address = _address(rng, names, site.district, site.place, authority.city)
        for record in site.records:
            record.details.update(address)
            record.sixth_form = site.sixth_form
            record.has_nursery = site.has_nursery
    for record in register.records:
        if "street" not in record.details:
            authority = register.authorities[record.la]
            district = next(
                (d for d in authority.districts if d.code == record.details.get("district")), None
            )
            district = district or rng.choice(authority.districts)
            record.details.update(_address(rng, names, district, names.place(), authority.city))
        authority = register.authorities[record.la]
        head = names.person()
        is_open = record.status != "Closed"
        inspected = (
            record.open_date if record.open_date and record.open_date.year > 2000 else date(2014, 9, 1)
        )
        record.details.update(
            {
                "head_title": head.title if is_open else "",
                "head_first": head.first_name if is_open else "",
                "head_last": head.surname if is_open else "",
                "head_job": rng.choice(HEAD_JOB_TITLES) if is_open else "",
                "phone": names.phone(authority.phone_prefix) if is_open else "",
                "ofsted_date": _gias_date(inspected + timedelta(days=rng.randint(200, 3000)))
                if is_open and record.status != "Proposed to open"
                else "",
                "ofsted_rating": rng.choice(_OFSTED)
                if is_open and record.status != "Proposed to open"
                else "",
                "ukprn": str(rng.randint(10000000, 10099999)) if rng.random() < 0.75 else "",
                "ch_number": f"{rng.randint(7000000, 14999999):08d}" if record.trust else "",
            }
        )


def gias_row(
    record: GiasRecord,
    register: Register,
    figures: CensusFigures | None,
    census_date: date | None,
    rng: random.Random,
) -> dict[str, str]:
    """The record's row of the establishments file, every column as text."""
    authority = register.authorities[record.la]
    establishment_type = TYPES[record.type_name]
    phase_name = (
        KINDS[record.kind].phase
        if record.kind in KINDS
        else ("16 plus" if record.kind == "college" else "Not applicable")
    )
    ages = _AGES[record.kind]
    low, high = ages.low, ages.high
    if record.has_nursery and record.kind in ("primary", "infant", "all-through"):
        low = 3
    if record.kind == "secondary" and record.sixth_form:
        high = 18
    opened = REASONS_OPENED[record.reason_opened]
    closed = REASONS_CLOSED[record.reason_closed]
    religion = _RELIGIONS.get(record.religion or "", _NO_RELIGION)
    diocese = {"CE": authority.diocese_ce, "RC": _RC_DIOCESE}.get(record.religion or "", _NO_DIOCESE)
    is_academy = establishment_type.group_name in ("Academies", "Free Schools")
    special = record.kind in ("special", "special_other")
    details = record.details
    sen = [""] * 13
    if special:
        needs = list(_SEN_NEEDS)
        rng.shuffle(needs)
        for i, need in enumerate(needs[: rng.randint(2, 5)]):
            sen[i] = need
    pupils = boys = girls = fsm_pct = census_text = fsm = ""
    if figures is not None:
        pupils = str(figures.headcount)
        boys, girls = str(figures.male), str(figures.female)
        fsm_pct = f"{100 * figures.fsm / figures.fsm_base:.1f}" if figures.fsm_base else ""
        fsm = str(figures.fsm)
        census_text = _gias_date(census_date)
    trust_flag = _TRUST_FLAGS["none"]
    if record.trust:
        trust_flag = _TRUST_FLAGS["single" if record.single_trust else "multi"]
    elif record.type_name == "Foundation school":
        trust_flag = _TRUST_FLAGS["foundation"]
    capacity = ""
    if figures is not None:
        capacity = str(max(figures.headcount, round(figures.headcount * rng.uniform(0.95, 1.25) / 5) * 5))
    is_open = record.status != "Closed"
    values: dict[str, str] = {
        "URN": record.urn,
        "LA (code)": record.la,
        "LA (name)": authority.name,
        "EstablishmentNumber": record.estab,
        "EstablishmentName": record.name,
        "TypeOfEstablishment (code)": establishment_type.code,
        "TypeOfEstablishment (name)": record.type_name,
        "EstablishmentTypeGroup (code)": establishment_type.group_code,
        "EstablishmentTypeGroup (name)": establishment_type.group_name,
        "EstablishmentStatus (code)": STATUS_CODES[record.status],
        "EstablishmentStatus (name)": record.status,
        "ReasonEstablishmentOpened (code)": opened.code,
        "ReasonEstablishmentOpened (name)": opened.name,
        "OpenDate": _gias_date(record.open_date),
        "ReasonEstablishmentClosed (code)": closed.code,
        "ReasonEstablishmentClosed (name)": closed.name,
        "CloseDate": _gias_date(record.close_date),
        "PhaseOfEducation (code)": PHASES[phase_name],
        "PhaseOfEducation (name)": phase_name,
        "StatutoryLowAge": str(low),
        "StatutoryHighAge": str(high),
        "Boarders (code)": "1",
        "Boarders (name)": "No boarders",
        "NurseryProvision (name)": "Has Nursery Classes" if record.has_nursery else "No Nursery Classes",
        "OfficialSixthForm (code)": "1" if record.sixth_form else "2",
        "OfficialSixthForm (name)": "Has a sixth form" if record.sixth_form else "Does not have a sixth form",
        "Gender (code)": "2" if record.gender == "Girls" else "3",
        "Gender (name)": record.gender,
        "ReligiousCharacter (code)": religion.code,
        "ReligiousCharacter (name)": religion.name,
        "ReligiousEthos (name)": religion.name if record.religion else "Does not apply",
        "Diocese (code)": diocese.code,
        "Diocese (name)": diocese.name,
        "AdmissionsPolicy (code)": "2" if record.kind in ("secondary", "all-through") else "0",
        "AdmissionsPolicy (name)": "Non-selective"
        if record.kind in ("secondary", "all-through")
        else "Not applicable",
        "SchoolCapacity": capacity,
        "SpecialClasses (code)": "1" if special else "2",
        "SpecialClasses (name)": "Has Special Classes" if special else "No Special Classes",
        "CensusDate": census_text,
        "NumberOfPupils": pupils,
        "NumberOfBoys": boys,
        "NumberOfGirls": girls,
        "PercentageFSM": fsm_pct,
        "TrustSchoolFlag (code)": trust_flag.code,
        "TrustSchoolFlag (name)": trust_flag.name,
        "Trusts (code)": record.trust.code if record.trust else "",
        "Trusts (name)": record.trust.name if record.trust else "",
        "SchoolSponsorFlag (name)": "Linked to a sponsor" if record.sponsor else "Not applicable",
        "SchoolSponsors (name)": record.trust.name if record.sponsor and record.trust else "",
        "FederationFlag (name)": "Not under a federation",
        "Federations (code)": "",
        "Federations (name)": "",
        "UKPRN": details.get("ukprn", ""),
        "FEHEIdentifier": "",
        "FurtherEducationType (name)": "General Further Education College"
        if record.kind == "college"
        else "Not applicable",
        "OfstedLastInsp": details.get("ofsted_date", ""),
        "OfstedSpecialMeasures (code)": "0",
        "OfstedSpecialMeasures (name)": "Not applicable",
        "LastChangedDate": _gias_date(register.file_date - timedelta(days=rng.randint(1, 400))),
        "Street": details.get("street", ""),
        "Locality": details.get("locality", ""),
        "Address3": "",
        "Town": details.get("town", ""),
        "County (name)": authority.county,
        "Postcode": details.get("postcode", ""),
        "SchoolWebsite": f"www.{_slug(record.name)}.sch.uk" if is_open else "",
        "TelephoneNum": details.get("phone", ""),
        "HeadTitle (name)": details.get("head_title", ""),
        "HeadFirstName": details.get("head_first", ""),
        "HeadLastName": details.get("head_last", ""),
        "HeadPreferredJobTitle": details.get("head_job", ""),
        "BSOInspectorateName (name)": "Not applicable",
        "InspectorateReport": "",
        "DateOfLastInspectionVisit": "",
        "NextInspectionVisit": "",
        "TeenMoth (name)": "Not applicable",
        "TeenMothPlaces": "",
        "CCF (name)": "Not applicable",
        "SENPRU (name)": "Not applicable",
        "EBD (name)": "Not applicable",
        "PlacesPRU": str(figures.headcount + 5) if figures is not None and record.kind == "ap" else "",
        "FTProv (name)": "Not applicable",
        "EdByOther (name)": "Not applicable",
        "Section41Approved (name)": "Approved"
        if record.type_name == "Other independent special school"
        else "Not applicable",
        **{f"SEN{i + 1} (name)": need for i, need in enumerate(sen)},
        "TypeOfResourcedProvision (name)": "Not applicable",
        "ResourcedProvisionOnRoll": "",
        "ResourcedProvisionCapacity": "",
        "SenUnitOnRoll": "",
        "SenUnitCapacity": "",
        "GOR (code)": "E",
        "GOR (name)": "East Midlands",
        "DistrictAdministrative (code)": details.get("district_code", ""),
        "DistrictAdministrative (name)": details.get("district_name", ""),
        "AdministrativeWard (code)": details.get("ward_code", ""),
        "AdministrativeWard (name)": details.get("ward_name", ""),
        "ParliamentaryConstituency (code)": details.get("constituency_code", ""),
        "ParliamentaryConstituency (name)": details.get("constituency", ""),
        "UrbanRural (code)": details.get("urban_rural_code", ""),
        "UrbanRural (name)": details.get("urban_rural", ""),
        "GSSLACode (name)": authority.gss,
        "Easting": details.get("easting", ""),
        "Northing": details.get("northing", ""),
        "MSOA (name)": details.get("msoa_name", ""),
        "LSOA (name)": details.get("lsoa_name", ""),
        "InspectorateName (name)": "Not applicable",
        "SENStat": str(figures.ehcp) if figures is not None and special else "",
        "SENNoStat": str(figures.sen_support) if figures is not None and special else "",
        "BoardingEstablishment (name)": "",
        "PropsName": "",
        "PreviousLA (code)": "999",
        "PreviousLA (name)": "Not applicable",
        "PreviousEstablishmentNumber": "",
        "OfstedRating (name)": details.get("ofsted_rating", ""),
        "Country (name)": "United Kingdom",
        "UPRN": details.get("uprn", ""),
        "SiteName": "",
        "QABName (code)": "0",
        "QABName (name)": "Not applicable",
        "EstablishmentAccredited (code)": "0",
        "EstablishmentAccredited (name)": "Not applicable",
        "QABReport": "",
        "CHNumber": details.get("ch_number", ""),
        "MSOA (code)": details.get("msoa_code", ""),
        "LSOA (code)": details.get("lsoa_code", ""),
        "FSM": fsm,
        "AccreditationExpiryDate": "",
    }
    if is_academy and not record.trust:
        values["TrustSchoolFlag (name)"] = "Not applicable"
    return values


def link_row(link: Link) -> dict[str, str]:
    """One row of the links file."""
    return {
        "URN": link.urn,
        "LinkURN": link.link_urn,
        "LinkName": link.link_name,
        "LinkType": link.link_type,
        "LinkEstablishedDate": _gias_date(link.link_date),
    }
