"""走访慰问: visits and calls, care cases, payments from the care fund, yearly budgets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field

from app.models.base import SyncedRecord


class Visit(SyncedRecord, table=True):
    __tablename__ = "visits"
    # Reminders read "last visit of each kind per person" in one pass: a covering index. It
    # also serves every lookup by person, so retiree_id needs no index of its own.
    __table_args__ = (Index("ix_visits_person_kind_date", "retiree_id", "kind", "visit_date", "deleted"),)

    retiree_id: str = Field(foreign_key="retirees.id")
    kind: str = Field(index=True)
    visit_date: date = Field(index=True)
    visitors: str | None = None
    summary: str | None = None
    money_fen: int = Field(default=0)
    gifts: str | None = None
    follow_up: str | None = None
    follow_up_done: bool = Field(default=False)
    case_id: str | None = Field(default=None, foreign_key="care_cases.id", index=True)


class CareCase(SyncedRecord, table=True):
    """住院, 家庭大事, 困难, 丧事: opened, followed up, closed."""

    __tablename__ = "care_cases"

    retiree_id: str = Field(foreign_key="retirees.id", index=True)
    kind: str = Field(index=True)
    opened_on: date
    closed_on: date | None = None
    summary: str | None = None
    place: str | None = None
    note: str | None = None


class Payment(SyncedRecord, table=True):
    __tablename__ = "payments"

    retiree_id: str = Field(foreign_key="retirees.id", index=True)
    kind: str
    amount_fen: int
    paid_on: date = Field(index=True)
    fund_year: int = Field(index=True)
    visit_id: str | None = Field(default=None, foreign_key="visits.id")
    case_id: str | None = Field(default=None, foreign_key="care_cases.id")
    payee: str | None = None
    approved_by: str | None = None
    note: str | None = None


class FundBudget(SyncedRecord, table=True):
    __tablename__ = "fund_budgets"

    year: int = Field(index=True)
    amount_fen: int
    note: str | None = None
