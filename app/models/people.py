"""The card set: the retiree row (basic-info card plus the retiree's own phones and home
address of the contacts card), benefit items and contact persons.

Partial dates (birth 1943.05) are stored as canonical ISO prefixes ("1943", "1943-05",
"1943-05-12"): they keep their precision and still sort as text. Money is integer fen.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Index
from sqlmodel import Field

from app.models.base import SyncedRecord


class Retiree(SyncedRecord, table=True):
    __tablename__ = "retirees"

    # 基本信息卡
    name: str = Field(index=True)
    sex: str | None = None
    birth_date: str | None = Field(default=None, index=True)
    birthday_calendar: str = Field(default="公历")
    id_number: str | None = Field(default=None, index=True)
    ethnicity: str | None = None
    category: str | None = Field(default=None, index=True)
    retire_date: str | None = None
    former_post: str | None = None
    rank: str | None = None
    political_status: str | None = None
    party_branch: str | None = None
    labour_model: str | None = None
    health: str | None = None
    self_care: str | None = None
    living: str | None = None
    returned_home: bool = Field(default=False)
    hometown: str | None = None
    group_id: str | None = Field(default=None, foreign_key="liaison_groups.id", index=True)
    status: str = Field(default="在册", index=True)
    death_date: str | None = None
    moved_out_date: str | None = None
    skills: str | None = None
    note: str | None = None
    # 通信联系卡 (the retiree's own part)
    phones: list[str] = Field(default_factory=list, sa_type=JSON)
    address: str | None = None
    best_call_time: str | None = None


class Benefit(SyncedRecord, table=True):
    """One benefit item over one period of validity. A change of amount is a new row and
    the previous one gets ``effective_to``: the history is never overwritten."""

    __tablename__ = "benefits"

    retiree_id: str = Field(foreign_key="retirees.id", index=True)
    item: str
    amount_fen: int
    period: str = Field(default="每月")
    effective_from: date | None = None
    effective_to: date | None = None
    note: str | None = None


class Contact(SyncedRecord, table=True):
    """A person to reach about the retiree: spouse, child, emergency contact, relative."""

    __tablename__ = "contacts"
    # The reminders' search for spouses married in a jubilee year (migration 0007).
    __table_args__ = (Index("ix_contacts_kind_marriage_date", "kind", "marriage_date"),)

    retiree_id: str = Field(foreign_key="retirees.id", index=True)
    kind: str
    name: str
    relation: str | None = None
    phones: list[str] = Field(default_factory=list, sa_type=JSON)
    address: str | None = None
    marriage_date: str | None = None
    alive: bool = Field(default=True)
    best_call_time: str | None = None
    note: str | None = None
