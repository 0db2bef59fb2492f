from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.partial_date import (
    PartialDate,
    normalize_iso,
    parse_partial_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1943", "1943"),
        ("1943-05", "1943-05"),
        ("1943-5", "1943-05"),
        ("1943-05-12", "1943-05-12"),
        ("1943-5-2", "1943-05-02"),
        ("1943.05", "1943-05"),
        ("1943.5", "1943-05"),
        ("1943.10", "1943-10"),  # a string, so ".10" is October, not 1943.1
        ("1943.1", "1943-01"),
        ("1943/5/12", "1943-05-12"),
        ("1943.05.12", "1943-05-12"),
        ("1943年5月", "1943-05"),
        ("1943年5月12日", "1943-05-12"),
        ("1943年05月02日", "1943-05-02"),
        ("1943年", "1943"),
        ("19430512", "1943-05-12"),
        ("194305", "1943-05"),
        ("  1943-05-12 ", "1943-05-12"),
        ("\u30001943年5月\u3000", "1943-05"),
        ("１９４３．５", "1943-05"),
        ("１９４３／５／１２", "1943-05-12"),
        ("１９４３－０５－１２", "1943-05-12"),
        ("１９４３年５月１２日", "1943-05-12"),
        ("1943 年 5 月", "1943-05"),
    ],
)
def test_parse_accepted_forms(text: str, expected: str) -> None:
    assert PartialDate.parse(text).iso() == expected


def test_parse_date_datetime_and_partialdate() -> None:
    assert PartialDate.parse(date(1943, 5, 12)) == PartialDate(1943, 5, 12)
    assert PartialDate.parse(datetime(1943, 5, 12, 23, 59)) == PartialDate(1943, 5, 12)
    pd = PartialDate(1943, 5)
    assert PartialDate.parse(pd) is pd
    assert PartialDate.parse(1943) == PartialDate(1943)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1943-",
        "43-05-12",
        "1943-05/12",  # mixed separators
        "19435",
        "1943051",
        "1943年5",
        "5月12日",
        "1943-05-12T10:00",
        "",
        "   ",
    ],
)
def test_parse_unrecognised_raises_chinese(text: str) -> None:
    with pytest.raises(ValueError, match="^无法识别的日期："):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("1943-13", "月份无效"),
        ("1943-00", "月份无效"),
        ("1943-02-30", "没有30日"),
        ("1942-02-29", "没有29日"),
        ("1943-04-31", "没有31日"),
        ("1799", "年份超出范围"),
        ("2201-01", "年份超出范围"),
        ("194313", "月份无效"),
    ],
)
def test_parse_out_of_range_raises_with_reason(text: str, detail: str) -> None:
    with pytest.raises(ValueError, match="无法识别的日期") as exc:
        PartialDate.parse(text)
    assert detail in str(exc.value)


def test_parse_rejects_non_string_garbage() -> None:
    with pytest.raises(ValueError, match="无法识别的日期"):
        PartialDate.parse(1943.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="无法识别的日期"):
        PartialDate.parse(True)  # type: ignore[arg-type]


def test_leap_day_accepted_only_in_leap_years() -> None:
    assert PartialDate.parse("1944-02-29").to_date() == date(1944, 2, 29)
    assert PartialDate.parse("2000-02-29").day == 29
    with pytest.raises(ValueError):
        PartialDate(1900, 2, 29)  # 1900 is not a leap year


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"year": 1943, "month": 13}, "月份无效"),
        ({"year": 1943, "month": 0}, "月份无效"),
        ({"year": 1943, "day": 5}, "有日无月"),
        ({"year": 1799}, "年份超出范围"),
        ({"year": 2201}, "年份超出范围"),
        ({"year": 1943, "month": 6, "day": 31}, "没有31日"),
        ({"year": 1943, "month": 6, "day": 0}, "没有0日"),
        ({"year": 1943, "month": True}, "必须是整数"),
    ],
)
def test_constructor_validation(kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValueError) as exc:
        PartialDate(**kwargs)
    assert fragment in str(exc.value)


def test_year_bounds_inclusive() -> None:
    assert PartialDate(1800).iso() == "1800"
    assert PartialDate(2200, 12, 31).iso() == "2200-12-31"


def test_iso_display_precision_str() -> None:
    y, m, d = PartialDate(1943), PartialDate(1943, 5), PartialDate(1943, 5, 2)
    assert (y.iso(), m.iso(), d.iso()) == ("1943", "1943-05", "1943-05-02")
    assert (y.display(), m.display(), d.display()) == ("1943年", "1943年5月", "1943年5月2日")
    assert (y.precision, m.precision, d.precision) == ("year", "month", "day")
    assert str(d) == "1943-05-02"
    assert f"{m}" == "1943-05"


def test_earliest_latest_to_date() -> None:
    assert PartialDate(1943).earliest() == date(1943, 1, 1)
    assert PartialDate(1943).latest() == date(1943, 12, 31)
    assert PartialDate(1944, 2).earliest() == date(1944, 2, 1)
    assert PartialDate(1944, 2).latest() == date(1944, 2, 29)
    assert PartialDate(1943, 2).latest() == date(1943, 2, 28)
    assert PartialDate(1943, 4).latest() == date(1943, 4, 30)
    d = PartialDate(1943, 5, 12)
    assert d.earliest() == d.latest() == d.to_date() == date(1943, 5, 12)
    assert PartialDate(1943, 5).to_date() is None
    assert PartialDate(1943).to_date() is None


def test_from_iso_is_strict() -> None:
    assert PartialDate.from_iso("1943-05") == PartialDate(1943, 5)
    for bad in ("1943-5", "1943.05", "1943年", "19430512", " 1943", ""):
        with pytest.raises(ValueError, match="不是规范的日期格式"):
            PartialDate.from_iso(bad)
    with pytest.raises(ValueError, match="月份无效"):
        PartialDate.from_iso("1943-13")


def test_ordering_and_equality() -> None:
    items = [
        PartialDate(1943, 5, 12),
        PartialDate(1943),
        PartialDate(1944),
        PartialDate(1943, 5),
        PartialDate(1942, 12, 31),
        PartialDate(1943, 1, 1),
    ]
    assert [p.iso() for p in sorted(items)] == [
        "1942-12-31",
        "1943",
        "1943-01-01",
        "1943-05",
        "1943-05-12",
        "1944",
    ]
    assert PartialDate(1943) < PartialDate(1943, 1)
    assert PartialDate(1943, 5) <= PartialDate(1943, 5)
    assert PartialDate(1943, 6) > PartialDate(1943, 5, 31)
    assert PartialDate(1943, 5) == PartialDate.parse("1943年5月")
    assert PartialDate(1943, 5) != PartialDate(1943, 5, 1)
    assert len({PartialDate(1943, 5), PartialDate.parse("1943.5")}) == 1


def test_ordering_against_other_types_raises() -> None:
    with pytest.raises(TypeError):
        _ = PartialDate(1943) < "1944"  # type: ignore[operator]


def test_frozen() -> None:
    pd = PartialDate(1943)
    with pytest.raises(AttributeError):
        pd.year = 1944  # type: ignore[misc]


def test_parse_partial_date_and_normalize_iso() -> None:
    assert parse_partial_date(None) is None
    assert parse_partial_date("") is None
    assert parse_partial_date("  \u3000") is None
    assert parse_partial_date("1943.5") == PartialDate(1943, 5)
    assert normalize_iso(None) is None
    assert normalize_iso("") is None
    assert normalize_iso("1943年5月12日") == "1943-05-12"
    assert normalize_iso(date(2001, 1, 9)) == "2001-01-09"
    with pytest.raises(ValueError, match="无法识别的日期"):
        parse_partial_date("不详")


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    d = draw(st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day"]))
    if precision == "year":
        return PartialDate(d.year)
    if precision == "month":
        return PartialDate(d.year, d.month)
    return PartialDate(d.year, d.month, d.day)


@given(partial_dates())
def test_roundtrip_iso_display_and_parse(pd: PartialDate) -> None:
    assert PartialDate.from_iso(pd.iso()) == pd
    assert PartialDate.parse(pd.iso()) == pd
    assert PartialDate.parse(pd.display()) == pd
    assert PartialDate.parse(pd.iso().replace("-", "")) == pd
    assert pd.precision == ("year", "month", "day")[pd.iso().count("-")]
    assert pd.earliest() <= pd.latest()


@given(partial_dates(), partial_dates())
def test_ordering_matches_iso_text_order(a: PartialDate, b: PartialDate) -> None:
    assert (a < b) == (a.iso() < b.iso())
    assert (a == b) == (a.iso() == b.iso())
