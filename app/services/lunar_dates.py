"""Lunar-calendar dates the care rules need: the Spring Festival of a year and the solar day
on which a lunar birthday falls.

Conventions (common practice, stated so the tests can hold them):

* someone born in a leap month (闰月) celebrates in the ordinary month of the same number,
  because most years have no such leap month;
* a birthday on the 30th of a month that has only 29 days in the wanted year is kept on the
  29th (the last day of that month);
* a solar 29 February anniversary is kept on 1 March in a common year (as in ``ages``).

Conversions are cached: lunar-python is pure Python (~0.1 ms a call) and the reminder
computation asks for the same few dates again and again.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache

from lunar_python import Lunar, LunarMonth, Solar


@lru_cache(maxsize=512)
def spring_festival(year: int) -> date:
    """The solar date of the lunar new year (正月初一) of ``year``."""
    s = Lunar.fromYmd(year, 1, 1).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


@lru_cache(maxsize=65536)
def to_lunar(day: date) -> tuple[int, int, int]:
    """(lunar year, month, day) of a solar date; the month is positive even in a leap month."""
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()


@lru_cache(maxsize=65536)
def from_lunar(year: int, month: int, day: int) -> date:
    """Solar date of the ordinary (non-leap) lunar ``month``/``day`` of lunar ``year``;
    a 30th that the month lacks becomes its last day."""
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
