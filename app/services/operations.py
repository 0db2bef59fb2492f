"""Create, update, soft-delete and restore for every card and record (house rule 2).

Each operation takes a session and plain values, validates them against the field registry
and the table's own rules, writes, bumps the record's revision, writes one audit row per
changed field and returns a ``Change`` saying what changed. The session's transaction is the
caller's (``Database.session_scope``): a failed operation leaves nothing behind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app.models import SYNCED_MODELS, AuditEntry, utcnow
from app.models.registry import REGISTRY, FieldSpec
from app.services import care_state, rules, search, versions
from app.services.context import self_unit_id
from app.services.errors import NotFoundError, Problem, StaleRecordError, ValidationError


@dataclass
class Change:
    table: str
    id: str
    action: str  # create / update / delete / restore
    rev: int
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.fields) or self.action in ("create", "delete", "restore")


def model_for(table: str | type) -> type:
    if isinstance(table, str):
        try:
            return SYNCED_MODELS[table]
        except KeyError:
            raise NotFoundError(f"没有这种记录：{table}") from None
    return table


def table_name(model: type) -> str:
    return model.__tablename__  # type: ignore[attr-defined]


def audit_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | dict | bool):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def clean(table: str, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Coerce ``data`` through the registry; collect every problem before raising.

    ``partial`` (an update) checks only the given fields for being required."""
    specs: dict[str, FieldSpec] = {f.name: f for f in REGISTRY[table]}
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for name, value in data.items():
        spec = specs.get(name)
        if spec is None:
            problems.append(Problem(name, None, f"未知字段：{name}"))
            continue
        try:
            out[name] = spec.coerce(value)
        except ValueError as exc:
            msg = str(exc)
            if spec.label not in msg:
                msg = f"「{spec.label}」{msg}"
            problems.append(Problem(name, spec.label, msg))
    if not partial:
        for spec in specs.values():
            if spec.required and spec.name not in data:
                problems.append(Problem(spec.name, spec.label, f"「{spec.label}」不能为空"))
    if problems:
        raise ValidationError(problems)
    return out


def get(session: Session, table: str | type, record_id: str, *, include_deleted: bool = False) -> Any:
    model = model_for(table)
    obj = session.get(model, record_id)
    if obj is None or (obj.deleted and not include_deleted):
        raise NotFoundError(f"找不到记录（{table_name(model)} {record_id}）")
    return obj


def _audit(session: Session, actor: str, action: str, table: str, rid: str,
           fields: Mapping[str, tuple[Any, Any]] | None = None) -> None:
    if not fields:
        session.add(AuditEntry(actor=actor, action=action, table_name=table, record_id=rid))
        return
    for name, (old, new) in fields.items():
        session.add(AuditEntry(actor=actor, action=action, table_name=table, record_id=rid,
                               field=name, old=audit_text(old), new=audit_text(new)))


def after_write(session: Session, table: str, obj: Any, diff: Mapping[str, Any] | None = None) -> None:
    """Keep derived data (the search index, each person's latest visits) in step inside the
    same transaction."""
    if table == "retirees":
        search.reindex(session, obj)
    elif table == "visits":
        moved = diff.get("retiree_id") if diff else None  # (old, new): both people change
        care_state.refresh(session, [obj.retiree_id, *((moved[0],) if moved else ())])


def create(session: Session, table: str | type, data: Mapping[str, Any], *, actor: str,
           unit_id: str | None = None) -> Change:
    model = model_for(table)
    tname = table_name(model)
    values = clean(tname, data, partial=False)
    values = rules.check(session, tname, values, existing=None)
    obj = model(**values)
    obj.unit_id = unit_id or rules.owning_unit(session, tname, values) or self_unit_id(session)
    obj.rev = 1
    obj.field_revs = {}
    obj.updated_at = utcnow()
    obj.updated_by = actor
    session.add(obj)
    session.flush()
    after_write(session, tname, obj)
    created = {k: (None, v) for k, v in values.items() if v not in (None, [], False, "")}
    _audit(session, actor, "create", tname, obj.id, created or None)
    return Change(tname, obj.id, "create", obj.rev, created)


def update(session: Session, table: str | type, record_id: str, changes: Mapping[str, Any], *,
           actor: str, expected_rev: int | None = None) -> Change:
    model = model_for(table)
    tname = table_name(model)
    obj = get(session, model, record_id)
    if expected_rev is not None and obj.rev != expected_rev:
        raise StaleRecordError(
            f"这条记录已被修改过（当前第 {obj.rev} 版，您看到的是第 {expected_rev} 版），请重新打开后再改。"
        )
    values = clean(tname, changes, partial=True)
    values = rules.check(session, tname, values, existing=obj)
    diff = {k: (getattr(obj, k), v) for k, v in values.items() if getattr(obj, k) != v}
    if not diff:
        return Change(tname, obj.id, "update", obj.rev, {})
    obj.rev += 1
    for name, (_old, new) in diff.items():
        setattr(obj, name, new)
    obj.field_revs = versions.bump(obj.field_revs, diff, versions.replica_id(session), obj.rev)
    versions.follow_local(session, obj.id, values, obj.field_revs, actor=actor)
    obj.updated_at = utcnow()
    obj.updated_by = actor
    session.add(obj)
    session.flush()
    after_write(session, tname, obj, diff)
    _audit(session, actor, "update", tname, obj.id, diff)
    return Change(tname, obj.id, "update", obj.rev, diff)


def _set_deleted(session: Session, table: str | type, record_id: str, deleted: bool, actor: str) -> Change:
    model = model_for(table)
    tname = table_name(model)
    obj = get(session, model, record_id, include_deleted=True)
    action = "delete" if deleted else "restore"
    if obj.deleted == deleted:
        raise ValidationError([Problem(None, None, "记录已在回收站中" if deleted else "记录未被删除，无需恢复")])
    if not deleted:
        rules.check_restore(session, tname, obj)
    obj.deleted = deleted
    obj.rev += 1
    obj.field_revs = versions.bump(obj.field_revs, ["deleted"], versions.replica_id(session), obj.rev)
    versions.follow_local(session, obj.id, {"deleted": deleted}, obj.field_revs, actor=actor)
    obj.updated_at = utcnow()
    obj.updated_by = actor
    session.add(obj)
    session.flush()
    after_write(session, tname, obj)
    diff = {"deleted": (not deleted, deleted)}
    _audit(session, actor, action, tname, obj.id, diff)
    return Change(tname, obj.id, action, obj.rev, diff)


def soft_delete(session: Session, table: str | type, record_id: str, *, actor: str) -> Change:
    """Move a record to the recycle bin (a tombstone: restorable, and it travels in bundles)."""
    return _set_deleted(session, table, record_id, True, actor)


def restore(session: Session, table: str | type, record_id: str, *, actor: str) -> Change:
    return _set_deleted(session, table, record_id, False, actor)


def deleted_records(session: Session, table: str | type) -> list[Any]:
    """The recycle bin of one table."""
    from sqlmodel import select

    model = model_for(table)
    return list(session.exec(select(model).where(model.deleted == True)))  # noqa: E712


