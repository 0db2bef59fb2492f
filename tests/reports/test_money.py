"""Amounts in Chinese capitals (财务大写) over the edge cases forms meet."""

from __future__ import annotations

import pytest

from app.reports.money import amount_in_figures, amount_in_words


@pytest.mark.parametrize(("fen", "words"), [
    (0, "零元整"),
    (5, "伍分"),  # 0.05
    (50, "伍角"),
    (1000, "壹拾元整"),  # 10: 壹拾, never a bare 拾 on money
    (105, "壹元零伍分"),
    (150, "壹元伍角"),
    (1050, "壹拾元零伍角"),
    (1234, "壹拾贰元叁角肆分"),
    (50000, "伍佰元整"),
    (100010, "壹仟元零壹角"),
    (10001000, "壹拾万零壹拾元整"),  # 100,010
    (100000050, "壹佰万元零伍角"),  # 1,000,000.50
    (10000100000, "壹亿零壹仟元整"),
    (10100000000, "壹亿零壹佰万元整"),
    (1000000000000, "壹佰亿元整"),
    (-50000, "负伍佰元整"),
])
def test_amount_in_words(fen: int, words: str) -> None:
    assert amount_in_words(fen) == words


def test_whole_amounts_end_with_zheng_and_fractions_do_not() -> None:
    for fen in range(0, 100_000, 7):
        words = amount_in_words(fen)
        assert words.endswith("整") == (fen % 100 == 0), (fen, words)
        assert "零零" not in words, (fen, words)


def test_amount_in_words_wants_fen_as_int() -> None:
    with pytest.raises(TypeError):
        amount_in_words(5.0)  # type: ignore[arg-type]


def test_amount_in_figures() -> None:
    assert amount_in_figures(50000) == "¥500.00"
    assert amount_in_figures(100000050) == "¥1,000,000.50"
