"""What is due: who to visit, call, celebrate or console, computed from the care rules.

``compute_reminders`` reads the few columns it needs in a handful of SQL queries (last visit
of each kind per person since the oldest day any rule looks back to, open cases, spouses'
marriage dates, eligibility checks) and does the date arithmetic in Python, in one pass over
the people; a query per person would take seconds for 10,000 (see bench/bench_reminders.py).

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
from itertools import groupby
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
from app.services import operations
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

# Visits that see the person face to face (a home visit is due again after any of them).
IN_PERSON = frozenset(k.value for k in (
    VisitKind.HOME, VisitKind.HOSPITAL, VisitKind.FAMILY_EVENT, VisitKind.SPRING_FESTIVAL,
    VisitKind.BIRTHDAY, VisitKind.GOLDEN_WEDDING, VisitKind.HARDSHIP))
# Plain strings for the hot loop (an enum member's .value is a slow descriptor).
_PHONE, _LETTER, _BIRTHDAY = VisitKind.PHONE.value, VisitKind.LETTER.value, VisitKind.BIRTHDAY.value
_SPRING, _WEDDING = VisitKind.SPRING_FESTIVAL.value, VisitKind.GOLDEN_WEDDING.value
_HOSPITAL_VISIT, _EVENT_VISIT = VisitKind.HOSPITAL.value, VisitKind.FAMILY_EVENT.value
_CONDOLENCE = VisitKind.CONDOLENCE.value
_IN_PERSON_KEY = "*in_person"  # per-person latest of any IN_PERSON kind, kept while loading
_new = tuple.__new__
# The only values of these columns the rules look at (see care_rules.key_reasons).
_KEY_LIVING = (Living.ALONE.value, Living.SOLITARY.value, Living.ELDER_CARES_ELDER.value)
_NOT_A_MODEL = "无"
# Kinds made in the pass over people (which arrive sorted by name, id).
_PEOPLE_KINDS = frozenset({"home_visit", "call", "letter", "spring_festival", "eligibility",
                           "birthday"})
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


def _add_last(last: dict[str, dict[str, str]], rows: list[tuple[str, str, str]]) -> None:
    """Fold (retiree, kind, latest date) rows into ``last``; a later date wins.

    The rows come from ``GROUP BY retiree_id, kind``: one per person and kind, a person's
    rows together. Each person's dict is built in one go, and merged only when the person
    is already there (``complete_last`` adding older history)."""
    for rid, group in groupby(rows, itemgetter(0)):
        got = {kind: d for _rid, kind, d in group}
        seen = [d for kind, d in got.items() if kind in IN_PERSON]
        if seen:
            got[_IN_PERSON_KEY] = max(seen)
        per = last.get(rid)
        if per is None:
            last[rid] = got
        else:
            for kind, d in got.items():
                if d > per.get(kind, ""):
                    per[kind] = d


def _load(session: Session, on: date, unit_ids: list[str] | None,
          since: date | None = None) -> dict[str, Any]:
    """Every column the rules need, in a handful of queries (raw SQL: ISO dates as text).

    Visits are read from ``since`` on: most of a unit's history is older than any rule looks
    back, and grouping it is the most expensive part of the computation. ``complete_last``
    then fetches the older history for the few people who need it."""
    # The DB-API connection itself: SQLAlchemy's row objects would cost more than the query.
    raw = session.connection().connection.driver_connection
    on_s = on.isoformat()
    scope = f" AND unit_id IN ({','.join('?' * len(unit_ids))})" if unit_ids else ""
    # Values no rule looks at come back as NULL: None costs nothing to fetch, while every
    # text value is a new Python string (a third of this query's time at 10,000 people).
    people = raw.execute(
        "SELECT id, name, birth_date, NULLIF(birthday_calendar, ?), "
        "CASE WHEN living IN (?, ?, ?) THEN living END, CASE WHEN self_care = ? THEN self_care END, "
        "NULLIF(labour_model, ?), returned_home, group_id "
        "FROM retirees NOT INDEXED WHERE deleted = 0 AND status = ?" + scope + " ORDER BY name, id",
        (Calendar.SOLAR.value, *_KEY_LIVING, SelfCare.NONE.value, _NOT_A_MODEL,
         Status.ACTIVE.value, *(unit_ids or ()))).fetchall()
    # "NOT INDEXED" above: the planner would walk the 'deleted' index and fetch each row by id,
    # several times slower than one pass over the table. For visits, one pass over the covering
    # index (migration 0003) is already grouped by person and kind: half the time of the table.
    last: dict[str, dict[str, str]] = {}
    _add_last(last, raw.execute(
        "SELECT retiree_id, kind, MAX(visit_date) FROM visits INDEXED BY ix_visits_person_kind_date "
        "WHERE deleted = 0 "
        "AND visit_date BETWEEN ? AND ? GROUP BY retiree_id, kind",
        ((since or date.min).isoformat(), on_s)).fetchall())
    case_last = dict(raw.execute(
        "SELECT case_id, MAX(visit_date) FROM visits WHERE case_id IS NOT NULL AND +deleted = 0 "
        "AND visit_date <= ? GROUP BY case_id", (on_s,)).fetchall())
    cases = raw.execute(
        "SELECT c.id, c.retiree_id, c.kind, c.opened_on, c.place, r.name, r.group_id "
        "FROM care_cases c JOIN retirees r ON r.id = c.retiree_id "
        "WHERE c.deleted = 0 AND r.deleted = 0 AND c.opened_on <= ? "
        "AND (c.closed_on IS NULL OR c.closed_on > ?)" + scope.replace("unit_id", "r.unit_id"),
        (on_s, on_s, *(unit_ids or ()))).fetchall()
    spouses = raw.execute(
        "SELECT retiree_id, name, marriage_date FROM contacts WHERE deleted = 0 AND kind = ? "
        "AND alive = 1 AND marriage_date IS NOT NULL", (ContactKind.SPOUSE.value,)).fetchall()
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
    return {"people": people, "last": last, "case_last": case_last, "cases": cases,
            "spouses": spouses, "checks": checks, "groups": groups, "since": since}


def complete_last(session: Session, data: dict[str, Any]) -> int:
    """Add the visits before ``since`` for everyone whose last visit, call or letter, or
    whose open case, is older than the window (their due dates and "上次走访" depend on it).
    Returns how many people needed it."""
    since = data["since"]
    if since is None:
        return 0
    cut = since.isoformat()
    last: dict[str, dict[str, str]] = data["last"]
    nothing: dict[str, str] = {}
    need = set()
    for rid, *_rest, returned, _gid in data["people"]:
        per = last.get(rid, nothing)
        if _PHONE not in per and _IN_PERSON_KEY not in per or \
                (_LETTER not in per if returned else _IN_PERSON_KEY not in per):
            need.add(rid)
    need.update(c[1] for c in data["cases"] if c[3] < cut)
    raw = session.connection().connection.driver_connection
    ids = sorted(need)
    for i in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[i:i + 500]
        _add_last(last, raw.execute(
            "SELECT retiree_id, kind, MAX(visit_date) FROM visits WHERE +deleted = 0 "
            f"AND visit_date < ? AND retiree_id IN ({','.join('?' * len(chunk))}) "
            "GROUP BY retiree_id, kind", (cut, *chunk)).fetchall())
    return len(need)


def _festival(on: date, horizon: date, rules: dict[str, Any]) -> date | None:
    """The Spring Festival whose visiting window is open or opens within the horizon."""
    for y in (on.year, on.year + 1):
        sf = spring_festival(y)
        if sf - timedelta(days=rules["spring_festival_before_days"]) <= horizon and \
                on <= sf + timedelta(days=rules["spring_festival_after_days"]):
            return sf
    return None


def window_start(on: date, days: int, rules: dict[str, Any]) -> date:
    """The oldest visit any rule compares with, for most people. Older history matters only
    to people with nothing newer, and ``complete_last`` reads it for them alone.

    The yearly letter is left out: it concerns only those who returned to their hometown (a
    few in a hundred), and ``complete_last`` reads the history of anyone of them without a
    letter in the window. Counting it would make the window a year instead of a quarter,
    three times the visits to group. A quarter more than the rules need is read all the same:
    it settles in one pass everyone seen in the quarter before, and reading their older
    history person by person costs more than the extra rows (bench/bench_reminders.py)."""
    horizon = on + timedelta(days=max(days, 0))
    festival = _festival(on, horizon, rules)
    longest = max(rules["home_visit_days"], rules["key_visit_days"], rules["call_days"]) + 90
    grace_lo = on - timedelta(days=rules["birthday_grace_days"])
    return min(horizon - timedelta(days=longest), grace_lo - _EARLY,
               (festival - _EARLY) if festival else on) - timedelta(days=1)


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
    data = _load(session, on, unit_ids, window_start(on, days, rules))
    complete_last(session, data)
    groups: dict[str, str] = data["groups"]
    last: dict[str, dict[str, str]] = data["last"]
    checks: dict[str, str] = data["checks"]
    lists: dict[str, list[Reminder]] = {k: [] for k in KINDS}
    nothing: dict[str, str] = {}

    def add(kind: str, rid: str, name: str, due: date, title: str, detail: str = "",
            group_id: str | None = None, case_id: str | None = None,
            opens: date | None = None) -> None:
        # tuple.__new__ skips the named tuple's own __new__ (defaults handling): ~2× faster.
        lists[kind].append(_new(Reminder, (kind, rid, name, due, title, detail,
                                           groups.get(group_id or "", ""), group_id, case_id,
                                           due < on, opens or due)))

    def done_since(per: dict[str, str], kind: str, since: date) -> bool:
        d = per.get(kind)
        return d is not None and d >= since.isoformat()

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
    every, model_min = rules["labour_model_every"], rules["labour_model_min_age"]
    model_month, model_day = (int(x) for x in rules["labour_model_date"].split("-"))
    years = range(grace_lo.year, horizon.year + 1)
    letter_days, call_days = rules["letter_days"], rules["call_days"]
    home_days, key_days = rules["home_visit_days"], rules["key_visit_days"]
    check_days, key_age = rules["eligibility_days"], rules["key_age"]
    letter_after, call_after = timedelta(days=letter_days), timedelta(days=call_days)
    home_after, key_after = timedelta(days=home_days), timedelta(days=key_days)
    check_after = timedelta(days=check_days)
    # Cut-offs as ISO text: a last visit later than these means nothing is due yet, which
    # settles most people without any date arithmetic.
    quiet_letter, quiet_call, quiet_home, quiet_key, quiet_check = (
        (horizon - timedelta(days=n)).isoformat()
        for n in (letter_days, call_days, home_days, key_days, check_days))
    # The three kinds nearly everyone gets are appended inline: a call per reminder is a
    # tenth of the loop's time.
    calls, homes, checks_due = lists["call"], lists["home_visit"], lists["eligibility"]
    fromiso = date.fromisoformat
    no_reasons: list[str] = []

    for rid, name, birth_s, calendar_, living, self_care, labour, returned, gid in data["people"]:
        per = last.get(rid, nothing)
        gname = groups.get(gid, "") if gid else ""
        # birth_s is "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a partial date); earliest possible day.
        earliest = precision = None
        if birth_s:
            precision = len(birth_s)
            try:
                earliest = (fromiso(birth_s) if precision == 10 else
                            date(int(birth_s[:4]), int(birth_s[5:7]) if precision >= 7 else 1, 1))
            except ValueError:
                earliest = None
        if earliest is not None and earliest <= on:
            # (2, 29) > (2, 28): a 29 February birthday is reached on 1 March in a common year.
            age = on.year - earliest.year - ((on.month, on.day) < (earliest.month, earliest.day))
        else:
            age = None
        # The query returns living, self-care and model only when they can make a key person.
        reasons = (key_reasons(age=age, living=living, self_care=self_care, labour_model=labour,
                               rules=rules)
                   if living or self_care or labour or (age is not None and age >= key_age)
                   else no_reasons)
        in_person = per.get(_IN_PERSON_KEY)
        called = per.get(_PHONE)
        contact = max(in_person, called) if in_person and called else (in_person or called)

        # Routine contact: home visits (monthly for key people), calls, or the yearly letter.
        if returned:
            d = per.get(_LETTER)
            if not d or d < quiet_letter:
                add("letter", rid, name, fromiso(d) + letter_after if d else on, "返乡人员年度信件",
                    f"上次信件 {d}" if d else "尚无信件记录", gid)
        else:
            d = in_person
            if not d or d < (quiet_key if reasons else quiet_home):
                note = f"上次走访 {d}" if d else "尚无走访记录"
                if reasons:
                    note += "；重点人员：" + "、".join(reasons)
                due = fromiso(d) + (key_after if reasons else home_after) if d else on
                homes.append(_new(Reminder, (
                    "home_visit", rid, name, due, "重点人员每月走访" if reasons else "季度家访", note,
                    gname, gid, None, due < on, due)))
        d = contact
        if not d or d < quiet_call:
            due = fromiso(d) + call_after if d else on
            calls.append(_new(Reminder, (
                "call", rid, name, due, "每月电话联系", f"上次联系 {d}" if d else "尚无联系记录",
                gname, gid, None, due < on, due)))

        # Spring Festival must-visit.
        if festival and not returned and (festival_all or reasons) and \
                per.get(_SPRING, "") < festival_since:
            add("spring_festival", rid, name, festival, festival_title, festival_detail, gid, None,
                festival_opens)

        # 资格认证, on a rolling cycle from the last check.
        d = checks.get(rid)
        if not d or d < quiet_check:
            due = fromiso(d) + check_after if d else on
            checks_due.append(_new(Reminder, (
                "eligibility", rid, name, due, "养老金资格认证", f"上次认证 {d}" if d else "无认证记录",
                gname, gid, None, due < on, due)))

        if earliest is None:
            continue
        # Round birthdays, by the calendar the person keeps.
        if precision >= 7:  # type: ignore[operator]
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
                if _in(grace_lo, due, horizon) and not done_since(per, _BIRTHDAY, due - _EARLY):
                    when = (lunar_text(*to_lunar(earliest)[1:]) if lunar
                            else f"公历{due.month}月{due.day}日")
                    add("birthday", rid, name, due, f"{n}岁生日", when, gid)
        # Labour models' collective birthday, every ``every`` years of age.
        if every and is_labour_model(labour):
            for y in years:
                due = date(y, model_month, model_day)
                n = y - earliest.year
                if _in(grace_lo, due, horizon) and n >= model_min and n % every == 0 and \
                        not done_since(per, _BIRTHDAY, due - _EARLY):
                    add("birthday", rid, name, due, f"劳模集体生日（{n}岁）", labour or "", gid)

    active = {p[0]: p for p in data["people"]}
    for rid, spouse, married_s in data["spouses"]:
        person = active.get(rid)
        married = _parse_partial(married_s)
        if person is None or married is None or married[1] is None:
            continue
        start = date(married[0], married[1], married[2] or 1)
        for n in rules["wedding_years"]:
            if not grace_lo.year <= start.year + n <= horizon.year:
                continue
            due = anniversary(start, n)
            if _in(grace_lo, due, horizon) and not done_since(
                    last.get(rid, nothing), _WEDDING, due - _EARLY):
                add("wedding", rid, person[1], due, f"{WEDDING_NAMES.get(n, f'结婚{n}周年')}（{n}周年）",
                    f"配偶 {spouse}，结婚 {married_s}", person[8])

    for cid, rid, kind, opened_s, place, name, gid in data["cases"]:
        opened = date.fromisoformat(opened_s)
        per = last.get(rid, nothing)
        seen = [d for d in (data["case_last"].get(cid),) if d]
        if kind == _CASE_HOSPITAL:
            if rid not in active:
                continue
            own = per.get(_HOSPITAL_VISIT)
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
            own = per.get(_EVENT_VISIT)
            due = opened + timedelta(days=rules["family_event_visit_days"])
            if rid in active and not seen and not (own and own >= opened_s) and due <= horizon:
                add("family_event", rid, name, due, "家庭大事走访", f"{opened_s} 登记", gid, cid)
        elif kind == _CASE_DEATH:
            own = per.get(_CONDOLENCE)
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
