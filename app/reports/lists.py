"""The lists: door-to-door visit sheet, phone-call sheet, payment sign-off list, round
birthdays and golden weddings, and the roster (Excel only).

Privacy: sheets carried door to door never hold ID numbers (there is no such column). They do
print phone numbers in full: the visitor has to ring ahead or call the family, and a masked
number is useless on a doorstep; the sheet stays with the officer or the group leader, who
already know these people.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.models import Contact, Payment, Retiree
from app.models.enums import ContactKind, VisitKind
from app.models.partial_date import PartialDate
from app.models.registry import label, spec
from app.reports import scope
from app.reports.money import amount_in_figures, amount_in_words
from app.reports.tables import SERIAL, Col, Kind, ListTable, Section
from app.services.ages import next_round_birthday

R = "retirees"
ROUND_BIRTHDAYS = (70, 80, 90, *range(100, 121))  # from 100 on, every birthday is celebrated
WEDDING_YEARS = {50: "金婚", 60: "钻石婚"}

Tick = Callable[[], None]


def _health(r: Retiree) -> str:
    return "/".join(v for v in (r.health, r.self_care) if v)


def _health_col() -> Col:
    return Col(f"{label(R, 'health')}/{label(R, 'self_care')}", 8)


def _sections(session: Session, people: list[Retiree], *, by: str = "group") -> list[tuple[str, str, list[Retiree]]]:
    """(heading, key, members sorted by address) per liaison group — or per street (片区)."""
    groups = scope.groups(session)
    leaders = scope.names(session, (g.leader_id or "" for g in groups.values()))
    buckets: dict[str, list[Retiree]] = {}
    for r in people:
        g = groups.get(r.group_id or "")
        key = (g.area or "未填片区") if (by == "street" and g) else (g.id if g else "")
        buckets.setdefault(key, []).append(r)
    out = []
    group_label = label(R, "group_id")
    for key, members in buckets.items():
        members.sort(key=lambda r: (scope.address_key(r.address), r.name))
        if by == "street":
            heading = f"{label('liaison_groups', 'area')}：{key or '未分组'}    共 {len(members)} 人"
            out.append((heading, key or "未分组", members))
            continue
        g = groups.get(key)
        if g is None:
            out.append((f"{group_label}：未分组    共 {len(members)} 人", "未分组", members))
            continue
        parts = [f"{group_label}：{g.name}"]
        if g.area:
            parts.append(f"{label('liaison_groups', 'area')}：{g.area}")
        parts.append(f"{label('liaison_groups', 'leader_id')}：{leaders.get(g.leader_id or '', '') or '—'}")
        parts.append(f"{label('liaison_groups', 'leader_phone')}：{g.leader_phone or '—'}")
        parts.append(f"共 {len(members)} 人")
        out.append(("    ".join(parts), g.name, members))
    out.sort(key=lambda s: (s[1] == "未分组", scope.address_key(s[1])))
    return out


def visit_sheet(session: Session, *, ids: list[str] | None = None, group_id: str | None = None,
                on: date, by: str = "group", tick: Tick | None = None, **_: Any) -> ListTable:
    """入户走访登记表: one section per liaison group, sorted by address."""
    people = scope.people(session, ids=ids, group_id=group_id)
    last = scope.last_visits(session, [VisitKind.HOME.value, VisitKind.SPRING_FESTIVAL.value,
                                       VisitKind.HOSPITAL.value, VisitKind.FAMILY_EVENT.value])
    columns = [SERIAL, Col.of(R, "name"), Col.of(R, "sex", align="center"),
               Col("年龄", 3, Kind.INT, "center"), Col.of(R, "address", width=24),
               Col.of(R, "phones", width=10), _health_col(), Col.of(R, "living", width=7),
               Col("上次走访", 7, Kind.DATE, "center"), Col("本次情况", 14, Kind.BLANK),
               Col("签字", 6, Kind.BLANK)]
    sections = []
    for heading, key, members in _sections(session, people, by=by):
        rows = []
        for n, r in enumerate(members, 1):
            rows.append([n, r.name, r.sex, scope.age(r, on), r.address, r.phones, _health(r),
                         r.living, last.get(r.id), "", ""])
            if tick:
                tick()
        sections.append(Section(heading, key, rows))
    return ListTable("入户走访登记表", columns, sections, section_label=label(R, "group_id"),
                     min_row_height=22, section_per_page=True,
                     subtitle=f"走访日期：______年____月____日    走访人：____________    在册 {len(people)} 人")


def phone_sheet(session: Session, *, ids: list[str] | None = None, group_id: str | None = None,
                on: date, date_from: date | None = None, by: str = "group",
                tick: Tick | None = None, **_: Any) -> ListTable:
    """电话联系记录表: the monthly call sheet, same scope rules as the visit sheet."""
    people = scope.people(session, ids=ids, group_id=group_id)
    last = scope.last_visits(session, [VisitKind.PHONE.value])
    month = date_from or on
    columns = [SERIAL, Col.of(R, "name"), Col.of(R, "sex", align="center"),
               Col("年龄", 3, Kind.INT, "center"), Col.of(R, "phones", width=11),
               Col.of(R, "best_call_time", width=7), _health_col(), Col.of(R, "living", width=7),
               Col("上次电话", 7, Kind.DATE, "center"), Col("通话日期", 7, Kind.BLANK),
               Col("通话情况", 20, Kind.BLANK), Col("联系人", 6, Kind.BLANK)]
    sections = []
    for heading, key, members in _sections(session, people, by=by):
        rows = []
        for n, r in enumerate(members, 1):
            rows.append([n, r.name, r.sex, scope.age(r, on), r.phones, r.best_call_time,
                         _health(r), r.living, last.get(r.id), "", "", ""])
            if tick:
                tick()
        sections.append(Section(heading, key, rows))
    return ListTable("电话联系记录表", columns, sections, section_label=label(R, "group_id"),
                     min_row_height=22, section_per_page=True,
                     subtitle=f"{month.year}年{month.month}月    在册 {len(people)} 人")


def payments_in(session: Session, *, ids: list[str] | None, group_id: str | None,
                period: scope.Period, kind: str | None = None) -> list[Payment]:
    stmt = select(Payment).where(Payment.deleted == False,  # noqa: E712
                                 Payment.paid_on >= period.start, Payment.paid_on <= period.end)
    if kind:
        stmt = stmt.where(Payment.kind == kind)
    if ids or group_id:
        who = [r.id for r in scope.people(session, ids=ids, group_id=group_id, active_only=False)]
        stmt = stmt.where(Payment.retiree_id.in_(who))  # type: ignore[attr-defined]
    else:
        unit_ids = scope.unit_ids(session)
        if unit_ids:
            stmt = stmt.where(Payment.unit_id.in_(unit_ids))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(Payment.paid_on, Payment.id)))


def payment_list(session: Session, *, ids: list[str] | None = None, group_id: str | None = None,
                 period: scope.Period, kind: str | None = None, tick: Tick | None = None,
                 **_: Any) -> ListTable:
    """慰问金发放签收表: amount each, total in figures and capitals, a signature column."""
    payments = payments_in(session, ids=ids, group_id=group_id, period=period, kind=kind)
    people = {r.id: r for r in session.exec(select(Retiree).where(
        Retiree.id.in_({p.retiree_id for p in payments})))}  # type: ignore[attr-defined]
    groups = scope.groups(session)
    P = "payments"
    columns = [SERIAL, Col.of(R, "name"), Col.of(R, "group_id", width=10),
               Col.of(P, "kind"), Col.of(P, "paid_on", align="center"),
               Col.of(P, "amount_fen", align="right"), Col.of(P, "payee"), Col("领款人签字", 10, Kind.BLANK)]
    rows = []
    total = 0
    for n, p in enumerate(payments, 1):
        r = people.get(p.retiree_id)
        g = groups.get(r.group_id or "") if r else None
        rows.append([n, r.name if r else "", g.name if g else "", p.kind, p.paid_on, p.amount_fen,
                     p.payee, ""])
        total += p.amount_fen
        if tick:
            tick()
    who = len({p.retiree_id for p in payments})
    notes = [f"合计：{who} 人，{len(payments)} 笔，金额 {amount_in_figures(total)}"
             f"（大写：人民币{amount_in_words(total)}）",
             "经办人：______________    负责人：______________    领导审批：______________"]
    subtitle = f"发放期间：{period.label()}" + (f"    类别：{kind}" if kind else "")
    return ListTable("慰问金发放签收表", columns, [Section(rows=rows)], subtitle=subtitle,
                     wide=False, min_row_height=24, notes=notes)


def _anniversary(day: date, years: int) -> date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(day.year + years):
        return date(day.year + years, 3, 1)
    return date(day.year + years, day.month, day.day)


def milestones(session: Session, *, ids: list[str] | None = None, group_id: str | None = None,
               period: scope.Period, tick: Tick | None = None, **_: Any) -> ListTable:
    """生日/金婚名单: round birthdays (70, 80, 90, 100 and every year after) and golden (50)
    and diamond (60) weddings falling in the period, by date. Solar dates only: a 农历
    birthday is listed on its solar date, marked so the officer checks it."""
    people = scope.people(session, ids=ids, group_id=group_id)
    by_id = {r.id: r for r in people}
    groups = scope.groups(session)
    events: list[tuple[date, str, Retiree, str]] = []
    for r in people:
        if r.birth_date and r.status == "在册":
            hit = next_round_birthday(PartialDate.from_iso(r.birth_date), period.start,
                                      ROUND_BIRTHDAYS)
            if hit and hit[1] <= period.end:
                events.append((hit[1], f"{hit[0]}岁生日", r, r.birth_date))
        if tick:
            tick()
    spouses = session.exec(select(Contact).where(
        Contact.kind == ContactKind.SPOUSE.value, Contact.deleted == False,  # noqa: E712
        Contact.alive == True, Contact.marriage_date != None))  # noqa: E711, E712
    for c in spouses:
        r = by_id.get(c.retiree_id)
        if r is None or r.status != "在册":
            continue
        married = PartialDate.from_iso(c.marriage_date).earliest()
        for years, name in WEDDING_YEARS.items():
            when = _anniversary(married, years)
            if period.start <= when <= period.end:
                events.append((when, f"{name}（结婚{years}周年）", r, c.marriage_date))
    events.sort(key=lambda e: (e[0], e[2].name))
    cal = spec(R, "birthday_calendar")
    columns = [SERIAL, Col.of(R, "name"), Col.of(R, "sex", align="center"), Col("事项", 11),
               Col("日期", 7, Kind.DATE, "center"),
               Col(f"{label(R, 'birth_date')}/{label('contacts', 'marriage_date')}", 8, Kind.PARTIAL_DATE),
               Col(cal.label, 4, align="center"), Col.of(R, "group_id", width=9),
               Col.of(R, "phones", width=10), Col.of(R, "address", width=20)]
    rows = []
    for n, (when, what, r, since) in enumerate(events, 1):
        g = groups.get(r.group_id or "")
        rows.append([n, r.name, r.sex, what, when, since, r.birthday_calendar if "生日" in what else "",
                     g.name if g else "", r.phones, r.address])
    birthdays = sum("生日" in e[1] for e in events)
    notes = [f"合计：生日 {birthdays} 人次，金婚/钻石婚 {len(events) - birthdays} 对。",
             "日期按公历计算；生日历法为“农历”者请按农历核对祝寿日期。"]
    return ListTable("生日及金婚名单", columns, [Section(rows=rows)], notes=notes,
                     subtitle=f"期间：{period.label()}")


def roster(session: Session, *, ids: list[str] | None = None, group_id: str | None = None,
           on: date, tick: Tick | None = None, **_: Any) -> ListTable:
    """人员名册 (Excel only): the basic card with full ID numbers, for the office's own files —
    never carried door to door."""
    people = scope.people(session, ids=ids, group_id=group_id)
    groups = scope.groups(session)
    names = ["name", "sex", "birth_date", "id_number", "category", "retire_date", "former_post",
             "rank", "health", "self_care", "living", "group_id", "phones", "address"]
    columns = [SERIAL, *(Col.of(R, n) for n in names[:3]), Col("年龄", 4, Kind.INT),
               *(Col.of(R, n) for n in names[3:])]
    rows = []
    for n, r in enumerate(sorted(people, key=lambda r: scope.address_key(r.address)), 1):
        g = groups.get(r.group_id or "")
        values = [getattr(r, f) for f in names]
        values[names.index("group_id")] = g.name if g else ""
        rows.append([n, *values[:3], scope.age(r, on), *values[3:]])
        if tick:
            tick()
    return ListTable("人员名册", columns, [Section(rows=rows)])

