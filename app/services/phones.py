"""Phone numbers as typed into real Chinese rosters.

Normalised forms:

* mobile: 11 digits, ``1[3-9]`` + 9 digits — "13800138000";
* landline with area code: "010-62345678", "0531-8888888" (010 and 02X are three digits
  including the 0, every other area code four);
* local landline without area code: "62345678";
* any landline may carry an extension: "010-62345678-123".

Subscriber numbers (the part after the area code) must start with 2–9: a 7-digit string
starting with 1 is far more likely a truncated mobile than a real landline.
"""

from __future__ import annotations

import re

_TRANSLATE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_TRANSLATE.update(
    {
        0x3000: " ",  # ideographic space
        0x2010: "-",
        0x2011: "-",
        0x2012: "-",
        0x2013: "-",
        0x2014: "-",
        0x2015: "-",
        0x2212: "-",
        0xFE63: "-",
        0x3001: ",",  # 、
    }
)

_SPLIT = re.compile(r"[,;/\n\r]|或")
_EXT_SPLIT = re.compile(r"转|分机|ext\.?", re.IGNORECASE | re.ASCII)
_EXCEL_FLOAT = re.compile(r"(\d+)\.0+", re.ASCII)
_INTL = re.compile(r"\(?(?:\+|00)86\)?-?", re.ASCII)
_BARE_86 = re.compile(r"86-?", re.ASCII)
_ALLOWED = re.compile(r"[\d()\-]+", re.ASCII)
# Parentheses holding no digits are a note ("（儿子）"), not an area code.
_NOTE_PARENS = re.compile(r"\(([^()\d]*)\)", re.ASCII)
# A token is a run of text that cannot be part of a number ("张三", "电话:"; extension words
# excepted), a run of number characters, or any other single character. Splitting text off
# this way lets "张三13800138000" keep its number and report only the name.
_TOKEN = re.compile(
    r"(?:(?!转|分机|ext)[^0-9()+\-.\s])+|(?:[0-9()+\-.]|转|分机|ext)+|\S", re.IGNORECASE
)

_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LOCAL = re.compile(r"[2-9]\d{6,7}", re.ASCII)
_EXT = re.compile(r"\d{1,6}", re.ASCII)
_VALID = re.compile(
    r"1[3-9]\d{9}"
    r"|(?:(?:010|02\d|0[3-9]\d{2})-)?[2-9]\d{6,7}(?:-\d{1,6})?",
    re.ASCII,
)


def _landline(digits: str) -> str | None:
    """Format a bare digit string as a landline, or None."""
    if digits.startswith("0"):
        if digits.startswith(("010", "02")):
            area_len = 3
        elif digits[1:2] in ("3", "4", "5", "6", "7", "8", "9"):
            area_len = 4
        else:
            # "00…" is an international prefix; no area code other than 010 starts with 01.
            return None
        area, local = digits[:area_len], digits[area_len:]
        return f"{area}-{local}" if _LOCAL.fullmatch(local) else None
    return digits if _LOCAL.fullmatch(digits) else None


def _from_groups(groups: list[str], ext: str | None, *, add_trunk_zero: bool = False) -> str | None:
    """Interpret digit groups (split where the user typed dashes/parentheses)."""
    digits = "".join(groups)
    if not digits:
        return None
    if _MOBILE.fullmatch(digits):
        return digits if ext is None else None  # extensions only exist on switchboards
    if add_trunk_zero and not digits.startswith("0"):
        # "+86 21 6234 5678": international form drops the trunk 0 of the area code.
        digits = "0" + digits
    base = _landline(digits)
    if base is not None:
        return base if ext is None else f"{base}-{ext}"
    # "010-62345678-123": a trailing dash group that does not fit is an extension.
    if ext is None and len(groups) >= 2 and _EXT.fullmatch(groups[-1]):
        return _from_groups(groups[:-1], groups[-1], add_trunk_zero=add_trunk_zero)
    return None


def _normalize_one(s: str) -> str | None:
    """Normalise a single number written without spaces, or None if it is not one."""
    s = s.strip()
    # Scientific notation ("1.38001E+10") is deliberately not accepted: its digits may
    # already be lost, and a plausible but wrong number is worse than a reported one.
    m = _EXCEL_FLOAT.fullmatch(s)
    if m:
        s = m.group(1)
    parts = _EXT_SPLIT.split(s)
    if len(parts) > 2:
        return None
    ext: str | None = None
    if len(parts) == 2:
        s, ext = parts[0].rstrip("-"), parts[1].strip("-")
        if not _EXT.fullmatch(ext):
            return None
    if not s:
        return None

    intl = _INTL.match(s)
    if intl:
        rest = s[intl.end() :]
        if not _ALLOWED.fullmatch(rest or "x"):
            return None
        return _from_groups(re.findall(r"[0-9]+", rest), ext, add_trunk_zero=True)

    if not _ALLOWED.fullmatch(s):
        return None
    result = _from_groups(re.findall(r"[0-9]+", s), ext)
    if result is None and ext is None:
        bare = _BARE_86.match(s)
        if bare:
            # "86-138…" / "86138…": only a mobile can follow a bare 86 unambiguously.
            rest = "".join(re.findall(r"[0-9]+", s[bare.end() :]))
            if _MOBILE.fullmatch(rest):
                return rest
    return result


def _split_piece(piece: str) -> tuple[list[str], list[str]]:
    """Split one separator-free piece on whitespace, re-joining spaced-out numbers.

    Greedy longest match: "138 0013 8000" is one number because the joined tokens are
    valid, while "13800138000 13900139000" is two because 22 digits are not.
    """
    piece = _NOTE_PARENS.sub(r" \1 ", piece)
    spans = [m.span() for m in _TOKEN.finditer(piece)]
    tokens = [piece[a:b] for a, b in spans]
    valid: list[str] = []
    invalid: list[str] = []
    bad_from: int | None = None  # first token of the current run of unparseable tokens

    def flush(end: int) -> None:
        # Report the run as typed (original spacing), not as re-joined tokens.
        if bad_from is not None:
            invalid.append(piece[spans[bad_from][0] : spans[end - 1][1]])

    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            number = _normalize_one("".join(tokens[i:j]))
            if number is not None:
                flush(i)
                bad_from = None
                valid.append(number)
                i = j
                break
        else:
            if bad_from is None:
                bad_from = i
            i += 1
    flush(len(tokens))
    return valid, invalid


def normalize_phones(cell: str | int | float | None) -> tuple[list[str], list[str]]:
    """Return (normalised valid phones, invalid fragments) found in one roster cell.

    Numbers may be separated by 、，,；;／/ newlines or "或"; duplicates are dropped and
    the order kept. Numeric cells straight from Excel (13800138000.0) are accepted too.
    Invalid fragments are reported as typed, apart from full-width characters made ASCII.
    """
    # NaN is how pandas spells an empty cell.
    if cell is None or isinstance(cell, bool) or (isinstance(cell, float) and cell != cell):
        return [], []
    if isinstance(cell, float):
        if not cell.is_integer():
            return [], [repr(cell)]
        cell = str(int(cell))
    text = str(cell).translate(_TRANSLATE)
    valid: list[str] = []
    invalid: list[str] = []
    for piece in _SPLIT.split(text):
        if not piece.strip():
            continue
        ok, bad = _split_piece(piece)
        valid.extend(ok)
        invalid.extend(bad)
    return list(dict.fromkeys(valid)), list(dict.fromkeys(invalid))


def is_valid_phone(s: str) -> bool:
    """Whether ``s`` is already in one of the normalised forms."""
    return isinstance(s, str) and _VALID.fullmatch(s) is not None


def mask_phone(s: str) -> str:
    """Mobile "138****8000"; landline keeps area code and last 2 digits ("010-******78")."""
    if not s:
        return ""
    if _MOBILE.fullmatch(s):
        return f"{s[:3]}****{s[-4:]}"
    m = re.fullmatch(r"(?:(0\d{2,3})-)?(\d{7,8})(?:-(\d{1,6}))?", s, re.ASCII)
    if m:
        area, local, ext = m.groups()
        masked = "*" * (len(local) - 2) + local[-2:]
        return (f"{area}-" if area else "") + masked + (f"-{ext}" if ext else "")
    # Not a phone we recognise: still never reveal more than the last two characters.
    return "*" * max(len(s) - 2, 0) + s[-2:] if len(s) > 2 else "*" * len(s)


def format_phones(phones: list[str]) -> str:
    """Join normalised phones for display: "13800138000、010-62345678"."""
    return "、".join(phones)
