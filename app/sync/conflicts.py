"""Parked conflicts: list them side by side and resolve (mine / theirs / an edited value)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.models import SYNCED_MODELS, SyncConflict, utcnow
from app.models.registry import REGISTRY
from app.services import operations as ops
from app.services import versions
from app.services.errors import NotFoundError, Problem, ValidationError
from app.sync.plan import TABLE_LABELS, _label


def list_conflicts(session: Session, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    stmt = select(SyncConflict).order_by(SyncConflict.id)
    if not include_resolved:
        stmt = stmt.where(SyncConflict.resolved_at == None)  # noqa: E711
    out = []
    for c in session.exec(stmt):
        obj = session.get(SYNCED_MODELS[c.table_name], c.record_id)
        labels = {f.name: f.label for f in REGISTRY[c.table_name]} | {"deleted": "删除"}
        out.append({"id": c.id, "table": c.table_name, "table_label": TABLE_LABELS[c.table_name],
                    "record_id": c.record_id, "record": _label(c.table_name, obj.model_dump()) if obj else "",
                    "field": c.field, "field_label": labels.get(c.field, c.field), "mine": c.mine,
                    "theirs": c.theirs, "resolution": c.resolution})
    return out


def resolve(session: Session, conflict_id: int, choice: str, *, actor: str, value: Any = None) -> dict[str, Any]:
    """``choice``: mine, theirs or edit (with ``value``). The result dominates both sides, so
    it wins everywhere once exchanged."""
    c = session.get(SyncConflict, conflict_id)
    if c is None or c.resolved_at is not None:
        raise NotFoundError(f"找不到待处理的冲突（{conflict_id}）")
    if choice not in ("mine", "theirs", "edit"):
        raise ValidationError([Problem(None, None, "处理方式只能是 mine（保留本地）、theirs（采用对方）或 edit（修改）")])
    model = SYNCED_MODELS[c.table_name]
    obj = session.get(model, c.record_id)
    if obj is None:
        raise NotFoundError("冲突所属的记录已不存在")
    if choice == "mine":
        chosen = getattr(obj, c.field) if c.field != "deleted" else c.mine
    elif choice == "theirs":
        chosen = c.theirs
    else:
        chosen = value
    if c.field != "deleted":
        chosen = ops.clean(c.table_name, {c.field: chosen}, partial=True)[c.field]
    else:
        chosen = bool(chosen)
    old = getattr(obj, c.field)
    merged = versions.merge(versions.as_vector((obj.field_revs or {}).get(c.field)), versions.as_vector(c.theirs_vv))
    obj.rev += 1
    revs = dict(obj.field_revs or {})
    revs[c.field] = merged
    obj.field_revs = versions.bump(revs, [c.field], versions.replica_id(session), obj.rev)
    setattr(obj, c.field, chosen)
    obj.updated_at = utcnow()
    obj.updated_by = actor
    session.add(obj)
    session.flush()
    ops.after_write(session, c.table_name, obj, {c.field: (old, chosen)})
    from app.models import AuditEntry

    session.add(AuditEntry(actor=actor, action="resolve", table_name=c.table_name, record_id=c.record_id,
                           field=c.field, old=ops.audit_text(old), new=ops.audit_text(chosen)))
    c.resolved_at = utcnow()
    c.resolution = choice
    c.resolved_by = actor
    session.add(c)
    return {"id": c.id, "field": c.field, "value": ops.audit_text(chosen), "choice": choice}
