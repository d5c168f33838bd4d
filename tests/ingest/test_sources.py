"""Loading an export: header aliases, typing, pseudonymisation and row-level failures."""

from __future__ import annotations

from pathlib import Path

from foundation.hub_config import InputFile
from ingest.pseudonymise import pseudonym
from ingest.sources import load_hub_export
from schemas.vocabulary import DUTY_AREAS

KEY = b"k" * 32
HEADER = "Enrolment ID,Student ID,Instrument,Lesson Type,Start Date,End Date,Remission %,Standard,Provision\n"


def _load(tmp_path: Path, body: str, header: str = HEADER):
    path = tmp_path / "tuition.csv"
    path.write_text(header + body, encoding="utf-8")
    return load_hub_export("tuition", (InputFile(path=path),), key=KEY)


def test_aliases_dates_and_pseudonyms(tmp_path: Path) -> None:
    loaded = _load(tmp_path, "E1,S1,Violin,individual,08/09/2025,,25,entry,delivered\n")
    assert loaded.failures.is_empty()
    row = loaded.frame.row(0, named=True)
    assert row["pupil_ref"] == pseudonym("S1", KEY) != "S1"
    assert str(row["start_date"]) == "2025-09-08"  # UK day-first
    assert row["end_date"] is None
    assert row["remission_pct"] == 25.0
    assert (loaded.rows_read, loaded.rows_kept, loaded.rows_quarantined) == (1, 1, 0)


def test_each_bad_value_is_one_failure_row_with_the_excel_row(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        "E1,S1,Violin,individual,2025-09-08,,0,entry,delivered\n"
        "E2,S2,Flute,individual,31/09/2025,,0,entry,delivered\n"
        "E3,S3,Flute,quartet,2025-09-08,,150,entry,delivered\n",
    )
    failures = {(r["row"], r["column"], r["rule"], r["value"]) for r in loaded.failures.iter_rows(named=True)}
    assert failures == {
        (3, "start_date", "must be a real date, written YYYY-MM-DD or DD/MM/YYYY", "31/09/2025"),
        (4, "lesson_type", "must be one of: individual, small_group, large_group", "quartet"),
        (4, "remission_pct", "must be 100 or less", "150"),
    }
    assert loaded.frame.get_column("enrolment_id").to_list() == ["E1"]
    assert loaded.rows_quarantined == 2


def test_missing_required_column_is_one_file_level_row(tmp_path: Path) -> None:
    header = HEADER.replace(",Standard", "")
    loaded = _load(tmp_path, "E1,S1,Violin,individual,2025-09-08,,0,delivered\n", header=header)
    (failure,) = loaded.failures.iter_rows(named=True)
    assert (failure["file"], failure["row"], failure["column"]) == ("tuition.csv", None, "standard")
    assert failure["rule"].startswith("the required column 'standard' is missing. The file has: Enrolment ID")
    assert loaded.frame.is_empty() and loaded.rows_read == 0


def test_engagement_log_takes_quality_marks_old_and_new_and_the_mdp_summary_address(tmp_path: Path) -> None:
    path = tmp_path / "engagements.csv"
    ratings = [f"rag_{area}" for area in DUTY_AREAS]
    header = (
        "Contact ID,URN,Date,Duration,Kind,With Role,Hub Officer,Engagement Level,"
        + ",".join(ratings)
        + ",MDP Published,Quality mark,MDP summary link\n"
    )
    empty = "," * len(ratings)
    path.write_text(
        header
        + f"G1,100001,06/10/2025,30,conversation,Head,A Officer,2{empty},Y,Music Mark; Artsmark,\n"
        + f"G2,100001,07/10/2025,30,conversation,Head,A Officer,2{empty},Y,"
        + '"music mark of recognition: ambition and quality",https://school.example.org/music\n'
        + f"G3,100002,08/10/2025,30,visit,Head,A Officer,1{empty},N,Music Mark Gold,www.school.example.org\n",
        encoding="utf-8",
    )
    loaded = load_hub_export("engagements", (InputFile(path=path),), key=KEY)
    assert loaded.frame.get_column("engagement_id").to_list() == ["G1", "G2"]
    assert loaded.frame.get_column("mdp_url").to_list() == [None, "https://school.example.org/music"]
    failures = {(r["row"], r["column"], r["value"]) for r in loaded.failures.iter_rows(named=True)}
    assert failures == {
        (4, "quality_marks", "Music Mark Gold"),
        (4, "mdp_url", "www.school.example.org"),
    }
    rules = {r["column"]: r["rule"] for r in loaded.failures.iter_rows(named=True)}
    assert rules["mdp_url"] == "must be a web address starting http:// or https://"
    assert rules["quality_marks"].startswith(
        "must be quality marks separated by ';', each one of: Music Mark of "
    )
