"""Care benchmark: every reminder for 10,000 retirees with ~130,000 visits (the issue asks for
100,000; target ≤ 200 ms) and the year's statistics (target ≤ 300 ms), medians over rounds
in one process.

``python -m bench reminders`` (or ``make bench``); ``--quick`` runs 3 rounds instead of 21
and prints the section instead of writing bench/RESULTS.md."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from datetime import date

from bench.data import TODAY, ensure_db
from bench.results import median, pct, write_section

REMINDER_TARGET_MS = 200.0
STATS_TARGET_MS = 300.0


_REFS: list[float] = []  # the CPU reference, measured before every timed run


def _reference_ms() -> float:
    """A pure-Python loop of 3 million additions (about 100 ms on a current desktop): how fast
    the shared machine is at this moment."""
    t = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return (time.perf_counter() - t) * 1000


def _paused(fn, *args):  # type: ignore[no-untyped-def]
    """``fn(*args)`` with the garbage collector paused, as compute_reminders runs it."""
    from app.services.reminders import gc_paused

    with gc_paused():
        return fn(*args)


def _rounds(fns: dict[str, object], repeat: int) -> tuple[dict[str, list[float]],
                                                         dict[str, list[float]], dict[str, object]]:
    """Each function once a round, ``repeat`` rounds, the CPU reference before every call:
    a slow spell of the shared machine then falls on all of them alike. Returns the times,
    the reference before each, and the last results."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    refs: dict[str, list[float]] = {k: [] for k in fns}
    results: dict[str, object] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            refs[name].append(_reference_ms())
            _REFS.append(refs[name][-1])
            t = time.perf_counter()
            results[name] = fn()  # type: ignore[operator]
            times[name].append((time.perf_counter() - t) * 1000)
    return times, refs, results


def main() -> None:
    from app.db import open_database
    from app.services import lunar_dates
    from app.services.care_rules import load_rules
    from app.services.reminders import _festival, _load, _wedding_years, compute_reminders
    from app.services.yearly_stats import year_stats

    repeat = 3 if "--quick" in sys.argv else 21
    path, _gen = ensure_db(10_000)
    db = open_database(path)
    with db.session_scope() as s:
        raw = s.connection().connection.driver_connection
        people = raw.execute("SELECT count(*) FROM retirees WHERE deleted = 0").fetchone()[0]
        visits = raw.execute("SELECT count(*) FROM visits WHERE deleted = 0").fetchone()[0]
        rules = load_rules(s)
        # First call in a fresh process: empty lunar caches, cold statement cache.
        for cache in (lunar_dates.to_lunar, lunar_dates.from_lunar, lunar_dates.spring_festival):
            cache.cache_clear()
        t = time.perf_counter()
        compute_reminders(s, TODAY, 30, rules)
        first = (time.perf_counter() - t) * 1000
        grace = TODAY.toordinal() - rules["birthday_grace_days"]
        horizon = date.fromordinal(TODAY.toordinal() + 30)
        years = _wedding_years(rules, date.fromordinal(grace).year, horizon.year)
        festival = _festival(TODAY, horizon, rules) is not None
        times, refs, results = _rounds({
            "rem": lambda: compute_reminders(s, TODAY, 30, rules),
            "load": lambda: _paused(_load, s, TODAY, None, years, festival),
            "stats": lambda: year_stats(s, TODAY.year, rules=rules)}, repeat)
    db.close()
    rem, load, stats, items = times["rem"], times["load"], times["stats"], results["rem"]
    loop_ms = median(_REFS)
    per_ref = median([r / c for r, c in zip(rem, refs["rem"], strict=True)])
    stats_per_ref = median([r / c for r, c in zip(stats, refs["stats"], strict=True)])
    loadavg = os.getloadavg()[0]
    counts = Counter(r.kind for r in items)  # type: ignore[union-attr]
    rem_ok = median(rem) <= REMINDER_TARGET_MS
    stats_ok = median(stats) <= STATS_TARGET_MS
    body = f"""
Demo database: {people:,} retirees, {visits:,} visits (seed 1, generated as of {TODAY}).
Reminders computed for {TODAY} with a 30-day horizon (`compute_reminders`, default rules);
{len(items):,} reminders: {", ".join(f"{k} {n:,}" for k, n in counts.most_common())}.
Year statistics = `year_stats(session, {TODAY.year})`. {repeat} rounds in one process, each
timing all reminders, their SQL part and the year statistics once, in turn.

| measure | median | p95 | target | |
|---|---|---|---|---|
| all reminders | {median(rem):.0f} ms | {pct(rem, 95):.0f} ms | ≤ {REMINDER_TARGET_MS:.0f} ms | {'met' if rem_ok else 'MISSED'} |
| … of which SQL (7 queries) | {median(load):.0f} ms | {pct(load, 95):.0f} ms | | |
| all reminders, first call (cold caches) | {first:.0f} ms | | | |
| year statistics | {median(stats):.0f} ms | {pct(stats, 95):.0f} ms | ≤ {STATS_TARGET_MS:.0f} ms | {'met' if stats_ok else 'MISSED'} |
| all reminders at a 100 ms reference (desktop) | {per_ref * 100:.0f} ms | | ≤ {REMINDER_TARGET_MS:.0f} ms | {'met' if per_ref * 100 <= REMINDER_TARGET_MS else 'MISSED'} |
| year statistics at a 100 ms reference (desktop) | {stats_per_ref * 100:.0f} ms | | ≤ {STATS_TARGET_MS:.0f} ms | {'met' if stats_per_ref * 100 <= STATS_TARGET_MS else 'MISSED'} |

Each person's latest visit of each kind comes from `care_state` (one row a person, kept
current by every write of a visit: `app/services/care_state.py`, migration 0005), read in
the same query as the people, with the last contact (the later of a visit in person and a
call) worked out in SQL; before it, the last visit per person and kind was grouped out of
the visit history on every call (about 40 % of the time). People with a visit dated after
the day asked about are read from the visits themselves. The Python part makes the
reminders in one pass over the people: the three kinds nearly everyone gets (call, home
visit, eligibility) are built inline, their due date and text are worked out once per
last-visit day and rule (a few hundred days for thousands of people), the query returns
NULL for the values no rule looks at, and key-person reasons are worked out once per
combination of the fields behind them. Spouses married in a year that can have a jubilee
in the window are read through the (kind, marriage_date) index (migration 0007), not by
reading every contact. Lunar birthdays and the Spring Festival come from
a table of the lunar years 1900–2100 generated from lunar-python (`lunar_table.py`): the
library's astronomical computation (~10 ms a lunar year) made the first call of a session
take 1–3 s. Tests check that this gives the same list as reading the visits for everyone
(`tests/care/test_reminders.py`), that `care_state` equals the visits after operations,
demo data, bundles, conflict resolution and the migration (`tests/care/test_care_state.py`),
and that the lunar table agrees with lunar-python (`tests/care/test_lunar_table.py`); over
this database each change gave the same list as the version before it for 16 dates and
horizons. Year statistics read the year's visits through a covering index led by the date
(migration 0005), by day and kind in the index's order and by person; people are tallied
per combination of the fields the sheet counts (about 2,000 for 10,000 people), so the age
band and key-person test run once per combination; each change gave the same figures as
the version before it for 5 years, whole database and one unit.
CPU reference, run before each timed call: a pure-Python loop of 3 million additions took
{loop_ms:.0f} ms (median; range {min(_REFS):.0f}–{max(_REFS):.0f} ms) on this machine, about
100 ms on a current desktop; the machine is a shared VM whose speed varies (on other days this
reference took 145–160 ms). Per timed call, all reminders took {per_ref:.2f}× and the year
statistics {stats_per_ref:.2f}× the reference measured just before (the "at a 100 ms
reference" rows: median ratio × 100 ms). The first call pays for reading the tables into
SQLite's page cache. The 1-minute load average was {loadavg:.1f} when the run ended.
"""  # noqa: E501
    if "--quick" in sys.argv:
        print(body)  # a development run does not overwrite the recorded figures
    else:
        write_section("reminders", "Care reminders and yearly statistics (10,000 retirees)", body)


if __name__ == "__main__":
    main()
