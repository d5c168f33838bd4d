"""Inclusion: the share of disadvantaged and SEND pupils each activity reaches, beside the area's base rate."""

from __future__ import annotations

import operator
from functools import reduce

import polars as pl

from schemas.census import SchoolCensus, SenCensus, major_group_columns
from schemas.hub_exports import EnsembleMembers, Pupils, WcetParticipants
from schemas.output_tables import InclusionFigures as Inc
from schemas.periods import AcademicYear
from schemas.vocabulary import ETHNICITY_GROUPS
from transforms.activity import HubData
from transforms.ensembles import ensemble_players
from transforms.figures import ALL, Breakdown, Measure, tally, tally_overlapping, with_denominators
from transforms.periods import ReportingWindow
from transforms.tuition import tuition_learners
from transforms.universe import census_for_year
from transforms.wcet import ON_ROLL, wcet_units

FSM, PUPIL_PREMIUM, SEN, LOOKED_AFTER, ETHNICITY = (
    "Free school meals",
    "Pupil premium",
    "SEN",
    "Looked after",
    "Ethnicity",
)
ELIGIBLE, SEN_SUPPORT, EHC_PLAN = "Eligible", "SEN support", "EHC plan"
_GROUP = "_group"
ACTIVITIES = {
    "wcet": "Pupils on WCET rolls",
    "tuition": "Pupils learning outside WCET",
    "ensembles": "Pupils in ensembles",
    "any": "Pupils in any of these",
}


def _flag(
    pupils: pl.LazyFrame, measure: Measure, breakdown: str, group: str, condition: pl.Expr
) -> pl.LazyFrame:
    """Pupils meeting one condition (a part of the total whose rest is not shown, so it adds up to nothing)."""
    return tally_overlapping(
        pupils.filter(condition).with_columns(pl.lit(group).alias(_GROUP)),
        measure,
        key=Pupils.pupil_ref,
        breakdown=Breakdown(breakdown, pl.col(_GROUP), [group]),
    )


def reach_profile(pupils: pl.LazyFrame, measure: Measure) -> pl.LazyFrame:
    """An activity's unique pupils and how many are FSM, pupil premium, SEN support, EHC plan, looked after,
    and in each ethnic group (those add up); each a share of the activity's pupils.
    """
    rows = pl.concat(
        [
            tally(
                pupils,
                measure,
                breakdowns=[Breakdown(ETHNICITY, pl.col(Pupils.ethnicity_group), list(ETHNICITY_GROUPS))],
            ),
            _flag(pupils, measure, FSM, ELIGIBLE, pl.col(Pupils.fsm)),
            _flag(pupils, measure, PUPIL_PREMIUM, ELIGIBLE, pl.col(Pupils.pupil_premium)),
            _flag(pupils, measure, SEN, SEN_SUPPORT, pl.col(Pupils.sen_status) == "K"),
            _flag(pupils, measure, SEN, EHC_PLAN, pl.col(Pupils.sen_status) == "E"),
            _flag(pupils, measure, LOOKED_AFTER, LOOKED_AFTER, pl.col(Pupils.looked_after)),
        ]
    )
    total = rows.filter(pl.col(Inc.breakdown) == ALL).select(
        Inc.measure_id, pl.col(Inc.count).alias(Inc.denominator)
    )
    denominators = (
        rows.filter(pl.col(Inc.breakdown) != ALL)
        .select(Inc.measure_id, Inc.breakdown, Inc.group)
        .join(total, on=Inc.measure_id)
    )
    return with_denominators(rows, denominators)


def known_sum(column: str) -> pl.Expr:
    """A census column's sum, or null when no school has a value (the column is not in the file): never 0."""
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum())


def area_base_rates(
    universe: pl.LazyFrame, census: pl.LazyFrame, sen: pl.LazyFrame, *, year: AcademicYear
) -> pl.LazyFrame:
    """Shares of pupils on roll at the hub's schools who are FSM, SEN support, EHC plan, or of each ethnic
    group (school census and SEN census). Pupil premium and looked-after children are not in the census.
    """
    urns = universe.select(SchoolCensus.urn)
    spc = census_for_year(census, year=year).join(urns, on=SchoolCensus.urn, how="semi")
    send = census_for_year(sen, year=year).join(urns, on=SenCensus.urn, how="semi")
    headcount = pl.col(SchoolCensus.pupil_headcount).sum()
    ethnic = [
        (reduce(operator.add, [known_sum(c) for c in columns]) / headcount).alias(group)
        for group, columns in major_group_columns().items()
    ]
    spc_rates = spc.select(
        (known_sum(SchoolCensus.fsm_count) / headcount).alias(f"{FSM}|{ELIGIBLE}"),
        *[e.alias(f"{ETHNICITY}|{e.meta.output_name()}") for e in ethnic],
    )
    sen_total = pl.col(SenCensus.sen_pupil_total).sum()
    sen_rates = send.select(
        (known_sum(SenCensus.sen_support_count) / sen_total).alias(f"{SEN}|{SEN_SUPPORT}"),
        (known_sum(SenCensus.ehcp_count) / sen_total).alias(f"{SEN}|{EHC_PLAN}"),
    )
    return (
        pl.concat([spc_rates, sen_rates], how="horizontal")
        .unpivot(variable_name="key", value_name=Inc.base_rate_pct)
        .select(
            pl.col("key")
            .str.split_exact("|", 1)
            .struct.rename_fields([Inc.breakdown, Inc.group])
            .struct.unnest(),
            pl.col(Inc.base_rate_pct).cast(pl.Float64),
        )
        .with_columns(pl.col(Inc.base_rate_pct).fill_nan(None))
    )


def activity_pupils(
    data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow
) -> dict[str, pl.LazyFrame]:
    """Each activity's unique pupils at the hub's schools, with their details from the pupils export."""
    wcet = (
        wcet_units(data.wcet, data.wcet_participants, universe, year=window.year)
        .filter(pl.col(ON_ROLL))
        .select(WcetParticipants.pupil_ref)
    )
    tuition = tuition_learners(data.tuition, data.pupils, universe, window=window).select(Pupils.pupil_ref)
    ensembles = ensemble_players(
        data.ensemble_members, data.ensembles, data.pupils, universe, window=window
    ).select(EnsembleMembers.pupil_ref)
    refs = {"wcet": wcet, "tuition": tuition, "ensembles": ensembles}
    refs["any"] = pl.concat(list(refs.values())).unique()
    # Each activity's pupils feed a dozen tallies: computed once, not once per tally.
    return {
        name: frame.unique().join(data.pupils, on=Pupils.pupil_ref, how="inner").cache()
        for name, frame in refs.items()
    }


def inclusion_sheet(data: HubData, universe: pl.LazyFrame, *, window: ReportingWindow) -> pl.LazyFrame:
    """The Inclusion sheet: each activity's reach by characteristic against the area's census base rate."""
    rates = area_base_rates(universe, data.census, data.sen, year=window.year)
    profiles = [
        reach_profile(pupils, Measure(f"inclusion_{name}", ACTIVITIES[name], "pupils"))
        for name, pupils in activity_pupils(data, universe, window=window).items()
    ]
    columns = list(Inc.to_schema().columns)
    return (
        pl.concat(profiles)
        .join(rates, on=[Inc.breakdown, Inc.group], how="left", maintain_order="left")
        .with_columns((pl.col(Inc.count_pct) - pl.col(Inc.base_rate_pct)).alias(Inc.difference_pct))
        .select(columns)
    )
