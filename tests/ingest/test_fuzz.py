"""Fuzzing every input reader: random and mutated files give valid data or a clear error, never a crash.

Seeds are real valid files from the synthetic generator (made once per session). Each example mutates one
seed (truncation, random bytes, another encoding, another delimiter, ragged rows, NULs, unbalanced quotes,
huge fields, workbooks with extra, missing or damaged sheets, zips that are not workbooks) and feeds it to a
reader. The outcome must be a LoadedInput (whose failures may hold a row naming the file) or one of the
project's own errors (HubReturnsError). bench/fuzz_readers.py runs the same properties for minutes.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import fastexcel
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from foundation.errors import HubReturnsError
from foundation.hub_config import InputFile
from ingest.files import read_text_table
from ingest.sources import (
    LoadedInput,
    load_census,
    load_hub_export,
    load_register,
    load_register_links,
    load_sen,
)
from schemas.hub_exports import HUB_EXPORTS
from schemas.validation import FAILURE_SCHEMA

KEY = b"fuzzing-key-0123456789"
# Data rows kept from each generated file: enough for every rule to bite, few enough to stay fast.
SEED_ROWS = 12
SEED_SEED = 2026
FILES_READER = "read_text_table"
FIXED_TIME = datetime(2026, 1, 1)


@dataclass(frozen=True)
class Seed:
    """A valid input as a table of text, with how the generator wrote it."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sheet: str | None


@dataclass(frozen=True)
class HostileFile:
    """A mutated input: its bytes, the file name suffix, the sheet configured for it, and how it was made."""

    data: bytes
    suffix: str
    sheet: str | None
    recipe: str


Loader = Callable[[tuple[InputFile, ...]], LoadedInput]

# Reader name -> (the loader, the generated file its seed comes from).
READERS: dict[str, tuple[Loader, str]] = {
    "gias": (load_register, "dfe/edubasealldata*.csv"),
    "gias_links": (load_register_links, "dfe/links_edubasealldata*.csv"),
    "census": (load_census, "dfe/spc_school_level_underlying_data_*.csv"),
    "sen": (load_sen, "dfe/sen_school_level_ud_*.csv"),
    **{
        source: (lambda files, source=source: load_hub_export(source, files, key=KEY), f"exports/{source}.*")
        for source in HUB_EXPORTS
    },
}
SEED_FILES = {**{name: pattern for name, (_, pattern) in READERS.items()}, FILES_READER: "exports/tuition.*"}


def _decode_seed(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def load_seed(area: Path, pattern: str) -> Seed:
    """The header and first rows of one generated file, as text."""
    path = max(area.glob(pattern))
    if path.suffix == ".xlsx":
        reader = fastexcel.read_excel(str(path))
        sheet = reader.sheet_names[-1]
        frame = reader.load_sheet(sheet, dtypes="string").to_polars().head(SEED_ROWS)
        rows = tuple(tuple("" if v is None else v for v in row) for row in frame.iter_rows())
        return Seed(tuple(frame.columns), rows, sheet)
    text = _decode_seed(path.read_bytes())
    separator = "\t" if path.suffix == ".tsv" else ","
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    return Seed(tuple(records[0]), tuple(tuple(r) for r in records[1 : SEED_ROWS + 1]), None)


def load_seeds(area: Path) -> dict[str, Seed]:
    """One seed per reader, from a generated hub area."""
    return {name: load_seed(area, pattern) for name, pattern in SEED_FILES.items()}


def csv_text(seed: Seed, separator: str = ",", line_end: str = "\n") -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator=line_end)
    writer.writerow(seed.header)
    writer.writerows(seed.rows)
    return out.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    """A workbook (in memory) with the given sheets and rows."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties({"created": FIXED_TIME})  # equal sheets, equal bytes: examples must replay
    for name, rows in sheets:
        worksheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                worksheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


# ---- mutations of CSV text and bytes ----------------------------------------------------------------

ENCODINGS = (
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "latin-1",
    "cp1252",
    "utf-8-sig",
    "mac_roman",
    "cp437",
)
SEPARATORS = (";", "|", "\t", ",", " ")
JUNK_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> tuple[str, str]:
    """One change to a CSV's text, and its name."""
    lines = text.split("\n")
    kind = draw(
        st.sampled_from(
            ["ragged_long", "ragged_short", "quote", "huge_field", "nul", "delete_line", "duplicate_line",
             "blank_lines", "blank_header", "duplicate_header", "header_only", "junk", "cr_only", "control"]
        )
    )  # fmt: skip
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    position = draw(st.integers(0, len(text)))
    if kind == "ragged_long":
        lines[line] += ",extra" * draw(st.integers(1, 5))
    elif kind == "ragged_short":
        lines[line] = lines[line].rsplit(",", draw(st.integers(1, 3)))[0]
    elif kind == "quote":
        text = text[:position] + draw(st.sampled_from(['"', '""', "'", '"x"y'])) + text[position:]
        return text, kind
    elif kind == "huge_field":
        size = draw(st.sampled_from([10_000, 100_000, 1_000_000]))
        cells = lines[line].split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(["9", "x", "é", "\u2028"])) * size
        lines[line] = ",".join(cells)
    elif kind == "nul":
        return text[:position] + "\x00" + text[position:], kind
    elif kind == "delete_line":
        del lines[line]
    elif kind == "duplicate_line":
        lines.insert(line, lines[line])
    elif kind == "blank_lines":
        lines[line:line] = [""] * draw(st.integers(1, 3))
    elif kind == "blank_header":
        lines[0] = draw(st.sampled_from(["", " ", ",,,", "\ufeff"]))
    elif kind == "duplicate_header":
        cells = lines[0].split(",")
        cells.append(draw(st.sampled_from(cells)) + draw(st.sampled_from(["", " ", "  "])))
        lines[0] = ",".join(cells)
    elif kind == "header_only":
        lines = lines[:1]
    elif kind == "junk":
        return text[:position] + draw(JUNK_TEXT) + text[position:], kind
    elif kind == "cr_only":
        return text.replace("\n", "\r"), kind
    elif kind == "control":
        return text[:position] + draw(
            st.sampled_from(["\x1a", "\x0b", "\x0c", "\x1b", "\ufffd", "\u0085"])
        ) + text[position:], kind
    return "\n".join(lines), kind


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> tuple[bytes, str]:
    """One change to a file's bytes, and its name."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "overwrite"]))
    position = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:position], kind
    if kind == "flip" and data:
        position = min(position, len(data) - 1)
        return data[:position] + bytes([data[position] ^ draw(st.integers(1, 255))]) + data[
            position + 1 :
        ], kind
    if kind == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=16)) + data[position:], kind
    if kind == "delete":
        return data[:position] + data[position + draw(st.integers(1, 64)) :], kind
    junk = draw(st.binary(min_size=1, max_size=64))
    return data[:position] + junk + data[position + len(junk) :], kind


@st.composite
def hostile_csv(draw: st.DrawFn, seed: Seed) -> HostileFile:
    """A seed written as CSV with other delimiters, line ends and encodings, then mutated."""
    separator = draw(st.sampled_from(SEPARATORS))
    text = csv_text(seed, separator, draw(st.sampled_from(["\n", "\r\n"])))
    recipe = [f"separator {separator!r}"]
    for _ in range(draw(st.integers(0, 3))):
        text, kind = draw(text_mutation(text))
        recipe.append(kind)
    encoding = draw(st.sampled_from(("utf-8", *ENCODINGS)))
    data = text.encode(encoding, errors="replace")
    recipe.append(encoding)
    for _ in range(draw(st.integers(0, 2))):
        data, kind = draw(byte_mutation(data))
        recipe.append(kind)
    suffix = draw(st.sampled_from([".csv", ".csv", ".tsv", ".txt", ""]))
    return HostileFile(data, suffix, None, " + ".join(recipe))


@st.composite
def hostile_xlsx(draw: st.DrawFn, seed: Seed) -> HostileFile:
    """A seed as a workbook with extra, missing, empty or renamed sheets, odd cell types, maybe damaged."""
    target = seed.sheet or "Data"
    rows: list[list[object]] = [list(seed.header), *[list(r) for r in seed.rows]]
    shape = draw(st.sampled_from(["plain", "extra_sheets", "missing_sheet", "empty", "header_only", "typed",
                                   "blank_rows_first", "no_sheets_named"]))  # fmt: skip
    if shape == "header_only":
        rows = rows[:1]
    elif shape == "empty":
        rows = []
    elif shape == "typed":
        cell = st.one_of(st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False),
                         st.booleans(), JUNK_TEXT, st.just(""))  # fmt: skip
        for _ in range(draw(st.integers(1, 4))):
            r = draw(st.integers(0, len(rows) - 1))
            c = draw(st.integers(0, len(rows[r]) + 2))
            rows[r] += [""] * (c + 1 - len(rows[r]))
            rows[r][c] = draw(cell)
    elif shape == "blank_rows_first":
        rows = [[], [], *rows]
    sheets = [(target, rows)]
    if shape == "extra_sheets":
        sheets = [("Cover", [["Notes"]]), *sheets, ("Lookup", [["a", "b"], [1, 2]])]
    elif shape == "missing_sheet":
        sheets = [("Other", rows)]
    elif shape == "no_sheets_named":
        sheets = [("Sheet1", rows)]
    data = xlsx_bytes(sheets)
    recipe = [f"xlsx {shape}"]
    damage = draw(st.sampled_from(["none", "none", "bytes", "member"]))
    if damage == "bytes":
        for _ in range(draw(st.integers(1, 3))):
            data, kind = draw(byte_mutation(data))
            recipe.append(kind)
    elif damage == "member":
        data, kind = draw(damaged_member(data))
        recipe.append(kind)
    sheet = seed.sheet if seed.sheet is not None else draw(st.sampled_from([None, None, "Data", "Missing"]))
    return HostileFile(
        data, draw(st.sampled_from([".xlsx", ".xlsx", ".xlsm", ".csv"])), sheet, " + ".join(recipe)
    )


@st.composite
def damaged_member(draw: st.DrawFn, data: bytes) -> tuple[bytes, str]:
    """The workbook re-zipped with one part truncated, replaced by junk, or left out."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    how = draw(st.sampled_from(["truncate", "junk", "drop", "not_xml"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == victim:
                if how == "drop":
                    continue
                if how == "truncate":
                    content = content[: draw(st.integers(0, len(content)))]
                elif how == "junk":
                    content = draw(st.binary(max_size=256))
                else:
                    content = draw(JUNK_TEXT).encode()
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue(), f"{how} {victim}"


@st.composite
def not_a_workbook(draw: st.DrawFn) -> HostileFile:
    """Random bytes, an empty file, or a zip holding anything but a workbook."""
    kind = draw(st.sampled_from(["random", "empty", "zip", "zip_empty", "magic_only"]))
    if kind == "random":
        data = draw(st.binary(max_size=2048))
    elif kind == "empty":
        data = b""
    elif kind == "magic_only":
        data = b"PK\x03\x04" + draw(st.binary(max_size=64))
    else:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            if kind == "zip":
                for name in draw(st.lists(st.sampled_from(["a.txt", "data.csv", "xl/other.xml", "[Content_Types].xml"]),
                                          min_size=1, max_size=3, unique=True)):  # fmt: skip
                    archive.writestr(name, draw(st.binary(max_size=128)))
        data = out.getvalue()
    return HostileFile(
        data, draw(st.sampled_from([".xlsx", ".csv", ".zip"])), None, f"not a workbook: {kind}"
    )


def hostile_file(seed: Seed) -> st.SearchStrategy[HostileFile]:
    """Any hostile version of a seed."""
    return st.one_of(hostile_csv(seed), hostile_csv(seed), hostile_xlsx(seed), not_a_workbook())


# ---- the property -------------------------------------------------------------------------------------


def check_reader(reader: str, hostile: HostileFile, folder: Path) -> str:
    """Feed one hostile file to a reader; return 'data', 'error' or 'failure row', or fail the test on a crash."""
    path = folder / f"{reader}{hostile.suffix}"
    path.write_bytes(hostile.data)
    try:
        if reader == FILES_READER:
            frame, encoding = read_text_table(path, sheet=hostile.sheet)
            assert isinstance(frame, pl.DataFrame) and encoding
            return "data"
        loaded = READERS[reader][0]((InputFile(path=path, sheet=hostile.sheet),))
    except HubReturnsError as error:
        assert error.message.strip(), "a project error must say what is wrong"
        assert error.file and path.name in error.file, f"the error must name the file: {error}"
        return "error"
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as crash:  # polars and fastexcel panics are BaseException, not Exception
        raise AssertionError(
            f"{reader} crashed with {crash.__class__.__name__}: {crash!s:.500} (input: {hostile.recipe})"
        ) from crash
    assert isinstance(loaded, LoadedInput)
    assert dict(loaded.failures.schema) == FAILURE_SCHEMA
    whole_file = loaded.failures.filter(pl.col("row").is_null())
    if whole_file.height:
        assert set(whole_file.get_column("file").to_list()) == {path.name}
        assert all(rule.strip() for rule in whole_file.get_column("rule").to_list())
        return "failure row"
    return "data"


# ---- the tests ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Seed]:
    from hubreturns.synthetic import generate_hub_area
    from schemas.periods import AcademicYear

    area = tmp_path_factory.mktemp("fuzz-seeds")
    generate_hub_area(area, seed=SEED_SEED, year=AcademicYear(2025))
    return load_seeds(area)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


FUZZ_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_seeds_are_valid(seeds: dict[str, Seed], folder: Path) -> None:
    """Unmutated, every seed reads as data with no whole-file failure (so mutations start from good input)."""
    for reader, seed in seeds.items():
        data = xlsx_bytes([(seed.sheet, [list(seed.header), *map(list, seed.rows)])]) if seed.sheet else None
        hostile = HostileFile(
            data or csv_text(seed).encode(), ".xlsx" if data else ".csv", seed.sheet, "seed"
        )
        assert check_reader(reader, hostile, folder) == "data", reader


@pytest.mark.parametrize("reader", [FILES_READER, *READERS])
def test_reader_survives_hostile_files(reader: str, seeds: dict[str, Seed], folder: Path) -> None:
    @FUZZ_SETTINGS
    @given(data=st.data())
    def property_(data: st.DataObject) -> None:
        check_reader(reader, data.draw(hostile_file(seeds[reader]), label="file"), folder)

    property_()
