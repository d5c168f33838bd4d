"""The hub's school universe (SPEC 2.1) and the census figures that give every percentage its denominator."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from schemas.census import SchoolCensus
from schemas.output_tables import SchoolUniverseRow
from schemas.periods import AcademicYear
from schemas.register import Establishment, EstablishmentLink
from schemas.vocabulary import (
    MAX_SUCCESSOR_HOPS,
    PREDECESSOR_LINK_TYPES,
    SUCCESSOR_LINK_TYPES,
    UNIVERSE_EXCLUDED_STATUSES,
    UNIVERSE_EXCLUDED_TYPES,
    UNIVERSE_EXTRA_TYPES,
    UNIVERSE_TYPE_GROUPS,
)
from transforms.figures import ALL, Breakdown, Measure, denominator_rows, tally, with_denominators


def is_state_funded(extra_types: Sequence[str] = ()) -> pl.Expr:
    """State-funded school types of the universe (16-19-only types excluded; extra types by configuration)."""
    return (
        (
            pl.col(Establishment.type_group_name).is_in(UNIVERSE_TYPE_GROUPS)
            | pl.col(Establishment.type_name).is_in([*UNIVERSE_EXTRA_TYPES, *extra_types])
        )
        & ~pl.col(Establishment.type_name).is_in(UNIVERSE_EXCLUDED_TYPES)
        & ~pl.col(Establishment.status_name).is_in(UNIVERSE_EXCLUDED_STATUSES)
    )


def is_open_during(year: AcademicYear) -> pl.Expr:
    """Open at some point in the academic year."""
    return (pl.col(Establishment.open_date).is_null() | (pl.col(Establishment.open_date) <= year.end)) & (
        pl.col(Establishment.close_date).is_null() | (pl.col(Establishment.close_date) >= year.start)
    )


def laestab() -> pl.Expr:
    """LAESTAB: LA code x 10000 + establishment number, as 7 digits (empty without an establishment number)."""
    return pl.concat_str(pl.col(Establishment.la_code), pl.col(Establishment.establishment_number))


SUCCESSOR_URN = "successor_urn"


def final_successors(links: pl.LazyFrame, establishments: pl.LazyFrame) -> pl.LazyFrame:
    """Each replaced school's URN -> the URN of the school that finally replaced it (urn, successor_urn).

    Follows chains (A to B to C gives A and B to C) and merges (two predecessors, one successor), from
    either end of the GIAS links (Successor rows of the old school, Predecessor rows of the new one). Only
    successors in ``establishments`` count (give the schools open during a year to stop where that year's
    schools end). A school split in two names no single successor and is left alone.
    """
    forward = links.filter(pl.col(EstablishmentLink.link_type).is_in(SUCCESSOR_LINK_TYPES)).select(
        EstablishmentLink.urn,
        pl.col(EstablishmentLink.link_urn).alias(SUCCESSOR_URN),
        EstablishmentLink.link_date,
    )
    backward = links.filter(pl.col(EstablishmentLink.link_type).is_in(PREDECESSOR_LINK_TYPES)).select(
        pl.col(EstablishmentLink.link_urn).alias(EstablishmentLink.urn),
        pl.col(EstablishmentLink.urn).alias(SUCCESSOR_URN),
        EstablishmentLink.link_date,
    )
    step = (
        pl.concat([forward, backward])
        .join(
            establishments.select(pl.col(Establishment.urn).alias(SUCCESSOR_URN)),
            on=SUCCESSOR_URN,
            how="semi",
        )
        .filter(pl.col(EstablishmentLink.urn) != pl.col(SUCCESSOR_URN))
        .sort(EstablishmentLink.link_date, nulls_last=True)
        .unique(EstablishmentLink.urn, keep="last", maintain_order=True)
        .select(EstablishmentLink.urn, SUCCESSOR_URN)
    )
    chained = step
    for _ in range(MAX_SUCCESSOR_HOPS):
        chained = chained.join(
            step.rename({EstablishmentLink.urn: SUCCESSOR_URN, SUCCESSOR_URN: "_next"}),
            on=SUCCESSOR_URN,
            how="left",
        ).select(
            EstablishmentLink.urn,
            # A loop (A to B to A) stops where it started rather than going round.
            pl.when(pl.col("_next") == pl.col(EstablishmentLink.urn))
            .then(pl.col(SUCCESSOR_URN))
            .otherwise(pl.coalesce("_next", SUCCESSOR_URN))
            .alias(SUCCESSOR_URN),
        )
    return chained


def school_universe(
    establishments: pl.LazyFrame,
    *,
    la_codes: Sequence[str],
    year: AcademicYear,
    extra_types: Sequence[str] = (),
    links: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """The open state-funded schools of the hub's local authorities during the year, one row per URN.

    A school that converted (to an academy, or merged) is one school under the URN that replaced it, named
    and typed as the register has that school, when that school was open at some point during the year (a
    conversion after the year leaves the year's school as it was).

    Args:
        establishments: the GIAS register (Establishment schema).
        la_codes: the hub's DfE 3-digit local authority codes.
        year: the academic year.
        extra_types: types added by configuration (e.g. Non-maintained special school).
        links: the GIAS links file (EstablishmentLink schema); without it every URN is its own school.
    """
    schools = establishments.filter(
        pl.col(Establishment.la_code).is_in(list(la_codes))
        & is_state_funded(extra_types)
        & is_open_during(year)
    )
    if links is not None:
        current = (
            schools.select(Establishment.urn)
            .join(
                final_successors(links, establishments.filter(is_open_during(year))),
                on=Establishment.urn,
                how="left",
            )
            .select(pl.coalesce(SUCCESSOR_URN, Establishment.urn).alias(Establishment.urn))
            .unique()
        )
        schools = establishments.join(current, on=Establishment.urn, how="semi").unique(
            Establishment.urn, keep="first"
        )
    return schools.with_columns(laestab().alias(SchoolUniverseRow.laestab)).sort(Establishment.urn)


def school_identity() -> list[pl.Expr]:
    """A universe school's identity as the output tables name it: URN, LAESTAB, name, phase, type, LA."""
    return [
        pl.col(Establishment.urn).alias(SchoolUniverseRow.urn),
        pl.col(SchoolUniverseRow.laestab),
        pl.col(Establishment.school_name).alias(SchoolUniverseRow.school_name),
        pl.col(Establishment.phase_name).alias(SchoolUniverseRow.phase_name),
        pl.col(Establishment.type_name).alias(SchoolUniverseRow.type_name),
        pl.col(Establishment.la_name).alias(SchoolUniverseRow.la_name),
    ]


def census_for_year(census: pl.LazyFrame, *, year: AcademicYear) -> pl.LazyFrame:
    """The census rows of the year's own January census, or of the latest earlier census when it is not out yet."""
    periods = census.select(pl.col(SchoolCensus.census_period).unique())
    chosen = periods.filter(pl.col(SchoolCensus.census_period) <= year.census_period).select(
        pl.col(SchoolCensus.census_period).max()
    )
    return census.join(chosen, on=SchoolCensus.census_period, how="semi")


def universe_headcount(universe: pl.LazyFrame, census: pl.LazyFrame) -> pl.LazyFrame:
    """Each universe school with its census headcount (empty when the census has no row for it)."""
    return universe.join(
        census.select(SchoolCensus.urn, SchoolCensus.pupil_headcount).unique(SchoolCensus.urn, keep="first"),
        on=Establishment.urn,
        how="left",
    )


# Years in each key stage band of the census (reception is its own band), to estimate a year group's roll.
KEY_STAGE_BANDS: dict[str, tuple[str, int]] = {
    "EYFS": (SchoolCensus.reception_count, 1),
    "KS1": (SchoolCensus.ks1_count, 2),
    "KS2": (SchoolCensus.ks2_count, 4),
    "KS3": (SchoolCensus.ks3_count, 3),
    "KS4": (SchoolCensus.ks4_count, 2),
    "KS5": (SchoolCensus.ks5_count, 2),
}
GROUP, DENOMINATOR = "group", "denominator"


def school_label() -> pl.Expr:
    """A school as a breakdown group: its URN and name."""
    return pl.concat_str(pl.col(Establishment.urn), pl.lit(" "), pl.col(Establishment.school_name))


def schools_by_phase(universe: pl.LazyFrame) -> pl.LazyFrame:
    """Schools of the universe per phase of education (group, denominator)."""
    return universe.group_by(pl.col(Establishment.phase_name).alias(GROUP)).agg(
        pl.len().cast(pl.Int64).alias(DENOMINATOR)
    )


def roll_of_universe(universe: pl.LazyFrame, census: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """One census column summed over the universe's schools (a one-row frame: denominator)."""
    return census.join(universe.select(Establishment.urn), on=SchoolCensus.urn, how="semi").select(
        pl.col(column).sum().cast(pl.Int64).alias(DENOMINATOR)
    )


def roll_by_key_stage(universe: pl.LazyFrame, census: pl.LazyFrame) -> pl.LazyFrame:
    """Pupils on roll at the universe's schools per key stage band (group, denominator)."""
    return pl.concat(
        [
            roll_of_universe(universe, census, column).select(pl.lit(stage).alias(GROUP), DENOMINATOR)
            for stage, (column, _) in KEY_STAGE_BANDS.items()
        ]
    )


def roll_by_nc_year_estimate(
    universe: pl.LazyFrame, census: pl.LazyFrame, nc_year_label: dict[str, str], key_stage_of: dict[str, str]
) -> pl.LazyFrame:
    """Estimated pupils on roll per year group: its key stage band's headcount over the years in the band.

    The school census publishes no year-group headcount at school level, so this is an estimate.
    """
    stages = roll_by_key_stage(universe, census)
    years = pl.LazyFrame(
        {
            "stage": [key_stage_of[nc] for nc in nc_year_label],
            GROUP: list(nc_year_label.values()),
            "years": [KEY_STAGE_BANDS[key_stage_of[nc]][1] for nc in nc_year_label],
        }
    )
    return years.join(stages.rename({GROUP: "stage"}), on="stage", how="left").select(
        GROUP, (pl.col(DENOMINATOR) / pl.col("years")).round(0).cast(pl.Int64).alias(DENOMINATOR)
    )


def school_reach(universe: pl.LazyFrame, reached: pl.LazyFrame, measure: Measure) -> pl.LazyFrame:
    """How many of the area's schools an activity reached (``reached``: a frame of URNs), by phase.

    Out of: the area's schools, and its schools of each phase; every phase of the area is shown.
    """
    marked = universe.join(
        reached.select(Establishment.urn).unique().with_columns(pl.lit(1).alias("_reached")),
        on=Establishment.urn,
        how="left",
    )
    rows = tally(
        marked, measure, weight="_reached", breakdowns=[Breakdown("Phase", pl.col(Establishment.phase_name))]
    )
    all_schools = universe.select(pl.lit(ALL).alias(GROUP), pl.len().cast(pl.Int64).alias(DENOMINATOR))
    denominators = pl.concat(
        [
            denominator_rows(measure.measure_id, ALL, all_schools),
            denominator_rows(measure.measure_id, "Phase", schools_by_phase(universe)),
        ]
    )
    return with_denominators(rows, denominators)


def roll_denominators(
    measure: Measure, universe: pl.LazyFrame, census: pl.LazyFrame, *, key_stage_breakdown: str | None = None
) -> pl.LazyFrame:
    """A pupil measure's 'Out of': pupils on roll at the hub's schools for its total, and per key stage for
    the breakdown named ``key_stage_breakdown`` (groups EYFS, KS1, ... KS5).
    """
    roll = roll_of_universe(universe, census, SchoolCensus.pupil_headcount).select(
        pl.lit(ALL).alias(GROUP), DENOMINATOR
    )
    parts = [denominator_rows(measure.measure_id, ALL, roll)]
    if key_stage_breakdown is not None:
        parts.append(
            denominator_rows(measure.measure_id, key_stage_breakdown, roll_by_key_stage(universe, census))
        )
    return pl.concat(parts)


PHASE = "Phase"
# The phase group of a school outside the hub's universe (another area's, or not a state-funded school).
OUTSIDE_AREA = "Outside the hub's area"


def with_school_phase(rows: pl.LazyFrame, universe: pl.LazyFrame) -> pl.LazyFrame:
    """Rows with their school's phase of education ("Outside the hub's area" when not in the universe)."""
    return rows.join(
        universe.select(Establishment.urn, Establishment.phase_name),
        on=Establishment.urn,
        how="left",
        maintain_order="left",
    ).with_columns(pl.col(Establishment.phase_name).fill_null(OUTSIDE_AREA))


def tally_by_phase(
    rows: pl.LazyFrame, universe: pl.LazyFrame, measure: Measure, *, weight: str
) -> pl.LazyFrame:
    """The sum of ``weight`` over rows of schools, and its split by each school's phase (adding up)."""
    counted = tally(
        with_school_phase(rows, universe),
        measure,
        weight=weight,
        breakdowns=[Breakdown(PHASE, pl.col(Establishment.phase_name))],
    )
    # Phases are shown alphabetically, then the schools outside the area (a stable sort keeps the rest).
    return counted.sort(pl.col(GROUP) == OUTSIDE_AREA, maintain_order=True)
