"""Record identity shared by every synced table (DESIGN.md, "Records and sync identity")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class SyncedRecord(SQLModel):
    """Columns every synced row carries.

    ``rev`` goes up by one on every change; ``field_revs`` remembers at which revision each
    field last changed so that a bundle merge can tell "both edited the same field" from
    "edited different fields" without comparing clocks. ``updated_at`` is information only.
    """

    # Fields the sync and audit machinery own; services refuse them in user input.
    SYSTEM_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"id", "unit_id", "rev", "field_revs", "updated_at", "updated_by", "deleted"}
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    unit_id: str = Field(foreign_key="units.id", index=True)
    rev: int = Field(default=1)
    field_revs: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="")
    # No index: a yes/no column with nearly every row "no" only lures the planner into
    # walking it row by row, and costs every insert.
    deleted: bool = Field(default=False)
