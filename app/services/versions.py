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
from typing import Any

from sqlmodel import Session

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
