"""A ``ListTable`` as an .xlsx sheet: header frozen, widths set, ID numbers and phones as text
(Excel would turn an 18-digit number into 1.1E+17), dates as real dates, money as yuan numbers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.models.partial_date import PartialDate
from app.reports.tables import Col, Kind, ListTable
from app.services.demo import Cancelled

TEXT = "@"
DATE = "yyyy-mm-dd"
MONEY = "#,##0.00"


def _cell(value: Any, kind: str) -> tuple[Any, str | None]:
    """(value to store, number format)."""
    if value is None or value == "":
        return None, TEXT if kind in (Kind.PHONES, Kind.ID_NUMBER, Kind.TEXT) else None
    if kind == Kind.PHONES:
        return "、".join(value) if isinstance(value, list | tuple) else str(value), TEXT
    if kind in (Kind.ID_NUMBER, Kind.TEXT):
        return str(value), TEXT
    if kind == Kind.DATE:
        return value, DATE
    if kind == Kind.PARTIAL_DATE:
        pd = PartialDate.from_iso(value)
        full = pd.to_date()
        # A partial date (1943-05) stays text: as a date it would claim a day nobody knows.
        return (full, DATE) if full else (pd.display(), TEXT)
    if kind == Kind.MONEY:
        return value / 100, MONEY
    return value, None


def write_xlsx(table: ListTable, out: Path, *, cancel: Any = None) -> Path:
    out = Path(out)
    wb = Workbook()
    ws = wb.active
    ws.title = table.title[:31]
    columns: list[Col] = [c for c in table.columns if c.kind != Kind.BLANK]
    keep = [i for i, c in enumerate(table.columns) if c.kind != Kind.BLANK]
    header = ([table.section_label] if table.section_label else []) + [c.label for c in columns]
    kinds = ([Kind.TEXT] if table.section_label else []) + [c.kind for c in columns]
    widths = ([12] if table.section_label else []) + [c.width for c in columns]
    ws.append(header)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDDDDD")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row_no = 1
    for section in table.sections:
        for row in section.rows:
            row_no += 1
            if cancel and row_no % 1000 == 0 and cancel():
                raise Cancelled()
            values = ([section.key] if table.section_label else []) + [row[i] for i in keep]
            for col_no, (value, kind) in enumerate(zip(values, kinds, strict=True), 1):
                stored, fmt = _cell(value, kind)
                cell = ws.cell(row=row_no, column=col_no, value=stored)
                if fmt:
                    cell.number_format = fmt
    for col_no, width in enumerate(widths, 1):
        # Registry widths are in Chinese characters; a hanzi is about two Excel width units.
        ws.column_dimensions[get_column_letter(col_no)].width = max(6, round(width * 2 + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape" if table.wide else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    tmp = out.with_name(f".{out.name}.part")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
