"""The lunar table (app/services/lunar_table.py) against lunar-python itself."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path

from lunar_python import Lunar, LunarMonth, Solar

from app.services import lunar_dates
from app.services.lunar_table import FIRST_YEAR, LAST_YEAR

ROOT = Path(__file__).resolve().parents[2]


def _library_to_lunar(day: date) -> tuple[int, int, int]:
    lunar = Solar.fromYmd(day.year, day.month, day.day).getLunar()
    return lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()


def _library_from_lunar(year: int, month: int, day: int) -> date:
    days = LunarMonth.fromYm(year, month).getDayCount()
    s = Lunar.fromYmd(year, month, min(day, days)).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def _fresh(function):  # type: ignore[no-untyped-def]
    return function.__wrapped__  # past the lru_cache, so each call is really computed


def test_the_committed_table_is_what_the_generator_makes_now():
    spec = importlib.util.spec_from_file_location("make_lunar_table",
                                                  ROOT / "scripts" / "make_lunar_table.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    committed = (ROOT / "app" / "services" / "lunar_table.py").read_text(encoding="utf-8")
    assert generator.render() == committed


def test_solar_to_lunar_matches_the_library_over_the_whole_table():
    to_lunar = _fresh(lunar_dates.to_lunar)
    day, end, checked = date(1900, 1, 31), date(2100, 12, 31), 0
    while day <= end:
        assert to_lunar(day) == _library_to_lunar(day), day
        # lunar-python takes ~2 ms a call: every 61st day (the table itself is checked whole
        # by the test above; this checks the arithmetic over it).
        day += timedelta(days=61)
        checked += 1
    assert checked > 1_200
    # Every day around new years and inside leap months, where an off-by-one would show.
    for start in (date(1984, 1, 15), date(2020, 5, 15), date(2023, 3, 15), date(2025, 7, 20),
                  date(2033, 12, 10), date(2057, 10, 15)):
        for n in range(40):
            d = start + timedelta(days=n)
            assert to_lunar(d) == _library_to_lunar(d), d


def test_lunar_to_solar_matches_the_library_for_every_year_and_month():
    from_lunar = _fresh(lunar_dates.from_lunar)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            # The 30th: the month's last day, and kept on the 29th in a short month.
            assert from_lunar(year, month, 30) == _library_from_lunar(year, month, 30), \
                (year, month)
        assert _fresh(lunar_dates.spring_festival)(year) == _library_from_lunar(year, 1, 1)


def test_outside_the_table_the_library_is_asked():
    assert _fresh(lunar_dates.to_lunar)(date(1899, 6, 1)) == _library_to_lunar(date(1899, 6, 1))
    assert _fresh(lunar_dates.from_lunar)(2101, 8, 15) == _library_from_lunar(2101, 8, 15)
    assert _fresh(lunar_dates.spring_festival)(1899) == _library_from_lunar(1899, 1, 1)
