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


class RosterSnapshot(SQLModel, table=True):
    """The desktop roster's index ready to load (``app.services.roster_snapshot``): at most
    one row, emptied by triggers (migration 0006) on any change to the tables it is made
    from, and written back when missing."""

    __tablename__ = "roster_snapshot"

    format: str = Field(primary_key=True)
    meta: str  # JSON: count, the few-valued columns' distinct values, groups, units
    texts: bytes  # the one-value-per-person columns, joined by separators (UTF-16)
    codes: bytes  # positions into meta's distinct values, one array per column
