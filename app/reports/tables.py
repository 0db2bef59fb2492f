"""The tabular documents as data: one ``ListTable`` feeds both the PDF and the .xlsx export,
so a list looks the same on paper and in Excel and its headers come from one place (the field
registry, through ``Col.of``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.models.partial_date import PartialDate
from app.models.registry import format_money, spec
from app.reports.layout import Column, Layout


class Kind:
    TEXT = "text"
    INT = "int"
    DATE = "date"  # a datetime.date
    PARTIAL_DATE = "partial_date"  # an ISO prefix "1943-05"
    MONEY = "money"  # int fen
    PHONES = "phones"  # list of str, printed in full
    ID_NUMBER = "id_number"  # text, never a number (18 digits lose precision in Excel)
    BLANK = "blank"  # left empty to be written in by hand; not exported


@dataclass(frozen=True)
class Col:
    label: str
    width: float  # characters
    kind: str = Kind.TEXT
    align: str = "left"

    @classmethod
    def of(cls, table: str, name: str, *, width: float | None = None, kind: str | None = None,
           align: str = "left") -> Col:
        """A column labelled and sized from the field registry."""
        f = spec(table, name)
        return cls(f.label, width or f.width, kind or _KIND_OF.get(f.kind.value, Kind.TEXT), align)


_KIND_OF = {"date": Kind.DATE, "partial_date": Kind.PARTIAL_DATE, "money": Kind.MONEY,
            "phones": Kind.PHONES, "id_number": Kind.ID_NUMBER, "int": Kind.INT}

SERIAL = Col("序号", 3.5, Kind.INT, "center")


@dataclass
class Section:
    title: str = ""  # heading above the rows (a group and its leader)
    key: str = ""  # the section's value in the exported sheet's first column
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class ListTable:
    title: str
    columns: list[Col]
    sections: list[Section]
    subtitle: str = ""
    section_label: str = ""  # header of the exported section column; "" → no such column
    wide: bool = True
    min_row_height: float = 0.0
    section_per_page: bool = False
    notes: list[str] = field(default_factory=list)  # lines printed under the last table

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def cell_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == Kind.MONEY:
        return format_money(value)
    if kind == Kind.DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == Kind.PARTIAL_DATE:
        return PartialDate.from_iso(value).display()
    if kind == Kind.PHONES:
        return "\n".join(value) if isinstance(value, list | tuple) else str(value)
    return str(value)


def draw_list(layout: Layout, table: ListTable, *, tick: Any = None) -> None:
    """Lay ``table`` out: a heading per section (repeated with 续 after a page break), then
    the rows under a repeating header."""
    cols = [Column(c.label, c.width, c.align) for c in table.columns]
    kinds = [c.kind for c in table.columns]
    first = True
    for section in table.sections:
        if table.section_per_page or first:
            layout.new_page()
        first = False
        if section.title:
            title = section.title
            layout.heading(title, size=10.5, keep_with=40)
            layout.on_break = lambda title=title: layout.text_line(f"{title}（续）", size=10.5)
        rows = [[cell_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in section.rows]
        if not rows:
            layout.paragraph("（无）")
        layout.table(cols, rows, min_height=table.min_row_height, tick=tick)
        layout.on_break = None
        layout.space(6)
    for line in table.notes:
        layout.space(4)
        layout.paragraph(line, size=10)
