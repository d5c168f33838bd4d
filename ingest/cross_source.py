"""Rules that need more than one file (SPEC 2.3): schools known and open, ids known, spans, census limits.

Each rule returns failure rows in the validation report's shape; URNs of schools that closed and reopened
under a new URN (academy conversion) are mapped to the successor named in the GIAS links file, as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from ingest.files import SOURCE_ROW
from ingest.sources import SOURCE_FILE
from schemas.census import SchoolCensus
from schemas.hub_exports import Pupils, Wcet
from schemas.periods import AcademicYear
from schemas.register import Establishment, EstablishmentLink
from schemas.validation import (
    DUPLICATE_ACROSS_FILES_RULE,
    DUPLICATE_UPN_RULE,
    FAILURE_SCHEMA,
    ValidationFailure,
)
from schemas.vocabulary import MAX_SUCCESSOR_HOPS, PREDECESSOR_LINK_TYPES, SUCCESSOR_LINK_TYPES

YEAR_START = "_year_start"


@dataclass(frozen=True)
class UrnCheck:
    """How to find the academic year a row's school must be open in."""

    source: str
    urn_column: str
    # An expression giving the start (1 September) of the row's academic year.
    year_start: pl.Expr
    nullable: bool = False
    # A snapshot of current records (pupils): the school may have opened since the year began.
    may_open_later: bool = False


def year_start_of_label(column: str) -> pl.Expr:
    """1 September of a 'YYYY/YY' label's first year."""
    return pl.date(pl.col(column).str.slice(0, 4).cast(pl.Int32, strict=False), 9, 1)


def year_start_of_date(column: str) -> pl.Expr:
    """1 September of the academic year a date falls in."""
    day = pl.col(column)
    return pl.date(pl.when(day.dt.month() >= 9).then(day.dt.year()).otherwise(day.dt.year() - 1), 9, 1)


def year_start_of_span(start: str, end: str, year: AcademicYear) -> pl.Expr:
    """The reporting year when the span overlaps it, else the year the span started in."""
    overlaps = (pl.col(start) <= year.end) & (pl.col(end).is_null() | (pl.col(end) >= year.start))
    return pl.when(overlaps).then(pl.lit(year.start)).otherwise(year_start_of_date(start))


def _failure_rows(
    frame: pl.DataFrame, *, source: str, column: str, rule: pl.Expr | str, value: pl.Expr, severity: str
) -> pl.DataFrame:
    return frame.select(
        pl.lit(source).alias(ValidationFailure.source),
        pl.col(SOURCE_FILE).alias(ValidationFailure.file),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias(ValidationFailure.row),
        pl.lit(column).alias(ValidationFailure.column),
        (pl.lit(rule) if isinstance(rule, str) else rule).alias(ValidationFailure.rule),
        value.cast(pl.String).alias(ValidationFailure.value),
        pl.lit(severity).alias(ValidationFailure.severity),
    ).cast(FAILURE_SCHEMA)


def _successors(links: pl.DataFrame) -> pl.DataFrame:
    """Closed URN -> the URN that replaced it, following chains of conversions (from either end's links)."""
    backward = links.filter(pl.col(EstablishmentLink.link_type).is_in(PREDECESSOR_LINK_TYPES)).select(
        pl.col(EstablishmentLink.link_urn).alias(EstablishmentLink.urn),
        pl.col(EstablishmentLink.urn).alias(EstablishmentLink.link_urn),
        EstablishmentLink.link_date,
    )
    forward = links.filter(pl.col(EstablishmentLink.link_type).is_in(SUCCESSOR_LINK_TYPES)).select(
        EstablishmentLink.urn, EstablishmentLink.link_urn, EstablishmentLink.link_date
    )
    step = (
        pl.concat([forward, backward])
        .filter(pl.col(EstablishmentLink.urn) != pl.col(EstablishmentLink.link_urn))
        .sort(EstablishmentLink.link_date, nulls_last=True)
        .unique(EstablishmentLink.urn, keep="last")
        .select(pl.col(EstablishmentLink.urn), pl.col(EstablishmentLink.link_urn).alias("successor_urn"))
    )
    chained = step
    for _ in range(MAX_SUCCESSOR_HOPS):
        chained = chained.join(
            step.rename({EstablishmentLink.urn: "successor_urn", "successor_urn": "next"}),
            on="successor_urn",
            how="left",
        ).select(
            EstablishmentLink.urn,
            pl.when(pl.col("next") == pl.col(EstablishmentLink.urn))
            .then(pl.col("successor_urn"))
            .otherwise(pl.coalesce("next", "successor_urn"))
            .alias("successor_urn"),
        )
    return chained


def _open_in_row_year(open_column: str, close_column: str, *, may_open_later: bool = False) -> pl.Expr:
    """The school was open at some point in the row's academic year (or after it, for a snapshot)."""
    opened = (
        pl.lit(True)
        if may_open_later
        else pl.col(open_column).is_null() | (pl.col(open_column) < pl.col(YEAR_START).dt.offset_by("1y"))
    )
    return opened & (pl.col(close_column).is_null() | (pl.col(close_column) >= pl.col(YEAR_START)))


def check_urns(
    rows: pl.DataFrame, check: UrnCheck, *, register: pl.DataFrame, links: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Schools must be in the register and open in the row's year; a closed school's successor is used instead.

    Returns the rows (URNs of replaced schools mapped to their successors) and the failure rows: an error
    for a URN not in the register or not open, a warning for each URN mapped to its successor.
    """
    urn = check.urn_column
    dates = register.select(
        pl.col(Establishment.urn),
        pl.col(Establishment.open_date),
        pl.col(Establishment.close_date),
        pl.col(Establishment.school_name),
    )
    open_in_year = _open_in_row_year(
        Establishment.open_date, Establishment.close_date, may_open_later=check.may_open_later
    )
    annotated = rows.with_row_index("_row").with_columns(check.year_start.alias(YEAR_START))
    present = annotated.filter(pl.col(urn).is_not_null())
    own = present.join(dates, left_on=urn, right_on=Establishment.urn, how="left").with_columns(
        pl.col(Establishment.school_name).is_not_null().alias("_known"),
        open_in_year.fill_null(False).alias("_open"),
    )
    successor = (
        own.filter(pl.col("_known") & ~pl.col("_open"))
        .join(_successors(links), left_on=urn, right_on=EstablishmentLink.urn, how="inner")
        .join(
            dates.rename({Establishment.urn: "successor_urn"}),
            on="successor_urn",
            how="inner",
            suffix="_successor",
        )
        .filter(_open_in_row_year("open_date_successor", "close_date_successor"))
        .select(
            "_row",
            "successor_urn",
            SOURCE_FILE,
            SOURCE_ROW,
            pl.col(urn).alias("_old"),
            YEAR_START,
            pl.col(Establishment.close_date),
        )
    )
    # A school open in the row's year that converted or merged during it: counted under the school that
    # replaced it (the universe has it under that URN), without a warning, since the row is right. A
    # conversion after the row's year leaves the row as it is.
    converted = (
        own.filter(pl.col("_known") & pl.col("_open"))
        .join(_successors(links), left_on=urn, right_on=EstablishmentLink.urn, how="inner")
        .join(
            dates.rename({Establishment.urn: "successor_urn"}),
            on="successor_urn",
            how="inner",
            suffix="_successor",
        )
        .filter(_open_in_row_year("open_date_successor", "close_date_successor"))
        .select("_row", "successor_urn")
    )
    unknown = own.filter(~pl.col("_known"))
    closed = own.filter(pl.col("_known") & ~pl.col("_open")).join(
        successor.select("_row"), on="_row", how="anti"
    )
    year_label = (
        pl.col(YEAR_START).dt.year().cast(pl.String)
        + "/"
        + ((pl.col(YEAR_START).dt.year() + 1) % 100).cast(pl.String).str.zfill(2)
    )
    failures = [
        _failure_rows(
            unknown,
            source=check.source,
            column=urn,
            severity="error",
            value=pl.col(urn),
            rule="must be a URN in the GIAS register: check the URN, or update the GIAS download",
        ),
        _failure_rows(
            closed,
            source=check.source,
            column=urn,
            severity="error",
            value=pl.col(urn),
            rule=pl.lit("the school was not open during ")
            + year_label
            + pl.lit(" (GIAS dates), and GIAS names no successor that was"),
        ),
        _failure_rows(
            successor,
            source=check.source,
            column=urn,
            severity="warning",
            value=pl.col("_old"),
            rule=pl.lit("this school closed (GIAS); its successor URN ")
            + pl.col("successor_urn")
            + pl.lit(" is used instead. Please update the export to the new URN"),
        ),
    ]
    if not check.nullable:
        missing = annotated.filter(pl.col(urn).is_null())
        failures.append(
            _failure_rows(
                missing,
                source=check.source,
                column=urn,
                severity="error",
                value=pl.lit(None),
                rule="must not be empty",
            )
        )
    mapped = (
        annotated.join(
            pl.concat([successor.select("_row", "successor_urn"), converted]), on="_row", how="left"
        )
        .with_columns(pl.coalesce("successor_urn", urn).alias(urn))
        .drop("_row", "successor_urn", YEAR_START)
    )
    return mapped, pl.concat(failures)


def check_known(
    rows: pl.DataFrame, *, source: str, column: str, known: pl.Series, known_in: str
) -> pl.DataFrame:
    """Every non-empty id in the column must appear in the other file (e.g. pupil_ref in pupils)."""
    unknown = rows.filter(pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode()))
    return _failure_rows(
        unknown,
        source=source,
        column=column,
        severity="error",
        value=pl.col(column),
        rule=f"must be an id listed in the {known_in} export",
    )


def check_span_order(rows: pl.DataFrame, *, source: str, start: str, end: str) -> pl.DataFrame:
    """An end date may not come before its start date."""
    backwards = rows.filter(pl.col(end).is_not_null() & (pl.col(end) < pl.col(start)))
    return _failure_rows(
        backwards,
        source=source,
        column=end,
        severity="error",
        value=pl.col(end).dt.strftime("%d/%m/%Y"),
        rule=f"must not be before {start}",
    )


def check_follows(rows: pl.DataFrame, *, source: str, column: str, after: str, what: str) -> pl.DataFrame:
    """A date that should come after another on the row (next contact due, after the contact) but does not."""
    early = rows.filter(pl.col(column).is_not_null() & (pl.col(column) < pl.col(after)))
    return _failure_rows(
        early,
        source=source,
        column=column,
        severity="warning",
        value=pl.col(column).dt.strftime("%d/%m/%Y"),
        rule=pl.lit(f"is before {what} (")
        + pl.col(after).dt.strftime("%d/%m/%Y")
        + pl.lit("): check it is not a typing mistake"),
    )


def check_not_after(rows: pl.DataFrame, *, source: str, column: str, as_of: date) -> pl.DataFrame:
    """A date after the as-of date is probably a typing mistake (warning)."""
    future = rows.filter(pl.col(column) > as_of)
    return _failure_rows(
        future,
        source=source,
        column=column,
        severity="warning",
        value=pl.col(column).dt.strftime("%d/%m/%Y"),
        rule=f"is after the as-of date ({as_of:%d/%m/%Y}): check it is not a typing mistake",
    )


def check_duplicate_upns(pupils: pl.DataFrame, *, source: str = "pupils") -> pl.DataFrame:
    """One pupil exported under two pupil refs (same UPN) would be counted twice.

    The UPN is not shown: rows with the same one say the same number instead, ``(pseudonymised: UPN 1)``,
    numbered in the order of their first row, so that the report can pair them.
    """
    duplicated = pupils.filter(pl.col(Pupils.upn).is_not_null() & (pl.len().over(Pupils.upn) > 1))
    first_row = pl.col(SOURCE_ROW).min().over(Pupils.upn)
    return _failure_rows(
        duplicated,
        source=source,
        column=Pupils.upn,
        severity="error",
        value=pl.format("(pseudonymised: UPN {})", first_row.rank("dense").cast(pl.Int64)),
        rule=DUPLICATE_UPN_RULE,
    )


def check_wcet_within_census(
    wcet: pl.DataFrame, census: pl.DataFrame, *, source: str = "wcet"
) -> pl.DataFrame:
    """A WCET class larger than the school's estimated year group (key-stage band / years in it) is doubtful.

    The school-level census has no per-year headcount, so the year group is estimated from its key stage.
    """
    bands = {
        "R": (SchoolCensus.reception_count, 1),
        **{str(y): (SchoolCensus.ks1_count, 2) for y in (1, 2)},
        **{str(y): (SchoolCensus.ks2_count, 4) for y in (3, 4, 5, 6)},
        **{str(y): (SchoolCensus.ks3_count, 3) for y in (7, 8, 9)},
        **{str(y): (SchoolCensus.ks4_count, 2) for y in (10, 11)},
        **{str(y): (SchoolCensus.ks5_count, 2) for y in (12, 13)},
    }
    estimates = pl.concat(
        [
            census.select(
                pl.col(SchoolCensus.urn),
                pl.col(SchoolCensus.census_period),
                pl.lit(year).alias(Wcet.nc_year),
                (pl.col(column) / divisor).ceil().cast(pl.Int64).alias("_estimate"),
            )
            for year, (column, divisor) in bands.items()
        ]
    )
    per_class = wcet.with_columns(
        (pl.col(Wcet.academic_year).str.slice(0, 4) + pl.col(Wcet.academic_year).str.slice(5, 2)).alias(
            SchoolCensus.census_period
        )
    ).join(estimates, on=[Wcet.urn, Wcet.nc_year, SchoolCensus.census_period], how="inner")
    per_group = per_class.with_columns(
        pl.col(Wcet.pupils)
        .sum()
        .over([Wcet.urn, Wcet.nc_year, Wcet.academic_year, Wcet.term])
        .alias("_group")
    ).filter(pl.col("_estimate").is_not_null() & (pl.col("_group") > pl.col("_estimate")))
    return _failure_rows(
        per_group,
        source=source,
        column=Wcet.pupils,
        severity="warning",
        value=pl.col(Wcet.pupils),
        rule=pl.lit("WCET pupils in this school's year group this term (")
        + pl.col("_group").cast(pl.String)
        + pl.lit(") exceed the census estimate for the year group (")
        + pl.col("_estimate").cast(pl.String)
        + pl.lit(", from its key-stage headcount)"),
    )


def check_duplicate_keys(rows: pl.DataFrame, *, source: str, keys: Sequence[str]) -> pl.DataFrame:
    """The same key in two files of one source (e.g. two census files giving one school twice for a year)."""
    duplicated = rows.filter(pl.len().over(list(keys)) > 1)
    return _failure_rows(
        duplicated,
        source=source,
        column=", ".join(keys),
        severity="error",
        value=pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator=" / "),
        rule=DUPLICATE_ACROSS_FILES_RULE,
    )


def _urn_checks(year: AcademicYear) -> dict[str, list[UrnCheck]]:
    this_year = pl.lit(year.start)
    return {
        "pupils": [UrnCheck("pupils", "urn", this_year, may_open_later=True)],
        "wcet": [UrnCheck("wcet", "urn", year_start_of_label("academic_year"))],
        "singing": [UrnCheck("singing", "urn", year_start_of_label("academic_year"))],
        "engagements": [UrnCheck("engagements", "urn", year_start_of_date("date"))],
        "cpd": [UrnCheck("cpd", "urn", year_start_of_date("date"))],
        "events": [UrnCheck("events", "urn", year_start_of_date("date"))],
        "loans": [
            UrnCheck("loans", "urn", year_start_of_span("start_date", "end_date", year), nullable=True)
        ],
        "ensembles": [UrnCheck("ensembles", "base_urn", this_year, nullable=True)],
    }


PUPIL_REFERENCES = ("tuition", "ensemble_members", "wcet_participants", "loans")
SPANS = {
    "tuition": ("start_date", "end_date"),
    "ensemble_members": ("start_date", "end_date"),
    "loans": ("start_date", "end_date"),
}
# Dates that must come after another date of the same row (warning when they do not).
FOLLOWS = {"engagements": ("next_due", "date", "the date of the contact")}
DATED = {
    "engagements": "date",
    "cpd": "date",
    "events": "date",
    "finance": "date",
    "tuition": "start_date",
    "ensemble_members": "start_date",
    "loans": "start_date",
}


def cross_check(
    frames: dict[str, pl.DataFrame],
    *,
    year: AcademicYear,
    as_of: date,
    every_row: dict[str, pl.DataFrame] | None = None,
    unreadable: frozenset[str] = frozenset(),
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Apply every cross-source rule; return the frames with replaced URNs mapped and failing rows removed.

    ``frames`` holds the kept rows of each input by source name (gias, gias_links, census and the exports
    present), each with ``source_file`` and ``source_row``. Ids are looked up among ``every_row`` (all rows
    read, quarantined ones included) where given, so a quarantined row does not cascade into others; no
    id is looked up in an ``unreadable`` source (its own report row already says the file must be fixed).
    """
    lookup = every_row or frames
    register, links = frames["gias"], frames["gias_links"]
    checked = dict(frames)
    failures: list[pl.DataFrame] = []
    for source, checks in _urn_checks(year).items():
        if source not in checked or {"gias", "gias_links"} & unreadable:
            continue
        for check in checks:
            checked[source], found = check_urns(checked[source], check, register=register, links=links)
            failures.append(found)
    if "pupils" in checked and "pupils" not in unreadable:
        known_pupils = lookup.get("pupils", checked["pupils"]).get_column("pupil_ref")
        for source in PUPIL_REFERENCES:
            if source in checked:
                failures.append(
                    check_known(
                        checked[source],
                        source=source,
                        column="pupil_ref",
                        known=known_pupils,
                        known_in="pupils",
                    )
                )
        failures.append(check_duplicate_upns(checked["pupils"]))
    if "ensemble_members" in checked and "ensembles" in checked and "ensembles" not in unreadable:
        failures.append(
            check_known(
                checked["ensemble_members"],
                source="ensemble_members",
                column="ensemble_id",
                known=lookup.get("ensembles", checked["ensembles"]).get_column("ensemble_id"),
                known_in="ensembles",
            )
        )
    if "wcet_participants" in checked and "wcet" in checked and "wcet" not in unreadable:
        failures.append(
            check_known(
                checked["wcet_participants"],
                source="wcet_participants",
                column="programme_id",
                known=lookup.get("wcet", checked["wcet"]).get_column("programme_id"),
                known_in="wcet",
            )
        )
    for source, (start, end) in SPANS.items():
        if source in checked:
            failures.append(check_span_order(checked[source], source=source, start=start, end=end))
    for source, (column, after, what) in FOLLOWS.items():
        if source in checked:
            failures.append(
                check_follows(checked[source], source=source, column=column, after=after, what=what)
            )
    for source, column in DATED.items():
        if source in checked:
            failures.append(check_not_after(checked[source], source=source, column=column, as_of=as_of))
    if "census" in checked:
        failures.append(
            check_duplicate_keys(checked["census"], source="census", keys=("census_period", "urn"))
        )
        if "wcet" in checked:
            failures.append(check_wcet_within_census(checked["wcet"], checked["census"]))
    if "sen" in checked:
        failures.append(check_duplicate_keys(checked["sen"], source="sen", keys=("census_period", "urn")))
    all_failures = pl.concat(failures) if failures else pl.DataFrame(schema=FAILURE_SCHEMA)
    errors = all_failures.filter(pl.col(ValidationFailure.severity) == "error")
    for source, frame in checked.items():
        bad = errors.filter(pl.col(ValidationFailure.source) == source).select(
            pl.col(ValidationFailure.file).alias(SOURCE_FILE), pl.col(ValidationFailure.row).alias(SOURCE_ROW)
        )
        if bad.height:
            checked[source] = frame.join(bad.unique(), on=[SOURCE_FILE, SOURCE_ROW], how="anti")
    return checked, all_failures
