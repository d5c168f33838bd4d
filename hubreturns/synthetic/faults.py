"""Damage a generated hub area with one instance of each defect the validation catches (`generate --faults`).

Each defect is written on its own row, so the validation report should list exactly the returned faults.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from foundation.hub_config import load_config
from ingest.sources import load_register, load_register_links
from schemas.periods import AcademicYear
from schemas.vocabulary import SUCCESSOR_LINK_TYPES


@dataclass(frozen=True, order=True)
class Fault:
    """One injected defect: where the validation report must show it."""

    source: str
    file: str
    row: int
    column: str
    severity: str


class _Table:
    """A UTF-8 CSV export as rows of text, edited in place and written back in the same dialect."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        self.header = self.rows[0]

    def col(self, name: str) -> int:
        return self.header.index(name)

    def get(self, index: int, name: str) -> str:
        return self.rows[index][self.col(name)]

    def set(self, index: int, name: str, value: str) -> None:
        self.rows[index][self.col(name)] = value

    def save(self) -> None:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows(self.rows)
        self.path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def inject_faults(config_path: Path, *, year: AcademicYear) -> list[Fault]:
    """Write the defects into the area configured by ``config_path``; return where each must be reported."""
    config = load_config(config_path)
    path = {source: config.input_files(source)[0].path for source in config.inputs}
    faults: list[Fault] = []
    used: set[tuple[str, int]] = set()

    def pick(table: _Table, source: str, condition) -> int:  # type: ignore[no-untyped-def]
        for index in range(1, len(table.rows)):
            if (source, index) not in used and condition(index):
                used.add((source, index))
                return index
        raise RuntimeError(f"no row of {source} fits the fault")

    def fault(source: str, index: int, column: str, severity: str = "error") -> None:
        faults.append(Fault(source, path[source].name, index + 1, column, severity))

    tuition = _Table(path["tuition"])
    # A date that does not exist, typed day first.
    row = pick(tuition, "tuition", lambda i: tuition.get(i, "start_date") >= f"{year.start_year}-09-01")
    tuition.set(row, "start_date", f"31/09/{year.start_year}")
    fault("tuition", row, "start_date")
    # A value outside the allowed list, and a remission over 100%.
    row = pick(tuition, "tuition", lambda i: True)
    tuition.set(row, "lesson_type", "quartet")
    fault("tuition", row, "lesson_type")
    row = pick(tuition, "tuition", lambda i: True)
    tuition.set(row, "remission_pct", "150")
    fault("tuition", row, "remission_pct")
    # An enrolment that ends before it starts.
    row = pick(tuition, "tuition", lambda i: tuition.get(i, "start_date") > "2021-01-01")
    tuition.set(row, "end_date", "2020-12-31")
    fault("tuition", row, "end_date")
    # A pupil the pupils export does not know.
    row = pick(tuition, "tuition", lambda i: True)
    tuition.set(row, "pupil_ref", "ZZ9999999")
    fault("tuition", row, "pupil_ref")
    # The same enrolment id on two rows.
    first = pick(tuition, "tuition", lambda i: True)
    second = pick(tuition, "tuition", lambda i: True)
    tuition.set(second, "enrolment_id", tuition.get(first, "enrolment_id"))
    fault("tuition", first, "enrolment_id")
    fault("tuition", second, "enrolment_id")
    tuition.save()

    # One pupil exported under two refs: the second record gets the first's UPN.
    pupils = _Table(path["pupils"])
    first = pick(pupils, "pupils", lambda i: pupils.get(i, "upn") != "")
    second = pick(pupils, "pupils", lambda i: pupils.get(i, "upn") != "")
    pupils.set(second, "upn", pupils.get(first, "upn"))
    fault("pupils", first, "upn")
    fault("pupils", second, "upn")
    pupils.save()

    members = _Table(path["ensemble_members"])
    row = pick(members, "ensemble_members", lambda i: True)
    members.set(row, "ensemble_id", "ENS999")
    fault("ensemble_members", row, "ensemble_id")
    members.save()

    # A school that is not in the register, and one that became an academy, under its old URN (warning).
    register = load_register(config.input_files("gias")).frame
    closed = dict(register.select("urn", "close_date").iter_rows())
    links = load_register_links(config.input_files("gias_links")).frame
    replaced = {
        new: old
        for old, new, kind in links.select("urn", "link_urn", "link_type").iter_rows()
        if kind in SUCCESSOR_LINK_TYPES and closed.get(old) is not None and closed[old] < year.start
    }
    engagements = _Table(path["engagements"])
    row = pick(engagements, "engagements", lambda i: True)
    engagements.set(row, "urn", "199999")
    fault("engagements", row, "urn")
    row = pick(
        engagements,
        "engagements",
        lambda i: (
            engagements.get(i, "urn") in replaced
            and date.fromisoformat(engagements.get(i, "date")) >= year.start
        ),
    )
    engagements.set(row, "urn", replaced[engagements.get(row, "urn")])
    fault("engagements", row, "urn", "warning")
    engagements.save()

    # A WCET class far larger than its year group (warning, on every class of that year group and term).
    wcet = _Table(path["wcet"])
    row = pick(wcet, "wcet", lambda i: wcet.get(i, "academic_year") == year.label)
    wcet.set(row, "pupils", "60")
    key = [wcet.get(row, c) for c in ("urn", "nc_year", "academic_year", "term")]
    for index in range(1, len(wcet.rows)):
        if [wcet.get(index, c) for c in ("urn", "nc_year", "academic_year", "term")] == key:
            fault("wcet", index, "pupils", "warning")
    # A whole number typed in words.
    row = pick(
        wcet, "wcet", lambda i: [wcet.get(i, c) for c in ("urn", "nc_year", "academic_year", "term")] != key
    )
    wcet.set(row, "weeks", "ten")
    fault("wcet", row, "weeks")
    wcet.save()
    return sorted(faults)
