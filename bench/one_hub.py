"""Benchmark: one demo hub's run by the command line and by the flow, against the floor (issue 15 point 4).

Run by hand:  .venv/bin/python bench/one_hub.py [--repeat 3] [--skip-reports]

Generates the demo hub (``hubreturns generate``) into a temporary folder, then prints, as the median of
``--repeat`` runs:
- the CLI path: ``hubreturns run --config hub.toml --sections annual_return school_engagement`` as a
  subprocess with PREFECT_API_URL unset (whatever the command does then: today Prefect's temporary server),
  and the same with school_reports added;
- the flow path: the same two commands with a Prefect server configured (PREFECT_API_URL): a real
  ``prefect server start`` in a subprocess on a free port, started once before the runs (its start-up time
  is printed, not counted in the runs);
- the floor: reading every input file once (Polars; fastexcel for xlsx) plus writing the same cells as the
  run's workbooks (the return and the tracker, and with school reports every school's report): read back from
  the workbooks the run wrote with openpyxl, written with plain xlsxwriter ``write_row``, no formats;
and each run's time as a ratio to its floor. Targets (issue 15): return and tracker at most 5 s by the CLI,
with the school reports at most 15 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from workbook_ceiling import workbook_cells, write_cells

from foundation.hub_config import HubConfig, load_config

YEAR, AS_OF = "2025/26", "2026-11-23"
SECTIONS = ("annual_return", "school_engagement")
BIN = Path(sys.executable).parent


def _environment(home: Path, api_url: str | None) -> dict[str, str]:
    """The environment for a run: Prefect's home in the scratch folder, the API given or none at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def run_seconds(config: Path, sections: tuple[str, ...], env: dict[str, str]) -> float:
    """Wall time of one ``hubreturns run`` of the hub to its end; stops the bench if it fails."""
    command = [str(BIN / "hubreturns"), "run", "--config", str(config), "--year", YEAR, "--as-of", AS_OF]
    command += ["--sections", *sections]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """A real Prefect server (``prefect server start``) on a free local port: its API URL, until closed."""
    port = _free_port()
    env = _environment(home, None)
    home.mkdir(parents=True, exist_ok=True)
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"The Prefect server did not start: see {home / 'server.log'}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def read_floor(config: HubConfig) -> float:
    """Seconds to read every input file once: Polars for CSV, fastexcel (Polars' read_excel) for xlsx."""
    started = time.perf_counter()
    for files in config.inputs.values():
        for item in files:
            if item.path.suffix.lower() == ".xlsx":
                pl.read_excel(item.path, sheet_name=item.sheet)
            else:
                pl.read_csv(item.path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)
    return time.perf_counter() - started


def write_floor(workbooks: list[Path], scratch: Path) -> float:
    """Seconds to write the cells of ``workbooks`` again with plain xlsxwriter ``write_row``."""
    cells = [workbook_cells(path) for path in workbooks]
    started = time.perf_counter()
    for number, each in enumerate(cells):
        write_cells(scratch / f"floor-{number}.xlsx", each)
    return time.perf_counter() - started


def median_of(repeat: int, measure: object) -> float:
    """The median of ``repeat`` calls of ``measure`` (a function returning seconds)."""
    return statistics.median(measure() for _ in range(repeat))  # type: ignore[operator]


def main() -> None:
    """Generate the demo hub, time its runs both ways and the floor, and print the ratios."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--skip-reports", action="store_true", help="leave out the runs with school reports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hubreturns-bench-") as scratch_name:
        scratch = Path(scratch_name)
        hub = scratch / "hub"
        subprocess.run(
            [str(BIN / "hubreturns"), "generate", "--out", str(hub), "--year", YEAR],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        config_path = hub / "hub.toml"
        config = load_config(config_path)
        out = config.output_dir / config.hub.slug
        variants = [("return + tracker", SECTIONS)]
        if not args.skip_reports:
            variants.append(("with school reports", (*SECTIONS, "school_reports")))
        cli_env = _environment(scratch / "prefect-cli", None)
        results: dict[str, dict[str, float]] = {}
        for name, sections in variants:
            shutil.rmtree(out, ignore_errors=True)
            results[name] = {
                "cli": median_of(args.repeat, lambda s=sections: run_seconds(config_path, s, cli_env))
            }
            produced = sorted(out.rglob("*.xlsx"))
            workbooks = [
                p
                for p in produced
                if p.name.endswith(("-annual-return.xlsx", "-school-engagement.xlsx"))
                or p.parent.name == "schools"
            ]
            read = median_of(args.repeat, lambda: read_floor(config))
            write = median_of(args.repeat, lambda w=workbooks: write_floor(w, scratch))
            results[name].update(read=read, write=write, workbooks=len(workbooks))
        started = time.perf_counter()
        with prefect_server(scratch / "prefect-server") as url:
            print(
                f"Prefect server (prefect server start, port of {url}) up in {time.perf_counter() - started:.1f} s"
            )
            flow_env = _environment(scratch / "prefect-server", url)
            for name, sections in variants:
                results[name]["flow"] = median_of(
                    args.repeat, lambda s=sections: run_seconds(config_path, s, flow_env)
                )
        print(f"\none demo hub ({config.hub.name}), median of {args.repeat} runs; the machine may be shared")
        for name, figures in results.items():
            floor = figures["read"] + figures["write"]
            print(
                f"{name:<20} floor {floor:6.2f} s (read inputs {figures['read']:.2f} s + write "
                f"{figures['workbooks']:.0f} workbooks' cells {figures['write']:.2f} s) | "
                f"CLI {figures['cli']:6.2f} s = {figures['cli'] / floor:5.1f} x floor | "
                f"flow {figures['flow']:6.2f} s = {figures['flow'] / floor:5.1f} x floor"
            )


if __name__ == "__main__":
    main()
