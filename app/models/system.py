"""Local bookkeeping tables that never travel in a bundle."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class AuditEntry(SQLModel, table=True):
    """Who changed what, when: one row per changed field (old → new, as text)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str
    action: str  # create / update / delete / restore / import / demo …
    table_name: str
    record_id: str = Field(index=True)
    field: str | None = None
    old: str | None = None
    new: str | None = None


class Setting(SQLModel, table=True):
    __tablename__ = "settings"

    key: str = Field(primary_key=True)
    value: str


class SearchEntry(SQLModel, table=True):
    """One row per retiree: the text the search box looks in, kept up to date by the
    services in the same transaction as the change (so it is never stale)."""

    __tablename__ = "search_index"

    retiree_id: str = Field(primary_key=True, foreign_key="retirees.id")
    unit_id: str = Field(index=True)
    status: str
    deleted: bool = Field(default=False)
    keys: str
