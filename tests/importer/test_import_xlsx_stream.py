"""The lean xlsx reader gives the same values as openpyxl, and falls back to it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from app.importer.reader import ReadError, Source
from app.importer.xlsx_stream import XlsxBook, XlsxFormatError, open_xlsx


def _trim(rows):
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] is None:
            r.pop()
        out.append(tuple(r))
    while out and out[-1] == ():
        out.pop()
    return out


def _reference(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {n: _trim(wb[n].iter_rows(values_only=True)) for n in wb.sheetnames}
    finally:
        wb.close()


@pytest.mark.parametrize("write_only", [False, True])
def test_same_values_as_openpyxl(tmp_path: Path, write_only: bool):
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("名单") if write_only else wb.active
    if not write_only:
        ws.title = "名单"
    rows = [
        ["标题"],
        [],
        ["姓名", "出生", "年月", "数字", "小数", "是否", "大数", "空"],
        ["张　三", datetime(1943, 5, 12), date(1950, 2, 1), 19430512, 1943.05, True, 110105194305121234, None],
        ["李四", 15838, "1943.5", -3, 1e-7, False, "x" * 300, None, "远处"],
    ]
    for r in rows:
        ws.append(r)
    if not write_only:
        ws["C4"].number_format = 'yyyy"年"m"月"'
        ws["B5"].number_format = "yyyy-mm-dd"
        ws["A7"] = CellRichText(["张", TextBlock(InlineFont(b=True), "三丰")])
        ws["D9"] = "=1+1"
        s2 = wb.create_sheet("说明")
        s2["B3"] = "备注"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    book = open_xlsx(path)
    try:
        ours = {n: _trim(book.rows(n)) for n in book.sheetnames}
    finally:
        book.close()
    assert ours == _reference(path)
    assert ours["名单"][3][1] == datetime(1943, 5, 12)


def test_source_uses_the_lean_reader_and_keeps_row_numbers(tmp_path: Path):
    wb = openpyxl.Workbook()
    wb.active["A3"] = "姓名"
    wb.active["A6"] = "张三"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with Source(path) as src:
        rows = list(src.rows(src.sheet_names()[0]))
        assert isinstance(src._book, XlsxBook)
    assert rows[2][0] == "姓名" and rows[5][0] == "张三"


def test_not_an_xlsx_falls_back_to_openpyxl_error(tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(XlsxFormatError):
        open_xlsx(bad)
    with pytest.raises(ReadError):
        Source(bad).sheet_names()
