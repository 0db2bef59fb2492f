"""送温暖专项经费: the yearly care fund — budget, spent and left, and the warning shown
before a payment would take the year over its budget.

Payments are ordinary ``payments`` rows written through ``operations``; this module adds the
fund's own rules: every payment names its person and the visit or case it belongs to, and
a payment that would overspend the year is refused unless the officer confirms it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import CareCase, FundBudget, Payment, Visit
from app.models.registry import format_money, spec
from app.services import operations
from app.services.errors import Problem, ServiceError, ValidationError
from app.services.operations import Change


@dataclass(frozen=True)
class FundStatus:
    year: int
    budget_fen: int
    spent_fen: int
    count: int
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def left_fen(self) -> int:
        return self.budget_fen - self.spent_fen

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "budget_fen": self.budget_fen, "spent_fen": self.spent_fen,
                "left_fen": self.left_fen, "count": self.count, "by_kind": dict(self.by_kind)}


@dataclass(frozen=True)
class BudgetWarning:
    year: int
    amount_fen: int
    budget_fen: int
    spent_fen: int

    @property
    def over_fen(self) -> int:
        return self.spent_fen + self.amount_fen - self.budget_fen

    @property
    def message(self) -> str:
        if self.budget_fen <= 0:
            return (f"{self.year}年度尚未设定送温暖专项经费预算，本笔 {format_money(self.amount_fen)} 元"
                    f"将计入无预算的支出。")
        return (f"本笔 {format_money(self.amount_fen)} 元发放后，{self.year}年度送温暖专项经费将超支 "
                f"{format_money(self.over_fen)} 元（预算 {format_money(self.budget_fen)} 元，"
                f"已支出 {format_money(self.spent_fen)} 元）。")

    def __str__(self) -> str:
        return self.message


class BudgetExceededError(ServiceError):
    """The payment would overspend the year; carries the warning for the UI to show."""

    def __init__(self, warning: BudgetWarning) -> None:
        self.warning = warning
        super().__init__(warning.message + "如确需发放，请确认后再保存。")


def _live(stmt: Any, model: Any) -> Any:
    return stmt.where(model.deleted == False)  # noqa: E712


def budget_of(session: Session, year: int) -> int:
    return int(session.exec(_live(select(func.coalesce(func.sum(FundBudget.amount_fen), 0))
                                  .where(FundBudget.year == year), FundBudget)).one())


def fund_status(session: Session, year: int) -> FundStatus:
    rows = session.exec(_live(select(Payment.kind, func.count(), func.sum(Payment.amount_fen))
                              .where(Payment.fund_year == year), Payment)
                        .group_by(Payment.kind)).all()
    by_kind = {kind: int(total or 0) for kind, _n, total in rows}
    return FundStatus(year, budget_of(session, year), sum(by_kind.values()),
                      sum(int(n) for _k, n, _t in rows), by_kind)


def check_payment(session: Session, amount_fen: int, year: int, *,
                  exclude_payment_id: str | None = None) -> BudgetWarning | None:
    """The warning to show before paying ``amount_fen`` from ``year``'s fund, or None.

    ``exclude_payment_id`` leaves out a payment being edited, so that its old amount is not
    counted twice."""
    spent_stmt = _live(select(func.coalesce(func.sum(Payment.amount_fen), 0))
                       .where(Payment.fund_year == year), Payment)
    if exclude_payment_id:
        spent_stmt = spent_stmt.where(Payment.id != exclude_payment_id)
    spent = int(session.exec(spent_stmt).one())
    budget = budget_of(session, year)
    if budget <= 0 or spent + amount_fen > budget:
        return BudgetWarning(year, amount_fen, budget, spent)
    return None


def set_budget(session: Session, year: int, amount: int | str, *, actor: str,
               note: str | None = None) -> Change:
    """Set the year's budget: updates the year's budget row or creates it."""
    row = session.exec(_live(select(FundBudget).where(FundBudget.year == year), FundBudget)).first()
    data: dict[str, Any] = {"amount_fen": amount}
    if note is not None:
        data["note"] = note
    if row is None:
        return operations.create(session, "fund_budgets", {"year": year, **data}, actor=actor)
    return operations.update(session, "fund_budgets", row.id, data, actor=actor)


def record_payment(session: Session, data: Mapping[str, Any], *, actor: str,
                   confirm_over_budget: bool = False) -> tuple[Change, BudgetWarning | None]:
    """Write one payment from the fund.

    The payment must name its person and a visit or case of that same person. When it would
    overspend the year, ``BudgetExceededError`` is raised unless ``confirm_over_budget``
    (the officer saw the warning and chose to go ahead); the warning is returned either way."""
    values = operations.clean("payments", data, partial=False)
    problems: list[Problem] = []
    rid = values["retiree_id"]
    visit_id, case_id = values.get("visit_id"), values.get("case_id")
    if not visit_id and not case_id:
        problems.append(Problem("visit_id", spec("payments", "visit_id").label,
                                "慰问金须关联一次走访或一个慰问事项"))
    for name, model in (("visit_id", Visit), ("case_id", CareCase)):
        ref = values.get(name)
        row = session.get(model, ref) if ref else None
        if ref and row is not None and row.retiree_id != rid:
            label = spec("payments", name).label
            problems.append(Problem(name, label, f"「{label}」不属于这位人员"))
    if problems:
        raise ValidationError(problems)
    paid_on: date = values["paid_on"]
    year = int(values.get("fund_year") or paid_on.year)
    warning = check_payment(session, values["amount_fen"], year)
    if warning is not None and not confirm_over_budget:
        raise BudgetExceededError(warning)
    change = operations.create(session, "payments", {**data, "fund_year": year}, actor=actor)
    return change, warning
