"""Ages in full years (周岁), age bands and round birthdays.

Conventions for incomplete birth dates — chosen so that nobody is ever reported
*younger* than they might be, which matters for age-based benefits:

* an unknown day counts as the 1st of the month, an unknown month as 1 January; someone
  recorded as "1943-05" is therefore 80 from 1 May 2023, and "1943" is 80 from
  1 January 2023;
* a 29 February birthday is reached on 1 March in non-leap years (the person has not yet
  had their birthday on 28 February);
* a birth date after the reference date gives no age (None).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from app.models.partial_date import PartialDate

AGE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("under70", "70岁以下", 0, 69),
    ("70", "70–79岁", 70, 79),
    ("80", "80–89岁", 80, 89),
    ("90", "90岁及以上", 90, None),
)
AGE_BAND_LABELS: dict[str, str] = {code: label for code, label, _lo, _hi in AGE_BANDS}

DEFAULT_ROUNDS: tuple[int, ...] = (70, 80, 90, 100)


def _birthday_in(birth: date, year: int) -> date:
    """The day in ``year`` on which the birthday counts as reached."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return date(year, birth.month, birth.day)


def age_on(birth: PartialDate | None, on: date) -> int | None:
    """Age in full years on ``on``; None when the birth date is unknown or after ``on``."""
    if birth is None:
        return None
    b = birth.earliest()
    if b > on:
        return None
    age = on.year - b.year
    if on < _birthday_in(b, on.year):
        age -= 1
    return age


def age_band(age: int | None) -> str | None:
    """The code of the band from ``AGE_BANDS`` that ``age`` falls in."""
    if age is None:
        return None
    for code, _label, lo, hi in AGE_BANDS:
        if age >= lo and (hi is None or age <= hi):
            return code
    return None  # negative ages fall in no band


def next_round_birthday(
    birth: PartialDate, after: date, rounds: Iterable[int] = DEFAULT_ROUNDS
) -> tuple[int, date] | None:
    """The first round age reached on or after ``after``, with the date it is reached."""
    b = birth.earliest()
    for n in sorted(rounds):
        year = b.year + n
        if year > date.max.year:
            break
        when = _birthday_in(b, year)
        if when >= after:
            return n, when
    return None
