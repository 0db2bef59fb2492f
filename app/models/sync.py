"""Local bookkeeping of bundle exchange (never itself sent in a bundle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.models.base import utcnow


class SyncPeer(SQLModel, table=True):
    """A unit we exchange bundles with: our parent or one of our children, and its keys."""

    __tablename__ = "sync_peers"

    unit_id: str = Field(primary_key=True)
    code: str
    name: str
    role: str  # parent / child
    enc_pub: str | None = None  # X25519, base64
    sign_pub: str | None = None  # Ed25519, base64
    fingerprint: str | None = None
    # Proof that a child's first bundle comes from whoever holds its enrolment file.
    enrol_secret: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class BundleLog(SQLModel, table=True):
    __tablename__ = "bundle_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    direction: str  # out / in
    peer_unit_id: str = Field(index=True)
    seq: int | None = None
    file_name: str = ""
    sha256: str = Field(default="", index=True)
    counts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    result: str  # exported / applied / unchanged / rejected / undone
    message: str = ""
    backup_path: str | None = None
    audit_mark: int | None = None  # last audit row id after apply: undo only if nothing since
    actor: str = ""


class SyncSent(SQLModel, table=True):
    """Which record revision went to which peer in which bundle; confirmed once acknowledged."""

    __tablename__ = "sync_sent"
    __table_args__ = (Index("ix_sync_sent_peer_record", "peer_unit_id", "table_name", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    peer_unit_id: str
    seq: int
    table_name: str
    record_id: str
    rev: int
    confirmed: bool = Field(default=False)


class SyncReceived(SQLModel, table=True):
    __tablename__ = "sync_received"

    peer_unit_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    sha256: str = ""
    at: datetime = Field(default_factory=utcnow)


class SyncConflict(SQLModel, table=True):
    """Both sides changed the same field (or one edited what the other deleted): parked, side
    by side, for a person to resolve."""

    __tablename__ = "sync_conflicts"

    id: int | None = Field(default=None, primary_key=True)
    table_name: str
    record_id: str = Field(index=True)
    field: str
    mine: Any = Field(default=None, sa_type=JSON)
    theirs: Any = Field(default=None, sa_type=JSON)
    mine_vv: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    theirs_vv: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    peer_unit_id: str = ""
    bundle_seq: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolution: str | None = None  # mine / theirs / edit
    resolved_by: str | None = None
