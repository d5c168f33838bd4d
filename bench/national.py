"""Benchmark: the national roll-up over a synthetic England, each stage against its floor (issue 15 point 4).

    .venv/bin/python bench/national.py [--data DIR] [--hubs N] [--skip-reports] [--skip-stages] [--skip-runs]

Generates England once into DIR with ``hubreturns generate --scale england`` (default: a temporary folder; an
existing DIR with england.toml is reused; ``--hubs N`` writes only the first N hubs), then prints:
- per stage, over every hub one after the other in this process, calling what a hub's run calls, without
  Prefect: wall time, peak memory, its floor and the ratio to it:
  read      the project's reader over every input  | floor: Polars reads every input file once
  validate  headers, types, checks, cross-checks   | floor: one Polars query per model of all its checks
  compute   the return's and tracker's tables      | floor: the same lazy tables, both workbooks' together,
                                                     in one ``pl.collect_all`` (Polars' in-memory engine)
  write     validation report, return (management
            and published) and tracker workbooks   | floor: their cells with plain xlsxwriter ``write_row``
  summary   England's totals, the direct check
            (from the frames already validated), the
            hubs side by side, the summary workbook | floor: the hubs' KPIs summed in one query + the
                                                       summary's cells with plain ``write_row``
- the national flow end to end (``hubreturns national``, Prefect included): returns, trackers and national
  summary, then again with every school's report; wall time, peak memory, and the ratio to the sum of floors;
- one hub's run with every output (``hubreturns run``).
Targets (issue 15, 2-core machine, all 43 hubs): returns, trackers and summary at most 90 s; with every
school report at most 5 minutes; peak memory at most 3 GiB.
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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandera.polars as pa
import polars as pl
from workbook_ceiling import workbook_cells, write_cells

from core.hub_run import Period, engagement_rules, input_summary, workbook_meta
from foundation.hub_config import HubConfig, load_config
from foundation.provenance import code_version
from ingest.files import read_text_table
from ingest.pipeline import input_frames, load_and_check
from ingest.sources import LoadedInput
from outputs.annual_return import write_annual_return
from outputs.house_style import Note, WorkbookMeta
from outputs.national_summary import write_national_summary
from outputs.school_engagement import write_school_engagement
from outputs.validation_report import write_validation_report
from schemas.census import SchoolCensus, SenCensus
from schemas.hub_exports import HUB_EXPORTS
from schemas.national import HubRunRow
from schemas.one_pass import failing_columns
from schemas.periods import AcademicYear
from schemas.register import Establishment, EstablishmentLink
from schemas.return_layout import return_layout
from transforms.activity import HubData
from transforms.engagement_tables import engagement_notes, engagement_tables
from transforms.figures import TABLE_ENGINE, collect_tables
from transforms.kpis import Kpi, kpis_from_figures
from transforms.national import (
    HUB_KPI_SCHEMA,
    HUB_NAME,
    HUB_SLUG,
    LOCAL_AUTHORITIES,
    RUN_ID,
    combined,
    direct_kpis,
    england_totals,
    hubs_side_by_side,
    reconcile,
)
from transforms.published import published_markers, shown_tables
from transforms.return_tables import changes_table, function_map, return_figures, return_notes, return_tables
from transforms.validation_rows import report_rows

YEAR, AS_OF = AcademicYear(2025), date(2026, 11, 23)
KEY = b"benchmark-key-0123456789"
STAGES = ("read", "validate", "compute", "write", "summary")
PAGE = os.sysconf("SC_PAGE_SIZE")
MODELS: dict[str, type[pa.DataFrameModel]] = {
    "gias": Establishment,
    "gias_links": EstablishmentLink,
    "census": SchoolCensus,
    "sen": SenCensus,
    **HUB_EXPORTS,
}


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
            rss = int(Path("/proc/self/statm").read_text().split()[1]) * PAGE
            if self.stage:
                self.peaks[self.stage] = max(self.peaks[self.stage], rss)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


@dataclass
class Stages:
    """Wall time, floor and peak memory per stage, summed over hubs."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    floors: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    memory: Memory = field(default_factory=Memory)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Count the time inside to ``stage``."""
        self.memory.stage = stage
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started
            self.memory.stage = None

    @contextmanager
    def floor(self, stage: str) -> Iterator[None]:
        """Count the time inside to ``stage``'s floor."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.floors[stage] += time.perf_counter() - started


def _input_paths(config: HubConfig) -> list[tuple[Path, str | None]]:
    return [(f.path, f.sheet) for files in config.inputs.values() for f in files]


def read_floor(config: HubConfig) -> int:
    """Polars reading every input file of a hub once, as text; the bytes read."""
    size = 0
    for path, sheet in _input_paths(config):
        size += path.stat().st_size
        if path.suffix.lower() == ".xlsx":
            pl.read_excel(path, sheet_name=sheet)
        else:
            pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    return size


def validate_floor(loaded: list[LoadedInput]) -> None:
    """One Polars query per input of every check of its model, over its typed rows."""
    for item in loaded:
        model = MODELS.get(item.source)
        if model is not None and item.all_rows is not None:
            schema = model.to_schema()
            failing_columns(
                schema, item.all_rows.select([c for c in schema.columns if c in item.all_rows.columns])
            )


def write_floor(paths: list[Path], scratch: Path) -> None:
    """The cells of the workbooks at ``paths`` written again with plain xlsxwriter ``write_row``."""
    cells = [workbook_cells(path) for path in paths]
    with_floor = time.perf_counter()
    for number, each in enumerate(cells):
        write_cells(scratch / f"floor-{number}.xlsx", each)
    write_floor.seconds = time.perf_counter() - with_floor  # type: ignore[attr-defined]


@dataclass
class HubResult:
    """What the summary stage needs of a hub: its KPIs and its validated frames."""

    config: HubConfig
    kpis: pl.DataFrame
    frames: dict[str, pl.DataFrame]


def profile_hub(config: HubConfig, stages: Stages, out: Path) -> HubResult:
    """One hub through read, validate, compute and write, as a hub's run does it (without Prefect)."""
    config = config.model_copy(update={"output_dir": out})
    with stages.floor("read"):
        read_floor(config)
    with stages.timed("read"):
        started = time.perf_counter()
        for path, sheet in _input_paths(config):
            read_text_table(path, sheet=sheet)
        read = time.perf_counter() - started
    with stages.timed("validate"):
        loaded = load_and_check(config, key=KEY, year=YEAR, as_of=AS_OF)
    stages.seconds["validate"] -= read  # load_and_check reads the files again: count that once, as "read"
    with stages.floor("validate"):
        validate_floor(loaded)
    run_id = f"bench-{config.hub.slug}"
    meta = workbook_meta(
        config, Period(year=YEAR, as_of=AS_OF), run_id, code_version(), loaded, "annual return"
    )
    layout = return_layout(YEAR)
    rules = engagement_rules(config, YEAR)
    frames = input_frames(loaded)
    data = HubData.of_frames(frames)

    def return_lazy() -> dict[str, pl.LazyFrame]:
        """The return's lazy tables."""
        return return_tables(
            data,
            la_codes=config.hub.la_codes,
            year=YEAR,
            as_of=AS_OF,
            previous_kpis=None,
            engaged_duties=layout.kpi5.duties,
        )

    def school_lazy(progression: pl.LazyFrame) -> dict[str, pl.LazyFrame]:
        """The tracker's lazy tables, from the return's progression table."""
        return engagement_tables(
            data, progression, la_codes=config.hub.la_codes, year=YEAR, as_of=AS_OF, rules=rules
        )

    with stages.timed("compute"):  # as the flow does it: the return's tables, then the tracker's from them
        tables = collect_tables(return_lazy())
        tables["functions"] = function_map(layout).collect()
        tables["data_quality"] = input_summary(loaded)
        figures = return_figures({k: v.lazy() for k, v in tables.items()}).collect()
        tables["changes"] = changes_table(figures.lazy(), figures.lazy(), layout).collect()
        school = collect_tables(school_lazy(tables["progression"].lazy()))
    with stages.floor("compute"):  # every table of both, in one query plan (shared parts computed once)
        returned = return_lazy()
        every = [*returned.values(), *school_lazy(returned["progression"]).values()]
        pl.collect_all(every, engine=TABLE_ENGINE)
    folder = out / config.hub.slug
    folder.mkdir(parents=True, exist_ok=True)
    failures = pl.concat([item.failures for item in loaded])
    school_notes = [Note(n, t) for n, t in engagement_notes(year=YEAR, as_of=AS_OF, rules=rules)]
    written = [folder / "validation.xlsx", folder / "return-False.xlsx", folder / "return-True.xlsx"]
    written.append(folder / "tracker.xlsx")
    with stages.timed("write"):
        write_validation_report(
            written[0], meta, inputs=input_summary(loaded), failures=report_rows(failures.lazy()).collect()
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
            written[3],
            meta,
            tracker=school["tracker"],
            summary=school["summary"],
            map_points=school["map"],
            priorities=school["priorities"],
            ofsted=school["ofsted"],
            exceptions=school["exceptions"],
            notes=school_notes,
        )
    write_floor(written, folder)
    stages.floors["write"] += write_floor.seconds  # type: ignore[attr-defined]
    kpis = kpis_from_figures(figures.lazy()).with_columns(pl.lit(config.hub.slug).alias(HUB_SLUG))
    return HubResult(config, kpis.select(list(HUB_KPI_SCHEMA)).collect(), frames)


def summarise(results: list[HubResult], stages: Stages, out: Path) -> None:
    """England's totals, the direct check over the frames already validated, and the summary workbook."""
    path = out / "national-summary.xlsx"
    with stages.timed("summary"):
        all_kpis = pl.concat([r.kpis for r in results]).lazy()
        direct = direct_kpis(
            combined({r.config.hub.slug: HubData.of_frames(r.frames) for r in results}),
            la_codes=tuple(code for r in results for code in r.config.hub.la_codes),
            year=YEAR,
            as_of=AS_OF,
            engaged_duties=return_layout(YEAR).kpi5.duties,
        )
        england = reconcile(england_totals(all_kpis), direct).collect()
        hubs = [
            {HUB_SLUG: r.config.hub.slug, HUB_NAME: r.config.hub.name,
             LOCAL_AUTHORITIES: ", ".join(r.config.hub.la_codes), RUN_ID: f"bench-{r.config.hub.slug}"}
            for r in results
        ]  # fmt: skip
        side_by_side = hubs_side_by_side(pl.LazyFrame(hubs, schema={k: pl.String for k in hubs[0]}), all_kpis)
        runs = pl.DataFrame(
            [{str(HubRunRow.hub_name): r.config.hub.name, str(HubRunRow.hub_slug): r.config.hub.slug,
              str(HubRunRow.status): "published", str(HubRunRow.figures_from): "bench",
              str(HubRunRow.message): None, str(HubRunRow.annual_return): None} for r in results],
            schema={str(c): pl.String for c in HubRunRow.to_schema().columns},
        )  # fmt: skip
        meta = WorkbookMeta(
            title="National summary (bench)",
            hub_name=f"England: {len(results)} hubs",
            period_label=YEAR.label,
            as_of=AS_OF,
            run_id="bench",
            code_version="bench",
            created=datetime(2026, 11, 23),
            sources=(),
        )
        write_national_summary(path, meta, england=england, hubs=side_by_side.collect(), runs=runs)
    with stages.floor("summary"):
        pl.concat([r.kpis for r in results]).group_by(Kpi.kpi_code).agg(
            pl.col(Kpi.count, Kpi.denominator).sum()
        )
    write_floor([path], out)
    stages.floors["summary"] += write_floor.seconds  # type: ignore[attr-defined]


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
    """Generate England, profile the stages against their floors, and time the command-line runs."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, help="folder of a generated England (generated there if empty)")
    parser.add_argument("--hubs", type=int, help="only the first N hubs (default: all 43)")
    parser.add_argument(
        "--skip-reports", action="store_true", help="leave out the run with every school report"
    )
    parser.add_argument("--skip-stages", action="store_true", help="leave out the per-stage profile")
    parser.add_argument("--skip-runs", action="store_true", help="leave out the command-line runs")
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

        floor = None
        if not args.skip_stages:
            read_floor(configs[0])  # warm the page cache once, as a run finds it
            stages = Stages()
            out = Path(scratch) / "stages"
            results = [profile_hub(config, stages, out) for config in configs]
            summarise(results, stages, out)
            stages.memory.stop()
            print(
                f"\nstage      wall (s)   floor (s)   ratio   peak memory   ({len(configs)} hubs one after another)"
            )
            for stage in STAGES:
                seconds, stage_floor = stages.seconds[stage], stages.floors[stage]
                print(
                    f"{stage:<9} {seconds:>9.2f}   {stage_floor:>9.2f}   {seconds / stage_floor:>5.1f}   "
                    f"{_gib(stages.memory.peaks[stage])}"
                )
            floor = sum(stages.floors.values())
            print(f"{'all':<9} {sum(stages.seconds.values()):>9.2f}   {floor:>9.2f}   "
                  f"{sum(stages.seconds.values()) / floor:>5.1f}")  # fmt: skip
        if args.skip_runs:
            return

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
            f"national run, returns + trackers + summary: {seconds:.1f} s (exit {code}), peak memory {_gib(peak)}"
            + (f", {seconds / floor:.0f} x the sum of the stages' floors" if floor else "")
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
