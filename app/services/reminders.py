"""What is due: who to visit, call, celebrate or console, computed from the care rules.

``compute_reminders`` reads the few columns it needs in a handful of SQL queries: the people
with their latest visit of each kind (one row each, from ``care_state``, which every write
of a visit keeps current), open cases, spouses married in a year that can have a jubilee in
the window, eligibility checks; and does the date arithmetic in Python, in one pass over the
people. A query per person would take seconds for 10,000 (see bench/bench_reminders.py).

Conventions:

* only people 在册 get reminders: nothing is due for the deceased or those moved out. The
  one exception is an open 丧事 case, whose condolence visit is for the family;
* a reminder is listed when it is due on or before ``on + days``; earlier ones are overdue
  and stay listed until done. The Spring Festival visit is listed from the day its visiting
  window opens (``Reminder.opens``), though it is due on the festival itself. Birthdays and
  weddings are listed from ``birthday_grace_days`` before ``on`` (a late celebration still
  counts); a round birthday is by the solar or the lunar (农历) birth date as recorded;
* 资格认证 is tracked through 工作告知卡: an *acknowledged* delivery of a notice of kind
  资格认证 is the person's check done on that day; the next one is due
  ``eligibility_days`` later (the 12-month rolling cycle);
* people who returned to their hometown get the yearly letter instead of home visits and
  the Spring Festival visit;
* visits dated after ``on`` are ignored, so a past ``on`` shows what was due then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from sqlmodel import Session, select

from app.models import Notice
from app.models.enums import (
    Calendar,
    CaseKind,
    ContactKind,
    DeliveryMethod,
    Living,
    NoticeKind,
    SelfCare,
    Status,
    VisitKind,
)
from app.services import care_state, operations
from app.services.care_rules import is_labour_model, key_reasons, load_rules
from app.services.lunar_dates import anniversary, lunar_birthday, spring_festival, to_lunar
from app.services.operations import Change

# Kind code → (group title, what is logged when done). Order = order on the page.
KINDS: dict[str, tuple[str, str | None]] = {
    "hospital": ("住院慰问", VisitKind.HOSPITAL.value),
    "bereavement": ("丧事慰问", VisitKind.CONDOLENCE.value),
    "family_event": ("家庭大事", VisitKind.FAMILY_EVENT.value),
    "home_visit": ("家访到期", VisitKind.HOME.value),
    "call": ("电话联系到期", VisitKind.PHONE.value),
    "birthday": ("生日祝寿", VisitKind.BIRTHDAY.value),
    "wedding": ("金婚、钻石婚", VisitKind.GOLDEN_WEDDING.value),
    "spring_festival": ("春节尚未走访", VisitKind.SPRING_FESTIVAL.value),
    "eligibility": ("资格认证", None),  # done = an acknowledged 资格认证 notice delivery
    "letter": ("返乡人员信件", VisitKind.LETTER.value),
}
KIND_ORDER = {k: i for i, k in enumerate(KINDS)}

_new = tuple.__new__
# The only values of these columns the rules look at (see care_rules.key_reasons).
_KEY_LIVING = (Living.ALONE.value, Living.SOLITARY.value, Living.ELDER_CARES_ELDER.value)
_NOT_A_MODEL = "无"
# Kinds made in the pass over people (which arrive sorted by name, id) through ``add``.
_PEOPLE_KINDS = frozenset({"letter", "spring_festival", "birthday"})
# The three kinds nearly everyone gets: built inline, into one list per due day.
_ROUTINE_KINDS = ("call", "home_visit", "eligibility")
_CASE_HOSPITAL, _CASE_EVENT = CaseKind.HOSPITAL.value, CaseKind.FAMILY_EVENT.value
_CASE_DEATH = CaseKind.BEREAVEMENT.value
# A celebration logged up to this many days before the date still counts as done.
_EARLY = timedelta(days=60)

WEDDING_NAMES = {25: "银婚", 40: "红宝石婚", 50: "金婚", 60: "钻石婚", 70: "白金婚"}
_LUNAR_MONTHS = "正二三四五六七八九十冬腊"
_DIGITS = "一二三四五六七八九十"


class Reminder(NamedTuple):
    """One thing due. A named tuple: a busy month has tens of thousands of them."""

    kind: str  # a key of KINDS
    retiree_id: str
    name: str
    due: date
    title: str
    detail: str = ""
    group_name: str = ""
    group_id: str | None = None
    case_id: str | None = None
    overdue: bool = False
    # When it becomes worth listing: the due day, or the opening of the Spring Festival
    # visiting window (a page showing "this week" filters on this, not on ``due``).
    opens: date | None = None

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind][0]

    @property
    def visit_kind(self) -> str | None:
        return KINDS[self.kind][1]

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "due": self.due.isoformat(), "kind_label": self.kind_label,
                "opens": (self.opens or self.due).isoformat()}


def lunar_text(month: int, day: int) -> str:
    """农历八月十五 style text for a lunar month and day."""
    if day == 10:
        d = "初十"
    elif day == 20:
        d = "二十"
    elif day == 30:
        d = "三十"
    else:
        d = ("初", "十", "廿")[(day - 1) // 10] + _DIGITS[(day - 1) % 10]
    return f"农历{_LUNAR_MONTHS[month - 1]}月{d}"


def _parse_partial(text: str | None) -> tuple[int, int | None, int | None] | None:
    if not text:
        return None
    try:
        y = int(text[:4])
        m = int(text[5:7]) if len(text) >= 7 else None
        d = int(text[8:10]) if len(text) >= 10 else None
    except ValueError:
        return None
    return y, m, d


def _in(lo: date, d: date, hi: date) -> bool:
    return lo <= d <= hi


# The latest visits the pass over people looks at, after the nine columns of the person;
# the rest (weddings, cases) are read for the few people concerned. "contact" is the later
# of the last visit in person and the last call (a call is due a month after either).
_PEOPLE_STATE = ("in_person", "contact", "letter", "spring_festival", "birthday")
_V = 9
_STATE_SQL = {
    "contact": "CASE WHEN s.phone IS NULL OR s.phone < s.in_person THEN s.in_person "
               "ELSE s.phone END",
    # Only when the festival's window is near (else NULL: half the people have one).
    "spring_festival": "CASE WHEN {festival} THEN s.spring_festival END",
}
_STATE_COLUMNS = ", ".join(_STATE_SQL.get(c, f"s.{c}") for c in _PEOPLE_STATE)
_in_person, _phone, _letter, _spring, _birthday = (
    care_state.COLUMNS.index(c) for c in ("in_person", "phone", "letter", "spring_festival",
                                          "birthday"))


def _people_state(row: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """The _PEOPLE_STATE columns out of a care_state row, as the query computes them."""
    seen, called = row[_in_person], row[_phone]
    return (seen, called if called is not None and (seen is None or called >= seen) else seen,
            row[_letter], row[_spring], row[_birthday])


_WEDDING_AT, _HOSPITAL_AT, _EVENT_AT, _CONDOLENCE_AT = (
    care_state.COLUMNS.index(c) for c in ("wedding", "hospital", "family_event", "condolence"))
# More people than this with a visit after the day asked about (a day in the past): one
# pass over every visit beats reading them person by person.
_RECOUNT_ALL = 2000
# Key-person reasons by (80 or over, living, self-care, labour model): a few combinations
# for thousands of people.
_Reasons = dict[tuple[bool, str | None, str | None, str | None], tuple[list[str], "_Routine"]]


def _load(session: Session, on: date, unit_ids: list[str] | None,
          wedding_years: list[int], festival: bool = True) -> dict[str, Any]:
    """Every column the rules need, in a handful of queries (raw SQL: ISO dates as text)."""
    # The DB-API connection itself: SQLAlchemy's row objects would cost more than the query.
    raw = session.connection().connection.driver_connection
    on_s = on.isoformat()
    scope = f" AND r.unit_id IN ({','.join('?' * len(unit_ids))})" if unit_ids else ""
    # Values no rule looks at come back as NULL: None costs nothing to fetch, while every
    # text value is a new Python string.
    people = raw.execute(
        "SELECT r.id, r.name, r.birth_date, NULLIF(r.birthday_calendar, ?), "
        "CASE WHEN r.living IN (?, ?, ?) THEN r.living END, "
        "CASE WHEN r.self_care = ? THEN r.self_care END, NULLIF(r.labour_model, ?), "
        f"r.returned_home, r.group_id, {_STATE_COLUMNS.format(festival=int(bool(festival)))} "
        "FROM retirees r NOT INDEXED LEFT JOIN care_state s ON s.retiree_id = r.id "
        "WHERE r.deleted = 0 AND r.status = ?" + scope + " ORDER BY r.name, r.id",
        (Calendar.SOLAR.value, *_KEY_LIVING, SelfCare.NONE.value, _NOT_A_MODEL,
         Status.ACTIVE.value, *(unit_ids or ()))).fetchall()
    # "NOT INDEXED" above: the planner would walk the 'deleted' index and fetch each row by id,
    # several times slower than one pass over the table.
    later = {rid for rid, in raw.execute("SELECT retiree_id FROM care_state WHERE latest > ?", (on_s,))}
    if later:  # visits dated after the day asked about: those people's history as of then
        fresh = care_state.last_visits(raw, on, None if len(later) > _RECOUNT_ALL else later)
        people = [p[:_V] + _people_state(fresh.get(p[0], care_state.NO_VISITS))
                  if p[0] in later else p for p in people]
    case_last = dict(raw.execute(
        "SELECT case_id, MAX(visit_date) FROM visits WHERE case_id IS NOT NULL AND +deleted = 0 "
        "AND visit_date <= ? GROUP BY case_id", (on_s,)).fetchall())
    cases = raw.execute(
        "SELECT c.id, c.retiree_id, c.kind, c.opened_on, c.place, r.name, r.group_id, "
        "r.status = ? FROM care_cases c JOIN retirees r ON r.id = c.retiree_id "
        "WHERE c.deleted = 0 AND r.deleted = 0 AND c.opened_on <= ? "
        "AND (c.closed_on IS NULL OR c.closed_on > ?)" + scope,
        (Status.ACTIVE.value, on_s, on_s, *(unit_ids or ()))).fetchall()
    # Only the marriages that reach a jubilee in the window (a few in a thousand), as ranges
    # of the (kind, marriage_date) index (migration 0007): "1976" <= "1976-05-10" < "1977".
    # CROSS JOIN: the planner would start from every registered person and look up their
    # contacts (3×).
    ranges = _year_ranges(wedding_years)
    spouses = raw.execute(
        "SELECT k.retiree_id, k.name, k.marriage_date, r.name, r.group_id "
        "FROM contacts k CROSS JOIN retirees r ON r.id = k.retiree_id WHERE ("
        + " OR ".join("k.kind = ? AND k.marriage_date >= ? AND k.marriage_date < ?"
                      for _ in ranges)
        + ") AND k.deleted = 0 AND k.alive = 1 AND r.deleted = 0 AND r.status = ?" + scope,
        (*(x for lo, hi in ranges for x in (ContactKind.SPOUSE.value, str(lo), str(hi + 1))),
         Status.ACTIVE.value, *(unit_ids or ()))).fetchall() if ranges else []
    # By notice: the planner would otherwise walk every delivery in person order to group them.
    checks: dict[str, str] = {}
    for rid, d in raw.execute(
            "SELECT retiree_id, delivered_on FROM notice_deliveries "
            "INDEXED BY ix_notice_deliveries_notice_id WHERE notice_id IN "
            "(SELECT id FROM notices WHERE deleted = 0 AND kind = ?) "
            "AND +deleted = 0 AND acknowledged = 1 AND delivered_on <= ?",
            (NoticeKind.ELIGIBILITY.value, on_s)):
        if d > checks.get(rid, ""):
            checks[rid] = d
    groups = dict(raw.execute("SELECT id, name FROM liaison_groups").fetchall())
    return {"people": people, "case_last": case_last, "cases": cases, "spouses": spouses,
            "checks": checks, "groups": groups}


def _festival(on: date, horizon: date, rules: dict[str, Any]) -> date | None:
    """The Spring Festival whose visiting window is open or opens within the horizon."""
    for y in (on.year, on.year + 1):
        sf = spring_festival(y)
        if sf - timedelta(days=rules["spring_festival_before_days"]) <= horizon and \
                on <= sf + timedelta(days=rules["spring_festival_after_days"]):
            return sf
    return None


class _Routine(dict):  # type: ignore[type-arg]
    """Last contact (ISO text, or None) → (due, title, detail, overdue, bucket) of a routine
    reminder; ``bucket`` is the list of that kind's reminders due that day.

    Thousands of people share a few hundred last-visit days: one date parse and one text
    per day instead of one per person (a third of the pass over people). People come in
    name order, so each bucket is in (name, id) order as it fills, and the buckets in date
    order are the kind's list without a sort."""

    def __init__(self, on: date, after: timedelta, title: str, last: str, never: str,
                 buckets: dict[date, list[Reminder]], suffix: str = "") -> None:
        super().__init__()
        self.on, self.after, self.title, self.buckets = on, after, title, buckets
        self.last, self.never, self.suffix = last, never, suffix

    def __missing__(self, d: str | None) -> tuple[date, str, str, bool, list[Reminder]]:
        due = date.fromisoformat(d) + self.after if d else self.on
        detail = (f"{self.last} {d}" if d else self.never) + self.suffix
        bucket = self.buckets.setdefault(due, [])
        value = self[d] = (due, self.title, detail, due < self.on, bucket)
        return value


def _year_ranges(years: list[int]) -> list[tuple[int, int]]:
    """Sorted years as (first, last) runs of consecutive years."""
    out: list[tuple[int, int]] = []
    for y in sorted(set(years)):
        if out and y == out[-1][1] + 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def _wedding_years(rules: dict[str, Any], first: int, last: int) -> list[int]:
    """The marriage years with a jubilee (``rules["wedding_years"]``) from ``first`` to ``last``."""
    return sorted({y - n for n in rules["wedding_years"] for y in range(first, last + 1)})


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of small tuples are made.

    They form no cycles, yet their allocation keeps triggering collections that walk every
    object in the process (a quarter of the time at 10,000 people)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def compute_reminders(session: Session, on: date, days: int = 30,
                      rules: dict[str, Any] | None = None, *,
                      unit_ids: list[str] | None = None) -> list[Reminder]:
    """Everything due on or before ``on + days`` (overdue included), grouped by kind, then
    by due date and name."""
    with gc_paused():
        return _compute(session, on, days, rules, unit_ids)


def _compute(session: Session, on: date, days: int, rules: dict[str, Any] | None,
             unit_ids: list[str] | None) -> list[Reminder]:
    rules = rules or load_rules(session)
    horizon = on + timedelta(days=max(days, 0))
    grace_lo = on - timedelta(days=rules["birthday_grace_days"])
    festival = _festival(on, horizon, rules)
    data = _load(session, on, unit_ids, _wedding_years(rules, grace_lo.year, horizon.year),
                 festival is not None)
    groups: dict[str, str] = data["groups"]
    checks: dict[str, str] = data["checks"]
    lists: dict[str, list[Reminder]] = {k: [] for k in KINDS}

    def add(kind: str, rid: str, name: str, due: date, title: str, detail: str = "",
            group_id: str | None = None, case_id: str | None = None,
            opens: date | None = None) -> None:
        # tuple.__new__ skips the named tuple's own __new__ (defaults handling): ~2× faster.
        lists[kind].append(_new(Reminder, (kind, rid, name, due, title, detail,
                                           groups.get(group_id or "", ""), group_id, case_id,
                                           due < on, opens or due)))

    def done_since(last: str | None, since: date) -> bool:
        return last is not None and last >= since.isoformat()

    festival_opens = (festival - timedelta(days=rules["spring_festival_before_days"])
                      if festival else on)
    festival_since = (festival - _EARLY).isoformat() if festival else ""
    festival_all = rules["spring_festival_scope"] == "all"
    festival_title = f"{festival.year}年春节走访" if festival else ""
    festival_detail = f"春节 {festival.isoformat()}" if festival else ""

    # Which round birthdays a birth year can reach in the window (most years: none).
    rounds_by_year: dict[int, list[int]] = {}
    for n in sorted(rules["birthday_rounds"]):
        for y in range(grace_lo.year - 1 - n, horizon.year + 2 - n):
            rounds_by_year.setdefault(y, []).append(n)
    round_years = {str(y) for y in rounds_by_year}
    every, model_min = rules["labour_model_every"], rules["labour_model_min_age"]
    model_month, model_day = (int(x) for x in rules["labour_model_date"].split("-"))
    years = range(grace_lo.year, horizon.year + 1)
    letter_days, call_days = rules["letter_days"], rules["call_days"]
    home_days, key_days = rules["home_visit_days"], rules["key_visit_days"]
    check_days, key_age = rules["eligibility_days"], rules["key_age"]
    key_cut = f"{on.year - key_age:04d}-{on.month:02d}-{on.day:02d}"  # may be a 29 February
    letter_after, call_after = timedelta(days=letter_days), timedelta(days=call_days)
    home_after, key_after = timedelta(days=home_days), timedelta(days=key_days)
    check_after = timedelta(days=check_days)
    # Cut-offs as ISO text: a last visit later than these means nothing is due yet, which
    # settles most people without any date arithmetic.
    quiet_letter, quiet_call, quiet_home, quiet_key, quiet_check = (
        (horizon - timedelta(days=n)).isoformat()
        for n in (letter_days, call_days, home_days, key_days, check_days))
    # The routine kinds are appended inline (a call per reminder is a tenth of the loop's
    # time), due day → reminders; home visits of key and plain people share the days.
    buckets: dict[str, dict[date, list[Reminder]]] = {k: {} for k in _ROUTINE_KINDS}
    fromiso = date.fromisoformat
    call_due = _Routine(on, call_after, "每月电话联系", "上次联系", "尚无联系记录", buckets["call"])
    check_due = _Routine(on, check_after, "养老金资格认证", "上次认证", "无认证记录",
                         buckets["eligibility"])
    no_reasons: list[str] = []
    # Home visits: a quarterly one for most; a monthly one, with the reasons, for key people.
    plain_home = _Routine(on, home_after, "季度家访", "上次走访", "尚无走访记录",
                          buckets["home_visit"])
    known_reasons: _Reasons = {}

    for rid, name, birth_s, calendar_, living, self_care, labour, returned, gid, \
            in_person, contact, letter_at, spring_at, birthday_at in data["people"]:
        gname = groups.get(gid, "") if gid else ""
        # Old enough to be a key person: born on or before the day key_age years back. As
        # ISO text a partial date ("1943-05") compares as its earliest day, so no date is
        # made for the thousands who need none.
        old = birth_s is not None and birth_s <= key_cut
        # The query returns living, self-care and model only when they can make a key person.
        if living or self_care or labour or old:
            key = (old, living, self_care, labour)
            known = known_reasons.get(key)
            if known is None:
                reasons = key_reasons(age=key_age if old else None, living=living,
                                      self_care=self_care, labour_model=labour, rules=rules)
                # A reason switched off in the rules gives no reasons: the plain routine.
                known = known_reasons[key] = (reasons, _Routine(
                    on, key_after, "重点人员每月走访", "上次走访", "尚无走访记录",
                    buckets["home_visit"], "；重点人员：" + "、".join(reasons))) if reasons \
                    else (no_reasons, plain_home)
            reasons, home_due = known
        else:
            reasons, home_due = no_reasons, plain_home

        # Routine contact: home visits (monthly for key people), calls, or the yearly letter.
        if returned:
            d = letter_at
            if not d or d < quiet_letter:
                add("letter", rid, name, fromiso(d) + letter_after if d else on, "返乡人员年度信件",
                    f"上次信件 {d}" if d else "尚无信件记录", gid)
        elif not in_person or in_person < (quiet_key if reasons else quiet_home):
            due, title, note, late, bucket = home_due[in_person]
            bucket.append(_new(Reminder, (
                "home_visit", rid, name, due, title, note, gname, gid, None, late, due)))
        if not contact or contact < quiet_call:
            due, title, note, late, bucket = call_due[contact]
            bucket.append(_new(Reminder, (
                "call", rid, name, due, title, note, gname, gid, None, late, due)))

        # Spring Festival must-visit.
        if festival and not returned and (festival_all or reasons) and \
                (spring_at or "") < festival_since:
            add("spring_festival", rid, name, festival, festival_title, festival_detail, gid, None,
                festival_opens)

        # 资格认证, on a rolling cycle from the last check.
        d = checks.get(rid)
        if not d or d < quiet_check:
            due, title, note, late, bucket = check_due[d]
            bucket.append(_new(Reminder, (
                "eligibility", rid, name, due, title, note, gname, gid, None, late, due)))

        # Birthdays: only the few whose birth year can reach a round age in the window (or
        # labour models) need the birth date as a date.
        model = every and labour and is_labour_model(labour)
        if not birth_s or not (model or birth_s[:4] in round_years):
            continue
        # birth_s is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a partial date); earliest possible day.
        precision = len(birth_s)
        try:
            earliest = (fromiso(birth_s) if precision == 10 else
                        date(int(birth_s[:4]), int(birth_s[5:7]) if precision >= 7 else 1, 1))
        except ValueError:
            continue
        # Round birthdays, by the calendar the person keeps.
        if precision >= 7:
            lunar = calendar_ == "农历" and precision == 10
            for n in rounds_by_year.get(earliest.year, ()):
                approx = anniversary(earliest, n)
                if lunar:
                    # The lunar birthday is within ~50 days of the solar one: skip the slow
                    # conversion unless it can land in the window.
                    if not _in(grace_lo - _EARLY, approx, horizon + _EARLY):
                        continue
                    due = lunar_birthday(earliest, n)
                else:
                    due = approx
                if _in(grace_lo, due, horizon) and not done_since(birthday_at, due - _EARLY):
                    when = (lunar_text(*to_lunar(earliest)[1:]) if lunar
                            else f"公历{due.month}月{due.day}日")
                    add("birthday", rid, name, due, f"{n}岁生日", when, gid)
        # Labour models' collective birthday, every ``every`` years of age.
        if model:
            for y in years:
                due = date(y, model_month, model_day)
                n = y - earliest.year
                if _in(grace_lo, due, horizon) and n >= model_min and n % every == 0 and \
                        not done_since(birthday_at, due - _EARLY):
                    add("birthday", rid, name, due, f"劳模集体生日（{n}岁）", labour or "", gid)

    # Weddings and cases: the rest of these few people's latest visits.
    state = care_state.as_of(session, on, {*(c[1] for c in data["cases"]),
                                           *(sp[0] for sp in data["spouses"])})
    for rid, spouse, married_s, name, gid in data["spouses"]:
        married = _parse_partial(married_s)
        if married is None or married[1] is None:
            continue
        start = date(married[0], married[1], married[2] or 1)
        for n in rules["wedding_years"]:
            if not grace_lo.year <= start.year + n <= horizon.year:
                continue
            due = anniversary(start, n)
            if _in(grace_lo, due, horizon) and not done_since(state[rid][_WEDDING_AT], due - _EARLY):
                add("wedding", rid, name, due, f"{WEDDING_NAMES.get(n, f'结婚{n}周年')}（{n}周年）",
                    f"配偶 {spouse}，结婚 {married_s}", gid)

    # "registered" (在册) is false for a condolence case: the person is no longer on the register.
    for cid, rid, kind, opened_s, place, name, gid, registered in data["cases"]:
        opened = date.fromisoformat(opened_s)
        last = state[rid]
        seen = [d for d in (data["case_last"].get(cid),) if d]
        if kind == _CASE_HOSPITAL:
            if not registered:
                continue
            own = last[_HOSPITAL_AT]
            if own and own >= opened_s:
                seen.append(own)
            if seen:
                due = date.fromisoformat(max(seen)) + timedelta(days=rules["hospital_follow_up_days"])
                title, detail = "住院回访", f"上次看望 {max(seen)}"
            else:
                due = opened + timedelta(days=rules["hospital_first_visit_days"])
                title, detail = "住院看望", f"{opened_s} 住院"
            if due <= horizon:
                add("hospital", rid, name, due, title, "；".join(x for x in (detail, place) if x),
                    gid, cid)
        elif kind == _CASE_EVENT:
            own = last[_EVENT_AT]
            due = opened + timedelta(days=rules["family_event_visit_days"])
            if registered and not seen and not (own and own >= opened_s) and due <= horizon:
                add("family_event", rid, name, due, "家庭大事走访", f"{opened_s} 登记", gid, cid)
        elif kind == _CASE_DEATH:
            own = last[_CONDOLENCE_AT]
            if own and own >= opened_s:
                seen.append(own)
            if not seen:
                due = opened + timedelta(days=rules["bereavement_visit_days"])
                title = "吊唁慰问家属"
            elif max(seen) < (opened + timedelta(days=25)).isoformat():
                due, title = opened + timedelta(days=30), "回访遗属"
            else:
                continue
            if due <= horizon:
                add("bereavement", rid, name, due, title, f"{opened_s} 去世", gid, cid)

    out: list[Reminder] = []
    by_due, full = itemgetter(3), itemgetter(3, 2, 1)  # due; due, name, id
    for kind, items in lists.items():
        by_day = buckets.get(kind)
        if by_day is not None:
            assert not items, f"{kind} reminders go into their due-day lists, not add()"
            for day in sorted(by_day):
                out += by_day[day]
            continue
        # People come in name order, so a stable sort on the due date alone gives
        # (due, name, id) for the kinds made in the loop over people.
        items.sort(key=by_due if kind in _PEOPLE_KINDS else full)
        out += items
    return out


def by_kind(reminders: list[Reminder]) -> dict[str, list[Reminder]]:
    """Reminders grouped by kind, in page order; kinds with nothing due are left out."""
    out: dict[str, list[Reminder]] = {}
    for r in reminders:
        out.setdefault(r.kind, []).append(r)
    return out


def complete(session: Session, reminder: Reminder, *, on: date, actor: str,
             visitors: str | None = None, summary: str | None = None) -> Change:
    """Log what the reminder asked for as done on ``on``: a visit of the matching kind (tied
    to its case), or for 资格认证 an acknowledged delivery of this year's 资格认证 notice."""
    if reminder.kind == "eligibility":
        notice = session.exec(select(Notice).where(
            Notice.kind == NoticeKind.ELIGIBILITY.value, Notice.deleted == False)  # noqa: E712
            .order_by(Notice.issued_date.desc())).first()  # type: ignore[union-attr]
        if notice is None or notice.issued_date is None or notice.issued_date.year != on.year:
            notice_id = operations.create(session, "notices", {
                "title": f"{on.year}年度养老金资格认证", "kind": NoticeKind.ELIGIBILITY.value,
                "issued_date": on}, actor=actor).id
        else:
            notice_id = notice.id
        return operations.create(session, "notice_deliveries", {
            "retiree_id": reminder.retiree_id, "notice_id": notice_id,
            "method": DeliveryMethod.HOME.value, "delivered_on": on, "delivered_by": actor,
            "told_whom": "本人", "acknowledged": True,
            "note": summary or "资格认证已完成（由提醒登记）"}, actor=actor)
    data: dict[str, Any] = {
        "retiree_id": reminder.retiree_id, "kind": reminder.visit_kind, "visit_date": on,
        "visitors": visitors or actor, "summary": summary or f"{reminder.title}（由提醒登记）"}
    if reminder.case_id:
        data["case_id"] = reminder.case_id
    return operations.create(session, "visits", data, actor=actor)
