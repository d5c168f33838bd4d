from datetime import date

import polars as pl

from schemas.periods import AcademicYear
from tests.builders import establishments, school
from transforms.universe import school_universe

YEAR = AcademicYear(2025)


def test_universe_keeps_open_state_funded_schools_of_the_hub_las_only() -> None:
    register = establishments(
        school("100001"),  # in: community primary, open
        school("100002", la_code="891"),  # out: neighbouring LA
        school("100003", type_name="Other independent school", type_group_name="Independent schools"),  # out
        school("100004", type_name="Academy converter", type_group_name="Academies"),  # in
        school("100005", type_name="Community special school", type_group_name="Special schools"),  # in
        school("100006", type_name="Non-maintained special school", type_group_name="Special schools"),  # out
        school("100007", type_name="Free schools 16 to 19", type_group_name="Free Schools"),  # out
        school("100008", status_name="Proposed to open", open_date=date(2026, 9, 1)),  # out
        school("100009", status_name="Closed", close_date=date(2025, 8, 31)),  # out: closed before the year
        school("100010", status_name="Closed", close_date=date(2025, 9, 1)),  # in: open on 1 Sept
        school("100011", open_date=date(2026, 8, 31)),  # in: opens on the last day
        school("100012", open_date=date(2026, 9, 1)),  # out: opens after the year
    )
    universe = school_universe(register, la_codes=("830", "831"), year=YEAR).collect()
    assert universe.get_column("urn").to_list() == ["100001", "100004", "100005", "100010", "100011"]


def test_laestab_is_la_code_and_establishment_number() -> None:
    universe = school_universe(
        establishments(school("100001", establishment_number="2001")), la_codes=("830",), year=YEAR
    ).collect()
    assert universe.get_column("laestab").to_list() == ["8302001"]


def test_non_maintained_special_schools_can_be_added_by_configuration() -> None:
    register = establishments(
        school("100006", type_name="Non-maintained special school", type_group_name="Special schools")
    )
    universe = school_universe(
        register, la_codes=("830",), year=YEAR, extra_types=("Non-maintained special school",)
    ).collect()
    assert universe.height == 1
    assert isinstance(universe, pl.DataFrame)
