"""The yearly statistics sheet (年度统计): people, visits, celebrations, aid and the fund,
for the whole unit and by liaison group. The 统计 page draws its charts from this dict and
``retiree-desk year-stats --year Y --json`` prints it.

Who counts: people on the roll at the end of the year — 在册 now, or deceased / moved out
only after that year (so last year's sheet does not change when someone dies this year).
Ages are full years on 31 December of the year.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session

from app.models.enums import Category, Living, PaymentKind, SelfCare, Sex, Status, VisitKind
from app.services import care_state
from app.services.ages import AGE_BAND_LABELS, age_band
from app.services.care_rules import key_reasons, load_rules
from app.services.fund import budget_of
from app.services.reminders import gc_paused

NO_GROUP = "未分组"
# The three series of the visits-per-month chart.
VISIT_CLASSES = (VisitKind.HOME.value, VisitKind.PHONE.value, "其他走访")
UNKNOWN = "未填"
CATEGORIES = [c.value for c in Category]
SEXES = [x.value for x in Sex]
SELF_CARE = [x.value for x in SelfCare]
_ALONE = (Living.ALONE.value, Living.SOLITARY.value)  # 独居、孤老 on the sheet
BAND_LABELS = [*AGE_BAND_LABELS.values(), UNKNOWN]
# Face-to-face visits as the rules count them, and on the sheet a condolence visit too.
_IN_PERSON = sorted(care_state.IN_PERSON | {VisitKind.CONDOLENCE.value})
_PHONE = VisitKind.PHONE.value
_ACTIVE, _DECEASED, _MOVED = Status.ACTIVE.value, Status.DECEASED.value, Status.MOVED_OUT.value


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def year_stats(session: Session, year: int, *, unit_ids: list[str] | None = None,
               rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure of the yearly sheet as plain JSON-ready data (money in fen)."""
    with gc_paused():
        return _year_stats(session, year, unit_ids, rules)


def _year_stats(session: Session, year: int, unit_ids: list[str] | None,
                rules: dict[str, Any] | None) -> dict[str, Any]:
    rules = rules or load_rules(session)
    raw = session.connection().connection.driver_connection
    end = date(year, 12, 31)
    y = str(year)
    first, last = f"{year:04d}-01-01", end.isoformat()
    scope = f" AND unit_id IN ({','.join('?' * len(unit_ids))})" if unit_ids else ""
    uparams = tuple(unit_ids or ())

    # Age on 31 December is the year minus the birth year (whatever the month and day), so
    # the birth year is all the query returns.
    people = raw.execute(
        "SELECT id, status, category, CAST(substr(birth_date, 1, 4) AS INTEGER), death_date, "
        "moved_out_date, group_id, living, self_care, labour_model, sex, returned_home "
        "FROM retirees NOT INDEXED WHERE deleted = 0" + scope, uparams).fetchall()
    groups = {gid: (name, leader) for gid, name, leader in raw.execute(
        "SELECT id, name, leader_id FROM liaison_groups WHERE deleted = 0" + scope, uparams)}

    roster: dict[str, str] = {}  # retiree id → group name
    group_name = {gid: name for gid, (name, _leader) in groups.items()}
    # People on the roll by the fields the sheet counts: a few thousand combinations for ten
    # thousand people, so the age band, key-person test and the tallies run once for each.
    combos: Counter[tuple[Any, ...]] = Counter()
    deaths = moved_out = 0
    for rid, status, category, born, died, moved, gid, living, self_care, labour, sex, \
            returned_home in people:
        if died and died[:4] == y:
            deaths += 1
        if moved and moved[:4] == y:
            moved_out += 1
        if status == _ACTIVE or (status == _DECEASED and bool(died) and died[:4] > y) \
                or (status == _MOVED and bool(moved) and moved[:4] > y):
            roster[rid] = group_name.get(gid, NO_GROUP)
            combos[born, category, living, self_care, labour, sex, returned_home] += 1

    by_band_cat: dict[str, Counter[str]] = {b: Counter() for b in BAND_LABELS}
    by_category: Counter[str] = Counter()
    by_sex: Counter[str] = Counter()
    by_self_care: Counter[str] = Counter()
    key_people = alone = returned = 0
    key_age = rules["key_age"]
    is_key: dict[tuple[bool, str | None, str | None, str | None], bool] = {}
    for (born, category, living, self_care, labour, sex, returned_home), n in combos.items():
        age = year - born if born is not None and born <= year else None
        code = age_band(age)
        cat = category or UNKNOWN
        by_band_cat[AGE_BAND_LABELS[code] if code else UNKNOWN][cat] += n
        by_category[cat] += n
        by_sex[sex or UNKNOWN] += n
        by_self_care[self_care or UNKNOWN] += n
        if living in _ALONE:
            alone += n
        if returned_home:
            returned += n
        key = (age is not None and age >= key_age, living, self_care, labour)
        counted = is_key.get(key)
        if counted is None:
            counted = is_key[key] = bool(key_reasons(age=age, living=living, self_care=self_care,
                                                     labour_model=labour, rules=rules))
        if counted:
            key_people += n

    # Visits: per month and kind, and per person (for coverage and the group table).
    months: list[Counter[str]] = [Counter() for _ in range(12)]
    by_kind: Counter[str] = Counter()
    # The year's visits through the covering index led by the date (migration 0005): one
    # year of it, not the whole history. It does not hold unit_id: a unit's figures read
    # the table.
    source = "visits NOT INDEXED" if unit_ids else "visits INDEXED BY ix_visits_date_kind_person"
    where = f" FROM {source} WHERE deleted = 0 AND visit_date BETWEEN ? AND ?" + scope
    # By day and kind, the index's own order (no sort), added up into months here.
    for day, kind, n in raw.execute(
            "SELECT visit_date, kind, count(*)" + where + " GROUP BY 1, 2",
            (first, last, *uparams)):
        cls = kind if kind in (VisitKind.HOME.value, _PHONE) else "其他走访"
        months[int(day[5:7]) - 1][cls] += n
        by_kind[kind] += n
    # Per person, how many face-to-face visits and calls (one row a person, not a kind).
    # Group name → [people visited, face-to-face visits, calls, paid (fen)].
    tally: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    visited = called_people = 0
    for rid, seen, called in raw.execute(
            f"SELECT retiree_id, sum(kind IN ({','.join('?' * len(_IN_PERSON))})), sum(kind = ?)"
            + where + " GROUP BY retiree_id", (*_IN_PERSON, _PHONE, first, last, *uparams)):
        gname = roster.get(rid)
        if gname is None:  # no longer on the roll, or in another unit
            continue
        row = tally[gname]
        if seen:
            visited += 1
            row[0] += 1
            row[1] += seen
        if called:
            called_people += 1
            row[2] += called

    # The fund (a few thousand payments: one pass here beats three grouped queries).
    pay_kind: Counter[str] = Counter()
    pay_count: Counter[str] = Counter()
    pay_people: dict[str, set[str]] = defaultdict(set)
    pay_month = [0] * 12
    for rid, kind, paid, amount in raw.execute(
            "SELECT retiree_id, kind, paid_on, amount_fen FROM payments "
            "WHERE +deleted = 0 AND fund_year = ?" + scope, (year, *uparams)):
        pay_kind[kind] += amount
        pay_count[kind] += 1
        pay_people[kind].add(rid)
        # A payment made outside its fund year counts in the year's first or last month.
        month = int(paid[5:7]) if paid[:4] == y else (1 if paid[:4] < y else 12)
        pay_month[month - 1] += amount
        gname = roster.get(rid)
        if gname is not None:
            tally[gname][3] += amount
    budget = budget_of(session, year)
    spent = sum(pay_kind.values())
    cumulative, running = [], 0
    for amount in pay_month:
        running += amount
        cumulative.append(running)

    members = Counter(roster.values())
    group_rows = []
    for gname in sorted(members, key=lambda g: (g == NO_GROUP, g)):
        g_visited, visits, calls, paid = tally.get(gname, (0, 0, 0, 0))
        group_rows.append({"group": gname, "members": members[gname], "visited": g_visited,
                           "coverage_pct": _pct(g_visited, members[gname]),
                           "visits": visits, "calls": calls, "paid_fen": paid})
    roster_size = len(roster)
    return {
        "year": year,
        "as_of": end.isoformat(),
        "people": {
            "on_roll": roster_size,
            "by_category": {c: by_category[c] for c in [*CATEGORIES, UNKNOWN] if by_category[c]},
            "by_age_band": {b: sum(by_band_cat[b].values()) for b in BAND_LABELS
                            if by_band_cat[b]},
            "by_age_band_and_category": {b: {c: by_band_cat[b][c] for c in [*CATEGORIES, UNKNOWN]
                                             if by_band_cat[b][c]}
                                         for b in BAND_LABELS if by_band_cat[b]},
            "by_sex": {x: by_sex[x] for x in [*SEXES, UNKNOWN] if by_sex[x]},
            "by_self_care": {x: by_self_care[x] for x in [*SELF_CARE, UNKNOWN] if by_self_care[x]},
            "living_alone": alone,
            "returned_home": returned,
            "groups": len(groups),
            "key_people": key_people,
            "deaths": deaths,
            "moved_out": moved_out,
        },
        "visits": {
            "total": sum(by_kind.values()),
            # Most first; ties by name, so the JSON does not depend on the order rows came in.
            "by_kind": dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_month": [{"month": i + 1, **{k: m[k] for k in VISIT_CLASSES}}
                         for i, m in enumerate(months)],
            "visited_people": visited,
            "visited_pct": _pct(visited, roster_size),
            "called_people": called_people,
        },
        "care": {
            "hospital_visits": by_kind.get(VisitKind.HOSPITAL.value, 0),
            "spring_festival_visits": by_kind.get(VisitKind.SPRING_FESTIVAL.value, 0),
            "birthdays_celebrated": by_kind.get(VisitKind.BIRTHDAY.value, 0),
            "weddings_celebrated": by_kind.get(VisitKind.GOLDEN_WEDDING.value, 0),
            "condolences": by_kind.get(VisitKind.CONDOLENCE.value, 0),
            "aided_people": len(pay_people.get(PaymentKind.HARDSHIP.value, set())),
            "letters": by_kind.get(VisitKind.LETTER.value, 0),
        },
        "fund": {
            "budget_fen": budget,
            "spent_fen": spent,
            "left_fen": budget - spent,
            "used_pct": _pct(spent, budget),
            "by_kind": dict(pay_kind.most_common()),
            "count": sum(pay_count.values()),
            "count_by_kind": dict(pay_count),
            "people_by_kind": {k: len(v) for k, v in pay_people.items()},
            "by_month": pay_month,
            "cumulative_by_month": cumulative,
        },
        "by_group": group_rows,
    }
