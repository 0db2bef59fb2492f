"""Money as printed on forms: figures (¥500.00) and Chinese capitals (伍佰元整, 财务大写)."""

from __future__ import annotations

from app.models.registry import format_money

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _four_digits(n: int) -> str:
    """0 < n < 10000 without leading 零; inner runs of zeros become one 零 (1010 → 壹仟零壹拾)."""
    out = ""
    zero_pending = False
    for power, unit in _SMALL_UNITS:
        digit = n // 10**power % 10
        if digit:
            if zero_pending and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero_pending = False
        else:
            zero_pending = True
    return out


def _whole_yuan(n: int) -> str:
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUP_UNITS):
        raise ValueError("金额过大")
    out = ""
    gap = False  # an all-zero group was skipped since the last written one
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        # 壹拾万零壹拾: a lower group that does not start with 仟 (or follows a skipped
        # group) is read with a 零 in front.
        if out and (gap or group < 1000):
            out += "零"
        out += _four_digits(group) + _GROUP_UNITS[index]
        gap = False
    return out


def amount_in_words(fen: int) -> str:
    """Chinese capitals for an amount in fen, by the usual 财务大写 rules.

    50000 → 伍佰元整, 5 → 伍分, 0 → 零元整, 10001000 → 壹拾万零壹拾元整,
    100000050 → 壹佰万元零伍角. 整 is written only when there are no 角 and 分.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("金额应为整数（分）")
    if fen < 0:
        return "负" + amount_in_words(-fen)
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    out = _whole_yuan(yuan) + "元" if yuan else ""
    if not jiao and not cents:
        return (out or "零元") + "整"
    if jiao:
        # 壹拾元零伍角: a 零 marks the empty 元 digit so nothing can be slipped in before 角.
        if yuan and yuan % 10 == 0:
            out += "零"
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"  # 壹元零伍分
    if cents:
        out += _DIGITS[cents] + "分"
    return out


def amount_in_figures(fen: int) -> str:
    """¥500.00, ¥1,000,000.50."""
    return "¥" + format_money(fen)
