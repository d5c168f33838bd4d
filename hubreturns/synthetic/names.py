"""Invented names: places, schools, trusts, people, streets, postcodes and phone numbers that look real but are not.

Every draw comes from the generator's seeded Random, so the same seed gives the same names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Place names are built from two parts; the combinations are invented villages and estates.
_PLACE_HEADS = (
    "Ald",
    "Ash",
    "Barrow",
    "Brad",
    "Bram",
    "Calder",
    "Carn",
    "Cold",
    "Crom",
    "Dal",
    "Dove",
    "Elm",
    "Fern",
    "Gold",
    "Hallow",
    "Hart",
    "Hazel",
    "Holm",
    "Kings",
    "Lang",
    "Lid",
    "Marsh",
    "Mill",
    "Moor",
    "Nether",
    "Oak",
    "Pen",
    "Red",
    "Ridge",
    "Rook",
    "Sand",
    "Shir",
    "Stan",
    "Sut",
    "Thorn",
    "Wester",
    "Whit",
    "Wood",
    "Wyn",
    "Yar",
    "Brook",
    "Cran",
    "Fox",
    "Glen",
    "Hilt",
    "Lark",
    "Orch",
    "Pine",
)
_PLACE_TAILS = (
    "ley",
    "ton",
    "by",
    "field",
    "wood",
    "brook",
    "well",
    "dale",
    "ford",
    "hurst",
    "combe",
    "stow",
    "thorpe",
    "bridge",
    "more",
    "worth",
    "den",
    "holme",
    "ham",
    "cote",
    "over",
    "gate",
    "wick",
    "lea",
)
_PLACE_PREFIXES = ("Upper", "Lower", "Great", "Little", "North", "South", "East", "West", "Old", "New")

SAINTS = (
    "Mary",
    "Joseph",
    "John",
    "Anne",
    "Peter",
    "Thomas",
    "Alban",
    "Edward",
    "George",
    "Andrew",
    "Giles",
    "Laurence",
    "Oswald",
    "Michael",
    "Bernadette",
    "Margaret",
    "Chad",
    "Werburgh",
    "Elizabeth",
    "Hugh",
    "Patrick",
    "Francis",
    "Clare",
    "Wilfrid",
    "Augustine",
    "James",
    "Luke",
    "Paul",
    "Benedict",
    "Modwen",
)
# Names with characters only Windows-1252 has: the register must be read as cp1252.
SAINT_WITH_ACCENT = "Thérèse of Lisieux"

_STREET_WORDS = (
    "Church",
    "School",
    "Station",
    "Mill",
    "Park",
    "Chapel",
    "Manor",
    "Green",
    "Meadow",
    "Orchard",
    "Victoria",
    "Albert",
    "Queen",
    "King",
    "Derwent",
    "Valley",
    "Hill",
    "Brook",
    "Forge",
    "Beech",
)
_STREET_TYPES = ("Road", "Lane", "Street", "Avenue", "Close", "Drive", "Way", "Walk", "Crescent", "Rise")

FIRST_NAMES = (
    "Alison",
    "Andrew",
    "Angela",
    "Anita",
    "Benjamin",
    "Carol",
    "Catherine",
    "Christopher",
    "Claire",
    "Daniel",
    "David",
    "Deborah",
    "Elaine",
    "Emma",
    "Gareth",
    "Gemma",
    "Graham",
    "Hannah",
    "Helen",
    "Ian",
    "Imran",
    "Jane",
    "Jasdeep",
    "Jennifer",
    "Joanne",
    "Jonathan",
    "Karen",
    "Katherine",
    "Kerry",
    "Laura",
    "Lisa",
    "Mark",
    "Martin",
    "Matthew",
    "Michelle",
    "Mohammed",
    "Nadia",
    "Natalie",
    "Neil",
    "Nicola",
    "Paul",
    "Priya",
    "Rachel",
    "Rebecca",
    "Richard",
    "Robert",
    "Ruth",
    "Sally",
    "Samantha",
    "Sarah",
    "Simon",
    "Sophie",
    "Stephen",
    "Susan",
    "Thomas",
    "Tracey",
    "Victoria",
    "Yasmin",
)
SURNAMES = (
    "Ahmed",
    "Allen",
    "Atkinson",
    "Bailey",
    "Barker",
    "Bennett",
    "Booth",
    "Bradley",
    "Brooks",
    "Chapman",
    "Clarke",
    "Cooper",
    "Davies",
    "Dixon",
    "Edwards",
    "Ellis",
    "Fletcher",
    "Foster",
    "Gibson",
    "Goodwin",
    "Hall",
    "Harper",
    "Hewitt",
    "Holmes",
    "Hussain",
    "Jackson",
    "Johal",
    "Kaur",
    "Kelly",
    "Knowles",
    "Lambert",
    "Marsh",
    "Mason",
    "Mills",
    "Morley",
    "Nolan",
    "Owen",
    "Palmer",
    "Parkin",
    "Patel",
    "Pearson",
    "Potter",
    "Rahman",
    "Riley",
    "Rowley",
    "Shaw",
    "Singh",
    "Slater",
    "Spencer",
    "Stevenson",
    "Taylor",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "Webster",
    "Whitehead",
    "Wood",
    "Wright",
)
HEAD_TITLES = ("Mrs", "Mr", "Ms", "Miss", "Dr")
HEAD_JOB_TITLES = (
    "Headteacher",
    "Headteacher",
    "Headteacher",
    "Head of School",
    "Executive Headteacher",
    "Principal",
)

# Multi-academy trusts of the area (invented). One name needs Windows-1252 (É).
TRUST_NAMES = (
    "Kestrel Multi-Academy Trust",
    "Amberline Education Trust",
    "Harrowden Learning Partnership",
    "Élan Multi-Academy Trust",
    "Brightmoor Schools Trust",
    "Coldwell Academy Trust",
    "Lumen Learning Trust",
    "Peakridge Academies",
    "Trentside Education Partnership",
    "Oakfold Primary Trust",
    "Whitestone Learning Trust",
    "St Aelred\u2019s Catholic Academy Trust",
    "Our Lady of the Vale Catholic Multi-Academy Company",
    "Three Rivers Church of England Academy Trust",
    "Greystone Schools Partnership",
    "Marlwood Academy Trust",
    "Ravenfield Learning Trust",
    "Skylark Education",
    "Foxhollow Multi-Academy Trust",
    "Castlegate Learning Community",
    "Hollinwell Trust",
    "Sandbeck Academies Trust",
)

# Delivery partners, venues and professional partners of the hub (invented).
PARTNERS = (
    "Samba Rhythms CIC",
    "Peakland Brass",
    "Harmonia Voices",
    "Trent Steel Collective",
    "Soundwave Music Tech CIC",
    "East Midlands Sinfonia",
    "Folk Roots Trentvale",
)
VENUES = (
    "Trentvale Guildhall",
    "Peak Arts Centre, Buxton",
    "Riverside Concert Hall, Derby",
    "Old Market Hall, Nottingham",
    "Amberfield Theatre, Belper",
    "St Wystan\u2019s Church, Matlock",
    "The Forum, Chesterfield",
    "Lakeside Pavilion, Ilkeston",
)
PROFESSIONAL_PARTNERS = (
    "East Midlands Sinfonia",
    "Trentvale Opera Company",
    "Peakland Brass",
    "The Kingfisher Quartet",
    "Harmonia Voices",
    "Northlight Jazz Orchestra",
)

# UK postcode inward letters never use C, I, K, M, O or V.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Person:
    """An invented adult's title, first name and surname."""

    title: str
    first_name: str
    surname: str


class NameBook:
    """Hands out invented names without repeats, drawing from one seeded Random."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        places = [
            head + tail
            for head in _PLACE_HEADS
            for tail in _PLACE_TAILS
            if not head.lower().endswith(tail[0])
        ]
        rng.shuffle(places)
        self._places = places
        self._used_postcodes: set[str] = set()
        self._used_phones: set[str] = set()

    def place(self) -> str:
        """A new invented place name (each one once)."""
        if self._places:
            return self._places.pop()
        prefix = self._rng.choice(_PLACE_PREFIXES)
        return f"{prefix} {self._rng.choice(_PLACE_HEADS)}{self._rng.choice(_PLACE_TAILS)}"

    def person(self) -> Person:
        """Title, first name and surname of an invented adult."""
        return Person(
            title=self._rng.choice(HEAD_TITLES),
            first_name=self._rng.choice(FIRST_NAMES),
            surname=self._rng.choice(SURNAMES),
        )

    def officer(self) -> str:
        """An invented staff member's name."""
        return f"{self._rng.choice(FIRST_NAMES)} {self._rng.choice(SURNAMES)}"

    def street(self) -> str:
        """An invented street."""
        return f"{self._rng.choice(_STREET_WORDS)} {self._rng.choice(_STREET_TYPES)}"

    def postcode(self, outward_codes: tuple[str, ...]) -> str:
        """A valid-format postcode in one of the outward codes, not used before."""
        while True:
            code = (
                f"{self._rng.choice(outward_codes)} {self._rng.randint(1, 9)}"
                f"{self._rng.choice(_INWARD_LETTERS)}{self._rng.choice(_INWARD_LETTERS)}"
            )
            if code not in self._used_postcodes:
                self._used_postcodes.add(code)
                return code

    def phone(self, prefix: str) -> str:
        """A number from Ofcom's ranges reserved for drama (never a real line)."""
        while True:
            number = f"{prefix}{self._rng.randint(0, 999):03d}"
            if number not in self._used_phones:
                self._used_phones.add(number)
                return number

    def saint(self) -> str:
        """A saint's name for a church school."""
        return self._rng.choice(SAINTS)


def possessive(name: str, rng: random.Random) -> str:
    """'St Mary's', written with a typed or a typographic apostrophe as real registers mix both."""
    apostrophe = "\u2019" if rng.random() < 0.25 else "'"
    return f"St {name}{apostrophe}s"
