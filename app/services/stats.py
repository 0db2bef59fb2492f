"""Headline figures of a database (the ``stats`` command; the yearly sheet builds on it)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import CareCase, FundBudget, LiaisonGroup, Payment, Retiree, Visit
from app.models.enums import Living, Status
from app.models.partial_date import PartialDate
from app.services.ages import AGE_BAND_LABELS, age_band, age_on

_ALONE = {Living.ALONE.value, Living.SOLITARY.value}


def summary(session: Session, *, on: date | None = None, year: int | None = None,
            unit_ids: list[str] | None = None) -> dict[str, Any]:
    on = on or date.today()
    year = year or on.year

    def scoped(stmt: Any, model: Any) -> Any:
        stmt = stmt.where(model.deleted == False)  # noqa: E712
        return stmt.where(model.unit_id.in_(unit_ids)) if unit_ids else stmt

    rows = session.exec(scoped(select(
        Retiree.status, Retiree.category, Retiree.sex, Retiree.birth_date, Retiree.self_care,
        Retiree.living, Retiree.returned_home), Retiree)).all()
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_sex: Counter[str] = Counter()
    by_band: Counter[str] = Counter()
    by_self_care: Counter[str] = Counter()
    alone = returned = 0
    for status, category, sex, birth, self_care, living, returned_home in rows:
        by_status[status] += 1
        if status != Status.ACTIVE:
            continue
        by_category[category or "未填"] += 1
        by_sex[sex or "未填"] += 1
        band = age_band(age_on(PartialDate.from_iso(birth), on)) if birth else None
        by_band[AGE_BAND_LABELS[band] if band else "未填"] += 1
        by_self_care[self_care or "未填"] += 1
        alone += living in _ALONE
        returned += bool(returned_home)
    start, end = date(year, 1, 1), date(year, 12, 31)
    visits = dict(session.exec(scoped(
        select(Visit.kind, func.count()).where(Visit.visit_date.between(start, end)), Visit  # type: ignore[attr-defined]
    ).group_by(Visit.kind)).all())
    paid = session.exec(scoped(select(func.count(), func.coalesce(func.sum(Payment.amount_fen), 0))
                               .where(Payment.fund_year == year), Payment)).one()
    budget = session.exec(scoped(select(func.coalesce(func.sum(FundBudget.amount_fen), 0))
                                 .where(FundBudget.year == year), FundBudget)).one()
    open_cases = dict(session.exec(scoped(select(CareCase.kind, func.count())
                                          .where(CareCase.closed_on == None), CareCase)  # noqa: E711
                                   .group_by(CareCase.kind)).all())
    groups = session.exec(scoped(select(func.count()).select_from(LiaisonGroup), LiaisonGroup)).one()
    return {
        "date": on.isoformat(),
        "year": year,
        "total": len(rows),
        "active": by_status.get(Status.ACTIVE.value, 0),
        "by_status": dict(by_status),
        "by_category": dict(by_category),
        "by_sex": dict(by_sex),
        "by_age_band": {label: by_band[label] for label in [*AGE_BAND_LABELS.values(), "未填"]
                        if by_band.get(label)},
        "by_self_care": dict(by_self_care),
        "living_alone": alone,
        "returned_home": returned,
        "groups": groups,
        "visits_by_kind": visits,
        "visits_total": sum(visits.values()),
        "open_cases": open_cases,
        "payments_count": paid[0],
        "payments_fen": paid[1],
        "budget_fen": budget,
    }
