"""Lunar-calendar dates the care rules need: the Spring Festival of a year and the solar day
on which a lunar birthday falls.

Conventions (common practice, stated so the tests can hold them):

* someone born in a leap month (闰月) celebrates in the ordinary month of the same number,
  because most years have no such leap month;
* a birthday on the 30th of a month that has only 29 days in the wanted year is kept on the
  29th (the last day of that month);
* a solar 29 February anniversary is kept on 1 March in a common year (as in ``ages``).

Lunar years 1900–2100 come from a table (``lunar_table``, generated from lunar-python):
lunar-python works each year out astronomically, ~10 ms a year, which made the first
reminders of a session take a second or more. Outside that range lunar-python is asked.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from datetime import date
from functools import lru_cache

from app.services.lunar_table import BIG_MONTHS, FIRST_YEAR, LAST_YEAR, LEAP_MONTH, NEW_YEAR

# The day after the table's last lunar year.
_TABLE_END = NEW_YEAR[-1] + 29 * (12 + (LEAP_MONTH[-1] > 0)) + bin(BIG_MONTHS[-1]).count("1")


def _months(i: int) -> list[tuple[int, int]]:
    """(month, days) of the months of table year ``i`` in order; a leap month is negative."""
    leap, big = LEAP_MONTH[i], BIG_MONTHS[i]
    numbers = [*range(1, leap + 1), -leap, *range(leap + 1, 13)] if leap else range(1, 13)
    return [(m, 30 if big >> k & 1 else 29) for k, m in enumerate(numbers)]


@lru_cache(maxsize=512)
def spring_festival(year: int) -> date:
    """The solar date of the lunar new year (正月初一) of ``year``."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return date.fromordinal(NEW_YEAR[year - FIRST_YEAR])
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, 1, 1).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=65536)
def to_lunar(day: date) -> tuple[int, int, int]:
    """(lunar year, month, day) of a solar date; the month is positive even in a leap month."""
    n = day.toordinal()
    if NEW_YEAR[0] <= n < _TABLE_END:
        i = bisect_right(NEW_YEAR, n) - 1
        offset = n - NEW_YEAR[i]
        for month, days in _months(i):
            if offset < days:
                return FIRST_YEAR + i, abs(month), offset + 1
            offset -= days
        raise AssertionError("lunar_table: a year shorter than the gap to the next")
    from lunar_python import Solar

    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()


@lru_cache(maxsize=65536)
def from_lunar(year: int, month: int, day: int) -> date:
    """Solar date of the ordinary (non-leap) lunar ``month``/``day`` of lunar ``year``;
    a 30th that the month lacks becomes its last day."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        i = year - FIRST_YEAR
        offset = 0
        for m, days in _months(i):
            if m == month:
                return date.fromordinal(NEW_YEAR[i] + offset + min(day, days) - 1)
            offset += days
        raise ValueError(f"no lunar month {month}")
    from lunar_python import Lunar, LunarMonth

    days = LunarMonth.fromYm(year, month).getDayCount()
    s = Lunar.fromYmd(year, month, min(day, days)).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def anniversary(start: date, years: int) -> date:
    """``start`` plus whole years; 29 February falls on 1 March in a common year."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, start.month, start.day)


def lunar_birthday(birth: date, age: int) -> date:
    """The solar day of the lunar birthday at which someone born on solar ``birth`` turns
    ``age`` (in the lunar year ``age`` years after the lunar year of birth)."""
    ly, lm, ld = to_lunar(birth)
    return from_lunar(ly + age, lm, ld)
