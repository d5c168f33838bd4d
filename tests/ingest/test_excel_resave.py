"""GIAS establishments and links files opened in Excel and saved again, as a data officer will do.

Excel rewrites GIAS's dd-mm-yyyy dates as dd/mm/yyyy, writes a column formatted as Scientific as 1.00E+05,
and leaves thousands of empty ',,,,' rows after the data of the links file. Dates read as the same days,
empty rows are skipped and counted, and a shortened code is refused naming the column to fix.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from foundation.hub_config import InputFile
from ingest.sources import load_register, load_register_links
from tests.ingest.spreadsheets import excel_resave, write_gias, write_links

DATES = ("OpenDate", "CloseDate", "LinkEstablishedDate")


def _school(urn: str, name: str, **overrides: str) -> dict[str, str]:
    row = {
        "URN": urn,
        "LA (code)": "830",
        "LA (name)": "Derbyshire",
        "EstablishmentNumber": "2" + urn[-3:],
        "EstablishmentName": name,
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (name)": "Open",
        "OpenDate": "",
        "CloseDate": "",
        "PhaseOfEducation (name)": "Primary",
        "StatutoryLowAge": "4",
        "StatutoryHighAge": "11",
        "NumberOfPupils": "212",
        "PercentageFSM": "18.4",
        "Trusts (name)": "",
        "Postcode": "DE1 1AA",
        "GSSLACode (name)": "E10000007",
    }
    row.update(overrides)
    return row


SCHOOLS = [
    _school("112233", "Ashbourne, Hilltop Infant School", OpenDate="29-05-1993"),
    _school(
        "112234",
        "Old Road Junior School",
        CloseDate="31-12-2025",
        **{"EstablishmentStatus (name)": "Closed"},
    ),
    _school(
        "149001",
        "Old Road Academy",
        OpenDate="01-01-2026",
        **{"TypeOfEstablishment (name)": "Academy converter", "EstablishmentTypeGroup (name)": "Academies"},
    ),
]
LINKS = [
    {"URN": "112234", "LinkURN": "149001", "LinkName": "Old Road Academy", "LinkType": "Successor",
     "LinkEstablishedDate": "01-01-2026"},
    {"URN": "149001", "LinkURN": "112234", "LinkName": "Old Road Junior School", "LinkType": "Predecessor",
     "LinkEstablishedDate": "01-01-2026"},
]  # fmt: skip


def test_excel_rewrites_gias_dates_with_slashes_and_they_read_as_the_same_days(tmp_path: Path) -> None:
    original = write_gias(tmp_path / "edubasealldata20260101.csv", SCHOOLS)
    resaved = excel_resave(original, tmp_path / "gias_resaved.csv", date_columns=DATES)
    assert b"29/05/1993" in resaved.read_bytes() and b"29-05-1993" not in resaved.read_bytes()
    for path in (original, resaved):
        loaded = load_register((InputFile(path=path),))
        assert loaded.failures.is_empty(), loaded.failures
        dates = {r["urn"]: (r["open_date"], r["close_date"]) for r in loaded.frame.iter_rows(named=True)}
        assert dates == {
            "112233": (date(1993, 5, 29), None),
            "112234": (None, date(2025, 12, 31)),
            "149001": (date(2026, 1, 1), None),
        }


def test_the_empty_rows_excel_leaves_in_the_links_file_are_skipped_and_counted(tmp_path: Path) -> None:
    original = write_links(tmp_path / "links_edubasealldata20260101.csv", LINKS)
    resaved = excel_resave(original, tmp_path / "links.csv", date_columns=DATES, blank_rows=4_000)
    assert resaved.read_bytes().count(b"\r\n,,,,\r\n") >= 1
    loaded = load_register_links((InputFile(path=resaved),))
    assert loaded.frame.select("urn", "link_urn", "link_type", "link_date").rows() == [
        ("112234", "149001", "Successor", date(2026, 1, 1)),
        ("149001", "112234", "Predecessor", date(2026, 1, 1)),
    ]
    (warning,) = loaded.failures.iter_rows(named=True)
    assert warning == {
        "source": "gias_links",
        "file": "links.csv",
        "row": 4,
        "column": None,
        "rule": "4,000 empty rows were skipped (rows 4 to 4,003; every cell empty, as a spreadsheet leaves them "
        "when it re-saves a file). Nothing to fix unless data is missing",
        "value": None,
        "severity": "warning",
    }
    assert (loaded.rows_read, loaded.rows_kept, loaded.rows_quarantined) == (2, 2, 0)


def test_a_code_excel_wrote_in_scientific_notation_is_refused_naming_the_column(tmp_path: Path) -> None:
    original = write_links(tmp_path / "links_edubasealldata20260101.csv", LINKS)
    resaved = excel_resave(original, tmp_path / "links.csv", date_columns=DATES, scientific={"LinkURN": 2})
    assert b"1.49E+05" in resaved.read_bytes()
    loaded = load_register_links((InputFile(path=resaved),))
    failures = [
        (r["row"], r["column"], r["value"], r["severity"]) for r in loaded.failures.iter_rows(named=True)
    ]
    assert failures == [(2, "link_urn", "1.49E+05", "error"), (3, "link_urn", "1.12E+05", "error")]
    rule = loaded.failures.get_column("rule")[0]
    assert rule.startswith("is written in scientific notation, so the file was re-saved by a spreadsheet")
    assert "Fix column 'LinkURN'" in rule
    assert loaded.frame.is_empty()


def test_a_scientific_urn_in_the_register_is_not_reported_twice(tmp_path: Path) -> None:
    original = write_gias(tmp_path / "edubasealldata20260101.csv", SCHOOLS[:1])
    resaved = excel_resave(original, tmp_path / "gias.csv", date_columns=DATES, scientific={"URN": 2})
    loaded = load_register((InputFile(path=resaved),))
    assert loaded.failures.select("row", "column", "value").rows() == [(2, "urn", "1.12E+05")]
    assert "Fix column 'URN'" in loaded.failures.get_column("rule")[0]
