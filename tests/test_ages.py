from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.partial_date import PartialDate
from app.services.ages import (
    AGE_BAND_LABELS,
    AGE_BANDS,
    age_band,
    age_on,
    next_round_birthday,
)

BIRTH = PartialDate(1943, 5, 12)


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (date(2023, 5, 11), 79),  # day before the birthday
        (date(2023, 5, 12), 80),  # on the birthday
        (date(2023, 5, 13), 80),  # day after
        (date(2023, 4, 30), 79),
        (date(2023, 12, 31), 80),
        (date(2024, 1, 1), 80),
        (date(1943, 5, 12), 0),  # day of birth
        (date(1944, 5, 11), 0),
        (date(1944, 5, 12), 1),
    ],
)
def test_day_precision(on: date, age: int) -> None:
    assert age_on(BIRTH, on) == age


def test_month_precision_counts_from_first_of_month() -> None:
    birth = PartialDate(1943, 5)
    assert age_on(birth, date(2023, 4, 30)) == 79
    assert age_on(birth, date(2023, 5, 1)) == 80
    assert age_on(birth, date(2023, 5, 31)) == 80


def test_year_precision_counts_from_first_of_january() -> None:
    birth = PartialDate(1943)
    assert age_on(birth, date(2022, 12, 31)) == 79
    assert age_on(birth, date(2023, 1, 1)) == 80
    assert age_on(birth, date(2023, 12, 31)) == 80


def test_unknown_or_future_birth() -> None:
    assert age_on(None, date(2024, 1, 1)) is None
    assert age_on(BIRTH, date(1943, 5, 11)) is None
    assert age_on(PartialDate(2030), date(2024, 1, 1)) is None


def test_feb_29_non_leap_year_reached_on_march_1() -> None:
    leapling = PartialDate(1944, 2, 29)
    assert age_on(leapling, date(2023, 2, 28)) == 78
    assert age_on(leapling, date(2023, 3, 1)) == 79
    assert age_on(leapling, date(1945, 2, 28)) == 0
    assert age_on(leapling, date(1945, 3, 1)) == 1
    # 1900 is not a leap year even though it is divisible by 4.
    assert age_on(PartialDate(1896, 2, 29), date(1900, 2, 28)) == 3
    assert age_on(PartialDate(1896, 2, 29), date(1900, 3, 1)) == 4


def test_feb_29_leap_year_reached_on_the_day() -> None:
    leapling = PartialDate(1944, 2, 29)
    assert age_on(leapling, date(2024, 2, 28)) == 79
    assert age_on(leapling, date(2024, 2, 29)) == 80
    assert age_on(leapling, date(2000, 2, 29)) == 56


def test_feb_28_birthday_not_affected() -> None:
    assert age_on(PartialDate(1943, 2, 28), date(2023, 2, 28)) == 80
    assert age_on(PartialDate(1943, 3, 1), date(2024, 2, 29)) == 80


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under70"),
        (55, "under70"),
        (69, "under70"),
        (70, "70"),
        (79, "70"),
        (80, "80"),
        (89, "80"),
        (90, "90"),
        (100, "90"),
        (112, "90"),
        (None, None),
        (-1, None),
    ],
)
def test_age_band(age: int | None, band: str | None) -> None:
    assert age_band(age) == band


def test_band_tables() -> None:
    assert AGE_BANDS == (
        ("under70", "70岁以下", 0, 69),
        ("70", "70–79岁", 70, 79),
        ("80", "80–89岁", 80, 89),
        ("90", "90岁及以上", 90, None),
    )
    assert AGE_BAND_LABELS == {
        "under70": "70岁以下",
        "70": "70–79岁",
        "80": "80–89岁",
        "90": "90岁及以上",
    }
    assert AGE_BAND_LABELS[age_band(85)] == "80–89岁"  # type: ignore[index]


@given(st.integers(min_value=0, max_value=130))
def test_every_age_has_exactly_one_band(age: int) -> None:
    matches = [c for c, _l, lo, hi in AGE_BANDS if lo <= age and (hi is None or age <= hi)]
    assert len(matches) == 1
    assert age_band(age) == matches[0]


def test_next_round_birthday() -> None:
    assert next_round_birthday(BIRTH, date(2010, 1, 1)) == (70, date(2013, 5, 12))
    assert next_round_birthday(BIRTH, date(2013, 5, 12)) == (70, date(2013, 5, 12))
    assert next_round_birthday(BIRTH, date(2013, 5, 13)) == (80, date(2023, 5, 12))
    assert next_round_birthday(BIRTH, date(2043, 5, 12)) == (100, date(2043, 5, 12))
    assert next_round_birthday(BIRTH, date(2043, 5, 13)) is None


def test_next_round_birthday_partial_and_leap() -> None:
    assert next_round_birthday(PartialDate(1943, 5), date(2023, 1, 1)) == (80, date(2023, 5, 1))
    assert next_round_birthday(PartialDate(1943), date(2023, 1, 2)) == (90, date(2033, 1, 1))
    # 1944 + 80 = 2024 is a leap year; 1944 + 90 = 2034 is not.
    leapling = PartialDate(1944, 2, 29)
    assert next_round_birthday(leapling, date(2024, 1, 1)) == (80, date(2024, 2, 29))
    assert next_round_birthday(leapling, date(2024, 3, 1)) == (90, date(2034, 3, 1))


def test_next_round_birthday_custom_rounds() -> None:
    assert next_round_birthday(BIRTH, date(2023, 6, 1), rounds=(100, 85)) == (
        85,
        date(2028, 5, 12),
    )
    assert next_round_birthday(BIRTH, date(2023, 6, 1), rounds=()) is None


birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))


@given(birth_dates, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_on_matches_naive_definition(birth: date, on: date) -> None:
    age = age_on(PartialDate(birth.year, birth.month, birth.day), on)
    if on < birth:
        assert age is None
        return
    # Naive count: the number of birthdays (Feb 29 → Mar 1 in common years) on or before `on`.
    count = 0
    for year in range(birth.year + 1, on.year + 1):
        try:
            bday = date(year, birth.month, birth.day)
        except ValueError:
            bday = date(year, 3, 1)
        if bday <= on:
            count += 1
    assert age == count


@given(birth_dates, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_is_monotonic(birth: date, on: date) -> None:
    pd = PartialDate(birth.year, birth.month, birth.day)
    a, b = age_on(pd, on), age_on(pd, on + timedelta(days=1))
    if a is not None:
        assert b is not None and b in (a, a + 1)


@given(birth_dates, st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_round_birthday_is_when_age_becomes_round(birth: date, after: date) -> None:
    pd = PartialDate(birth.year, birth.month, birth.day)
    result = next_round_birthday(pd, after)
    if result is None:
        assert (age_on(pd, after) or 0) >= 100
        return
    n, when = result
    assert when >= after
    assert age_on(pd, when) == n
    assert age_on(pd, when - timedelta(days=1)) == n - 1
