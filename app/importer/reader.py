"""Reading roster files cell by cell: .xlsx (openpyxl, streamed), .xls (python-calamine)
and .csv (UTF-8 or GBK).

Every reader yields plain Python cell values (str, int, float, datetime, None) row by row,
so the rest of the importer never knows which format it came from. xlsx is streamed with
openpyxl's read-only mode because a roster can be large and a fully loaded workbook costs
dozens of times the file size in memory.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.services.errors import ServiceError

Row = tuple[Any, ...]

SUPPORTED = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")
# The lean expat reader for .xlsx (xlsx_stream); False forces openpyxl (the benchmark compares).
FAST_XLSX = True


class ReadError(ServiceError):
    """The file cannot be read at all (the message is Chinese)."""


class Source:
    """One roster file: its sheet names and a fresh row iterator per sheet."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ReadError(f"找不到文件：{self.path}")
        self.kind = self.path.suffix.lower()
        if self.kind not in SUPPORTED:
            raise ReadError(f"不支持的文件类型“{self.path.suffix}”：请使用 .xlsx、.xls 或 .csv 文件")
        self.encoding: str | None = None
        if self.kind in (".csv", ".txt"):
            self.encoding = detect_encoding(self.path)
        # Opened once and kept: openpyxl scans a whole sheet on opening when the file lacks
        # a <dimension> record, so reopening per pass would cost a full read each time.
        self._book: Any = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._book is not None and self.kind != ".xls":
            self._book.close()
        self._book = None

    def _workbook(self) -> Any:
        if self._book is None:
            if self.kind == ".xls":
                self._book = _calamine(self.path)
            else:
                # The lean expat reader first (several times faster); openpyxl for anything
                # it does not understand.
                from app.importer.xlsx_stream import XlsxFormatError, open_xlsx

                try:
                    if not FAST_XLSX:
                        raise XlsxFormatError("disabled")
                    self._book = open_xlsx(self.path)
                except XlsxFormatError:
                    self._book = _openpyxl(self.path)
        return self._book

    def sheet_names(self) -> list[str]:
        if self.kind in (".csv", ".txt"):
            return [self.path.stem]
        return list(self._workbook().sheet_names if self.kind == ".xls" else self._workbook().sheetnames)

    def rows(self, sheet: str) -> Iterator[Row]:
        """Every row of ``sheet`` in order, row 1 first (blank rows included, so that row
        numbers in messages are the ones the user sees in Excel)."""
        if self.kind in (".csv", ".txt"):
            yield from _csv_rows(self.path, self.encoding or "utf-8-sig")
        elif self.kind == ".xls":
            yield from _calamine_rows(self._workbook(), sheet)
        else:
            wb = self._workbook()
            if sheet not in wb.sheetnames:
                raise ReadError(f"文件中没有名为“{sheet}”的工作表")
            from app.importer.xlsx_stream import XlsxBook, XlsxFormatError

            if isinstance(wb, XlsxBook):
                try:
                    yield from wb.rows(sheet)
                except XlsxFormatError as exc:
                    raise ReadError(f"“{self.path.name}”的工作表“{sheet}”内容无法解析：{exc}") from exc
            else:
                yield from wb[sheet].iter_rows(values_only=True)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (a
    superset of GBK, which is what Excel on Chinese Windows writes)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path, encoding: str) -> Iterator[Row]:
    with path.open(encoding=encoding, newline="", errors="replace") as fh:
        sample = fh.read(8192)
        fh.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        for row in csv.reader(fh, dialect):
            yield tuple(c if c.strip() else None for c in row)


def _openpyxl(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ReadError(f"无法打开 Excel 文件“{path.name}”：文件已损坏或不是 .xlsx 格式（{exc}）") from exc


def _calamine(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise ReadError(f"无法打开 Excel 文件“{path.name}”：{exc}") from exc


def _calamine_rows(wb: Any, sheet: str) -> Iterator[Row]:
    try:
        ws = wb.get_sheet_by_name(sheet)
    except Exception as exc:
        raise ReadError(f"文件中没有名为“{sheet}”的工作表") from exc
    # calamine's ranges start at the first used cell; pad so row numbers match Excel's.
    start_row = (ws.start or (0, 0))[0]
    start_col = (ws.start or (0, 0))[1]
    for _ in range(start_row):
        yield ()
    pad = (None,) * start_col
    for row in ws.iter_rows():
        yield pad + tuple(None if c == "" else c for c in row)
