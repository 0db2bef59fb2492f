"""工作告知卡 across units: for each notice, who has been told and who not yet."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.models import Notice, NoticeDelivery, Retiree, Unit


def notice_status(session: Session, notice_id: str | None = None) -> list[dict[str, Any]]:
    """Per notice: counts told / acknowledged / not told, per unit, with the names not told."""
    notices = session.exec(select(Notice).where(Notice.deleted == False).order_by(Notice.issued_date)).all()  # noqa: E712
    if notice_id:
        notices = [n for n in notices if n.id == notice_id]
    people = session.exec(select(Retiree.id, Retiree.name, Retiree.unit_id).where(
        Retiree.deleted == False, Retiree.status == "在册")).all()  # noqa: E712
    units = {u.id: u.name for u in session.exec(select(Unit))}
    out = []
    for n in notices:
        told: dict[str, bool] = {}
        for rid, ack in session.exec(select(NoticeDelivery.retiree_id, NoticeDelivery.acknowledged).where(
                NoticeDelivery.notice_id == n.id, NoticeDelivery.deleted == False)):  # noqa: E712
            told[rid] = told.get(rid, False) or bool(ack)
        per_unit: dict[str, dict[str, Any]] = {}
        for rid, name, uid in people:
            row = per_unit.setdefault(uid, {"unit": units.get(uid, uid), "told": 0, "acknowledged": 0,
                                            "not_told": []})
            if rid in told:
                row["told"] += 1
                row["acknowledged"] += told[rid]
            else:
                row["not_told"].append(name)
        out.append({"id": n.id, "title": n.title, "kind": n.kind,
                    "issued_date": n.issued_date.isoformat() if n.issued_date else None,
                    "told": sum(r["told"] for r in per_unit.values()),
                    "acknowledged": sum(r["acknowledged"] for r in per_unit.values()),
                    "not_told": sum(len(r["not_told"]) for r in per_unit.values()),
                    "units": sorted(per_unit.values(), key=lambda r: r["unit"])})
    return out
