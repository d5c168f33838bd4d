"""Staging and publishing a run's set of outputs: one step, the previous set kept whole until then."""

from __future__ import annotations

from pathlib import Path

import pytest

from foundation.errors import HubReturnsError
from outputs import staging as staging_module
from outputs.staging import discard, publish, publish_file, remove_stale_staging, start_staging


def _published(out: Path) -> Path:
    folder = out / "hub" / "2025-26"
    (folder / "schools").mkdir(parents=True)
    (folder / "hub-2025-26-annual-return.xlsx").write_text("old return")
    (folder / "schools" / "8301001-A.xlsx").write_text("old report")
    (folder / "notes for the funder.docx").write_text("a person's file")
    return folder


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_published_set_is_replaced_whole_and_carried_files_are_kept(tmp_path: Path) -> None:
    published = _published(tmp_path)
    staging = start_staging(tmp_path, "hub", "2025-26", "run-2", lambda p: p.suffix != ".xlsx")
    assert _tree(staging.folder) == {"notes for the funder.docx": "a person's file"}
    (staging.folder / "hub-2025-26-annual-return.xlsx").write_text("new return")
    # Until published, the published folder is the previous set, untouched.
    assert _tree(published)["hub-2025-26-annual-return.xlsx"] == "old return"
    publish(staging)
    assert _tree(published) == {
        "hub-2025-26-annual-return.xlsx": "new return",
        "notes for the funder.docx": "a person's file",
    }
    assert list((tmp_path / "hub" / ".staging").iterdir()) == []


def test_a_carried_file_is_a_link_the_run_replaces_without_touching_the_published_one(tmp_path: Path) -> None:
    published = _published(tmp_path)
    staging = start_staging(tmp_path, "hub", "2025-26", "run-2", lambda p: True)
    carried = staging.folder / "hub-2025-26-annual-return.xlsx"
    assert carried.stat().st_ino == (published / carried.name).stat().st_ino
    replacement = carried.with_name(".new.tmp")
    replacement.write_text("rewritten")
    replacement.replace(carried)  # as write_bytes_atomically does
    assert (published / carried.name).read_text() == "old return"
    discard(staging)
    assert _tree(published)["hub-2025-26-annual-return.xlsx"] == "old return"


def test_the_first_set_is_published_by_a_plain_rename(tmp_path: Path) -> None:
    staging = start_staging(tmp_path, "hub", "2025-26", "run-1", lambda p: True)
    (staging.folder / "x.xlsx").write_text("first")
    publish(staging)
    assert _tree(tmp_path / "hub" / "2025-26") == {"x.xlsx": "first"}


def test_without_an_atomic_exchange_two_renames_publish_and_a_kill_between_them_is_undone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = _published(tmp_path)
    before = _tree(published)
    monkeypatch.setattr(staging_module, "_exchange", lambda a, b: False)  # a file system that cannot exchange
    staging = start_staging(tmp_path, "hub", "2025-26", "run-2", lambda p: False)
    (staging.folder / "new.xlsx").write_text("new")
    publish(staging)
    assert _tree(published) == {"new.xlsx": "new"}

    # A run killed between the fallback's two renames: the published folder is gone, the previous set retired.
    staging = start_staging(tmp_path, "hub", "2025-26", "run-3", lambda p: False)
    published.rename(staging.root / staging_module.RETIRED_FOLDER)
    assert not published.exists()
    remove_stale_staging(tmp_path, "hub")
    assert _tree(published) == {"new.xlsx": "new"} != before
    assert list((tmp_path / "hub" / ".staging").iterdir()) == []


def test_the_validation_report_of_a_stopped_run_is_published_alone(tmp_path: Path) -> None:
    published = _published(tmp_path)
    staging = start_staging(tmp_path, "hub", "2025-26", "run-2", lambda p: False)
    report = staging.folder / "hub-2025-26-validation.xlsx"
    report.write_text("what to fix")
    assert publish_file(staging, report) == published / report.name
    discard(staging)
    assert _tree(published)["hub-2025-26-validation.xlsx"] == "what to fix"
    assert _tree(published)["hub-2025-26-annual-return.xlsx"] == "old return"


def test_a_folder_that_cannot_be_prepared_is_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "hub").write_text("a file where the hub's folder should be")
    with pytest.raises(HubReturnsError, match="Nothing new was published"):
        start_staging(tmp_path, "hub", "2025-26", "run-1", lambda p: True)
