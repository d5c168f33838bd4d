from datetime import date

import pytest

from schemas.periods import AcademicYear


@pytest.mark.parametrize("text", ["2025/26", "2025-26", " 2025 / 2026 "])
def test_parse_accepts_the_usual_spellings(text: str) -> None:
    assert AcademicYear.parse(text) == AcademicYear(2025)


@pytest.mark.parametrize("text", ["2025", "2025/27", "25/26", "2025/2027", "next year"])
def test_parse_refuses_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY/YY|must follow"):
        AcademicYear.parse(text)


def test_boundaries_and_labels() -> None:
    year = AcademicYear(2025)
    assert (year.start, year.end) == (date(2025, 9, 1), date(2026, 8, 31))
    assert (year.label, year.slug, year.census_period) == ("2025/26", "2025-26", "202526")
    assert AcademicYear(1999).label == "1999/00"


def test_year_containing_and_latest_complete() -> None:
    assert AcademicYear.containing(date(2026, 8, 31)) == AcademicYear(2025)
    assert AcademicYear.containing(date(2026, 9, 1)) == AcademicYear(2026)
    assert AcademicYear.latest_complete(date(2026, 11, 23)) == AcademicYear(2025)
