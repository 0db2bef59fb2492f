"""Chinese resident identity numbers (GB 11643-1999).

An 18-character number is: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit
sequence (odd → male, even → female) and a check character (0–9 or X) computed as an
ISO 7064 MOD 11-2 checksum. Old 15-digit numbers omit the century ("19") and the check
character; they are upgraded on normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models.partial_date import PartialDate

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"
MIN_BIRTH_YEAR = 1880

# Full-width ASCII (U+FF01–FF5E) → ASCII; spreadsheets typed with a Chinese IME are full of them.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}

_ALLOWED_CHARS = frozenset("0123456789X")
_SEX_ALIASES = {"男": "男", "男性": "男", "女": "女", "女性": "女"}


class IdNumberError(ValueError):
    """An identity number that cannot be accepted; ``str(exc)`` is a Chinese message."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "男" if the 17th digit is odd else "女"
    region_code: str


def check_digit(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(f"计算校验位需要17位数字，当前为：{first17}")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_MAP[total % 11]


def _birth_date_of(number: str) -> date | None:
    digits = number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Clean up and validate ``raw``; return the canonical 18-character number.

    ``today`` exists so tests can pin the "birth date not in the future" check.
    """
    if raw is None:
        raise IdNumberError("身份证号为空")
    # str.split() with no argument also splits on U+3000 and other Unicode spaces.
    s = "".join(str(raw).translate(_FULLWIDTH).split()).upper()
    if not s:
        raise IdNumberError("身份证号为空")
    bad = "".join(dict.fromkeys(c for c in s if c not in _ALLOWED_CHARS))
    if bad:
        raise IdNumberError(f"身份证号含有非法字符：{bad}")
    if len(s) not in (15, 18):
        raise IdNumberError(f"身份证号应为18位（或旧15位）数字，当前为{len(s)}位")
    if "X" in s[:-1] or (len(s) == 15 and s.endswith("X")):
        raise IdNumberError("身份证号中的 X 只能出现在18位号码的末位")
    if len(s) == 15:
        first17 = s[:6] + "19" + s[6:]
        s = first17 + check_digit(first17)

    birth = _birth_date_of(s)
    if birth is None or birth.year < MIN_BIRTH_YEAR:
        raise IdNumberError(f"身份证号中的出生日期无效：{s[6:14]}")
    if birth > (today or date.today()):
        raise IdNumberError(f"身份证号中的出生日期晚于今天：{s[6:14]}")

    expected = check_digit(s[:17])
    if s[17] != expected:
        raise IdNumberError(f"身份证号校验位错误：末位应为 {expected}，实际为 {s[17]}")
    return s


def parse_id_number(raw: str, *, today: date | None = None) -> IdInfo:
    """Normalise ``raw`` and decode birth date, sex and region."""
    number = normalize_id_number(raw, today=today)
    birth = _birth_date_of(number)
    assert birth is not None  # normalize_id_number has validated it
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6])


def _display_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def check_consistency(info: IdInfo, birth: PartialDate | None, sex: str | None) -> list[str]:
    """Chinese messages for each way the typed birth date / sex contradicts the ID number.

    A year or year-month birth date is consistent when the ID's date falls inside it;
    blank values are not checked.
    """
    problems: list[str] = []
    if birth is not None and not birth.earliest() <= info.birth_date <= birth.latest():
        problems.append(
            f"出生日期（{birth.display()}）与身份证号（{_display_date(info.birth_date)}）不符"
        )
    typed = (sex or "").strip()
    if typed and _SEX_ALIASES.get(typed, typed) != info.sex:
        problems.append(f"性别（{typed}）与身份证号（{info.sex}）不符")
    return problems


def mask_id_number(number: str | None) -> str:
    """Keep the first 6 and last 4 characters: "110105********1234"."""
    if not number:
        return ""
    n = len(number)
    if n >= 11:
        head, tail = 6, 4
    else:
        # Too short to be a real number; still never show it whole.
        head = tail = n // 4
    return number[:head] + "*" * (n - head - tail) + (number[n - tail :] if tail else "")


def id_tail(number: str, n: int = 6) -> str:
    """The last ``n`` characters, e.g. for quick search ("尾号")."""
    if not number or n <= 0:
        return ""
    s = "".join(number.split())
    return s[-n:]


def make_id_number(region: str, birth: date, seq: int) -> str:
    """A check-digit-correct 18-digit number; odd ``seq`` gives a male number.

    Used by the demo data generator and tests; the birth date is not checked against today.
    """
    if len(region) != 6 or not region.isascii() or not region.isdigit():
        raise ValueError(f"地区代码应为6位数字：{region}")
    if not 0 <= seq <= 999:
        raise ValueError(f"顺序码应在0–999之间：{seq}")
    if not 1000 <= birth.year <= 9999:
        raise ValueError(f"出生年份无效：{birth.year}")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)
