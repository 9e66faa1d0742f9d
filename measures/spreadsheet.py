"""Reading an uploaded CSV file or Excel workbook one row at a time.

Knows nothing of measures: it turns a file into numbered rows of plain cell
values, or refuses it with a message a person can act on. Everything here
reads untrusted input, so each limit is checked before the expensive step it
protects: the size before anything is read, the zip's own table of contents
before a byte is unpacked, the encoding before the CSV parser sees the text.

A row is `(number, {column index: value})` with the empty cells left out; the
number is the one a spreadsheet shows beside the row (the header is row 1).
Values are JSON-safe, so a row can be stored and read again exactly:
`str`, `int`, `float`, `bool`, a date as `"YYYY-MM-DD"`, or for a cell that
holds no value of its own `{"formula": "=…"}` or `{"error": "#REF!"}`.
"""

import codecs
import csv
import datetime
import io
import re
import warnings
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

MAX_BYTES = 5 * 1024 * 1024
# A workbook of 5,000 measures unpacks to a few MB of XML; far more than that
# is a zip bomb, or at least not an action plan.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 1000

# What the app's own CSV export puts before text that a spreadsheet would
# run as a formula (see exports.neutralise).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")

_ROW = f"{{{SHEET_MAIN_NS}}}row"
_MERGE_CELL = f"{{{SHEET_MAIN_NS}}}mergeCell"
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_INLINE = f"{{{SHEET_MAIN_NS}}}is"
_FORMULA = f"{{{SHEET_MAIN_NS}}}f"
_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_RUN = f"{{{SHEET_MAIN_NS}}}r"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003
# Control characters other than tab and line breaks: binary data and UTF-16
# are full of them, text never has them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHUNK = 64 * 1024


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why, in Swedish."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def mb(size):
    return f"{size / 1024 / 1024:.0f} MB"


def open_sheet(upload):
    """A CsvSheet or XlsxSheet for the uploaded file, or Unreadable."""
    name = (upload.name or "").lower()
    if upload.size == 0:
        raise Unreadable(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise Unreadable(
            _("The file is larger than %(limit)s. Split it into several files.")
            % {"limit": mb(MAX_BYTES)}
        )
    source = upload.file
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if head.startswith(_OLE_MAGIC):
        raise Unreadable(
            _(
                "The file is in the old Excel format (.xls). Open it in Excel and save it "
                "as an Excel workbook (.xlsx) or as CSV."
            )
        )
    if name.endswith(".xlsx"):
        if not head.startswith(_ZIP_MAGIC):
            raise Unreadable(
                _(
                    "The file is named .xlsx but is not an Excel workbook. Save it from "
                    "Excel as an Excel workbook (.xlsx) or as CSV."
                )
            )
        return XlsxSheet(source)
    if name.endswith((".csv", ".txt")):
        if head.startswith(_ZIP_MAGIC):
            raise Unreadable(
                _(
                    "The file is named .csv but is not text: it looks like an Excel "
                    "workbook. Name it .xlsx, or save it from Excel as CSV."
                )
            )
        return CsvSheet(source)
    raise Unreadable(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."))


def unguard(value):
    """The text of a CSV cell without the apostrophe the export put before it."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_START:
        return value[1:]
    return value


class CsvSheet:
    """A CSV file: `;`, `,` or tab separated, UTF-8 (with or without BOM) or
    Windows-1252 (what Excel on Windows writes as "CSV")."""

    kind = "csv"

    def __init__(self, source):
        self.source = source
        self.notes = []
        self.encoding = self._detect_encoding()
        self.delimiter = self._detect_delimiter()

    def _detect_encoding(self):
        head = self.source.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise Unreadable(
                _(
                    "The file is saved as UTF-16 text. Save it as CSV in UTF-8 "
                    "(in Excel: “CSV UTF-8”) and upload it again."
                )
            )
        for encoding in ("utf-8-sig", "cp1252"):
            if self._decodes_as_text(encoding):
                return encoding
        raise Unreadable(
            _(
                "The file is not text in UTF-8 or Windows-1252. Save it as CSV in UTF-8 "
                "(in Excel: “CSV UTF-8”) and upload it again."
            )
        )

    def _decodes_as_text(self, encoding):
        """Whether the whole file decodes without error into text without
        control characters (which binary data and UTF-16 are full of)."""
        self.source.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := self.source.read(_CHUNK):
                if not _is_text(decoder.decode(chunk)):
                    return False
            return _is_text(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            return False
        finally:
            self.source.seek(0)

    def _detect_delimiter(self):
        with self._text() as text:
            first = text.readline()
        counts = {delimiter: first.count(delimiter) for delimiter in (";", ",", "\t")}
        return max(counts, key=counts.get)

    def _text(self):
        self.source.seek(0)
        return _Detaching(io.TextIOWrapper(self.source, encoding=self.encoding, newline=""))

    def rows(self, values_of=None):
        """The file's records; every cell is read, CSV being cheap to read."""
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            try:
                for number, record in enumerate(reader, start=1):
                    yield (
                        number,
                        {index: unguard(value) for index, value in enumerate(record) if value},
                    )
            except csv.Error as exc:
                raise Unreadable(
                    _(
                        "Line %(line)s of the file cannot be read as CSV: a quotation mark "
                        "may be missing, or a cell is far too long."
                    )
                    % {"line": reader.line_num}
                ) from exc

    def check_complete(self):
        """Nothing a CSV file can hide until its end."""

    def close(self):
        """The upload is closed with the request."""


class _Detaching:
    """Uses a text wrapper around the upload without closing the upload."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def __enter__(self):
        return self.wrapper

    def __exit__(self, *exc):
        self.wrapper.detach()


def _is_text(decoded):
    return not _CONTROL.search(decoded)


class XlsxSheet:
    """The first sheet of an Excel workbook, read in openpyxl's read-only mode:
    one row at a time from the zip, never the whole sheet in memory.

    The XML is parsed by the standard library's expat, which since 2.4 refuses
    entity expansion attacks, and resolves no external entities."""

    kind = "xlsx"

    def __init__(self, source):
        self.source = source
        self.notes = []
        self.merged = []
        self._check_zip()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.workbook = load_workbook(source, read_only=True, data_only=False)
        except Exception as exc:
            # openpyxl raises anything from KeyError to XML parse errors on a
            # damaged or foreign file; all of them mean the same to the user.
            raise Unreadable(
                _(
                    "The file cannot be read as an Excel workbook. Save it from Excel as "
                    "an Excel workbook (.xlsx) or as CSV."
                )
            ) from exc
        sheets = self.workbook.worksheets
        if not sheets:
            raise Unreadable(_("The workbook has no sheet with rows."))
        self.sheet = sheets[0]
        self.title = self.sheet.title
        others = [sheet.title for sheet in sheets[1:]]
        if others:
            self.notes.append(
                _(
                    "The workbook has several sheets. Only the first, “%(first)s”, was "
                    "read; these were ignored: %(others)s."
                )
                % {"first": self.title, "others": ", ".join(others)}
            )

    def _check_zip(self):
        """Refuse a zip bomb by the sizes in the zip's central directory,
        before anything is unpacked. (Python's zipfile never unpacks a member
        beyond the size declared there.)"""
        try:
            with zipfile.ZipFile(self.source) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise Unreadable(
                _(
                    "The file cannot be read as an Excel workbook. Save it from Excel as "
                    "an Excel workbook (.xlsx) or as CSV."
                )
            ) from exc
        finally:
            self.source.seek(0)
        unpacked = sum(member.file_size for member in members)
        extreme = any(
            member.file_size > 1024 * 1024
            and member.file_size > MAX_RATIO * max(member.compress_size, 1)
            for member in members
        )
        if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or extreme:
            raise Unreadable(
                _(
                    "The workbook unpacks to far more data than an action plan needs "
                    "(over %(limit)s), so it was not opened. Save the sheet as a new "
                    "workbook or as CSV and upload that."
                )
                % {"limit": mb(MAX_UNPACKED_BYTES)}
            )

    def rows(self, values_of=None):
        """The sheet's rows. With `values_of`, a set of column indexes, every
        row after the first carries values for those columns only, and True
        for any other cell that holds something: enough to count the rows and
        collect one column, in a fraction of the time. The set is read as the
        rows go, so it may be filled in once the first row has been seen."""
        # openpyxl's own cell parser, as read-only mode uses it underneath, in
        # a loop of our own: it skips the cells a quick pass does not need, and
        # it sees the merged cells, which read-only mode drops.
        workbook = self.workbook
        merged = []
        with self.sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                workbook.shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            first = True
            try:
                for _event, element in iterparse(source):
                    if element.tag == _MERGE_CELL:
                        merged.append(element.get("ref", "?"))
                    elif element.tag == _ROW:
                        number, row = self._row(parser, element, None if first else values_of)
                        element.clear()
                        first = False
                        yield number, row
            except Exception as exc:
                raise Unreadable(
                    _(
                        "The sheet cannot be read to the end; the file may be damaged. "
                        "Save it from Excel as a new workbook or as CSV."
                    )
                ) from exc
        self.merged = merged

    @staticmethod
    def _row(parser, element, values_of):
        number = element.get("r")
        parser.row_counter = int(float(number)) if number else parser.row_counter + 1
        parser.col_counter = 0
        row = {}
        for cell in element:
            reference = cell.get("r")
            column = (
                column_index_from_string(reference.rstrip("0123456789"))
                if reference
                else parser.col_counter + 1
            )
            parser.col_counter = column
            if values_of is not None and column - 1 not in values_of:
                if _holds_something(cell):
                    row[column - 1] = True
                continue
            if cell.get("t") == "inlineStr" and cell.find(_FORMULA) is None:
                # What openpyxl's parser makes of it, without its slow rich-text
                # objects: the app's own export writes every text this way.
                value = _inline_text(cell)
            else:
                parser.col_counter = column - 1
                if cell.get("t", "n") == "n" and int(cell.get("s", 0)) in parser.date_formats:
                    with warnings.catch_warnings():
                        # A date out of range becomes an error cell, which the
                        # import reports; openpyxl warns besides.
                        warnings.simplefilter("ignore")
                        parsed = parser.parse_cell(cell)
                else:
                    parsed = parser.parse_cell(cell)
                value = _xlsx_value(parsed["value"], parsed["data_type"])
            if value is not None and value != "":
                row[column - 1] = value
        return parser.row_counter, row

    def close(self):
        self.workbook.close()

    def check_complete(self):
        """What only shows once the whole sheet has been read: merged cells."""
        if self.merged:
            shown = ", ".join(self.merged[:10])
            if len(self.merged) > 10:
                shown += " …"
            raise Unreadable(
                _(
                    "The sheet has merged cells (%(cells)s). A merged cell leaves the rows "
                    "under it empty. Unmerge the cells, fill in each row, and upload the "
                    "file again."
                )
                % {"cells": shown}
            )


def _inline_text(cell):
    """An inline string's text: its plain text and its runs' (not the phonetic
    guides some Japanese text carries)."""
    inline = cell.find(_INLINE)
    if inline is None:
        return None
    parts = [inline.findtext(_TEXT) or ""]
    parts.extend(run.findtext(_TEXT) or "" for run in inline.iterfind(_RUN))
    return "".join(parts)


def _holds_something(cell):
    inline = cell.find(_INLINE)
    return bool(
        cell.findtext(_VALUE)
        or cell.find(_FORMULA) is not None
        or (inline is not None and "".join(inline.itertext()))
    )


def _xlsx_value(value, data_type):
    if value is None:
        return None
    if data_type == "f":
        return {"formula": str(getattr(value, "text", value))}
    if data_type == "e":
        return {"error": str(value)}
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
