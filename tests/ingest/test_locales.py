"""Exports saved by Excel set up for other countries: ';' or tab between values, a decimal comma, other dates.

The delimiter and the decimal convention are found per file. A European file's 1.234,56 is one thousand
two hundred and thirty-four pounds fifty-six, not 123,456; a file whose numbers cannot tell (only values
such as 1,234) is refused, asking which, until the hub configuration says so; a comma-separated file
cannot use a decimal comma, so its "1,5" is refused, never read as 15.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.hub_config import InputFile, load_config
from ingest.sources import load_hub_export
from tests.ingest.spreadsheets import FRENCH, GERMAN, LOCALES, UK, Locale, write_locale_csv

KEY = b"k" * 32
FINANCE = ("kind", "category", "amount_gbp", "date")
TUITION = ("enrolment_id", "pupil_ref", "instrument", "lesson_type", "start_date", "end_date", "remission_pct",
           "standard", "provision")  # fmt: skip
WORKFORCE = ("academic_year", "staff_ref", "role", "employment", "fte", "cpd_hours")
CPD = ("event_id", "date", "title", "hours", "audience", "urn", "attendees")


def _finance_rows(amounts: list[Decimal]) -> list[tuple[object, ...]]:
    return [
        ("income" if i % 2 else "expenditure", "DfE grant", amount, date(2025, 9, 1 + i % 28))
        for i, amount in enumerate(amounts)
    ]


def _load(source: str, path: Path, **options: object):  # type: ignore[no-untyped-def]
    return load_hub_export(source, (InputFile(path=path, **options),), key=KEY)  # type: ignore[arg-type]


def test_a_german_excel_finance_export_reads_the_amounts_as_written(tmp_path: Path) -> None:
    path = write_locale_csv(
        tmp_path / "finance.csv", FINANCE, _finance_rows([Decimal("1234.56"), Decimal("99.50")]), GERMAN
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfkind;category;amount_gbp;date\r\n")
    assert b";1.234,56;01.09.2025\r\n" in raw
    loaded = _load("finance", path)
    assert loaded.failures.is_empty()
    assert loaded.frame.select("amount_gbp", "date").rows() == [
        (1234.56, date(2025, 9, 1)),
        (99.5, date(2025, 9, 2)),
    ]


def test_fte_hours_and_percentages_in_a_french_export(tmp_path: Path) -> None:
    workforce = write_locale_csv(
        tmp_path / "workforce.csv",
        WORKFORCE,
        [("2025/26", "T1", "Teacher", "permanent", Decimal("0.6"), Decimal("12.5")),
         ("2025/26", "T2", "Head", "permanent", Decimal(1), Decimal("1030.25"))],
        FRENCH,
    )  # fmt: skip
    assert "1\u202f030,25".encode() in workforce.read_bytes()
    loaded = _load("workforce", workforce)
    assert loaded.failures.is_empty()
    assert loaded.frame.select("fte", "cpd_hours").rows() == [(0.6, 12.5), (1.0, 1030.25)]
    tuition = write_locale_csv(
        tmp_path / "tuition.csv",
        TUITION,
        [("E1", "P1", "Violin", "individual", date(2025, 9, 8), None, Decimal("12.5"), "entry", "delivered")],
        FRENCH,
        places=1,
    )
    assert b";12,5;" in tuition.read_bytes()
    (row,) = _load("tuition", tuition).frame.iter_rows(named=True)
    assert (row["remission_pct"], row["start_date"]) == (12.5, date(2025, 9, 8))


def test_an_export_whose_numbers_cannot_tell_is_refused_asking_which(tmp_path: Path) -> None:
    path = tmp_path / "cpd.csv"
    path.write_text(
        "event_id;date;title;hours;audience;urn;attendees\nC1;01/10/2025;Singing;1,500;;100001;3\n"
    )
    loaded = _load("cpd", path)
    (failure,) = loaded.failures.iter_rows(named=True)
    assert (failure["file"], failure["row"], failure["column"], failure["severity"]) == (
        "cpd.csv", None, "hours", "error"
    )  # fmt: skip
    assert failure["rule"].startswith(
        "the value 1,500 in column 'hours' (row 2) could be 1,500 or 1.500, and no other number in the file "
        "shows which way it writes decimals. Say which in the hub configuration"
    )
    assert loaded.frame.is_empty()
    assert _load("cpd", path, decimal="comma").frame.get_column("hours").to_list() == [1.5]
    assert _load("cpd", path, decimal="point").failures.get_column("rule").to_list() == [
        "must be 100 or less"
    ]


def test_the_hub_configuration_says_which_decimal_a_file_uses(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        '[hub]\nname = "Trent Vale Music Hub"\nslug = "trentvale"\nla_codes = ["830"]\n'
        '[inputs]\ncpd = { path = "cpd.csv", decimal = "comma" }\nfinance = "finance.csv"\n'
    )
    hub = load_config(config)
    assert hub.input_files("cpd")[0].decimal == "comma"
    assert hub.input_files("finance")[0].decimal is None


def test_a_file_that_writes_numbers_both_ways_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "workforce.csv"
    path.write_text("academic_year;staff_ref;role;employment;fte;cpd_hours\n"
                    "2025/26;T1;Teacher;permanent;0,5;12.5\n")  # fmt: skip
    (failure,) = _load("workforce", path).failures.iter_rows(named=True)
    assert failure["rule"].startswith(
        "the file writes numbers in two ways: 0,5 in column 'fte' (row 2) has a decimal comma, but 12.5 in "
        "column 'cpd_hours' (row 2) has a decimal point"
    )


@pytest.mark.parametrize("written", ['"1,5"', '"12,50"'])
def test_a_decimal_comma_in_a_comma_separated_file_is_refused_not_multiplied(
    tmp_path: Path, written: str
) -> None:
    path = tmp_path / "finance.csv"
    path.write_text(f"kind,category,amount_gbp,date\nincome,schools,{written},01/09/2025\n")
    loaded = _load("finance", path)
    assert loaded.failures.select("row", "column", "rule", "value").rows() == [
        (2, "amount_gbp", "must be a number", written.strip('"'))
    ]


def test_thousands_commas_in_a_uk_file_still_read(tmp_path: Path) -> None:
    path = write_locale_csv(tmp_path / "finance.csv", FINANCE, _finance_rows([Decimal("1234567.5")]), UK)
    assert b'"1,234,567.50"' in path.read_bytes()
    assert _load("finance", path).frame.get_column("amount_gbp").to_list() == [1234567.5]


MONEY = st.decimals(min_value=0, max_value=5_000_000, places=2, allow_nan=False, allow_infinity=False)
PERCENT = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(locale=st.sampled_from(LOCALES), amounts=st.lists(MONEY, min_size=1, max_size=30))
def test_finance_totals_read_back_equal_the_totals_written(locale: Locale, amounts: list[Decimal]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write_locale_csv(Path(folder) / "finance.csv", FINANCE, _finance_rows(amounts), locale)
        loaded = _load("finance", path)
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    read = loaded.frame.get_column("amount_gbp").to_list()
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in read] == amounts
    assert Decimal(str(round(sum(read), 2))).quantize(Decimal("0.01")) == sum(amounts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    locale=st.sampled_from(LOCALES),
    remissions=st.lists(PERCENT, min_size=1, max_size=30),
    places=st.sampled_from([0, 1, 2]),
)
def test_tuition_remission_totals_read_back_equal_the_totals_written(
    locale: Locale, remissions: list[Decimal], places: int
) -> None:
    rows = [
        (
            f"E{i}",
            f"P{i}",
            "Flute",
            "small_group",
            date(2025, 9, 8),
            date(2026, 7, 17),
            pct,
            "entry",
            "delivered",
        )
        for i, pct in enumerate(remissions)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = write_locale_csv(Path(folder) / "tuition.csv", TUITION, rows, locale, places=places)
        loaded = _load("tuition", path)
    assert loaded.failures.is_empty(), loaded.failures.to_dicts()
    step = Decimal(1).scaleb(-places)
    written = [pct.quantize(step) for pct in remissions]
    read = [Decimal(str(v)).quantize(step) for v in loaded.frame.get_column("remission_pct").to_list()]
    assert read == written and sum(read) == sum(written)
    assert loaded.frame.get_column("end_date").to_list() == [date(2026, 7, 17)] * len(rows)
