"""No pupil identifier reaches an output, and neither the key nor a database password reaches anything.

The demo hub runs end to end (published variant and every section) with a hub key of its own, and a few
pupil rows made to fail validation. Then every workbook (every XML part: cells, shared strings, tables,
charts and document properties), every text column of the store, the run's Prefect logs and its artifact
are searched for the pupil ids of the inputs, their pseudonyms and the secrets.

The exports carry no pupil names or dates of birth (``test_exports_carry_no_names_or_dates_of_birth`` fails
if a column is added that might: extend the search to it then); the pupil-level identifiers are
``pupil_ref`` and ``upn``.

The validation report and the store's ``validation_failures`` table may quote a pseudonym (never the raw
id): they point the data officer at a row, and a pseudonym lets two failures about one pupil be matched
without revealing who it is. No other output may hold even a pseudonym: the return, its published variant,
the tracker and the school reports count pupils, they never list them.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from hubreturns.synthetic.generator import generate_hub_area
from ingest.pseudonymise import DEMO_KEY, KEY_ENVIRONMENT_VARIABLE, pseudonym, pseudonymise_failure_values
from schemas.hub_exports import HUB_EXPORTS, PUPIL_REF_COLUMN, UPN_COLUMN
from schemas.periods import AcademicYear
from tests.security.workbook_scan import workbooks_under

pytestmark = pytest.mark.flow

YEAR = AcademicYear(2025)
HUB_KEY = "K3y-only-this-test-knows-7f3a9c1e5b"
DB_PASSWORD = "S3cretPw-9d2e"
TOKEN = re.compile(r"[A-Za-z0-9]+")
# Ids planted to fail validation: an unknown pupil in tuition, a malformed UPN.
UNKNOWN_PUPIL, BAD_UPN_SUFFIX = "ZZ0000001", "Z"
# Column names that would be names or dates of birth of pupils.
NAME_OR_BIRTH = re.compile(r"name|birth|dob|surname|forename", re.IGNORECASE)


@dataclass(frozen=True)
class Identifiers:
    """The pupil ids of the inputs as read, and their pseudonyms under the hub key and the demo key."""

    raw: frozenset[str]
    pseudonyms: frozenset[str]

    def found_in(self, text: str) -> tuple[set[str], set[str]]:
        """(raw ids, pseudonyms) that appear as whole words in ``text``."""
        tokens = set(TOKEN.findall(text))
        return tokens & self.raw, tokens & self.pseudonyms


@dataclass(frozen=True)
class DemoRun:
    area: Path
    year_dir: Path
    ids: Identifiers
    log_text: str
    flow_run_ids: tuple[str, ...]
    # Every file the run created or changed: the area, its temporary folder, Prefect's home and database.
    written: tuple[Path, ...] = ()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _plant_failures(exports: Path) -> None:
    """A duplicated pupil, a malformed UPN and an unknown pupil in tuition: rows the report must quote."""
    pupils = _rows(exports / "pupils.csv")
    with_upn = next(p for p in pupils if p[UPN_COLUMN])
    with_upn[UPN_COLUMN] += BAD_UPN_SUFFIX
    pupils.append(dict(pupils[1]))
    _write_rows(exports / "pupils.csv", pupils)
    tuition = _rows(exports / "tuition.csv")
    tuition[0][PUPIL_REF_COLUMN] = UNKNOWN_PUPIL
    _write_rows(exports / "tuition.csv", tuition)


def _identifiers(exports: Path) -> Identifiers:
    """Every pupil id of every export (as written) and its pseudonym under both keys."""
    raw: set[str] = set()
    for source, model in HUB_EXPORTS.items():
        columns = {PUPIL_REF_COLUMN, UPN_COLUMN} & set(model.to_schema().columns)
        path = exports / f"{source}.csv"
        if columns and path.exists():
            raw |= {row[c].strip() for row in _rows(path) for c in columns if row.get(c, "").strip()}
    keys = (HUB_KEY.encode(), DEMO_KEY)
    return Identifiers(frozenset(raw), frozenset(pseudonym(value, key) for value in raw for key in keys))


def _flow_run_logs(flow_run_ids: tuple[str, ...]) -> str:
    """Every log line the Prefect API holds for these flow runs (their task runs included)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # the last lines of a run are sent in the background: wait for them
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=list(flow_run_ids))), limit=None
        )
    return "\n".join(log.message for log in logs)


def _artifacts(key: str) -> str:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert found, key
    return "\n".join(str(a.data) for a in found)


def _flow_run_parameters(flow_run_ids: tuple[str, ...]) -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return "\n".join(repr(client.read_flow_run(run_id).parameters) for run_id in flow_run_ids)


def _store_text(db: Path) -> Iterator[tuple[str, str, str]]:
    """(table, column, value) for every text value of every table of the SQLite store."""
    with sqlite3.connect(db) as connection:
        tables = [r[0] for r in connection.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            cursor = connection.execute(f'select * from "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, str | bytes):
                        yield (
                            table,
                            name,
                            value.decode("utf-8", "replace") if isinstance(value, bytes) else value,
                        )


@pytest.fixture(scope="module")
def demo(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    from flows.annual_return import annual_return

    area = tmp_path_factory.mktemp("personal") / "demo"
    config = generate_hub_area(area, year=YEAR)
    # A real hub's settings: its own key, never the demo key.
    settings = config.read_text(encoding="utf-8")
    assert "allow_demo_key = true" in settings
    config.write_text(settings.replace("allow_demo_key = true", "allow_demo_key = false"), encoding="utf-8")
    before = _identifiers(area / "exports")
    _plant_failures(area / "exports")
    after = _identifiers(area / "exports")
    ids = Identifiers(before.raw | after.raw, before.pseudonyms | after.pseudonyms)
    collect = _Collect()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    # The run's temporary files (tempfile, in this process and those it starts) go to a folder of its own.
    temporary = tmp_path_factory.mktemp("personal-tmp")
    places = (area, temporary, Path(os.environ["PREFECT_HOME"]), _prefect_database_folder())
    before = _files(places)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(KEY_ENVIRONMENT_VARIABLE, HUB_KEY)
        env.setenv("TMPDIR", str(temporary))
        env.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
        for logger in loggers:
            logger.addHandler(collect)
        try:
            summary = annual_return(
                config_path=str(config),
                academic_year=YEAR.label,
                as_of="2026-11-23",
                strict=False,
                published=True,
            )
        finally:
            for logger in loggers:
                logger.removeHandler(collect)
    assert summary.status == "published"
    with sqlite3.connect(area / "hubreturns.db") as connection:
        flow_run_ids = tuple(r[0] for r in connection.execute("select flow_run_id from runs"))
    _flow_run_logs(flow_run_ids)  # waits for the run's last log lines to reach Prefect's database
    after = _files(places)
    written = tuple(sorted(path for path, stamp in after.items() if before.get(path) != stamp))
    yield DemoRun(
        area, area / "out" / "trentvale" / YEAR.slug, ids, "\n".join(collect.lines), flow_run_ids, written
    )


def _prefect_database_folder() -> Path:
    """The folder of the Prefect test server's SQLite database (its flow runs, states, logs and artifacts)."""
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    url = PREFECT_SERVER_DATABASE_CONNECTION_URL.value()
    assert url and url.startswith("sqlite+aiosqlite:///"), url
    return Path(url.removeprefix("sqlite+aiosqlite:///")).parent


def _files(places: tuple[Path, ...]) -> dict[Path, tuple[int, int]]:
    """Every file under the places, with its size and modification time."""
    found = {}
    for place in places:
        for path in place.rglob("*"):
            if path.is_file():
                stat = path.stat()
                found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


# The shape of every pupil id of the demo (references like SA0028454, UPNs, a UPN with a letter added), found
# without word boundaries: in a binary file (a database page, say) an id may follow a byte that reads as a letter.
ID_SHAPE = re.compile(r"[A-Z]{1,3}[0-9]{7,12}[0-9A-Z]{0,2}")


def _raw_ids_in(data: bytes, raw: frozenset[str]) -> set[str]:
    """The raw ids anywhere in ``data``, whole or inside a longer run of letters and digits."""
    lengths = sorted({len(value) for value in raw})
    found = set()
    for match in ID_SHAPE.finditer(data.decode("latin-1")):
        text = match.group()
        for n in lengths:
            found |= {text[i : i + n] for i in range(len(text) - n + 1)} & raw
    return found


def test_exports_carry_no_names_or_dates_of_birth() -> None:
    """Pupil-level columns are ids and characteristics only: extend this file's search if that changes."""
    for source, model in HUB_EXPORTS.items():
        columns = list(model.to_schema().columns)
        pupil_level = PUPIL_REF_COLUMN in columns or UPN_COLUMN in columns
        suspicious = [c for c in columns if NAME_OR_BIRTH.search(c) and c not in ("class_name",)]
        if pupil_level:
            assert not suspicious, (source, suspicious)
    assert "date_of_birth" not in HUB_EXPORTS["pupils"].to_schema().columns


def test_the_search_would_find_an_id(demo: DemoRun) -> None:
    # The planted failures are quoted (as pseudonyms) in the validation report, so the search finds them.
    report = demo.year_dir / "trentvale-2025-26-validation.xlsx"
    raw, pseudonyms = demo.ids.found_in(_package_text(report))
    assert not raw
    assert pseudonym(UNKNOWN_PUPIL, HUB_KEY.encode()) in pseudonyms
    assert len(demo.ids.raw) > 40_000


def _package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def test_no_pupil_id_or_pseudonym_in_any_workbook_but_the_validation_report(demo: DemoRun) -> None:
    workbooks = workbooks_under(demo.area / "out")
    names = {p.name for p in workbooks if p.parent == demo.year_dir}
    assert names == {
        f"trentvale-2025-26-{kind}.xlsx"
        for kind in ("annual-return", "annual-return-published", "school-engagement", "validation")
    }
    assert len(workbooks) > 500  # the school reports
    for path in workbooks:
        raw, pseudonyms = demo.ids.found_in(_package_text(path))
        assert not raw, (path.name, sorted(raw)[:5])
        if path.name != "trentvale-2025-26-validation.xlsx":
            assert not pseudonyms, (path.name, sorted(pseudonyms)[:5])


def test_store_holds_no_raw_id_and_pseudonyms_only_in_validation_failures(demo: DemoRun) -> None:
    found = 0
    for table, column, value in _store_text(demo.area / "hubreturns.db"):
        raw, pseudonyms = demo.ids.found_in(value)
        assert not raw, (table, column)
        if pseudonyms:
            assert (table, column) in {("validation_failures", "value"), ("runs", "message")}, (table, column)
            found += 1
    assert found  # the planted failures are recorded, as pseudonyms


def test_logs_and_artifact_hold_no_raw_id(demo: DemoRun) -> None:
    api_logs = _flow_run_logs(demo.flow_run_ids)
    assert "Validation report written" in api_logs
    assert "Validation report written" in demo.log_text  # the handler did capture the run's logs
    for text in (api_logs, demo.log_text, _artifacts("trentvale-annual-return")):
        raw, _ = demo.ids.found_in(text)
        assert not raw


def test_no_file_the_run_wrote_holds_a_raw_pupil_id(demo: DemoRun) -> None:
    """Every file the run created or changed, wherever it is: workbooks and any file left beside them (staging
    or temporary ones included), the store's database file (its free pages too), the run's temporary folder,
    Prefect's home and the Prefect server's database, which holds the flow runs' states, logs and artifacts.
    """
    assert all(ID_SHAPE.fullmatch(value) for value in demo.ids.raw)  # else the search below could miss one
    assert _raw_ids_in(b"\x17" + UNKNOWN_PUPIL.encode() + b"x\x00", demo.ids.raw) == {UNKNOWN_PUPIL}
    names = {path.name for path in demo.written}
    assert {"hubreturns.db", "trentvale-2025-26-validation.xlsx"} <= names
    assert any(path.is_relative_to(_prefect_database_folder()) for path in demo.written)
    inputs = (demo.area / "exports", demo.area / "dfe")
    assert not [path for path in demo.written if any(path.is_relative_to(folder) for folder in inputs)]
    for path in demo.written:
        data = _package_text(path).encode() if path.suffix == ".xlsx" else path.read_bytes()
        found = _raw_ids_in(data, demo.ids.raw)
        assert not found, (str(path), sorted(found)[:5])


def test_the_key_is_never_written_anywhere(demo: DemoRun) -> None:
    places = {
        "API logs": _flow_run_logs(demo.flow_run_ids),
        "captured logs": demo.log_text,
        "artifact": _artifacts("trentvale-annual-return"),
        "flow run parameters": _flow_run_parameters(demo.flow_run_ids),
        "store": "\n".join(value for _, _, value in _store_text(demo.area / "hubreturns.db")),
    }
    for path in workbooks_under(demo.area / "out"):
        places[path.name] = _package_text(path)
    for where, text in places.items():
        assert HUB_KEY not in text, where
        assert DEMO_KEY.decode() not in text, where


# -- Database passwords -------------------------------------------------------------------------------------

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hub_small"


@pytest.fixture
def small_hub(tmp_path: Path) -> Path:
    import shutil

    shutil.copytree(FIXTURE, tmp_path / "hub")
    return tmp_path / "hub" / "hub.toml"


def _run_capturing(config: Path, **parameters: object) -> tuple[object, str]:
    """Run the flow (its state, not its result) and return it with every log line it produced."""
    from flows.annual_return import annual_return

    collect = _Collect()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]
    for logger in loggers:
        logger.addHandler(collect)
    try:
        state = annual_return(
            config_path=str(config),
            academic_year=YEAR.label,
            as_of="2026-11-23",
            return_state=True,
            **parameters,
        )
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
    return state, "\n".join(collect.lines)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://hub:{DB_PASSWORD}@127.0.0.1:1/test?connect_timeout=2",
        f"postgresql://hub:{DB_PASSWORD}@127.0.0.1:notaport/test",
        f"postgres ql://hub:{DB_PASSWORD}@127.0.0.1/test",
        f"postgresql+nodriver://hub:{DB_PASSWORD}@127.0.0.1/test",
    ],
)
def test_a_failing_database_url_never_shows_its_password(
    prefect_server, small_hub: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", url)
    state, logs = _run_capturing(small_hub)
    assert state.is_failed()
    flow_run_id = str(state.state_details.flow_run_id)
    for where, text in {
        "state message": str(state.message),
        "captured logs": logs,
        "API logs": _flow_run_logs((flow_run_id,)),
        "parameters": _flow_run_parameters((flow_run_id,)),
    }.items():
        assert DB_PASSWORD not in text, where


def test_a_working_database_url_with_a_password_is_not_recorded(
    prefect_server, small_hub: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL in the test set-up trusts local connections: the password is sent and ignored."""
    import sqlalchemy as sa

    url = sa.make_url(postgres_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", url)
    state, logs = _run_capturing(small_hub)
    assert state.is_completed(), state.message
    flow_run_id = str(state.state_details.flow_run_id)
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as connection:
        stored = [
            str(value)
            for table in ("runs", "run_inputs", "return_figures", "validation_failures")
            for row in connection.execute(sa.text(f"select * from {table}"))
            for value in row
        ]
    engine.dispose()
    out = small_hub.parent / "out"
    for where, text in {
        "captured logs": logs,
        "API logs": _flow_run_logs((flow_run_id,)),
        "parameters": _flow_run_parameters((flow_run_id,)),
        "artifact": _artifacts("small-test-annual-return"),
        "store": "\n".join(stored),
        "workbooks": "\n".join(_package_text(p) for p in workbooks_under(out)),
    }.items():
        assert DB_PASSWORD not in text, where


def test_a_database_url_given_on_the_command_line_is_not_recorded(
    prefect_server, small_hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL

    from hubreturns.cli import main

    # The CLI hands the URL to the run through this variable: recorded here, so it is removed after the test.
    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", "")
    # With a Prefect API configured, the command runs the flow, whose parameters Prefect records.
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    url = f"postgresql://hub:{DB_PASSWORD}@127.0.0.1:1/test?connect_timeout=1"
    # The run fails (nothing listens on port 1) after the flow run was created with its parameters.
    main(
        [
            "run",
            "--config",
            str(small_hub),
            "--year",
            YEAR.label,
            "--as-of",
            "2026-11-23",
            "--database-url",
            url,
        ]
    )
    with get_client(sync_client=True) as client:
        (latest,) = client.read_flow_runs(sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=1)
    assert latest.parameters["config_path"] == str(small_hub)
    assert DB_PASSWORD not in _flow_run_parameters((str(latest.id),))


# -- Masking ids in failure values (unit) -------------------------------------------------------------------


def test_failure_values_never_quote_a_raw_pupil_id() -> None:
    key = HUB_KEY.encode()
    failures = pl.DataFrame(
        {
            "column": ["pupil_ref", "upn", "gender", "gender", "urn", "nc_year"],
            "value": ["SA0000001", "E83023922026", " e830239220261 ", "SA0000002", "123456", None],
        }
    )
    masked = pseudonymise_failure_values(failures, ("pupil_ref", "upn"), key, known_ids=["sa0000002"])
    assert masked.get_column("value").to_list() == [
        pseudonym("SA0000001", key),
        pseudonym("E83023922026", key),
        pseudonym("E830239220261", key),  # shaped like a UPN, in a shifted column
        pseudonym("SA0000002", key),  # a raw id of the same file, in a shifted column
        "123456",
        None,
    ]


def test_config_repr_hides_the_database_url(small_hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from foundation.hub_config import load_config

    monkeypatch.setenv("HUBRETURNS_DATABASE_URL", f"postgresql://hub:{DB_PASSWORD}@db.example/hub")
    config = load_config(small_hub)
    assert DB_PASSWORD in config.database_url
    assert DB_PASSWORD not in repr(config) and DB_PASSWORD not in str(config)


def test_the_demo_key_is_used_only_with_a_warning(small_hub: Path) -> None:
    from flows.pupil_key import pseudonymisation_key
    from foundation.hub_config import load_config

    collect, logger = _Collect(), logging.getLogger("hubreturns")
    logger.addHandler(collect)
    try:
        assert pseudonymisation_key(load_config(small_hub)) == DEMO_KEY
    finally:
        logger.removeHandler(collect)
    text = "\n".join(collect.lines)
    assert "public demo key" in text
    assert DEMO_KEY.decode() not in text
