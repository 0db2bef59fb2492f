"""Dates known only to the year or month, as found on old retiree records.

The canonical text form is ISO-like ("1943", "1943-05", "1943-05-12"): it is what the
database stores, and because month and day are zero-padded it sorts correctly as text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering
from typing import Literal

MIN_YEAR = 1800
MAX_YEAR = 2200

Precision = Literal["year", "month", "day"]

# Full-width ASCII (U+FF01–FF5E) maps onto ASCII by a fixed offset; Chinese input methods
# readily produce "１９４３．５" and friends.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x2014: 0x2D, 0x2013: 0x2D, 0x2010: 0x2D, 0x2212: 0x2D})

# The separator must be the same twice, so "1943-05/12" is rejected rather than guessed at.
_RE_SEP_YMD = re.compile(r"(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})", re.ASCII)
_RE_SEP_YM = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})", re.ASCII)
_RE_CN = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号]?)?)?", re.ASCII)
_RE_COMPACT = re.compile(r"(\d{4})(\d{2})?(\d{2})?", re.ASCII)
_RE_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)


@total_ordering
@dataclass(frozen=True)
class PartialDate:
    """A calendar date whose month and/or day may be unknown.

    Ordering follows the text order of ``iso()``: "1943" < "1943-01" < "1943-01-01".
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        for name in ("year", "month", "day"):
            v = getattr(self, name)
            # bool is an int subclass; True as a month is always a bug upstream.
            if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                raise ValueError(f"日期字段必须是整数：{name}={v!r}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"年份超出范围（{MIN_YEAR}–{MAX_YEAR}）：{self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"月份无效：{self.month}")
        if self.day is not None:
            if self.month is None:
                raise ValueError("有日无月：填写了日却没有月份")
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"日期无效：{self.year}年{self.month}月没有{self.day}日")

    def _key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self._key() < other._key()

    @classmethod
    def parse(cls, value: PartialDate | date | str | int) -> PartialDate:
        """Parse a PartialDate, ``date``/``datetime``, a bare int year or a typed string."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, date):  # datetime is a date subclass; the time is dropped
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if not isinstance(value, str):
            raise ValueError(f"无法识别的日期：{value!r}")
        text = value.translate(_FULLWIDTH).strip()
        shown = value.strip() or "（空）"
        parts: tuple[str | None, ...] | None = None
        for pattern in (_RE_SEP_YMD, _RE_SEP_YM, _RE_CN, _RE_COMPACT):
            m = pattern.fullmatch(text)
            if m:
                groups = m.groups()
                if pattern is _RE_SEP_YMD:
                    groups = (groups[0], groups[2], groups[3])  # drop the separator
                parts = (groups + (None, None))[:3]
                break
        if parts is None:
            raise ValueError(f"无法识别的日期：{shown}")
        year, month, day = (int(p) if p is not None else None for p in parts)
        try:
            return cls(year, month, day)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValueError(f"无法识别的日期：{shown}（{exc}）") from exc

    @classmethod
    def from_iso(cls, s: str) -> PartialDate:
        """Strict inverse of ``iso()``; used for values read back from the database."""
        m = _RE_ISO.fullmatch(s) if isinstance(s, str) else None
        if not m:
            raise ValueError(f"不是规范的日期格式：{s!r}")
        year, month, day = (int(p) if p is not None else None for p in m.groups())
        return cls(year, month, day)  # type: ignore[arg-type]

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def iso(self) -> str:
        """Canonical text: "1943", "1943-05" or "1943-05-12"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def display(self) -> str:
        """Chinese display text: "1943年", "1943年5月" or "1943年5月12日"."""
        if self.month is None:
            return f"{self.year}年"
        if self.day is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{self.day}日"

    def earliest(self) -> date:
        """First day the value could mean (missing parts → 1)."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """Last day the value could mean (missing parts → last month/day)."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def to_date(self) -> date | None:
        """The exact date, or None unless the day is known."""
        if self.day is None:
            return None
        return date(self.year, self.month or 1, self.day)

    def __str__(self) -> str:
        return self.iso()


def parse_partial_date(value: PartialDate | date | str | int | None) -> PartialDate | None:
    """Like ``PartialDate.parse`` but blank input (None, "", spaces) gives None."""
    if value is None:
        return None
    if isinstance(value, str) and not value.translate(_FULLWIDTH).strip():
        return None
    return PartialDate.parse(value)


def normalize_iso(value: PartialDate | date | str | int | None) -> str | None:
    """Parse anything ``parse_partial_date`` accepts and return the canonical text form."""
    pd = parse_partial_date(value)
    return None if pd is None else pd.iso()
