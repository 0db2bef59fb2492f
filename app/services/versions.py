"""Per-field version vectors: how two copies of a record are merged without clocks.

``field_revs[field]`` is a version vector ``{replica: counter}``: which installation changed
the field and at which of its own revisions of the record. A copy whose vector for a field
is greater than or equal to the other's (every entry ≥) has seen every change the other has;
when neither is ≥ the other, both changed the field without seeing each other's change: a
conflict for a person, unless the values happen to agree. A missing field means "as
created", the smallest vector.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from app.models import SyncConflict, utcnow
from app.services.context import get_setting, set_setting

Vector = dict[str, int]
REPLICA = "replica_id"


def replica_id(session: Session) -> str:
    """This installation's short random id, made on first use."""
    rid = get_setting(session, REPLICA)
    if not rid:
        rid = secrets.token_hex(4)
        set_setting(session, REPLICA, rid)
    return str(rid)


def as_vector(value: Any) -> Vector:
    # Plain integers (older rows) carry no replica: treat them as "as created".
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def bump(field_revs: Mapping[str, Any] | None, fields: Iterable[str], replica: str, counter: int) -> dict:
    out = {k: as_vector(v) for k, v in (field_revs or {}).items()}
    for name in fields:
        vec = dict(out.get(name, {}))
        vec[replica] = max(counter, vec.get(replica, 0))
        out[name] = vec
    return out


def ge(a: Vector, b: Vector) -> bool:
    """``a`` has seen everything ``b`` has."""
    return all(a.get(k, 0) >= v for k, v in b.items())


def merge(a: Vector, b: Vector) -> Vector:
    return {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}


def record_vector(field_revs: Mapping[str, Any] | None) -> Vector:
    out: Vector = {}
    for v in (field_revs or {}).values():
        out = merge(out, as_vector(v))
    return out


def follow_local(session: Session, record_id: str, values: Mapping[str, Any], field_revs: Mapping[str, Any], *,
                 actor: str) -> None:
    """Keep the record's parked conflicts about ``values``' fields current with our side.

    A parked conflict sets the value we hold against theirs. When ours changes afterwards
    (edited here, or a newer change merged in from elsewhere) the conflict must show the new
    value: a person resolving it from the old one would throw the newer change away unseen.
    It closes by itself when our value has seen their change too (resolved elsewhere) or now
    equals theirs."""
    for c in session.exec(select(SyncConflict).where(SyncConflict.record_id == record_id,
                                                     SyncConflict.resolved_at == None)):  # noqa: E711
        if c.field not in values:
            continue
        value, vec = plain_value(values[c.field]), as_vector(field_revs.get(c.field))
        if ge(vec, as_vector(c.theirs_vv)) or value == c.theirs:
            c.resolved_at, c.resolution, c.resolved_by = utcnow(), "superseded", actor
        else:
            c.mine, c.mine_vv = value, vec
        session.add(c)


def plain_value(value: Any) -> Any:
    """As a conflict row keeps values: JSON, dates as ISO text."""
    return value.isoformat() if isinstance(value, date | datetime) else value
