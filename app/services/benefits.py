"""待遇明细卡: a change of amount is a new benefit row; the open one is closed the day before.
The history is kept, never overwritten."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from app.models import Benefit
from app.services import operations as ops
from app.services.errors import Problem, ValidationError


def current_benefits(session: Session, retiree_id: str, on: date | None = None) -> list[Benefit]:
    on = on or date.today()
    rows = session.exec(select(Benefit).where(Benefit.retiree_id == retiree_id, Benefit.deleted == False)  # noqa: E712
                        .order_by(Benefit.item, Benefit.effective_from)).all()
    return [b for b in rows if (b.effective_from is None or b.effective_from <= on)
            and (b.effective_to is None or b.effective_to >= on)]


def change_benefit(session: Session, retiree_id: str, item: str, amount: Any, effective_from: Any, *,
                   actor: str, period: str | None = None, note: str | None = None) -> list[ops.Change]:
    """Record a new amount for ``item`` from ``effective_from``; close the row it replaces."""
    data: dict[str, Any] = {"retiree_id": retiree_id, "item": item, "amount_fen": amount,
                            "effective_from": effective_from, "note": note}
    if period:
        data["period"] = period
    cleaned = ops.clean("benefits", data, partial=False)
    start: date | None = cleaned["effective_from"]
    if start is None:
        raise ValidationError([Problem("effective_from", "起始日期", "待遇变动必须填写「起始日期」")])
    open_rows = session.exec(select(Benefit).where(
        Benefit.retiree_id == retiree_id, Benefit.item == cleaned["item"], Benefit.deleted == False,  # noqa: E712
        Benefit.effective_to == None)).all()  # noqa: E711
    changes = []
    for row in open_rows:
        if row.effective_from and row.effective_from >= start:
            raise ValidationError([Problem("effective_from", "起始日期",
                                           f"起始日期须晚于现行标准的起始日期（{row.effective_from}）")])
        if period is None:
            data.setdefault("period", row.period)
        changes.append(ops.update(session, "benefits", row.id,
                                  {"effective_to": start - timedelta(days=1)}, actor=actor))
    changes.append(ops.create(session, "benefits", data, actor=actor))
    return changes
