"""The academic year (1 September to 31 August), the period every hub figure is reported for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*[/\-]\s*(\d{2}|\d{4})\s*$")
ACADEMIC_YEAR_REGEX = r"^\d{4}/\d{2}$"


@dataclass(frozen=True, order=True)
class AcademicYear:
    """An academic year, named by the calendar year it starts in (2025 is 2025/26)."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """Read '2025/26', '2025-26' or '2025/2026'; raise ValueError with the expected form otherwise."""
        match = _YEAR_PATTERN.match(str(text))
        if not match:
            raise ValueError(f"'{text}' is not an academic year: write it as YYYY/YY, for example 2025/26")
        first, second = int(match.group(1)), match.group(2)
        expected = (first + 1) % 100 if len(second) == 2 else first + 1
        if int(second) != expected:
            raise ValueError(
                f"'{text}' is not an academic year: the second year must follow the first "
                f"(for example {first}/{(first + 1) % 100:02d})"
            )
        return cls(first)

    @classmethod
    def containing(cls, day: date) -> AcademicYear:
        """The academic year a date falls in."""
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def latest_complete(cls, today: date) -> AcademicYear:
        """The most recent academic year that has ended by this date (the funder return's year)."""
        return cls.containing(today).previous()

    @property
    def start(self) -> date:
        """1 September, the first day of the year."""
        return date(self.start_year, 9, 1)

    @property
    def end(self) -> date:
        """31 August, the last day of the year."""
        return date(self.start_year + 1, 8, 31)

    @property
    def label(self) -> str:
        """The form people write: 2025/26."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        """The form used in file and folder names: 2025-26."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def census_period(self) -> str:
        """DfE's `time_period` code for this year's census: 202526."""
        return f"{self.start_year}{(self.start_year + 1) % 100:02d}"

    def previous(self) -> AcademicYear:
        """The year before."""
        return AcademicYear(self.start_year - 1)

    def __str__(self) -> str:
        return self.label


def kept_from(years: int, today: date) -> AcademicYear:
    """The oldest academic year a retention of ``years`` keeps: the one containing ``today`` and those before."""
    return AcademicYear(AcademicYear.containing(today).start_year - (years - 1))
