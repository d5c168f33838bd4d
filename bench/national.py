"""Benchmark: the national roll-up over a synthetic England (issue 7 targets), run by hand.

    .venv/bin/python bench/national.py [--data DIR] [--hubs N] [--skip-reports] [--skip-stages]

Generates England once into DIR (default: a temporary folder; an existing DIR with england.toml is reused),
then prints:
- the floor: the time Polars takes only to read every input file of every hub once;
- per stage (read, validate, transform, write workbooks, write school reports, store), wall time and peak
  memory, over every hub one after the other in this process, calling what the flow calls, without Prefect;
- the national flow end to end (`hubreturns national`, Prefect included): returns, trackers and national
  summary, then again with every school's report; wall time, peak memory, and the ratio to the floor;
- one hub's nightly run with every output (`hubreturns run`), Prefect's start-up included.
Targets on a 2-core machine: national run under 3 min (under 10 min with school reports), peak memory under
6 GiB, within 10 x the floor without school reports; one hub's run under 30 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from core.hub_run import Period, input_summary, workbook_meta
from core.hub_run import SCHOOL_REPORTS_FOLDER, engagement_rules
from foundation.hub_config import HubConfig, load_config
from foundation.provenance import code_version
from ingest.files import read_text_table
from ingest.pipeline import input_frames, load_and_check
from outputs.annual_return import write_annual_return
from outputs.house_style import Note
from outputs.school_engagement import write_school_engagement
from outputs.school_reports import write_school_reports
from outputs.validation_report import write_validation_report
from schemas.periods import AcademicYear
from schemas.return_layout import return_layout
from store.repository import RunRecord, open_store, record_run
from transforms.activity import HubData
from transforms.engagement_tables import engagement_notes, engagement_tables
from transforms.figures import collect_tables
from transforms.published import published_markers, shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables
from transforms.validation_rows import report_rows

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)
KEY = b"benchmark-key-0123456789"
STAGES = ("read", "validate", "transform", "write workbooks", "write school reports", "store")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Memory:
    """Samples this process's resident memory every 20 ms and keeps the peak seen within each stage."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.peaks: dict[str, int] = defaultdict(int)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            with open("/proc/self/statm") as statm:
                rss = int(statm.read().split()[1]) * PAGE
            if self.stage:
                self.peaks[self.stage] = max(self.peaks[self.stage], rss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class Stages:
    """Wall time and peak memory per stage, summed over hubs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.memory = Memory()

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        self.memory.stage = stage
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started
            self.memory.stage = None


def _input_paths(config: HubConfig) -> list[tuple[Path, str | None]]:
    return [(f.path, f.sheet) for files in config.inputs.values() for f in files]


def floor_seconds(configs: list[HubConfig]) -> tuple[float, int]:
    """Polars reading every input file once, as text; and the bytes read."""
    started, size = time.perf_counter(), 0
    for config in configs:
        for path, sheet in _input_paths(config):
            size += path.stat().st_size
            if path.suffix.lower() == ".xlsx":
                pl.read_excel(path, sheet_name=sheet)
            else:
                pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    return time.perf_counter() - started, size


def profile_hub(config: HubConfig, stages: Stages, out: Path) -> None:
    """One hub through every stage, as the flow does it (without Prefect)."""
    config = config.model_copy(update={"output_dir": out})
    with stages.timed("read"):
        started = time.perf_counter()
        for path, sheet in _input_paths(config):
            read_text_table(path, sheet=sheet)
        read = time.perf_counter() - started
    with stages.timed("validate"):
        loaded = load_and_check(config, key=KEY, year=YEAR, as_of=AS_OF)
    stages.seconds["validate"] -= read  # load_and_check reads the files again: count that once, as "read"
    run_id = f"bench-{config.hub.slug}"
    meta = workbook_meta(
        config, Period(year=YEAR, as_of=AS_OF), run_id, code_version(), loaded, "annual return"
    )
    with stages.timed("transform"):
        data = HubData.of_frames(input_frames(loaded))
        layout = return_layout(YEAR)
        lazy = return_tables(
            data,
            la_codes=config.hub.la_codes,
            year=YEAR,
            as_of=AS_OF,
            previous_kpis=None,
            engaged_duties=return_layout(YEAR).kpi5.duties,
        )
        tables = collect_tables(lazy)
        tables["functions"] = function_map(layout).collect()
        tables["data_quality"] = input_summary(loaded)
        figures = return_figures({k: v.lazy() for k, v in tables.items()}).collect()
        tables["changes"] = changes_table(figures.lazy(), figures.lazy(), layout).collect()
        rules = engagement_rules(config, YEAR)
        school = engagement_tables(
            data,
            tables["progression"].lazy(),
            la_codes=config.hub.la_codes,
            year=YEAR,
            as_of=AS_OF,
            rules=rules,
        )
        school = collect_tables(school)
    folder = out / config.hub.slug
    folder.mkdir(parents=True, exist_ok=True)
    failures = pl.concat([item.failures for item in loaded])
    school_notes = [Note(n, t) for n, t in engagement_notes(year=YEAR, as_of=AS_OF, rules=rules)]
    with stages.timed("write workbooks"):
        write_validation_report(
            folder / "validation.xlsx",
            meta,
            inputs=input_summary(loaded),
            failures=report_rows(failures.lazy()).collect(),
        )
        shown = shown_tables(tables, layout)
        for published in (False, True):
            notes, table_notes = return_notes(
                layout, year=YEAR, as_of=AS_OF, threshold=4, published=published
            )
            write_annual_return(
                folder / f"return-{published}.xlsx",
                meta,
                layout=layout,
                tables=shown,
                notes=[Note(n, t) for n, t in notes],
                table_notes=table_notes,
                markers=published_markers(shown, threshold=4) if published else {},
            )
        write_school_engagement(
            folder / "tracker.xlsx",
            meta,
            tracker=school["tracker"],
            summary=school["summary"],
            map_points=school["map"],
            priorities=school["priorities"],
            ofsted=school["ofsted"],
            exceptions=school["exceptions"],
            notes=school_notes,
        )
    with stages.timed("write school reports"):
        write_school_reports(
            folder / SCHOOL_REPORTS_FOLDER,
            meta,
            tracker=school["tracker"],
            brief=school["brief"],
            prompts=school["prompts"],
            activity=school["activity"],
            rag=school["rag"],
            conversations=school["conversations"],
            actions=school["actions"],
            notes=school_notes,
            framework=rules.framework,
            processes=config.settings.report_processes,
        )
    with stages.timed("store"):
        now = datetime.now(UTC)
        record_run(
            open_store(f"sqlite:///{out / 'bench.db'}"),
            RunRecord(
                run_id=run_id,
                flow_run_id=run_id,
                hub_slug=config.hub.slug,
                academic_year=YEAR.label,
                as_of=AS_OF,
                parameters={},
                status="published",
                started_at=now,
                finished_at=now,
                code_version="bench",
                config_sha256=config.sha256,
                inputs=[f for item in loaded for f in item.files],
            ),
            figures=figures,
            failures=failures,
        )


# Runs a command and prints, last, the peak memory (KiB) of the biggest of its processes.
_PEAK_OF = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def run_command(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run a command to the end: its wall time, exit code and the peak memory of its biggest process."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, *command],
        check=False,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - started
    lines = completed.stderr.strip().splitlines()
    if completed.returncode:
        print("\n".join(lines[-40:-1]), file=sys.stderr)
    return seconds, completed.returncode, int(lines[-1]) * 1024


def _gib(size: int) -> str:
    return f"{size / 2**30:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, help="folder of a generated England (generated there if empty)")
    parser.add_argument("--hubs", type=int, help="only the first N hubs (default: all 43)")
    parser.add_argument(
        "--skip-reports", action="store_true", help="leave out the run with every school report"
    )
    parser.add_argument("--skip-stages", action="store_true", help="leave out the per-stage profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hubreturns-bench-") as scratch:
        data = args.data or Path(scratch) / "england"
        bin_dir = Path(sys.executable).parent
        if not (data / "england.toml").is_file():
            started = time.perf_counter()
            command = [
                str(bin_dir / "hubreturns"),
                "generate",
                "--scale",
                "england",
                "--out",
                str(data),
                "--year",
                YEAR.label,
            ]
            if args.hubs:
                command += ["--hubs", str(args.hubs)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            print(f"generate England: {time.perf_counter() - started:.1f} s")
        manifest = tomllib.loads((data / "england.toml").read_text())["england"]
        configs = [load_config(p) for p in sorted((data / "hubs").glob("*.toml"))]
        print(
            f"{len(configs)} hubs, {manifest['school_count']:,} schools, {manifest['pupil_count']:,} pupils on roll"
        )

        floor, size = floor_seconds(configs)
        floor = min(
            floor, floor_seconds(configs)[0]
        )  # the second read is warm in the page cache, as is the run's
        print(f"floor (Polars reads every input once, {size / 2**20:,.0f} MiB): {floor:.2f} s")

        if not args.skip_stages:
            stages = Stages()
            out = Path(scratch) / "stages"
            for config in configs:
                profile_hub(config, stages, out)
            stages.memory.stop()
            print("\nstage                   wall (s)   peak memory")
            for stage in STAGES:
                print(f"{stage:<22} {stages.seconds[stage]:>9.1f}   {_gib(stages.memory.peaks[stage])}")
            print(f"{'all stages':<22} {sum(stages.seconds.values()):>9.1f}")

        env = {
            **os.environ,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "PREFECT_HOME": str(Path(scratch) / "prefect-home"),
        }
        national = [
            str(bin_dir / "hubreturns"),
            "national",
            "--hubs-folder",
            str(data / "hubs"),
            "--year",
            YEAR.label,
            "--as-of",
            AS_OF.isoformat(),
            "--published",
        ]
        print()
        seconds, code, peak = run_command(
            [*national, "--sections", "annual_return", "school_engagement"], env
        )
        print(
            f"national run, returns + trackers + summary: {seconds:.1f} s (exit {code}), peak memory {_gib(peak)}, "
            f"{seconds / floor:.0f} x the floor"
        )
        if not args.skip_reports:
            seconds, code, peak = run_command(national, env)
            print(
                f"national run with every school report: {seconds:.1f} s (exit {code}), peak memory {_gib(peak)}"
            )
        one = [
            str(bin_dir / "hubreturns"),
            "run",
            "--config",
            str(configs[0].config_path),
            "--year",
            YEAR.label,
            "--as-of",
            AS_OF.isoformat(),
            "--published",
        ]
        seconds, code, _ = run_command(one, env)
        print(
            f"one hub's run ({configs[0].hub.slug}), every output, Prefect start-up included: {seconds:.1f} s "
            f"(exit {code})"
        )


if __name__ == "__main__":
    main()
