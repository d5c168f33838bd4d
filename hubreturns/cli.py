"""The `hubreturns` command for data officers: demo, generate, run."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hubreturns.config import DATABASE_URL_VARIABLE
from hubreturns.errors import HubReturnsError, InputFileError, ValidationFailed

if TYPE_CHECKING:
    from hubreturns.synthetic.generator import AreaSummary

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2
# The flow's sections (flows/annual_return.py: SECTIONS), repeated so `--help` does not have to import Prefect.
SECTION_CHOICES = ("annual_return", "school_engagement", "school_reports")

# Prefect settings found to matter on small machines (shared/reference/stack-notes.md): a cold ephemeral
# server takes 12-20 s to start, so the default 20 s start-up timeout is too tight; telemetry only adds noise.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def _prefect_environment() -> None:
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", help="academic year to report, e.g. 2025/26 (default: the one containing --as-of)")
    parser.add_argument("--as-of", dest="as_of", help="date the data is taken as known, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="publish even when some rows fail validation (they are left out and counted)",
    )
    parser.add_argument(
        "--published",
        action="store_true",
        help="also write the published variant of the return, with small numbers suppressed ([c])",
    )
    parser.add_argument("--database-url", help="store URL, overriding the configuration (e.g. postgresql://...)")
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=SECTION_CHOICES,
        help="write only these (default: all): the annual return, the school engagement tracker, the school reports",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job."""
    parser = argparse.ArgumentParser(prog="hubreturns", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic hub area's input files")
    generate.add_argument("--out", required=True, type=Path, help="folder to write into")
    generate.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same files)")
    generate.add_argument("--year", help="latest academic year of activity (default: the latest complete one)")
    generate.add_argument(
        "--faults", action="store_true", help="write realistic defects into the files, to see the validation report"
    )
    generate.add_argument(
        "--scale",
        choices=("hub", "england"),
        default="hub",
        help="one hub area (default), or all of England: 43 hub areas, a configuration each in OUT/hubs/",
    )
    generate.add_argument("--hubs", type=int, help="with --scale england: write only the first N hubs")
    generate.add_argument(
        "--schools-per-la",
        dest="schools_per_la",
        type=int,
        help="with --scale england: average schools per local authority (default: national size)",
    )
    generate.add_argument(
        "--workers", type=int, default=2, help="with --scale england: hubs written at once (default: 2)"
    )

    run = commands.add_parser("run", help="build a hub's annual return from its configuration file")
    run.add_argument("--config", required=True, type=Path, help="the hub's configuration file (hub.toml)")
    _add_run_options(run)

    validate = commands.add_parser("validate", help="check a hub's input files and write the validation report")
    validate.add_argument("--config", required=True, type=Path, help="the hub's configuration file (hub.toml)")
    validate.add_argument("--year", help="academic year to check against, e.g. 2025/26")
    validate.add_argument("--as-of", dest="as_of", help="as-of date, YYYY-MM-DD (default: today)")

    national = commands.add_parser(
        "national", help="run every hub in a folder of configurations and write the national summary"
    )
    national.add_argument(
        "--hubs-folder", dest="hubs_folder", type=Path, default=Path("config/hubs"),
        help="folder holding one <slug>.toml per hub (default: config/hubs)",
    )
    _add_run_options(national)
    national.add_argument("--output-dir", dest="output_dir", type=Path, help="where the national summary goes "
                          "(default: the first hub's output folder)")
    national.add_argument("--parallel", type=int, default=2, help="hubs run at once on this machine (default: 2)")
    national.add_argument("--dask-address", dest="dask_address",
                          help="run the hubs on this Dask scheduler instead, e.g. tcp://10.0.0.5:8786")
    national.add_argument("--no-check", dest="check_totals", action="store_false",
                          help="skip the direct computation that checks England's totals")
    national.add_argument("--skip-unchanged", dest="skip_unchanged", action="store_true",
                          help="leave alone every hub none of whose files changed since its last published run")

    demo = commands.add_parser("demo", help="generate the demo hub area and build its annual return")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder for the demo (default: ./demo)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed")
    _add_run_options(demo)
    return parser


def _parse_year(text: str | None):  # type: ignore[no-untyped-def]
    from schemas.periods import AcademicYear

    if text is None:
        return None
    try:
        return AcademicYear.parse(text)
    except ValueError as exc:
        raise HubReturnsError(str(exc)) from exc


def _generate(out: Path, seed: int, year_text: str | None, *, faults: bool = False) -> Path:
    year = _parse_year(year_text)
    from hubreturns.synthetic import generate_hub_area

    config = generate_hub_area(out, seed=seed, year=year)
    if faults:
        from hubreturns.synthetic.faults import inject_faults
        from schemas.periods import AcademicYear

        injected = inject_faults(config, year=year or AcademicYear.latest_complete(date.today()))
        print(f"{len(injected)} defects written, for example {injected[0].file} row {injected[0].row}")
    return config


def _generate_england(args: argparse.Namespace) -> int:
    if args.faults:
        raise HubReturnsError("--faults writes into one hub area: use it without --scale england")
    if args.hubs is not None and args.hubs < 1:
        raise HubReturnsError("--hubs must be at least 1")
    if args.schools_per_la is not None and args.schools_per_la < 1:
        raise HubReturnsError("--schools-per-la must be at least 1")
    year = _parse_year(args.year)
    from hubreturns.synthetic.england import SCHOOLS_PER_LA, generate_england

    def progress(done: int, total: int, hub: AreaSummary) -> None:
        print(
            f"  [{done:>2}/{total}] {hub.slug}: {hub.schools:,} schools, {hub.pupils:,} pupils on roll",
            flush=True,
        )

    summary = generate_england(
        args.out,
        seed=args.seed,
        year=year,
        hubs=args.hubs,
        schools_per_la=args.schools_per_la or SCHOOLS_PER_LA,
        workers=max(1, args.workers),
        progress=progress,
    )
    print(
        f"Synthetic England written to {args.out}: {len(summary.hubs)} hubs, {summary.schools:,} schools, "
        f"{summary.pupils:,} pupils on roll, in {summary.seconds:.0f} s; manifest: {summary.manifest}"
    )
    return EXIT_OK


def _preflight(config_path: Path, args: argparse.Namespace) -> None:
    """Check what can be checked in a second (configuration, year, key) before Prefect starts its server."""
    from hubreturns.config import load_config
    from ingest.pseudonymise import resolve_key

    config = load_config(config_path, database_url=getattr(args, "database_url", None))
    _parse_year(args.year)
    if args.as_of is not None:
        try:
            date.fromisoformat(args.as_of)
        except ValueError as exc:
            raise HubReturnsError(f"the as-of date '{args.as_of}' is not a date: write it as YYYY-MM-DD") from exc
    if not config.settings.key_secret_block:  # a Secret block can only be read once Prefect is up
        resolve_key(allow_demo_key=config.settings.allow_demo_key)


def _use_database_url(args: argparse.Namespace) -> None:
    """Hand --database-url to the run through its environment: a flow parameter would be recorded by Prefect,
    password and all."""
    if args.database_url:
        os.environ[DATABASE_URL_VARIABLE] = args.database_url


def _run(config: Path, args: argparse.Namespace) -> int:
    _preflight(config, args)
    _prefect_environment()
    _use_database_url(args)
    from flows.annual_return import annual_return

    summary = annual_return(
        config_path=str(config),
        academic_year=args.year,
        as_of=args.as_of,
        strict=args.strict,
        published=args.published,
        sections=args.sections,
    )
    print(f"\n{summary.hub} {summary.academic_year}: {summary.status}")
    for kpi in summary.kpis:
        share = f"{kpi['count_pct']:.1%}" if kpi["count_pct"] is not None else "[x]"
        print(f"  {kpi['kpi_code']}: {kpi['count']:,} of {kpi['denominator']:,} ({share})  {kpi['measure']}")
    if summary.rows_quarantined:
        print(f"  {summary.rows_quarantined} row(s) were left out because they failed validation.")
    print("Workbooks written:")
    for path in summary.outputs.values():
        print(f"  {path}")
    return EXIT_OK


@contextmanager
def _shared_prefect_server() -> Iterator[None]:
    """Without a Prefect server configured, one temporary server for this command and every process it starts
    (each would otherwise start its own), as Prefect's ephemeral mode does for one process.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=int(PREFECT_DEFAULTS["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    # Stopped at exit, after Prefect has sent the last logs (its log and event services drain at exit too,
    # and exit handlers run last-registered first), as its own temporary server is.
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.api_url  # for the processes started from here
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):  # for this one
            yield
    finally:
        del os.environ["PREFECT_API_URL"]


def _national(args: argparse.Namespace) -> int:
    _parse_year(args.year)
    _prefect_environment()
    _use_database_url(args)
    from flows.national import national

    with _shared_prefect_server():
        summary = national(
            hubs_folder=str(args.hubs_folder),
            academic_year=args.year,
            as_of=args.as_of,
            strict=args.strict,
            published=args.published,
            sections=args.sections,
            check_totals=args.check_totals,
            skip_unchanged=args.skip_unchanged,
            output_dir=str(args.output_dir) if args.output_dir else None,
            max_parallel_hubs=args.parallel,
            dask_address=args.dask_address,
        )
    print(f"\nEngland {summary.academic_year}: {len(summary.hubs)} hub(s), {len(summary.failed)} failed")
    for hub in summary.hubs:
        if hub.status == "failed":
            print(f"  {hub.hub_slug}: failed: {hub.message.splitlines()[0]}")
    for kpi in summary.england:
        share = f"{kpi['count_pct']:.1%}" if kpi["count_pct"] is not None else "[x]"
        check = {True: "reconciled", False: "NOT reconciled", None: "not checked"}[kpi["reconciled"]]
        print(f"  {kpi['kpi_code']}: {kpi['count']:,} of {kpi['denominator']:,} ({share}), {check}  {kpi['measure']}")
    print(f"National summary: {summary.summary_path}")
    return EXIT_FAILURES if summary.failed or summary.reconciled is False else EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    _preflight(args.config, args)
    _prefect_environment()
    from flows.annual_return import validate_inputs

    summary = validate_inputs(config_path=str(args.config), academic_year=args.year, as_of=args.as_of)
    print(f"\n{summary.hub} {summary.academic_year}: {summary.error_count} error(s), {summary.warning_count} warning(s)")
    for problem in summary.unreadable:
        print(f"  {problem}")
    for row in summary.inputs:
        if row["error_count"] or row["warning_count"]:
            print(f"  {row['file']}: {row['error_count']} error(s), {row['warning_count']} warning(s)")
    print(f"Validation report: {summary.report}")
    return EXIT_FAILURES if summary.error_count else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; errors a data officer can fix are printed plainly, without a traceback."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate" and args.scale == "england":
            return _generate_england(args)
        if args.command == "generate":
            if args.hubs is not None or args.schools_per_la is not None:
                raise HubReturnsError("--hubs and --schools-per-la need --scale england")
            config = _generate(args.out, args.seed, args.year, faults=args.faults)
            print(f"Synthetic hub area written to {args.out}; configuration: {config}")
            return EXIT_OK
        if args.command == "validate":
            return _validate(args)
        if args.command == "run":
            return _run(args.config, args)
        if args.command == "national":
            return _national(args)
        if args.command == "demo":
            from schemas.periods import AcademicYear

            year = args.year
            if year is None and args.as_of is None:
                year = AcademicYear.latest_complete(date.today()).label
            try:
                generated_year = year or AcademicYear.containing(date.fromisoformat(args.as_of)).label
            except ValueError as exc:
                raise HubReturnsError(f"the as-of date '{args.as_of}' is not a date: write it as YYYY-MM-DD") from exc
            config = _generate(args.out, args.seed, generated_year)
            print(f"Demo hub area written to {args.out}")
            # Last year first, so this year's return shows last year's figures from the run history.
            last_year = AcademicYear.parse(generated_year).previous().label
            print(f"Building {last_year} first, for the run history")
            _run(
                config,
                argparse.Namespace(**{**vars(args), "year": last_year, "published": False, "sections": ["annual_return"]}),
            )
            args.year = year
            args.published = True
            return _run(config, args)
    except (ValidationFailed, InputFileError) as exc:
        print(f"hubreturns: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    except HubReturnsError as exc:
        print(f"hubreturns: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
