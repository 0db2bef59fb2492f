"""Finding the header row and mapping columns to fields.

Real rosters put one or two title rows above the header ("XX公司离退休人员花名册",
"填表日期：…"), and often a two-row header where a merged cell ("联系方式") sits over its
sub-columns ("电话", "住址"). We score the first rows by how many cells name a known field
and, when the row under the best one adds sub-headers, combine the two.

A column's *target* is a retiree field name from the registry, a contact target
(``contact:配偶:name``), ``NOTE`` (kept in 备注 as "表头：内容") or ``SKIP`` (named in the
plan as not imported). Unknown columns default to ``NOTE`` so that nothing is silently
dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.models.enums import ContactKind
from app.models.registry import clean_text, label, match_header, normalize_header

NOTE = "__note__"
SKIP = "__skip__"
HEADER_SCAN_ROWS = 30

# Contact columns seen on rosters: (kind, part) → header words. The labels come from the
# contact kinds; only the spreadsheet spellings live here.
CONTACT_TARGETS: dict[str, tuple[str, ...]] = {
    f"contact:{ContactKind.SPOUSE}:name": ("配偶", "配偶姓名", "老伴", "老伴姓名", "爱人", "爱人姓名"),
    f"contact:{ContactKind.SPOUSE}:phones": ("配偶电话", "配偶联系电话", "老伴电话", "爱人电话"),
    f"contact:{ContactKind.CHILD}:name": ("子女", "子女姓名", "子女情况"),
    f"contact:{ContactKind.CHILD}:phones": ("子女电话", "子女联系电话", "子女手机"),
    f"contact:{ContactKind.EMERGENCY}:name": ("紧急联系人", "紧急联系人姓名"),
    f"contact:{ContactKind.EMERGENCY}:phones": ("紧急联系电话", "紧急联系人电话"),
}
_CONTACT_BY_HEADER = {normalize_header(h): t for t, hs in CONTACT_TARGETS.items() for h in hs}

# Columns that are bookkeeping of the spreadsheet itself, and those our own problem export adds.
PROBLEM_COLUMN = "问题说明"
SOURCE_SHEET_COLUMN = "原工作表"
SOURCE_ROW_COLUMN = "原行号"
_SKIP_HEADERS = {normalize_header(h) for h in (
    "序号", "编号", "序", "No", "No.", "行号", PROBLEM_COLUMN, SOURCE_SHEET_COLUMN, SOURCE_ROW_COLUMN)}


def target_label(target: str) -> str:
    """Chinese name of a target, for the plan and the wizard."""
    if target == NOTE:
        return "保留到备注"
    if target == SKIP:
        return "不导入"
    if target.startswith("contact:"):
        _, kind, part = target.split(":")
        return f"{kind}{'电话' if part == 'phones' else '姓名'}"
    return label("retirees", target)


def all_targets() -> list[str]:
    """Every target a column may be mapped to, in form order (for the wizard's drop-downs)."""
    from app.models.registry import fields

    return [f.name for f in fields("retirees")] + list(CONTACT_TARGETS) + [NOTE, SKIP]


def guess_target(header: Any) -> str | None:
    """The target a header names, or None when it names nothing we know."""
    return _guess(str(header)) if header is not None else None


@lru_cache(maxsize=4096)
def _guess(header: str) -> str | None:
    key = normalize_header(header)
    if not key:
        return None
    spec = match_header(key, "retirees")
    if spec is not None:
        return spec.name
    if key in _CONTACT_BY_HEADER:
        return _CONTACT_BY_HEADER[key]
    if key in _SKIP_HEADERS:
        return SKIP
    return None


@dataclass
class Column:
    index: int  # 0-based
    header: str
    target: str  # field name, contact target, NOTE or SKIP

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class HeaderGuess:
    header_row: int  # 1-based row of the (last) header row
    columns: list[Column]
    score: int


def column_letter(index: int) -> str:
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(v: Any) -> str:
    return clean_text(v) if v is not None else ""


def _score(cells: Sequence[str], overrides: Mapping[str, str] | None = None) -> tuple[int, bool]:
    targets = [_target(c, overrides) for c in cells]
    known = [t for t in targets if t not in (None, SKIP)]
    return len(set(known)), "name" in known


def _target(text: str, overrides: Mapping[str, str] | None) -> str | None:
    if overrides and text:
        hit = overrides.get(normalize_header(text))
        if hit is not None:
            return hit
    return guess_target(text)


def _combine(top: Sequence[str], sub: Sequence[str]) -> list[str]:
    """Two header rows as one: a sub-header wins where it names a field or where the top
    cell is empty (the top cell of a vertically merged header reads empty below it)."""
    width = max(len(top), len(sub))
    out = []
    for i in range(width):
        a = top[i] if i < len(top) else ""
        b = sub[i] if i < len(sub) else ""
        if b and (not a or (guess_target(b) is not None and guess_target(a) is None)):
            out.append(b)
        else:
            out.append(a)
    return out


def find_header(rows: Iterable[Sequence[Any]], overrides: Mapping[str, str] | None = None) -> HeaderGuess | None:
    """The header among the first rows (the one naming most fields), or None if no row names
    a 姓名 column and another field (a sheet of notes, a summary). ``overrides`` (normalised
    header → target) are the user's own mapping and count as known headers."""
    head = [[_text(v) for v in row] for _, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
    best: tuple[int, int, list[str]] | None = None  # (score, header_row, cells)
    for i, cells in enumerate(head):
        score, has_name = _score(cells, overrides)
        # A list of names alone (one "姓名" cell) is a roster too; otherwise a second known
        # column is needed, so that a sheet of notes mentioning 姓名 is not taken for one.
        enough = score >= 2 or sum(1 for c in cells if c) == 1
        if has_name and enough and (best is None or score > best[0]):
            best = (score, i + 1, cells)
        if i + 1 < len(head):
            combined = _combine(cells, head[i + 1])
            c_score, c_name = _score(combined, overrides)
            if c_name and c_score >= 2 and c_score > score and (best is None or c_score > best[0]):
                best = (c_score, i + 2, combined)
    if best is None:
        return None
    score, header_row, cells = best
    columns: list[Column] = []
    used: set[str] = set()
    for i, text in enumerate(cells):
        if not text:
            continue
        target = _target(text, overrides) or NOTE
        columns.append(Column(i, text, target))
        used.add(target)
    return HeaderGuess(header_row, columns, score)


def resolve_target(text: str) -> str:
    """A target from what a user typed: a field name (``phones``), a label (联系电话), a
    header synonym (电话), 备注/保留 (keep in note) or 不导入/skip. ValueError otherwise."""
    t = clean_text(text)
    if t in ("不导入", "跳过", "skip", SKIP):
        return SKIP
    if t in ("保留到备注", "保留", NOTE):
        return NOTE
    for target in all_targets():
        if t == target or t == target_label(target):
            return target
    guess = guess_target(t)
    if guess is not None:
        return guess
    raise ValueError(f"不认识的字段：“{text}”")

