"""Whole-class ensemble teaching (WCET): who received it in the year, where, for how long, on what."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Pupils, Wcet, WcetParticipants
from schemas.periods import AcademicYear
from schemas.register import Establishment
from schemas.vocabulary import (
    GENDER_LABELS,
    KEY_STAGE_OF_NC_YEAR,
    NC_YEAR_LABELS,
    PROVISION_LABELS,
    SEN_LABELS,
    TERMS,
)
from transforms.figures import (
    Breakdown,
    Measure,
    denominator_rows,
    duty_table,
    labels,
    tally,
    with_denominators,
    yes_no,
)
from transforms.periods import in_academic_year
from transforms.universe import roll_by_nc_year_estimate, roll_denominators, school_label, school_reach

_CLASS_KEY = [Wcet.urn, Wcet.nc_year, Wcet.class_name]
COUNT = "count"
# Columns of a WCET unit: a pupil on a roll, or a class without a roll.
TERMS_TAUGHT, ON_ROLL = "terms_taught", "is_on_roll"
_INSTRUMENT_WEEKS = "_instrument_weeks"

PUPILS = Measure("wcet_pupils", "Pupils receiving whole-class ensemble teaching (WCET)", "pupils")
ROLL_PUPILS = Measure("wcet_roll_pupils", "WCET pupils on pupil-level rolls", "pupils")
CLASSES = Measure("wcet_classes", "Classes receiving WCET", "classes")
PROGRAMMES = Measure("wcet_programmes", "WCET programmes (one class for one term)", "programmes")
SCHOOLS = Measure("wcet_schools", "Schools hosting WCET", "schools")


def wcet_programmes(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The year's WCET programmes (class x term) at schools of the universe."""
    return wcet.filter(in_academic_year(Wcet.academic_year, year)).join(
        universe.select(Wcet.urn), on=Wcet.urn, how="semi"
    )


def _unit_columns(pupils: pl.Expr, *, by_class: bool) -> list[pl.Expr]:
    """One WCET unit's school, year group, terms, first-time flag, main instrument and provision."""
    order = [Wcet.weeks, Wcet.programme_id]
    place = (
        []
        if by_class
        else [
            pl.col(Wcet.urn).sort_by(Wcet.programme_id).first(),
            pl.col(Wcet.nc_year).sort_by(Wcet.programme_id).first(),
        ]
    )
    return [
        *place,
        pl.col(Wcet.term).n_unique().cast(pl.Int64).alias(TERMS_TAUGHT),
        pl.col(Wcet.first_time).any(),
        # The main instrument is the one taught for the most weeks in all (ties: the first programme).
        pl.col(Wcet.instrument).sort_by([_INSTRUMENT_WEEKS, *order], descending=[True, True, False]).first(),
        # Provision follows the main instrument: that instrument's longest programme.
        pl.col(Wcet.provision).sort_by([_INSTRUMENT_WEEKS, *order], descending=[True, True, False]).first(),
        pupils.alias(Wcet.pupils),
    ]


def wcet_units(
    wcet: pl.LazyFrame, participants: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Each pupil on a WCET roll once, and each class without a roll once with its largest term's pupils.

    A unit has the school and year group of its first programme, the number of terms it was taught, whether
    it was first-time WCET, its main instrument and `pupils` (1 for a pupil on a roll).
    """
    programmes = wcet_programmes(wcet, universe, year=year)
    on_roll = participants.join(programmes, on=Wcet.programme_id)
    classes_with_roll = on_roll.select(_CLASS_KEY).unique()
    roll_units = (
        on_roll.with_columns(
            pl.col(Wcet.weeks)
            .sum()
            .over([WcetParticipants.pupil_ref, Wcet.instrument])
            .alias(_INSTRUMENT_WEEKS)
        )
        .group_by(WcetParticipants.pupil_ref)
        .agg(_unit_columns(pl.lit(1, dtype=pl.Int64), by_class=False))
    )
    class_units = (
        programmes.join(classes_with_roll, on=_CLASS_KEY, how="anti")
        .with_columns(pl.col(Wcet.weeks).sum().over([*_CLASS_KEY, Wcet.instrument]).alias(_INSTRUMENT_WEEKS))
        .group_by(_CLASS_KEY)
        .agg(_unit_columns(pl.col(Wcet.pupils).max().cast(pl.Int64), by_class=True))
        .with_columns(pl.lit(None, dtype=pl.String).alias(WcetParticipants.pupil_ref))
    )
    columns = [
        WcetParticipants.pupil_ref,
        Wcet.urn,
        Wcet.nc_year,
        TERMS_TAUGHT,
        Wcet.first_time,
        Wcet.instrument,
        Wcet.provision,
        Wcet.pupils,
    ]
    return pl.concat([roll_units.select(columns), class_units.select(columns)]).with_columns(
        pl.col(WcetParticipants.pupil_ref).is_not_null().alias(ON_ROLL)
    )


def wcet_pupil_count(
    wcet: pl.LazyFrame, participants: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Unique pupils receiving at least one term of WCET in the year at the hub's schools (KPI 1).

    Pupils on a programme's roll are counted once however many terms or classes they had; a class with no
    roll counts its largest term's `pupils`, once.
    """
    units = wcet_units(wcet, participants, universe, year=year)
    return units.select(pl.col(Wcet.pupils).sum().cast(pl.Int64).alias(COUNT))


def wcet_schools(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """URNs of the universe schools hosting WCET in the year."""
    return wcet_programmes(wcet, universe, year=year).select(Wcet.urn).unique()


def _terms_label() -> pl.Expr:
    return pl.format(
        "{} term{}",
        pl.col(TERMS_TAUGHT),
        pl.when(pl.col(TERMS_TAUGHT) == 1).then(pl.lit("")).otherwise(pl.lit("s")),
    )


def _first_time_breakdown() -> Breakdown:
    labels_ = ["First time", "Not first time"]
    first = pl.when(pl.col(Wcet.first_time)).then(pl.lit(labels_[0])).otherwise(pl.lit(labels_[1]))
    return Breakdown("First time", first, labels_)


def wcet_pupil_figures(
    wcet: pl.LazyFrame,
    participants: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    year: AcademicYear,
) -> pl.LazyFrame:
    """Unique WCET pupils by year group, terms taught, first-time, main instrument, provision and school.

    Each pupil (or class without a roll) is counted once, in its first programme's year group and school,
    so every breakdown adds up to the total. Out of: pupils on roll; for a year group, estimated from its
    key stage's census headcount.
    """
    units = wcet_units(wcet, participants, universe, year=year).join(
        universe.select(Establishment.urn, Establishment.school_name), on=Wcet.urn, how="left"
    )
    rows = tally(
        units,
        PUPILS,
        weight=Wcet.pupils,
        breakdowns=[
            Breakdown("NC year", labels(NC_YEAR_LABELS, Wcet.nc_year), list(NC_YEAR_LABELS.values())),
            Breakdown("Terms of WCET", _terms_label(), ["1 term", "2 terms", "3 terms"]),
            _first_time_breakdown(),
            Breakdown("Main instrument", pl.col(Wcet.instrument)),
            Breakdown("Provision", labels(PROVISION_LABELS, Wcet.provision), list(PROVISION_LABELS.values())),
            Breakdown("School", school_label()),
        ],
    )
    by_year = roll_by_nc_year_estimate(universe, census, NC_YEAR_LABELS, KEY_STAGE_OF_NC_YEAR)
    denominators = pl.concat(
        [roll_denominators(PUPILS, universe, census), denominator_rows(PUPILS.measure_id, "NC year", by_year)]
    )
    return with_denominators(rows, denominators)


def wcet_roll_figures(
    wcet: pl.LazyFrame,
    participants: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    *,
    year: AcademicYear,
) -> pl.LazyFrame:
    """WCET pupils on pupil-level rolls by gender, free school meals, pupil premium and SEN status."""
    roll = (
        wcet_units(wcet, participants, universe, year=year)
        .filter(pl.col(ON_ROLL))
        .select(WcetParticipants.pupil_ref)
    )
    known = roll.join(pupils, on=Pupils.pupil_ref, how="left")
    return tally(
        known,
        ROLL_PUPILS,
        breakdowns=[
            Breakdown("Gender", labels(GENDER_LABELS, Pupils.gender), list(GENDER_LABELS.values())),
            Breakdown("Free school meals", yes_no(Pupils.fsm), ["Yes", "No"]),
            Breakdown("Pupil premium", yes_no(Pupils.pupil_premium), ["Yes", "No"]),
            Breakdown("SEN", labels(SEN_LABELS, Pupils.sen_status), list(SEN_LABELS.values())),
        ],
    )


def wcet_class_figures(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """Classes taught WCET (by first-time or not) and programmes, one class for one term (by term)."""
    programmes = wcet_programmes(wcet, universe, year=year)
    classes = programmes.group_by(_CLASS_KEY).agg(pl.col(Wcet.first_time).any())
    return pl.concat(
        [
            tally(
                classes,
                CLASSES,
                breakdowns=[_first_time_breakdown()],
            ),
            tally(programmes, PROGRAMMES, breakdowns=[Breakdown("Term", pl.col(Wcet.term), list(TERMS))]),
        ]
    )


def wcet_school_figures(wcet: pl.LazyFrame, universe: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """Schools of the hub's area hosting WCET, by phase, out of the area's schools of that phase."""
    return school_reach(universe, wcet_schools(wcet, universe, year=year), SCHOOLS)


def wcet_sheet(
    wcet: pl.LazyFrame,
    participants: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    year: AcademicYear,
) -> pl.LazyFrame:
    """The WCET sheet: pupils, pupils on rolls, classes, programmes and host schools."""
    return duty_table(
        [
            wcet_pupil_figures(wcet, participants, universe, census, year=year),
            wcet_roll_figures(wcet, participants, pupils, universe, year=year),
            wcet_class_figures(wcet, universe, year=year),
            wcet_school_figures(wcet, universe, year=year),
        ]
    )
