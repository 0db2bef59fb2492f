"""Reading a retiree's whole card set (for ``show``, the card editor and printing)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.models import (
    Benefit,
    CareCase,
    Contact,
    LiaisonGroup,
    Notice,
    NoticeDelivery,
    Payment,
    Retiree,
    Unit,
    Visit,
)
from app.models.partial_date import PartialDate
from app.models.registry import CARD_LABELS, REGISTRY, Card
from app.services.ages import age_band, age_on
from app.services.errors import NotFoundError
from app.services.idcard import IdNumberError, normalize_id_number

_HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def find_retiree(session: Session, key: str, *, include_deleted: bool = False) -> Retiree:
    """A retiree by record id or by ID number (15 or 18 digits, any common spelling)."""
    key = (key or "").strip()
    if _HEX_ID.match(key.lower()):
        r = session.get(Retiree, key.lower())
        if r is not None and (include_deleted or not r.deleted):
            return r
    try:
        number = normalize_id_number(key)
    except IdNumberError:
        number = None
    if number:
        stmt = select(Retiree).where(Retiree.id_number == number)
        if not include_deleted:
            stmt = stmt.where(Retiree.deleted == False)  # noqa: E712
        found = list(session.exec(stmt))
        if found:
            # Several records may share an ID number (flagged for a person); take the active one.
            found.sort(key=lambda r: (r.status != "在册", r.updated_at))
            return found[0]
    raise NotFoundError(f"找不到人员：{key}（请使用记录编号或身份证号）")


def _fields(table: str, obj: Any, *, reveal: bool, card: Card | None = None) -> dict[str, Any]:
    return {
        f.label: f.display(getattr(obj, f.name), reveal=reveal)
        for f in REGISTRY[table]
        if f.name != "retiree_id" and (card is None or f.card is card) and f.kind != "ref"
    }


def card_set(session: Session, retiree: Retiree, *, reveal: bool = False,
             on: date | None = None) -> dict[str, Any]:
    """All four cards plus visits, cases and payments, as labelled display values.

    Sensitive values (ID number, phones) are masked unless ``reveal``."""
    on = on or date.today()
    group = session.get(LiaisonGroup, retiree.group_id) if retiree.group_id else None
    unit = session.get(Unit, retiree.unit_id)
    birth = PartialDate.from_iso(retiree.birth_date) if retiree.birth_date else None
    age = age_on(birth, on) if birth and retiree.status == "在册" else None
    basic = _fields("retirees", retiree, reveal=reveal, card=Card.BASIC)
    basic["联络小组"] = group.name if group else ""
    basic["年龄"] = "" if age is None else f"{age}岁"

    def live(model: type, *order: Any) -> list[Any]:
        stmt = select(model).where(model.retiree_id == retiree.id, model.deleted == False)  # noqa: E712
        return list(session.exec(stmt.order_by(*order)))

    notices = {n.id: n for n in session.exec(select(Notice))}
    deliveries = []
    for d in live(NoticeDelivery, NoticeDelivery.delivered_on):
        row = _fields("notice_deliveries", d, reveal=reveal)
        row["告知事项"] = notices[d.notice_id].title if d.notice_id in notices else ""
        deliveries.append(row)
    return {
        "id": retiree.id,
        "rev": retiree.rev,
        "unit": unit.name if unit else "",
        "age": age,
        "age_band": age_band(age),
        CARD_LABELS[Card.BASIC]: basic,
        CARD_LABELS[Card.BENEFITS]: [_fields("benefits", b, reveal=reveal)
                                     for b in live(Benefit, Benefit.item, Benefit.effective_from)],
        CARD_LABELS[Card.CONTACTS]: {
            **_fields("retirees", retiree, reveal=reveal, card=Card.CONTACTS),
            "联系人": [_fields("contacts", c, reveal=reveal) for c in live(Contact, Contact.kind)],
        },
        CARD_LABELS[Card.NOTICES]: deliveries,
        CARD_LABELS[Card.VISITS]: [_fields("visits", v, reveal=reveal)
                                   for v in live(Visit, Visit.visit_date.desc())],  # type: ignore[attr-defined]
        CARD_LABELS[Card.CASES]: [_fields("care_cases", c, reveal=reveal)
                                  for c in live(CareCase, CareCase.opened_on)],
        CARD_LABELS[Card.PAYMENTS]: [_fields("payments", p, reveal=reveal)
                                     for p in live(Payment, Payment.paid_on)],
    }
