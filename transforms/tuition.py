"""Instrumental and vocal tuition outside WCET: who learns, how, and with what fee remission."""

from __future__ import annotations

import polars as pl

from schemas.hub_exports import Pupils, Tuition
from schemas.vocabulary import (
    GENDER_LABELS,
    KEY_STAGE_OF_NC_YEAR,
    KEY_STAGES,
    LESSON_TYPE_LABELS,
    SEN_LABELS,
)
from transforms.figures import (
    Breakdown,
    Measure,
    duty_table,
    labels,
    tally,
    tally_overlapping,
    with_denominators,
    yes_no,
)
from transforms.periods import ReportingWindow, span_overlaps
from transforms.universe import roll_denominators

COUNT = "count"
KEY_STAGE, MAX_REMISSION = "key_stage", "max_remission_pct"
PUPILS = Measure("tuition_pupils", "Pupils learning an instrument or voice outside WCET", "pupils")
ENROLMENTS = Measure("tuition_enrolments", "Tuition enrolments outside WCET", "enrolments")
LESSON_TYPE = "Lesson type"
LESSON_TYPE_DETAIL = "Lesson type x key stage x gender"
REMISSION_GROUPS = ("Full remission", "Part remission", "No remission")


def key_stage() -> pl.Expr:
    """A pupil's key stage from their national curriculum year."""
    return pl.col(Pupils.nc_year).replace_strict(KEY_STAGE_OF_NC_YEAR, default=None)


def tuition_enrolments(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Enrolments overlapping the window of pupils at the universe's schools, with the pupil's details."""
    return (
        tuition.filter(span_overlaps(Tuition.start_date, Tuition.end_date, window))
        .join(pupils, on=Tuition.pupil_ref)
        .join(universe.select(Pupils.urn), on=Pupils.urn, how="semi")
        .with_columns(key_stage().alias(KEY_STAGE))
    )


def tuition_learners(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Pupils of the universe's schools with an enrolment overlapping the window, one row per pupil and school."""
    return (
        tuition.filter(span_overlaps(Tuition.start_date, Tuition.end_date, window))
        .select(Tuition.pupil_ref)
        .unique()
        .join(pupils.select(Pupils.pupil_ref, Pupils.urn), on=Pupils.pupil_ref)
        .join(universe.select(Pupils.urn), on=Pupils.urn, how="semi")
    )


def tuition_pupil_count(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Unique pupils of the hub's schools learning an instrument or voice outside WCET in the year (KPI 3)."""
    learners = tuition_learners(tuition, pupils, universe, window=window)
    return learners.select(pl.col(Pupils.pupil_ref).n_unique().cast(pl.Int64).alias(COUNT))


def _remission_group() -> pl.Expr:
    return (
        pl.when(pl.col(MAX_REMISSION) >= 100)
        .then(pl.lit(REMISSION_GROUPS[0]))
        .when(pl.col(MAX_REMISSION) > 0)
        .then(pl.lit(REMISSION_GROUPS[1]))
        .otherwise(pl.lit(REMISSION_GROUPS[2]))
    )


def tuition_pupil_figures(
    tuition: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """Unique pupils learning outside WCET, by key stage, gender, remission, pupil premium, SEN and lesson type.

    Each pupil is counted once in each breakdown (remission: the largest of their enrolments), so those add
    up to the total; a pupil with several lesson types or instruments counts once under each, so those do
    not. Out of: pupils on roll (census), in total and per key stage.
    """
    enrolments = tuition_enrolments(tuition, pupils, universe, window=window)
    learners = enrolments.group_by(Pupils.pupil_ref).agg(
        pl.col(KEY_STAGE).first(),
        pl.col(Pupils.gender).first(),
        pl.col(Pupils.pupil_premium).first(),
        pl.col(Pupils.sen_status).first(),
        pl.col(Tuition.remission_pct).max().alias(MAX_REMISSION),
    )
    additive = tally(
        learners,
        PUPILS,
        breakdowns=[
            Breakdown("Key stage", pl.col(KEY_STAGE), list(KEY_STAGES)),
            Breakdown("Gender", labels(GENDER_LABELS, Pupils.gender), list(GENDER_LABELS.values())),
            Breakdown("Fee remission", _remission_group(), list(REMISSION_GROUPS)),
            Breakdown("Pupil premium", yes_no(Pupils.pupil_premium), ["Yes", "No"]),
            Breakdown("SEN", labels(SEN_LABELS, Pupils.sen_status), list(SEN_LABELS.values())),
        ],
    )
    lesson = labels(LESSON_TYPE_LABELS, Tuition.lesson_type)
    by_lesson_type = tally_overlapping(
        enrolments,
        PUPILS,
        key=Tuition.pupil_ref,
        breakdown=Breakdown(LESSON_TYPE, lesson, list(LESSON_TYPE_LABELS.values())),
    )
    detail = [
        tally_overlapping(
            enrolments.filter(pl.col(Tuition.lesson_type) == code),
            PUPILS,
            key=Tuition.pupil_ref,
            breakdown=Breakdown(
                LESSON_TYPE_DETAIL,
                pl.concat_str(
                    pl.lit(label),
                    pl.col(KEY_STAGE).fill_null("Not known"),
                    labels(GENDER_LABELS, Pupils.gender),
                    separator=", ",
                ),
                [f"{label}, {stage}, {gender}" for stage in KEY_STAGES for gender in GENDER_LABELS.values()],
            ),
            parent=(LESSON_TYPE, label),
        )
        for code, label in LESSON_TYPE_LABELS.items()
    ]
    by_instrument = tally_overlapping(
        enrolments,
        PUPILS,
        key=Tuition.pupil_ref,
        breakdown=Breakdown("Instrument", pl.col(Tuition.instrument)),
    )
    denominators = roll_denominators(PUPILS, universe, census, key_stage_breakdown="Key stage")
    rows = pl.concat([additive, by_lesson_type, *detail, by_instrument])
    return with_denominators(rows, denominators)


def tuition_enrolment_figures(
    tuition: pl.LazyFrame, pupils: pl.LazyFrame, universe: pl.LazyFrame, *, window: ReportingWindow
) -> pl.LazyFrame:
    """Enrolments in tuition outside WCET overlapping the year, by lesson type (a pupil may have several)."""
    enrolments = tuition_enrolments(tuition, pupils, universe, window=window)
    return tally(
        enrolments,
        ENROLMENTS,
        breakdowns=[
            Breakdown(
                LESSON_TYPE,
                labels(LESSON_TYPE_LABELS, Tuition.lesson_type),
                list(LESSON_TYPE_LABELS.values()),
            )
        ],
    )


def tuition_sheet(
    tuition: pl.LazyFrame,
    pupils: pl.LazyFrame,
    universe: pl.LazyFrame,
    census: pl.LazyFrame,
    *,
    window: ReportingWindow,
) -> pl.LazyFrame:
    """The Tuition sheet: unique pupils learning outside WCET and their enrolments."""
    return duty_table(
        [
            tuition_pupil_figures(tuition, pupils, universe, census, window=window),
            tuition_enrolment_figures(tuition, pupils, universe, window=window),
        ]
    )
