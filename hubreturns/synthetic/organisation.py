"""The hub as an organisation: its workforce each year and its ledger (income by source, spending by category)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from schemas.periods import AcademicYear
from schemas.vocabulary import INCOME_SOURCES

Row = dict[str, object]


@dataclass(frozen=True)
class _Role:
    """A hub staff role, how it is employed, and its weight among the hub's staff."""

    title: str
    employment: str
    weight: int


_ROLES = (
    _Role(title="Instrumental teacher", employment="permanent", weight=34),
    _Role(title="WCET tutor", employment="permanent", weight=10),
    _Role(title="Vocal leader", employment="permanent", weight=5),
    _Role(title="Area lead", employment="permanent", weight=5),
    _Role(title="Administrator", employment="permanent", weight=4),
    _Role(title="Finance officer", employment="permanent", weight=2),
    _Role(title="Data officer", employment="permanent", weight=1),
    _Role(title="Inclusion lead", employment="permanent", weight=2),
    _Role(title="Project coordinator", employment="permanent", weight=3),
    _Role(title="Music technology tutor", employment="permanent", weight=2),
    _Role(title="Instrumental teacher", employment="contract", weight=9),
    _Role(title="Project coordinator", employment="contract", weight=3),
    _Role(title="Ensemble director", employment="contract", weight=3),
    _Role(title="Instrumental teacher", employment="freelance", weight=17),
    _Role(title="Ensemble director", employment="freelance", weight=5),
    _Role(title="Vocal leader", employment="freelance", weight=5),
    _Role(title="Music technology tutor", employment="freelance", weight=3),
    _Role(title="Composer in residence", employment="freelance", weight=1),
)
# Share of income by source (DfE grant about 37%) and of spending by category.
_INCOME_SHARES = {
    "DfE grant": 0.37,
    "schools": 0.28,
    "parents and carers": 0.20,
    "local authority": 0.05,
    "other": 0.10,
}
_INCOME_LINES = {"DfE grant": 4, "schools": 12, "parents and carers": 12, "local authority": 2, "other": 6}
_SPENDING_SHARES = {
    "teaching staff": 0.60,
    "partner delivery": 0.08,
    "instruments": 0.06,
    "venues": 0.04,
    "CPD": 0.03,
    "administration": 0.11,
    "management": 0.06,
}


@dataclass(frozen=True)
class _StaffMember:
    """One member of the hub's staff, as the workforce export lists them before the year's CPD hours vary."""

    ref: str
    role: str
    employment: str
    fte: float
    cpd_hours: float


def build_workforce(rng: random.Random, years: tuple[AcademicYear, AcademicYear]) -> list[Row]:
    """About 120 staff a year; most stay from one year to the next."""
    rows: list[Row] = []
    staff: list[_StaffMember] = []
    number = 0

    def hire() -> _StaffMember:
        """A new member of staff: a role drawn by weight, and hours to suit how they are employed."""
        nonlocal number
        number += 1
        drawn = rng.choices(_ROLES, weights=[r.weight for r in _ROLES])[0]
        role, employment = drawn.title, drawn.employment
        if employment == "permanent":
            fte = 1.0 if rng.random() < 0.4 else round(rng.uniform(0.4, 0.95), 2)
            cpd = round(rng.uniform(6, 30), 1)
        elif employment == "contract":
            fte, cpd = round(rng.uniform(0.2, 1.0), 2), round(rng.uniform(3, 20), 1)
        else:
            fte, cpd = round(rng.uniform(0.05, 0.4), 2), round(rng.uniform(0, 10), 1)
        return _StaffMember(ref=f"ST{number:04d}", role=role, employment=employment, fte=fte, cpd_hours=cpd)

    staff.append(
        _StaffMember(ref="ST0000", role="Head of service", employment="permanent", fte=1.0, cpd_hours=24.0)
    )
    for _ in range(rng.randint(116, 124)):
        staff.append(hire())
    for year in years:
        if rows:
            leavers = set(rng.sample(range(1, len(staff)), rng.randint(8, 14)))
            staff = [member for i, member in enumerate(staff) if i not in leavers]
            for _ in range(rng.randint(116, 124) - len(staff)):
                staff.append(hire())
        for member in staff:
            rows.append(
                {
                    "academic_year": year.label,
                    "staff_ref": member.ref,
                    "role": member.role,
                    "employment": member.employment,
                    "fte": member.fte,
                    "cpd_hours": round(max(0.0, member.cpd_hours + rng.uniform(-3, 3)), 1),
                }
            )
    return rows


def _split_amount(rng: random.Random, total: float, parts: int) -> list[float]:
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    scale = total / sum(weights)
    amounts = [round(w * scale, 2) for w in weights]
    amounts[-1] = round(total - sum(amounts[:-1]), 2)
    return amounts


def _month_days(rng: random.Random, year: AcademicYear, count: int) -> list[date]:
    """Dates spread over the year: `count` months evenly from September, a working day in each."""
    days = []
    for i in range(count):
        month_index = (i * 12) // count
        month = (9 + month_index - 1) % 12 + 1
        calendar_year = year.start_year if month >= 9 else year.start_year + 1
        day = date(calendar_year, month, rng.randint(10, 28))
        while day.weekday() >= 5:
            day = day.replace(day=day.day - 1)
        days.append(day)
    return days


def build_finance(
    rng: random.Random, years: tuple[AcademicYear, AcademicYear], pupils_on_roll: int
) -> list[Row]:
    """The ledger of both years: income by every INCOME_SOURCES category, spending by category."""
    rows: list[Row] = []
    for year in years:
        income = round(pupils_on_roll * rng.uniform(21.0, 23.0), 2)
        for source in INCOME_SOURCES:
            share = _INCOME_SHARES[source] * rng.uniform(0.97, 1.03)
            lines = _INCOME_LINES[source]
            for day, amount in zip(
                _month_days(rng, year, lines), _split_amount(rng, income * share, lines), strict=True
            ):
                rows.append({"kind": "income", "category": source, "amount_gbp": amount, "date": day})
        spending = income * rng.uniform(0.97, 1.01)
        for category, share in _SPENDING_SHARES.items():
            for day, amount in zip(
                _month_days(rng, year, 12), _split_amount(rng, spending * share / 0.98, 12), strict=True
            ):
                rows.append({"kind": "expenditure", "category": category, "amount_gbp": amount, "date": day})
    return rows
