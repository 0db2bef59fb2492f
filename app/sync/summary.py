"""Headquarters' view of its units: people, last bundle received, overdue units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import BundleLog, Retiree, SyncPeer, Unit
from app.services.context import self_unit_id
from app.services.units import subtree_ids

OVERDUE_DAYS = 35  # units report monthly; a week's grace


def unit_summary(session: Session, *, now: datetime | None = None, overdue_days: int = OVERDUE_DAYS) -> list[dict[str, Any]]:
    now = now or datetime.now(UTC)
    me = self_unit_id(session)
    people = dict(session.exec(select(Retiree.unit_id, func.count()).where(
        Retiree.deleted == False, Retiree.status == "在册").group_by(Retiree.unit_id)).all())  # noqa: E712
    last = dict(session.exec(select(BundleLog.peer_unit_id, func.max(BundleLog.at)).where(
        BundleLog.direction == "in", BundleLog.result.in_(["applied", "unchanged"])  # type: ignore[attr-defined]
    ).group_by(BundleLog.peer_unit_id)).all())
    children = {p.unit_id for p in session.exec(select(SyncPeer).where(SyncPeer.role == "child"))}
    out = []
    for uid in subtree_ids(session, me):
        unit = session.get(Unit, uid)
        if unit is None:
            continue
        received = last.get(uid)
        if received is not None and received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        overdue = uid in children and (received is None or now - received > timedelta(days=overdue_days))
        out.append({"unit_id": uid, "code": unit.code, "name": unit.name, "people": people.get(uid, 0),
                    "last_bundle": received.isoformat() if received else None, "overdue": overdue,
                    "is_self": uid == me})
    return out
