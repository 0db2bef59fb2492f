"""Units (headquarters → units) and liaison groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.base import SyncedRecord, new_id, utcnow


class Unit(SQLModel, table=True):
    """A work unit. It carries the same identity columns as ``SyncedRecord`` but its
    ``unit_id`` (the unit that created it) has no foreign key, so that the first unit of a
    fresh database can exist before any other."""

    __tablename__ = "units"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    unit_id: str = Field(default="", index=True)
    rev: int = Field(default=1)
    field_revs: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="")
    deleted: bool = Field(default=False)

    code: str = Field(index=True, unique=True, max_length=32)
    name: str
    parent_id: str | None = Field(default=None, foreign_key="units.id", index=True)
    level: str = Field(default="单位")
    contact_person: str | None = None
    contact_phone: str | None = None
    note: str | None = None


class LiaisonGroup(SyncedRecord, table=True):
    __tablename__ = "liaison_groups"

    name: str
    area: str | None = None
    # No database foreign key: group → leader → group would be a cycle; the service checks it.
    leader_id: str | None = Field(default=None, index=True)
    leader_phone: str | None = None
    note: str | None = None
