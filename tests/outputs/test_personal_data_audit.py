"""The output folder's part of the personal data audit, and retention of validation reports, on real folders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from outputs.annual_return import annual_return_path
from outputs.personal_data_audit import output_holdings, remove_expired_validation_reports
from outputs.validation_report import validation_report_path
from schemas.periods import AcademicYear
from schemas.personal_data import OUTPUT_FOLDER, holdings_frame

TODAY = date(2026, 12, 1)  # in 2026/27


def _outputs(out: Path) -> None:
    """Three year folders, each with its validation report and annual return; 2025-26 with two school reports."""
    for start in (2023, 2024, 2025):
        year = AcademicYear(start)
        for path in (
            validation_report_path(out, "hub", year.slug),
            annual_return_path(out, "hub", year.slug),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK")
    schools = out / "hub" / "2025-26" / "schools"
    schools.mkdir()
    for name in ("8304001-Crossfield-Academy.xlsx", "8304002-Hill-Primary.xlsx"):
        (schools / name).write_bytes(b"PK")
    (out / "hub" / ".hubreturns-run.lock").write_bytes(b"")
    (out / "hub" / "not-a-year").mkdir()


def test_validation_reports_of_years_past_retention_go_and_nothing_else(tmp_path: Path) -> None:
    _outputs(tmp_path)
    removed = remove_expired_validation_reports(tmp_path, "hub", AcademicYear(2025))
    assert removed == [
        validation_report_path(tmp_path, "hub", "2023-24"),
        validation_report_path(tmp_path, "hub", "2024-25"),
    ]
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == [
        "hub/.hubreturns-run.lock",
        "hub/2023-24/hub-2023-24-annual-return.xlsx",
        "hub/2024-25/hub-2024-25-annual-return.xlsx",
        "hub/2025-26/hub-2025-26-annual-return.xlsx",
        "hub/2025-26/hub-2025-26-validation.xlsx",
        "hub/2025-26/schools/8304001-Crossfield-Academy.xlsx",
        "hub/2025-26/schools/8304002-Hill-Primary.xlsx",
    ]
    assert remove_expired_validation_reports(tmp_path, "hub", AcademicYear(2025)) == []
    assert remove_expired_validation_reports(tmp_path / "none", "hub", AcademicYear(2025)) == []


def test_each_year_folder_is_listed_with_its_files_and_next_removal(tmp_path: Path) -> None:
    _outputs(tmp_path)
    held = output_holdings(tmp_path, "hub", 2, TODAY)
    assert [h.place for h in held] == [str(tmp_path / "hub" / y) for y in ("2023-24", "2024-25", "2025-26")]
    assert {h.kind for h in held} == {OUTPUT_FOLDER}
    assert [h.rows for h in held] == [2, 2, 4]
    assert [(h.oldest_period, h.newest_period) for h in held][2] == ("2025/26", "2025/26")
    # Two years counting 2026/27 keep 2025/26 until 1 September 2027; the older reports go at the next run.
    assert [h.next_removal for h in held] == [TODAY, TODAY, date(2027, 9, 1)]
    assert "2 school reports" in held[2].personal_data and "validation report" in held[2].personal_data
    assert "other file" not in held[2].personal_data

    remove_expired_validation_reports(tmp_path, "hub", AcademicYear(2025))
    held = output_holdings(tmp_path, "hub", 2, TODAY)
    assert [h.next_removal for h in held] == [None, None, date(2027, 9, 1)]
    assert held[0].personal_data == "annual return: aggregate counts of pupils, small numbers not suppressed"
    assert holdings_frame(held).height == 3


def test_a_stray_file_is_pointed_out(tmp_path: Path) -> None:
    _outputs(tmp_path)
    (tmp_path / "hub" / "2024-25" / "pupils copy.csv").write_text("pupil_ref\n")
    (held,) = [h for h in output_holdings(tmp_path, "hub", 2, TODAY) if h.place.endswith("2024-25")]
    assert held.rows == 3 and held.personal_data.endswith("1 other file(s): check what they are")
