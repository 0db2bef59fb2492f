"""A small page-layout engine drawn straight onto a ReportLab canvas.

Platypus would do this too, but a 7,300-person visit sheet must come out within a few times
the cost of a bare canvas drawing the same strings. So content is first laid out into pages of
plain drawing operations (text, lines, shaded boxes) — which also tells us the page count —
and then drawn in one pass with the page furniture: unit name, title, date and
"第 x 页 / 共 y 页" on every page. Table headers repeat after each page break.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.reports.fonts import register_pdf_font
from app.services.demo import Cancelled

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

MARGIN = 12 * mm
HEADER_H = 16 * mm
FOOTER_H = 8 * mm
PAD = 3.0
SHADE = 0.9  # grey level of header cells

# Drawing operations: ("t", x, y, text, size, align) · ("l", x1, y1, x2, y2) · ("f", x, y, w, h)
Op = tuple


def _WORDISH(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "-.")


_A85_LOCK = threading.Lock()


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Save without ASCII85-wrapping the compressed streams: ReportLab does that in pure
    Python (its C accelerator is not installed), a quarter of a big sheet's time, for a file
    25 % larger. The switch is global in ReportLab, hence the lock."""
    with _A85_LOCK:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


class Measure:
    """String widths and line wrapping for one font, with per-character widths cached (a
    CJK TrueType font measures through Python code, one character at a time)."""

    def __init__(self, font_name: str) -> None:
        self._font = pdfmetrics.getFont(font_name)
        self._widths: dict[str, float] = {}

    def width(self, text: str, size: float) -> float:
        widths = self._widths
        total = 0.0
        for ch in text:
            w = widths.get(ch)
            if w is None:
                w = widths[ch] = self._font.stringWidth(ch, 1.0)
            total += w
        return total * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Lines of ``text`` that fit ``width``; breaks anywhere (Chinese has no spaces), keeps
        explicit newlines."""
        if not text:
            return [""]
        limit = width / size
        widths = self._widths
        lines: list[str] = []
        for para in text.split("\n"):
            start, used = 0, 0.0
            for i, ch in enumerate(para):
                w = widths.get(ch)
                if w is None:
                    w = widths[ch] = self._font.stringWidth(ch, 1.0)
                if used + w > limit and i > start:
                    cut = i
                    # Keep a house or phone number whole: break before its run of digits.
                    while cut > start and _WORDISH(para[cut - 1]) and _WORDISH(para[cut]):
                        cut -= 1
                    if cut == start:
                        cut = i
                    lines.append(para[start:cut])
                    used = sum(widths[c] for c in para[cut:i])
                    start = cut
                used += w
            lines.append(para[start:])
        return lines


@dataclass(frozen=True)
class Column:
    label: str
    weight: float  # share of the table width (registry widths are in characters)
    align: str = "left"  # left | center | right


class Layout:
    """Content → pages of drawing operations → PDF."""

    def __init__(self, *, title: str, unit_name: str, printed_on: date, wide: bool = False,
                 subtitle: str = "", size: float = 9.0) -> None:
        self.font = register_pdf_font()
        self.measure = Measure(self.font)
        self.title = title
        self.unit_name = unit_name
        self.printed_on = printed_on
        self.subtitle = subtitle
        self.size = size
        self.pagesize = landscape(A4) if wide else A4
        width, height = self.pagesize
        self.left, self.right = MARGIN, width - MARGIN
        self.top, self.bottom = height - MARGIN - HEADER_H, MARGIN + FOOTER_H
        self.pages: list[list[Op]] = []
        self.ops: list[Op] = []
        self.y = self.top
        # Called after an automatic page break, e.g. to repeat a group's heading.
        self.on_break: Callable[[], None] | None = None

    # -- pages ---------------------------------------------------------------------------
    @property
    def width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        self.ops = []
        self.pages.append(self.ops)
        self.y = self.top

    def _room(self, height: float) -> bool:
        return bool(self.pages) and self.y - height >= self.bottom

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` still fits on this one."""
        if not self._room(height):
            self.new_page()
            if self.on_break:
                self.on_break()

    # -- blocks --------------------------------------------------------------------------
    def text_line(self, text: str, *, size: float | None = None, align: str = "left",
                  gap: float = 3.0) -> None:
        """One line of text, without a page-break check (for headings drawn by on_break)."""
        size = size or self.size
        self.y -= size + gap
        x = {"left": self.left, "center": (self.left + self.right) / 2, "right": self.right}[align]
        self.ops.append(("t", x, self.y, text, size, align))
        self.y -= gap

    def heading(self, text: str, *, size: float = 11.0, keep_with: float = 0.0) -> None:
        """A heading kept on the same page as the next ``keep_with`` points of content."""
        self.ensure(size + 6 + keep_with)
        self.text_line(text, size=size)

    def paragraph(self, text: str, *, size: float | None = None) -> None:
        size = size or self.size
        for line in self.measure.wrap(text, self.width, size):
            self.ensure(size * 1.4)
            self.y -= size * 1.4
            self.ops.append(("t", self.left, self.y + size * 0.3, line, size, "left"))

    def space(self, height: float) -> None:
        if self._room(height):
            self.y -= height

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
              header: bool = True, size: float | None = None, min_height: float = 0.0,
              shade_columns: Sequence[int] = (), tick: Callable[[], None] | None = None,
              pad: float = PAD) -> None:
        """A ruled table; rows taller than their text get ``min_height`` (room to write in).
        The header repeats on each page the table runs over."""
        size = size or self.size
        leading = size * 1.25
        total = sum(c.weight for c in columns)
        widths = [c.weight / total * self.width for c in columns]
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + w)
        wrap = self.measure.wrap
        head_lines = [wrap(c.label, w - 2 * pad, size) for c, w in zip(columns, widths, strict=True)]
        head_h = max(len(lines) for lines in head_lines) * leading + 2 * pad if header else 0.0
        shaded = set(shade_columns)
        ops = self.ops
        seg_top: float | None = None

        def close_segment() -> None:
            for x in xs:
                ops.append(("l", x, seg_top, x, self.y))

        def open_segment() -> None:
            nonlocal seg_top, ops
            ops = self.ops
            seg_top = self.y
            ops.append(("l", self.left, self.y, self.right, self.y))
            if header:
                self._cells(ops, columns, xs, head_lines, head_h, size, leading, pad, shade_all=True)
                self.y -= head_h
                ops.append(("l", self.left, self.y, self.right, self.y))

        for row in rows:
            cells = [wrap(v, w - 2 * pad, size) for v, w in zip(row, widths, strict=True)]
            height = max(max(len(c) for c in cells) * leading + 2 * pad, min_height)
            if seg_top is None or self.y - height < self.bottom:
                if seg_top is not None:
                    close_segment()
                    self.new_page()
                    if self.on_break:
                        self.on_break()
                else:
                    self.ensure(head_h + height)
                open_segment()
            if shaded:
                for i in shaded:
                    ops.append(("f", xs[i], self.y - height, widths[i], height))
            self._cells(ops, columns, xs, cells, height, size, leading, pad)
            self.y -= height
            ops.append(("l", self.left, self.y, self.right, self.y))
            if tick:
                tick()
        if seg_top is not None:
            close_segment()

    def _cells(self, ops: list[Op], columns: Sequence[Column], xs: list[float],
               cells: list[list[str]], height: float, size: float, leading: float,
               pad: float, shade_all: bool = False) -> None:
        top = self.y
        if shade_all:
            ops.append(("f", xs[0], top - height, xs[-1] - xs[0], height))
        for i, lines in enumerate(cells):
            if not lines or lines == [""]:
                continue
            align = "center" if shade_all else columns[i].align
            x = {"left": xs[i] + pad, "center": (xs[i] + xs[i + 1]) / 2,
                 "right": xs[i + 1] - pad}[align]
            # Vertically centred block of lines; baseline sits ~0.8 of the size below the line top.
            y = top - (height - len(lines) * leading) / 2 - size * 0.95
            for line in lines:
                ops.append(("t", x, y, line, size, align))
                y -= leading

    # -- output --------------------------------------------------------------------------
    def render(self, out: Path, *, progress: Progress | None = None,
               cancel: Cancel | None = None) -> Path:
        """Draw every page into ``out``, atomically: a cancel or a failure leaves no file."""
        out = Path(out)
        if not self.pages:
            self.new_page()
        tmp = out.with_name(f".{out.name}.part")
        total = len(self.pages)
        try:
            # Starting in the CJK font keeps a never-used, non-embedded Helvetica out of the file.
            c = Canvas(str(tmp), pagesize=self.pagesize, initialFontName=self.font,
                       initialFontSize=9)
            c.setTitle(self.title)
            c.setAuthor(self.unit_name)
            c.setCreator("退管通")
            for number, ops in enumerate(self.pages, 1):
                if cancel and number % 20 == 0 and cancel():
                    raise Cancelled()
                self._draw_page(c, ops, number, total)
                c.showPage()
                if progress and (number % 50 == 0 or number == total):
                    progress(number, total, "生成 PDF")
            with _binary_streams():
                c.save()
            os.replace(tmp, out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return out

    def _draw_page(self, c: Canvas, ops: list[Op], number: int, total: int) -> None:
        width, height = self.pagesize
        font = self.font
        top = height - MARGIN
        c.setLineWidth(0.6)
        c.setFont(font, 9)
        c.drawString(self.left, top - 9, self.unit_name)
        c.drawRightString(self.right, top - 9, f"打印日期：{self.printed_on.isoformat()}")
        c.setFont(font, 15)
        c.drawCentredString(width / 2, top - 17, self.title)
        if self.subtitle:
            c.setFont(font, 9)
            c.drawCentredString(width / 2, top - 30, self.subtitle)
        c.line(self.left, top - HEADER_H + 4, self.right, top - HEADER_H + 4)
        c.setFont(font, 8)
        c.drawCentredString(width / 2, MARGIN, f"第 {number} 页 / 共 {total} 页")
        c.setLineWidth(0.5)
        self._emit(c, ops)

    def _emit(self, c: Canvas, ops: list[Op]) -> None:
        """Append the page's operations as raw PDF content.

        ``drawString`` costs ~40 µs a string (a text object each, a width it throws away, a
        bidi pass); a sheet has tens of thousands of strings. This writes the same operators
        ReportLab's TrueType path writes (``TextObject._formatText``: subset font, escaped
        bytes, ``Tj``), but all text of a page in one BT…ET block. Fills go first, then rules,
        then text, because path operators are not allowed inside a text object."""
        code = c._code
        fills = [f"{x:.2f} {y:.2f} {w:.2f} {h:.2f} re" for k, x, y, w, h, *_ in ops if k == "f"]
        if fills:
            code.append(f"{SHADE} g " + " ".join(fills) + " f 0 g")
        rules = [f"{op[1]:.2f} {op[2]:.2f} m {op[3]:.2f} {op[4]:.2f} l" for op in ops if op[0] == "l"]
        if rules:
            code.append("n " + " ".join(rules) + " S")
        ttf = pdfmetrics.getFont(self.font)
        doc = c._doc
        escape = c._escape
        width = self.measure.width
        out = ["BT"]
        current: tuple[Any, float] | None = None
        names: dict[Any, str] = {}
        for op in ops:
            if op[0] != "t":
                continue
            _k, x, y, text, size, align = op
            if align == "center":
                x -= width(text, size) / 2
            elif align == "right":
                x -= width(text, size)
            out.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
            for subset, chunk in ttf.splitString(text, doc):
                if current != (subset, size):
                    name = names.get(subset)
                    if name is None:
                        name = names[subset] = ttf.getSubsetInternalName(subset, doc)
                    out.append(f"{name} {size:g} Tf")
                    current = (subset, size)
                out.append(f"({escape(chunk)}) Tj")
        out.append("ET")
        code.append(" ".join(out))
