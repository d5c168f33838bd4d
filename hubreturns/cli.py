"""The `hubreturns` command for data officers: demo, generate, run, validate, national, purge, audit."""

from __future__ import annotations

import argparse
import atexit
import getpass
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from foundation.errors import HubReturnsError, InputFileError, ValidationFailed
from foundation.hub_config import DATABASE_URL_VARIABLE

if TYPE_CHECKING:
    from core.hub_run import RunSummary, ValidationSummary
    from core.national_run import NationalSummary
    from foundation.hub_config import HubConfig
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
    parser.add_argument(
        "--year", help="academic year to report, e.g. 2025/26 (default: the one containing --as-of)"
    )
    parser.add_argument(
        "--as-of", dest="as_of", help="date the data is taken as known, YYYY-MM-DD (default: today)"
    )
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
    parser.add_argument(
        "--database-url", help="store URL, overriding the configuration (e.g. postgresql://...)"
    )
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
    generate.add_argument(
        "--year", help="latest academic year of activity (default: the latest complete one)"
    )
    generate.add_argument(
        "--faults",
        action="store_true",
        help="write realistic defects into the files, to see the validation report",
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

    validate = commands.add_parser(
        "validate", help="check a hub's input files and write the validation report"
    )
    validate.add_argument(
        "--config", required=True, type=Path, help="the hub's configuration file (hub.toml)"
    )
    validate.add_argument("--year", help="academic year to check against, e.g. 2025/26")
    validate.add_argument("--as-of", dest="as_of", help="as-of date, YYYY-MM-DD (default: today)")

    national = commands.add_parser(
        "national", help="run every hub in a folder of configurations and write the national summary"
    )
    national.add_argument(
        "--hubs-folder",
        dest="hubs_folder",
        type=Path,
        default=Path("config/hubs"),
        help="folder holding one <slug>.toml per hub (default: config/hubs)",
    )
    _add_run_options(national)
    national.add_argument(
        "--output-dir",
        dest="output_dir",
        type=Path,
        help="where the national summary goes (default: the first hub's output folder)",
    )
    national.add_argument(
        "--parallel", type=int, default=2, help="hubs run at once on this machine (default: 2)"
    )
    national.add_argument(
        "--dask-address",
        dest="dask_address",
        help="run the hubs on this Dask scheduler instead, e.g. tcp://10.0.0.5:8786",
    )
    national.add_argument(
        "--no-check",
        dest="check_totals",
        action="store_false",
        help="skip the direct computation that checks England's totals",
    )
    national.add_argument(
        "--skip-unchanged",
        dest="skip_unchanged",
        action="store_true",
        help="leave alone every hub none of whose files changed since its last published run",
    )

    purge = commands.add_parser(
        "purge", help="remove the store's rows for an academic year, or everything it holds about one pupil"
    )
    purge.add_argument("--config", required=True, type=Path, help="the hub's configuration file (hub.toml)")
    what = purge.add_mutually_exclusive_group(required=True)
    what.add_argument("--year", help="remove every stored run of this academic year, e.g. 2023/24")
    what.add_argument(
        "--pupil",
        action="store_true",
        help="remove everything stored about one pupil: their pupil reference or UPN is asked for (or read from "
        "standard input, one per line), never given on the command line, which the shell keeps in its history",
    )
    purge.add_argument(
        "--yes",
        action="store_true",
        help="remove them (without it: say what would be removed, remove nothing)",
    )
    purge.add_argument(
        "--database-url", help="store URL, overriding the configuration (e.g. postgresql://...)"
    )

    audit = commands.add_parser(
        "audit", help="list the personal data the store and the output folder hold, and how long it is kept"
    )
    audit.add_argument("--config", required=True, type=Path, help="the hub's configuration file (hub.toml)")
    audit.add_argument(
        "--database-url", help="store URL, overriding the configuration (e.g. postgresql://...)"
    )
    audit.add_argument(
        "--out",
        type=Path,
        help="the audit workbook (default: <output_dir>/<hub>/<hub>-personal-data-audit.xlsx)",
    )

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
    from foundation.hub_config import load_config
    from ingest.pseudonymise import resolve_key

    config = load_config(config_path, database_url=getattr(args, "database_url", None))
    _parse_year(args.year)
    if args.as_of is not None:
        try:
            date.fromisoformat(args.as_of)
        except ValueError as exc:
            raise HubReturnsError(
                f"the as-of date '{args.as_of}' is not a date: write it as YYYY-MM-DD"
            ) from exc
    if not config.settings.key_secret_block:  # a Secret block can only be read once Prefect is up
        resolve_key(allow_demo_key=config.settings.allow_demo_key)


def _use_database_url(args: argparse.Namespace) -> None:
    """Hand --database-url to the run through its environment: a flow parameter would be recorded by Prefect,
    password and all."""
    if args.database_url:
        os.environ[DATABASE_URL_VARIABLE] = args.database_url


def prefect_configured() -> bool:
    """Whether a Prefect API is configured: then commands run as flows, seen in its UI; else in this process."""
    return bool(os.environ.get("PREFECT_API_URL"))


def cli_key(config: HubConfig) -> bytes:
    """The hub's pseudonymisation key for a run without Prefect (a Secret block is read through Prefect)."""
    from core.pupil_key import hub_key, key_in_secret_block

    if key_in_secret_block(config):
        _prefect_environment()
        from flows.pupil_key import pseudonymisation_key

        return pseudonymisation_key(config)
    return hub_key(config)


def _run_summary(config_path: Path, args: argparse.Namespace) -> RunSummary:
    """The hub's run: in this process with a progress bar, or as the flow when a Prefect API is configured."""
    if prefect_configured():
        _prefect_environment()
        from flows.annual_return import annual_return

        return annual_return(
            config_path=str(config_path),
            academic_year=args.year,
            as_of=args.as_of,
            strict=args.strict,
            published=args.published,
            sections=args.sections,
        )
    from core.hub_run import run_hub, run_request
    from core.runner import PlainRunner, progress_bar
    from foundation.hub_config import load_config

    config = load_config(config_path)
    request = run_request(
        args.year, args.as_of, strict=args.strict, published=args.published, sections=args.sections
    )
    with progress_bar() as progress:
        return run_hub(config, request, PlainRunner(cli_key, progress=progress))


def _run(config: Path, args: argparse.Namespace) -> int:
    _preflight(config, args)
    _use_database_url(args)
    summary = _run_summary(config, args)
    print(f"\n{summary.hub} {summary.academic_year}: {summary.status}")
    for kpi in summary.kpis:
        share = f"{kpi.count_pct:.1%}" if kpi.count_pct is not None else "[x]"
        print(f"  {kpi.kpi_code}: {kpi.count:,} of {kpi.denominator or 0:,} ({share})  {kpi.measure}")
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


def _national_summary(args: argparse.Namespace) -> NationalSummary:
    """Every hub's run and the national summary: in this process's pool, or as the flow with Prefect (or Dask)."""
    if prefect_configured() or args.dask_address:
        _prefect_environment()
        from flows.national import national

        with _shared_prefect_server():
            return national(
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
    from core.hub_run import run_request
    from core.national_run import run_national_here
    from core.runner import PlainRunner, progress_bar

    request = run_request(
        args.year,
        args.as_of,
        strict=args.strict,
        published=args.published,
        sections=args.sections,
        skip_unchanged=args.skip_unchanged,
    )
    with progress_bar() as progress:
        return run_national_here(
            Path(args.hubs_folder),
            request,
            cli_key,
            check_totals=args.check_totals,
            output_dir=str(args.output_dir) if args.output_dir else None,
            processes=args.parallel,
            runner=PlainRunner(cli_key, progress=progress),
            done=lambda outcome: progress(f"{outcome.hub_name}: {outcome.status}"),
        )


def _national(args: argparse.Namespace) -> int:
    _parse_year(args.year)
    _use_database_url(args)
    summary = _national_summary(args)
    print(f"\nEngland {summary.academic_year}: {len(summary.hubs)} hub(s), {len(summary.failed)} failed")
    for hub in summary.hubs:
        if hub.status == "failed":
            print(f"  {hub.hub_slug}: failed: {hub.message.splitlines()[0]}")
    for kpi in summary.england.iter_rows(named=True):
        share = f"{kpi['count_pct']:.1%}" if kpi["count_pct"] is not None else "[x]"
        check = {True: "reconciled", False: "NOT reconciled", None: "not checked"}[kpi["reconciled"]]
        print(
            f"  {kpi['kpi_code']}: {kpi['count']:,} of {kpi['denominator']:,} ({share}), {check}  {kpi['measure']}"
        )
    print(f"National summary: {summary.summary_path}")
    return EXIT_FAILURES if summary.failed or summary.reconciled is False else EXIT_OK


def _validation_summary(args: argparse.Namespace) -> ValidationSummary:
    """The validation-only run: in this process, or as the flow when a Prefect API is configured."""
    if prefect_configured():
        _prefect_environment()
        from flows.annual_return import validate_inputs

        return validate_inputs(config_path=str(args.config), academic_year=args.year, as_of=args.as_of)
    from core.hub_run import resolve_period, validate_hub
    from core.runner import PlainRunner, progress_bar
    from foundation.hub_config import load_config

    config = load_config(args.config)
    period = resolve_period(args.year, args.as_of, today=date.today())
    with progress_bar() as progress:
        return validate_hub(config, period, PlainRunner(cli_key, progress=progress))


def _validate(args: argparse.Namespace) -> int:
    _preflight(args.config, args)
    summary = _validation_summary(args)
    print(
        f"\n{summary.hub} {summary.academic_year}: {summary.error_count} error(s), {summary.warning_count} warning(s)"
    )
    for problem in summary.unreadable:
        print(f"  {problem}")
    for row in summary.inputs.iter_rows(named=True):
        if row["error_count"] or row["warning_count"]:
            print(f"  {row['file']}: {row['error_count']} error(s), {row['warning_count']} warning(s)")
    print(f"Validation report: {summary.report}")
    if args.year is None and summary.year_hint:
        print(summary.year_hint)
    return EXIT_FAILURES if summary.error_count else EXIT_OK


def _pupil_ids() -> list[str]:
    """One pupil's reference and/or UPN, asked for without echo on a terminal, else read from standard input."""
    if sys.stdin.isatty():
        values = [getpass.getpass("The pupil's reference or UPN (not shown): ")]
    else:
        values = sys.stdin.read().splitlines()
    ids = [value.strip() for value in values if value.strip()]
    if not ids:
        raise HubReturnsError("no pupil reference or UPN was given, so nothing was removed")
    return ids


def _purge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from foundation.hub_config import load_config
    from store.repository import open_store
    from store.retention import purge_period, purge_pupil

    config = load_config(args.config, database_url=args.database_url)
    name, now = config.hub.name, datetime.now(UTC)
    if args.year:
        year = _parse_year(args.year)
        ids: list[str] = []
    else:
        ids = _pupil_ids()
        fingerprints = _fingerprints(config, ids)
    engine = open_store(config.database_url)
    flow_runs: tuple[str, ...] = ()
    try:
        if args.year:
            result = purge_period(engine, config.hub.slug, year, now=now, confirm=args.yes)
            what, removed = f"academic year {year}", result.removed
        else:
            pupil = purge_pupil(engine, config.hub.slug, fingerprints, now=now, confirm=args.yes)
            what, removed, flow_runs = "one pupil", pupil.removed, pupil.flow_run_ids
    finally:
        engine.dispose()
    if not args.yes:
        print(
            f"{name}, {what}: the store would lose {removed.describe()}. Nothing was removed: run again with --yes."
        )
        return EXIT_OK
    print(f"{name}, {what}: removed {removed.describe()} from the store.")
    if flow_runs:
        print(
            "Prefect keeps these flow runs' messages too, which quote the pupil's fingerprint: delete them in the "
            "Prefect UI or with `prefect flow-run delete <id>`: " + ", ".join(flow_runs)
        )
    if ids:
        print(
            "The hub's exports still hold the pupil's own id: take the pupil out of them too, or the next run "
            "records them again. Validation reports in the output folder may quote the pupil's fingerprint until "
            "their year is run again: delete those you do not need."
        )
    return EXIT_OK


def _fingerprints(config: HubConfig, ids: list[str]) -> list[str]:
    """The pupil's ids pseudonymised with the hub's key, as the store holds them (the raw ids go no further)."""
    from flows.pupil_key import pseudonymisation_key
    from ingest.pseudonymise import pseudonyms

    return sorted(set(pseudonyms(ids, pseudonymisation_key(config)).values()))


def _audit(args: argparse.Namespace) -> int:
    from datetime import datetime

    from foundation.hub_config import load_config
    from foundation.provenance import code_version
    from outputs.house_style import WorkbookMeta
    from outputs.personal_data_audit import audit_path, output_holdings, write_audit
    from schemas.personal_data import STORE_TABLE, holdings_frame
    from store.repository import open_store
    from store.retention import store_holdings

    config = load_config(args.config, database_url=args.database_url)
    today = date.today()
    engine = open_store(config.database_url)
    try:
        stored = store_holdings(engine, config.hub.slug, config.retention, today)
    finally:
        engine.dispose()
    folders = output_holdings(
        config.output_dir, config.hub.slug, config.retention.validation_failures_years, today
    )
    held = holdings_frame([*stored, *folders])
    path = args.out or audit_path(config.output_dir, config.hub.slug)
    meta = WorkbookMeta(
        title=f"{config.hub.name}: personal data audit",
        hub_name=config.hub.name,
        period_label=f"as at {today:%d/%m/%Y}",
        as_of=today,
        run_id=f"audit-{today.isoformat()}",
        code_version=code_version(),
        created=datetime.combine(today, datetime.min.time()),
        sources=(),
    )
    write_audit(path, meta, held)
    print(f"{config.hub.name}: personal and pseudonymised data held on {today:%d/%m/%Y}")
    for row in held.iter_rows():
        place, kind, data, rows, oldest, newest, kept, due = row
        periods = f"{oldest} to {newest}" if oldest else "no period"
        when = f"retention next removes some from {due:%d/%m/%Y}" if due else f"kept {kept}"
        unit = ("row" if kind == STORE_TABLE else "file") + ("" if rows == 1 else "s")
        print(f"  {kind} {place}: {rows:,} {unit}, {periods}; {when}")
        print(f"      {data}")
    print(f"Audit workbook: {path}")
    return EXIT_OK


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
        if args.command == "purge":
            return _purge(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "demo":
            from schemas.periods import AcademicYear

            year = args.year
            if year is None and args.as_of is None:
                year = AcademicYear.latest_complete(date.today()).label
            try:
                generated_year = year or AcademicYear.containing(date.fromisoformat(args.as_of)).label
            except ValueError as exc:
                raise HubReturnsError(
                    f"the as-of date '{args.as_of}' is not a date: write it as YYYY-MM-DD"
                ) from exc
            config = _generate(args.out, args.seed, generated_year)
            print(f"Demo hub area written to {args.out}")
            # Last year first, so this year's return shows last year's figures from the run history.
            last_year = AcademicYear.parse(generated_year).previous().label
            print(f"Building {last_year} first, for the run history")
            _run(
                config,
                argparse.Namespace(
                    **{**vars(args), "year": last_year, "published": False, "sections": ["annual_return"]}
                ),
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
