"""走访慰问: visits and calls, care cases, payments from the care fund, yearly budgets."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from app.models.base import SyncedRecord


class Visit(SyncedRecord, table=True):
    __tablename__ = "visits"
    # Reminders read "last visit of each kind per person" in one pass: a covering index. It
    # also serves every lookup by person, so retiree_id needs no index of its own.
    # The yearly figures count a year's visits by month, kind and person: a covering index
    # led by the date reads one year of it and nothing else (migration 0005).
    __table_args__ = (Index("ix_visits_person_kind_date", "retiree_id", "kind", "visit_date", "deleted"),
                      Index("ix_visits_date_kind_person", "visit_date", "kind", "retiree_id", "deleted"))

    retiree_id: str = Field(foreign_key="retirees.id")
    # No index of its own: eleven kinds are too few to narrow anything down, and the two
    # covering indexes answer "by kind" better (migration 0005 dropped it).
    kind: str
    visit_date: date
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


class CareState(SQLModel, table=True):
    """Per person, the latest visit of each kind the care rules look at (ISO dates, NULL for
    none): derived from ``visits`` and local (never in a bundle). Every write of a visit
    refreshes its person's row in the same transaction (``app.services.care_state``), so
    reminders read one row per person instead of grouping the whole visit history."""

    __tablename__ = "care_state"
    __table_args__ = {"sqlite_with_rowid": False}

    retiree_id: str = Field(primary_key=True)
    latest: str | None = None  # of any kind: later than the day asked about → read visits
    in_person: str | None = None  # any face-to-face kind (care_state.IN_PERSON)
    phone: str | None = None
    letter: str | None = None
    spring_festival: str | None = None
    birthday: str | None = None
    wedding: str | None = None
    hospital: str | None = None
    family_event: str | None = None
    condolence: str | None = None
