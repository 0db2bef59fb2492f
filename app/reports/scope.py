"""Who and which period a document covers, and the look-ups every document shares.

Without a scope a document covers the whole unit (people in the register, 在册) and, where it
needs a period, the current year. Explicit ``ids`` are taken as they are — whatever their
status — because the officer picked them (a condolence form is for someone deceased).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import LiaisonGroup, Retiree, Visit
from app.models.enums import Status
from app.models.partial_date import PartialDate
from app.services.ages import age_on
from app.services.cards import find_retiree
from app.services.errors import NotFoundError, ServiceError
from app.services.units import self_unit, subtree_ids

_HEX_ID = re.compile(r"^[0-9a-f]{32}$")
_NUMBERS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def label(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def period(date_from: date | None, date_to: date | None, *, today: date | None = None) -> Period:
    """The period asked for; the current year when none is given."""
    year = (date_from or date_to or today or date.today()).year
    start = date_from or date(year, 1, 1)
    end = date_to or date(max(start.year, year), 12, 31)
    if end < start:
        raise ServiceError(f"期间的结束日期 {end} 早于开始日期 {start}")
    return Period(start, end)


def unit_name(session: Session) -> str:
    unit = self_unit(session)
    return unit.name if unit else ""


def unit_ids(session: Session) -> list[str] | None:
    """This unit and the units below it (headquarters prints for all of them)."""
    unit = self_unit(session)
    return subtree_ids(session, unit.id) if unit else None


def resolve_group(session: Session, key: str) -> LiaisonGroup:
    """A liaison group by record id or by its name."""
    key = key.strip()
    group = session.get(LiaisonGroup, key.lower()) if _HEX_ID.match(key.lower()) else None
    if group is None or group.deleted:
        stmt = select(LiaisonGroup).where(LiaisonGroup.name == key, LiaisonGroup.deleted == False)  # noqa: E712
        group = session.exec(stmt).first()
    if group is None:
        raise NotFoundError(f"找不到联络小组：{key}")
    return group


def people(session: Session, *, ids: Iterable[str] | None = None, group_id: str | None = None,
           active_only: bool = True) -> list[Retiree]:
    """The retirees a document covers, in the order given (ids) or by name."""
    if ids:
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        hex_ids = [i.lower() for i in wanted if _HEX_ID.match(i.lower())]
        found = {r.id: r for r in session.exec(
            select(Retiree).where(Retiree.id.in_(hex_ids), Retiree.deleted == False))}  # type: ignore[attr-defined]  # noqa: E712
        out: list[Retiree] = []
        for key in wanted:
            r = found.get(key.lower()) or find_retiree(session, key)  # ID numbers, or a clear error
            if r not in out:
                out.append(r)
        return out
    stmt = select(Retiree).where(Retiree.deleted == False)  # noqa: E712
    units = unit_ids(session)
    if units:
        stmt = stmt.where(Retiree.unit_id.in_(units))  # type: ignore[attr-defined]
    if group_id:
        stmt = stmt.where(Retiree.group_id == resolve_group(session, group_id).id)
    if active_only:
        stmt = stmt.where(Retiree.status == Status.ACTIVE.value)
    return list(session.exec(stmt.order_by(Retiree.name)))


def groups(session: Session) -> dict[str, LiaisonGroup]:
    return {g.id: g for g in session.exec(select(LiaisonGroup).where(LiaisonGroup.deleted == False))}  # noqa: E712


def names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = [i for i in set(ids) if i]
    if not wanted:
        return {}
    return dict(session.exec(select(Retiree.id, Retiree.name).where(Retiree.id.in_(wanted))).all())  # type: ignore[attr-defined]


def last_visits(session: Session, kinds: Iterable[str], *, before: date | None = None) -> dict[str, date]:
    """Retiree id → date of the latest visit of one of ``kinds``."""
    stmt = (select(Visit.retiree_id, func.max(Visit.visit_date))
            .where(Visit.kind.in_(list(kinds)), Visit.deleted == False)  # type: ignore[attr-defined]  # noqa: E712
            .group_by(Visit.retiree_id))
    if before:
        stmt = stmt.where(Visit.visit_date <= before)
    return {rid: d for rid, d in session.exec(stmt).all() if d is not None}


def age(r: Retiree, on: date) -> int | None:
    if not r.birth_date or r.status != Status.ACTIVE.value:
        return None
    return age_on(PartialDate.from_iso(r.birth_date), on)


def address_key(text: str | None) -> list[Any]:
    """Sort key reading house numbers as numbers: 3号院 before 12号院."""
    return [int(p) if p.isdigit() else p for p in _NUMBERS.split(text or "")]
