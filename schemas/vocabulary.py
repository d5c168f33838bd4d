"""Allowed values shared by the input and output schemas: the words of the hub's exports and DfE's files."""

from __future__ import annotations

import re

URN_REGEX = r"^\d{6}$"
CENSUS_PERIOD_REGEX = r"^\d{4}\d{2}$"
LA_CODE_REGEX = r"^\d{3}$"
LAESTAB_REGEX = r"^\d{7}$"
UK_POSTCODE_REGEX = r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$"
UPN_REGEX = r"^[A-Z]\d{11}[0-9A-Z]$"
# A pupil id once pseudonymised (ingest/pseudonymise.py): "P" and the first 20 hex digits of its HMAC-SHA256.
PSEUDONYM_REGEX = r"P[0-9a-f]{20}"

NC_YEARS = ("R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13")
KEY_STAGE_OF_NC_YEAR = {
    "R": "EYFS",
    "1": "KS1",
    "2": "KS1",
    "3": "KS2",
    "4": "KS2",
    "5": "KS2",
    "6": "KS2",
    "7": "KS3",
    "8": "KS3",
    "9": "KS3",
    "10": "KS4",
    "11": "KS4",
    "12": "KS5",
    "13": "KS5",
}
NC_YEAR_LABELS = {nc: "Reception" if nc == "R" else f"Year {nc}" for nc in NC_YEARS}
KEY_STAGES = ("EYFS", "KS1", "KS2", "KS3", "KS4", "KS5")
GENDERS = ("F", "M", "X")
GENDER_LABELS = {"F": "Female", "M": "Male", "X": "Other or not recorded"}
SEN_LABELS = {"none": "No SEN", "K": "SEN support", "E": "EHC plan"}
PROVISION_LABELS = {"delivered": "Delivered by the hub", "supported": "Supported by the hub"}
LESSON_TYPE_LABELS = {"individual": "Individual", "small_group": "Small group", "large_group": "Large group"}
ENSEMBLE_LEAD_LABELS = {"hub": "Hub-led", "school": "School-based", "partner": "Partner-led"}
LOAN_REMISSION_LABELS = {"none": "Full charge", "subsidised": "Subsidised", "free": "Free"}
SEN_STATUSES = ("none", "K", "E")
ETHNICITY_GROUPS = ("White", "Mixed", "Asian", "Black", "Chinese", "Any other", "Unclassified")
TERMS = ("Autumn", "Spring", "Summer")
PROVISIONS = ("delivered", "supported")
LESSON_TYPES = ("individual", "small_group", "large_group")
STANDARDS = ("entry", "foundation", "intermediate", "advanced")
ENSEMBLE_TYPES = (
    "orchestra",
    "wind band",
    "brass band",
    "choir",
    "vocal group",
    "rock/pop",
    "jazz",
    "folk",
    "world",
    "music technology",
    "mixed",
)
ENSEMBLE_LEADS = ("hub", "school", "partner")
ENGAGEMENT_KINDS = ("conversation", "visit", "MDP review", "network")
ENGAGEMENT_LEVELS = (0, 1, 2, 3)
ENGAGEMENT_LEVEL_NAMES = {
    0: "Not engaged",
    1: "Buys services",
    2: "Plan agreed",
    3: "Strategic partner / lead school",
}
RAG_VALUES = ("R", "A", "G")
DUTY_AREAS = (
    "curriculum",
    "wcet",
    "tuition",
    "choir",
    "ensemble",
    "performance",
    "live_music",
    "mdp",
    "cpd",
    "loans",
)
# Quality marks as the SMEP log may record them (';' between marks). Since 11 September 2025 Music Mark awards
# a "Music Mark of Recognition" in two variants, separate from paid school membership.
QUALITY_MARKS = (
    "Music Mark of Recognition: Dedication & Improvement",
    "Music Mark of Recognition: Ambition & Quality",
    "Music Mark school membership",
    "Music Mark School (scheme before September 2025)",
    "Artsmark",
    "Artsmark Silver",
    "Artsmark Gold",
    "Artsmark Platinum",
)
# Older names and other spellings the log may use, each mapped onto its current name (case ignored).
QUALITY_MARK_ALIASES: dict[str, str] = {
    "Music Mark": "Music Mark School (scheme before September 2025)",
    "Music Mark School": "Music Mark School (scheme before September 2025)",
    "Music Mark Schools": "Music Mark School (scheme before September 2025)",
    "music_mark_recognition_dedication_improvement": "Music Mark of Recognition: Dedication & Improvement",
    "Music Mark of Recognition: Dedication and Improvement": "Music Mark of Recognition: Dedication & Improvement",
    "Music Mark of Recognition (Dedication & Improvement)": "Music Mark of Recognition: Dedication & Improvement",
    "Dedication & Improvement": "Music Mark of Recognition: Dedication & Improvement",
    "Dedication and Improvement": "Music Mark of Recognition: Dedication & Improvement",
    "music_mark_recognition_ambition_quality": "Music Mark of Recognition: Ambition & Quality",
    "Music Mark of Recognition: Ambition and Quality": "Music Mark of Recognition: Ambition & Quality",
    "Music Mark of Recognition (Ambition & Quality)": "Music Mark of Recognition: Ambition & Quality",
    "Ambition & Quality": "Music Mark of Recognition: Ambition & Quality",
    "Ambition and Quality": "Music Mark of Recognition: Ambition & Quality",
    "music_mark_school_member": "Music Mark school membership",
    "Music Mark School Member": "Music Mark school membership",
    "Music Mark member": "Music Mark school membership",
    "Music Mark School Membership": "Music Mark school membership",
    "artsmark_silver": "Artsmark Silver",
    "artsmark_gold": "Artsmark Gold",
    "artsmark_platinum": "Artsmark Platinum",
}
assert all(name in QUALITY_MARKS for name in QUALITY_MARK_ALIASES.values())
_MARK_NAMES = "|".join(
    re.escape(name).replace(r"\ ", r"\s+")
    for name in sorted([*QUALITY_MARKS, *QUALITY_MARK_ALIASES], key=len, reverse=True)
)
# One or more known marks separated by ';' (case and spacing ignored); an empty cell is allowed.
QUALITY_MARKS_REGEX = rf"(?i)^\s*(?:{_MARK_NAMES})\s*(?:;\s*(?:{_MARK_NAMES})?\s*)*$"
# SMEP contacts that are a conversation with the school itself (a network meeting is with many schools).
CONVERSATION_KINDS = ("conversation", "visit", "MDP review")
# Ofsted, "Music in schools: what hubs must do" (November 2013): the eleven things hubs should do.
OFSTED_2013_POINTS = (
    "Promote themselves with schools as confident, expert leaders of music education in their areas, not simply "
    "as providers of services",
    "Expect and secure that all schools engage with them and the National Plan for Music Education",
    "Have regular supportive, challenging conversations with each of their schools about the quality of music "
    "education for all pupils in that school",
    "Support all schools in improving the music education they provide, especially in class lessons, and support "
    "them in evaluating it robustly",
    "Offer expert training and consultancy to schools, which supports school leaders and staff in understanding "
    "what musical learning, and good progress by pupils in music, are like",
    "Ensure that their own staff and partners are well trained and ready to do this work",
    "Spend a suitable proportion of their staff's time on working with school leaders strategically, alongside "
    "their work in teaching pupils directly",
    "Publicise their work effectively to schools and explain how it can contribute to school improvement",
    "Facilitate school-to-school support as appropriate",
    "Promote high-quality curriculum progression in schools and ensure that hubs' work in schools is integral "
    "to this",
    "Robustly evaluate the impact of their own work on pupils' music education",
)
LOAN_REMISSIONS = ("none", "subsidised", "free")
INSTRUMENT_FAMILIES = (
    "strings",
    "woodwind",
    "brass",
    "percussion",
    "keyboard",
    "guitar",
    "voice",
    "music technology",
)
EMPLOYMENT_TYPES = ("permanent", "contract", "freelance")
FINANCE_KINDS = ("income", "expenditure")
# What one of a duty figure is; counts of the first kind are about pupils and are suppressed when published.
PERSONAL_UNITS = ("pupils", "enrolments", "loans", "places")
FIGURE_UNITS = (
    *PERSONAL_UNITS,
    "schools",
    "classes",
    "programmes",
    "ensembles",
    "events",
    "hours",
    "attendances",
)
INCOME_SOURCES = ("DfE grant", "schools", "parents and carers", "local authority", "other")

# The school universe of SPEC 2.1.
UNIVERSE_TYPE_GROUPS = ("Local authority maintained schools", "Academies", "Free Schools")
UNIVERSE_EXTRA_TYPES = ("Community special school", "Foundation special school")
UNIVERSE_EXCLUDED_TYPES = (
    "Free schools 16 to 19",
    "Academy 16-19 converter",
    "Academy 16 to 19 sponsor led",
    "Academy secure 16 to 19",
)
UNIVERSE_EXCLUDED_STATUSES = ("Proposed to open",)
# The universe's school types that are not academies or free schools: maintained by their local authority, so
# in no academy trust (a foundation or voluntary school's own trust, if it has one, is still shown).
MAINTAINED_SCHOOL_TYPES = (
    "Community school",
    "Voluntary aided school",
    "Voluntary controlled school",
    "Foundation school",
    "Community special school",
    "Foundation special school",
    "Pupil referral unit",
    "Local authority nursery school",
)
# Phases without whole-class ensemble teaching (a primary-school programme, usually in key stage 2).
NO_WCET_PHASES = ("Secondary", "16 plus")
# GIAS link types that point from a closed school to the one that replaced it.
SUCCESSOR_LINK_TYPES = ("Successor", "Successor - merged", "Successor - amalgamated")
# The same links written from the other end: the row's school replaced the linked one. A split (one school
# into two) names no single successor, so it is neither.
PREDECESSOR_LINK_TYPES = ("Predecessor", "Predecessor - merged", "Predecessor - amalgamated")
# Most links followed from a school to the one that finally replaced it (A to B to C is two).
MAX_SUCCESSOR_HOPS = 6

# Cell markers of the Government Analysis Function's spreadsheet guidance.
SUPPRESSED = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"

# DfE statistics files mark missing values with these; they are read as missing, never as zero.
CENSUS_NULL_TOKENS = ("", "x", "z", "c", "u", ":", "..", ".", "NULL", "SUPP", "NE", "N/A", "NA", ">")
