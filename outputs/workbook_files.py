"""Workbook files written safely: xlsxwriter's workbook with the house's changes, and an atomic write.

A workbook is built in memory (``open_workbook``: text never turned into formulas, URLs or numbers; the
document's language set; cells written with less work) and written through a temporary file and a rename
(``write_bytes_atomically``), so a failed or killed run never leaves a half-written workbook in its place,
and a full or read-only folder is said in plain words.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import io
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlsxwriter.core import Core
from xlsxwriter.packager import Packager
from xlsxwriter.styles import Styles, XFormatType
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from foundation.errors import HubReturnsError
from outputs.theme import HEADING, HEADING_STYLES, LANGUAGE, WORKBOOK_STATE, workbook_state

# -- Opening and document properties ------------------------------------------------------------------------


class _HouseCore(Core):
    """xlsxwriter's core document properties, ending with the document's language (it has no setting for it)."""

    def _write_cp_content_status(self) -> None:
        """The last property xlsxwriter writes, then ``dc:language`` (as ``with_language`` adds it)."""
        super()._write_cp_content_status()
        self._xml_data_element("dc:language", LANGUAGE)


class _HousePackager(Packager):
    """xlsxwriter's packager writing the core properties with the document's language."""

    def _write_styles_file(self) -> None:
        """xl/styles.xml, as xlsxwriter writes it, with the heading cell styles."""
        workbook = self.workbook
        styles = _HouseStyles()
        styles._set_style_properties(
            [
                workbook.xf_formats,
                workbook.palette,
                workbook.font_count,
                workbook.num_formats,
                workbook.border_count,
                workbook.fill_count,
                workbook.custom_colors,
                workbook.dxf_formats,
                workbook.has_comments,
            ]
        )
        styles._set_xml_writer(self._filename("xl/styles.xml"))
        styles._assemble_xml_file()

    def _write_core_file(self) -> None:
        """docProps/core.xml, as xlsxwriter writes it, with ``dc:language``."""
        core = _HouseCore()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class _HouseStyles(Styles):
    """xlsxwriter's styles part with Excel's heading cell styles, for the formats the theme marks as headings."""

    def _headings(self) -> list[tuple[str, int]]:
        """Each heading style used, once, in order of its level, with the font of its first format."""
        fonts: dict[str, int] = {}
        for xf_format in self.xf_formats:
            name = getattr(xf_format, HEADING, None)
            if name is not None and name not in fonts:
                fonts[name] = xf_format.font_index
        return [(name, fonts[name]) for name in HEADING_STYLES if name in fonts]

    def _first_heading_xf(self) -> int:
        """Where the heading styles start among the style records: after Normal, and Hyperlink if used."""
        return 2 if self.has_hyperlink else 1

    def _write_cell_style_xfs(self) -> None:
        """The style records: xlsxwriter's, then one per heading style; heading formats now point to theirs."""
        headings = self._headings()
        first = self._first_heading_xf()
        self._xml_start_tag("cellStyleXfs", [("count", first + len(headings))])
        self._write_xf(self.xf_formats[0], XFormatType.STYLE)
        if self.has_hyperlink:
            self._write_style_xf(True, self.hyperlink_font_id)
        for _, font in headings:
            self._write_style_xf(False, font)
        self._xml_end_tag("cellStyleXfs")
        index = {name: first + i for i, (name, _) in enumerate(headings)}
        for xf_format in self.xf_formats:
            name = getattr(xf_format, HEADING, None)
            if name is not None:
                xf_format.xf_id = index[name]

    def _write_cell_styles(self) -> None:
        """The named styles: Hyperlink if used, the headings by Excel's built-in ids, and Normal."""
        headings = self._headings()
        first = self._first_heading_xf()
        self._xml_start_tag("cellStyles", [("count", first + len(headings))])
        if self.has_hyperlink:
            self._write_cell_style("Hyperlink", 1, 8)
        for i, (name, _) in enumerate(headings):
            self._write_cell_style(name, first + i, HEADING_STYLES[name])
        self._write_cell_style()
        self._xml_end_tag("cellStyles")


class _HouseWorksheet(Worksheet):
    """xlsxwriter's worksheet, writing its formatted number and text cells with less work per cell.

    Every data cell here has a format, and xlsxwriter's general cell writer escapes each attribute (the cell
    reference and the format's number) and looks up the cell's type by name: the cost of writing a workbook
    is mostly there. The XML is the same, character for character; other cells go to xlsxwriter's writer.
    """

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """One ``<c>`` element: formatted numbers, dates and shared strings directly, others as xlsxwriter does."""
        cell_format = cell.format
        kind = cell.__class__.__name__
        if cell_format is None or self.constant_memory or kind not in ("Number", "Datetime", "String"):
            super()._write_cell(row, col, cell)
            return
        reference = xl_rowcol_to_cell_fast(row, col)
        index = cell_format._get_xf_index()
        if kind == "String":
            self.fh.write(f'<c r="{reference}" s="{index}" t="s"><v>{cell.string}</v></c>')
        else:
            self.fh.write(f'<c r="{reference}" s="{index}"><v>{cell.number:.16G}</v></c>')


class _HouseWorkbook(Workbook):
    """xlsxwriter's workbook with the house worksheet (faster cell writing) and the document's language."""

    worksheet_class = _HouseWorksheet

    def close(self) -> None:
        """Write the workbook, then drop the house style's state for it: its formats refer to the workbook,
        so the state would keep every workbook of a process alive (0.36 MB a school report)."""
        try:
            super().close()
        finally:
            WORKBOOK_STATE.pop(self, None)

    def _get_packager(self) -> Packager:
        """The packager writing ``dc:language`` into the core properties."""
        return _HousePackager()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a workbook is built, then as it was.

    xlsxwriter keeps a small object per cell until the workbook is closed; each few thousand of them start a
    collection over every object of the process (Polars, Pandera, Prefect and all), which cost a third of
    the time of writing a return. Cells hold no reference cycles: nothing is left for the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_workbook(path: str | Path | io.BytesIO) -> Workbook:
    """A new workbook that never turns text into formulas, URLs or numbers, in the document's language."""
    target = path if isinstance(path, io.BytesIO) else str(path)
    workbook = _HouseWorkbook(
        target,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    workbook_state(workbook)
    return workbook


def with_language(content: bytes) -> bytes:
    """The workbook's bytes with its document language set (``LANGUAGE``): xlsxwriter has no setting for it.

    The core properties gain ``dc:language``; every other part is copied unchanged, with its date, so equal
    workbooks stay byte-identical.
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml" and b"<dc:language>" not in data:
                data = data.replace(
                    b"</cp:coreProperties>",
                    f"<dc:language>{LANGUAGE}</dc:language></cp:coreProperties>".encode(),
                )
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return target_buffer.getvalue()


def write_bytes_atomically(path: Path, content: bytes) -> str:
    """Write ``content`` to ``path`` through a temporary file and a rename; return its SHA-256.

    A failure leaves any existing file untouched and no temporary file behind. A full, read-only or misplaced
    output folder is said in plain words (HubReturnsError, not retried); other I/O errors are raised as they are.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # os.open with 0o666 lets the umask decide permissions, as for any new file.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)  # noqa: PTH105 - the module's os, which the fault tests wrap to kill a run here
    except BaseException as exc:
        # A folder that refuses the write may refuse this too; the next run of the hub clears it.
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        unchanged = f"The previous copy of {path.name}, if there was one, is unchanged."
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise HubReturnsError(
                f"Could not write {path.name}: the output folder {path.parent} is full (no space left on its "
                f"disk). Free some space there, or set the hub's [storage] output_dir to a folder with room, "
                f"then run again. {unchanged}"
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise HubReturnsError(
                f"Could not write {path.name}: the output folder {path.parent} cannot be written to "
                f"({exc.strerror}: it is read-only, or this account may not write there). Ask for write access "
                f"to it, or set the hub's [storage] output_dir to a folder you can write to, then run again. "
                f"{unchanged}"
            ) from exc
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            raise HubReturnsError(
                f"Could not write {path.name}: the output folder {path.parent} cannot be made, because it or a "
                f"folder above it is a file, not a folder. Move that file away, or set the hub's [storage] "
                f"output_dir to another folder, then run again."
            ) from exc
        raise
    return hashlib.sha256(content).hexdigest()
