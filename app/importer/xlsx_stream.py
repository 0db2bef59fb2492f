"""A lean streaming reader for .xlsx cell values (expat over the sheet XML).

openpyxl's read-only mode builds a cell object with validating descriptors for every cell,
which makes reading the file the most expensive part of an import. Here the sheet XML is fed
in chunks to the C expat parser and only values come out: shared strings, inline strings,
numbers, booleans, and dates (numbers whose cell style has a date format). Memory stays
bounded: the shared-string table (which openpyxl keeps too) plus one chunk of rows.

``open_xlsx`` raises ``XlsxFormatError`` for anything it does not understand; the caller
then falls back to openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 1 << 16

# Built-in number formats that are dates or times (ECMA-376 18.8.30), plus 27–36 and 50–58,
# which Chinese-locale Excel and WPS use for 年月日 formats.
_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_COL = re.compile(r"[A-Z]+")


class XlsxFormatError(Exception):
    pass


def _is_date_code(code: str) -> bool:
    # Drop quoted text, [colour]/[locale] sections and escaped characters, then look for
    # date/time letters (the rule Excel itself follows; "General" has none).
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)
    return bool(re.search(r"[ymdhsYMDHS]", code)) and "General" not in code


_COLUMNS: dict[str, int] = {}


def _col_index(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    n = _COLUMNS.get(letters)
    if n is None:
        if not _COL.fullmatch(letters):
            raise XlsxFormatError(f"bad cell reference {ref}")
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        n -= 1
        _COLUMNS[letters] = n
    return n


class XlsxBook:
    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            self._sheets = self._read_workbook()
            self._strings: list[str] | None = None
            self._date_styles = self._read_styles()
        except (KeyError, ET.ParseError, zipfile.BadZipFile, ValueError) as exc:
            raise XlsxFormatError(str(exc)) from exc

    def close(self) -> None:
        self.zip.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def _read_workbook(self) -> dict[str, str]:
        wb = ET.fromstring(self.zip.read("xl/workbook.xml"))
        pr = wb.find(f"{{{NS}}}workbookPr")
        self.epoch = _EPOCH_1904 if pr is not None and pr.get("date1904") in ("1", "true") else _EPOCH_1900
        rels = ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{PKG_REL_NS}}}Relationship")}
        out: dict[str, str] = {}
        for s in wb.iter(f"{{{NS}}}sheet"):
            target = targets[s.get(f"{{{REL_NS}}}id")]
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            out[s.get("name", "")] = path
        return out

    def _read_styles(self) -> list[bool]:
        try:
            root = ET.fromstring(self.zip.read("xl/styles.xml"))
        except KeyError:
            return []
        custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
                  for f in root.iter(f"{{{NS}}}numFmt")}
        xfs = root.find(f"{{{NS}}}cellXfs")
        out: list[bool] = []
        for xf in (xfs if xfs is not None else []):
            fid = int(xf.get("numFmtId", "0"))
            out.append(_is_date_code(custom[fid]) if fid in custom else fid in _DATE_IDS)
        return out

    def _shared(self) -> list[str]:
        if self._strings is None:
            strings: list[str] = []
            try:
                stream = self.zip.open("xl/sharedStrings.xml")
            except KeyError:
                self._strings = strings
                return strings
            with stream:
                for _event, el in ET.iterparse(stream):
                    if el.tag == f"{{{NS}}}si":
                        # Rich text runs are concatenated; phonetic guides (rPh) are not text.
                        parts = [t.text or "" for t in el.iter(f"{{{NS}}}t")]
                        for rph in el.iter(f"{{{NS}}}rPh"):
                            for t in rph.iter(f"{{{NS}}}t"):
                                if t.text:
                                    parts.remove(t.text)
                        strings.append("".join(parts))
                        el.clear()
            self._strings = strings
        return self._strings

    def rows(self, sheet: str) -> Iterator[tuple[Any, ...]]:
        if sheet not in self._sheets:
            raise KeyError(sheet)
        parser = _SheetParser(self._shared(), self._date_styles, self.epoch)
        with self.zip.open(self._sheets[sheet]) as fh:
            while chunk := fh.read(CHUNK):
                yield from parser.feed(chunk)
            yield from parser.feed(b"", final=True)


class _SheetParser:
    """expat callbacks for one sheet; completed rows collect in ``ready``."""

    def __init__(self, shared: list[str], dates: list[bool], epoch: datetime) -> None:
        self.shared, self.dates, self.epoch = shared, dates, epoch
        self.ready: list[tuple[Any, ...]] = []
        self.row = 0
        self.cells: dict[int, Any] = {}
        self.col = self.next_col = self.style = 0
        self.type = "n"
        self.text: str | None = None
        self.texts: list[str] = []
        self.in_text = False
        self.inline: list[str] | None = None
        p = self.parser = expat.ParserCreate()
        p.buffer_text = True
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars

    def feed(self, chunk: bytes, final: bool = False) -> list[tuple[Any, ...]]:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise XlsxFormatError(str(exc)) from exc
        out, self.ready = self.ready, []
        return out

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:  # "x:c" in files some tools write
            name = name.rsplit(":", 1)[1]
        if name == "c":
            ref = attrs.get("r")
            self.col = _col_index(ref) if ref else self.next_col
            self.type = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.text = None
        elif name == "v" or name == "t":
            self.texts = []
            self.in_text = True
        elif name == "row":
            r = attrs.get("r")
            n = int(r) if r else self.row + 1
            while self.row + 1 < n:  # rows the file leaves out are blank rows
                self.row += 1
                self.ready.append(())
            self.row = n
            self.cells = {}
            self.next_col = 0
        elif name == "is":
            self.inline = []

    def chars(self, data: str) -> None:
        if self.in_text:
            self.texts.append(data)

    def end(self, name: str) -> None:
        if ":" in name:
            name = name.rsplit(":", 1)[1]
        if name == "c":
            self.next_col = self.col + 1
            text = self.text
            t = self.type
            if text is None or (text == "" and t not in ("s", "str", "inlineStr")):
                return  # a formula never calculated, or an empty value
            if t == "s":
                value: Any = self.shared[int(text)]
            elif t == "n":
                value = self._number(text)
            elif t == "str" or t == "inlineStr":
                value = text
            elif t == "b":
                value = text == "1"
            elif t == "d":
                value = datetime.fromisoformat(text)
            else:
                value = text  # "e": "#N/A" and friends, shown to the user as typed
            self.cells[self.col] = value
        elif name == "v" or name == "t":
            self.in_text = False
            text = "".join(self.texts)
            if name == "t" and self.inline is not None:
                self.inline.append(text)
            else:
                self.text = text
        elif name == "row":
            cells = self.cells
            if cells:
                self.ready.append(tuple(cells.get(i) for i in range(max(cells) + 1)))
            else:
                self.ready.append(())
        elif name == "is":
            self.text = "".join(self.inline or ())
            self.inline = None

    def _number(self, text: str) -> Any:
        style = self.style
        if style and style < len(self.dates) and self.dates[style]:
            number = float(text)
            value = self.epoch + timedelta(days=number)
            # Excel's phantom 1900-02-29: serials below 61 are one day off.
            if self.epoch is _EPOCH_1900 and number < 61:
                value += timedelta(days=1)
            return value
        if "." in text or "E" in text or "e" in text:
            return float(text)
        return int(text)


def open_xlsx(path: Path) -> XlsxBook:
    return XlsxBook(path)
