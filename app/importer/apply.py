"""Executing an import plan: one transaction, after a backup.

New people are written in bulk (Core ``INSERT`` in chunks) because going through
``operations.create`` one row at a time costs an ORM flush, a search-index row and one audit
row per field for every person: far too slow for a 10,000-row roster. The bulk path keeps
the record identity all the same: ``rev`` 1, empty ``field_revs`` (as ``create`` leaves
them), ``updated_at``/``updated_by``, the search-index row built by ``search.entry_for``, and
ONE audit row per imported record (action ``import``, naming the file, sheet and row)
instead of one per field. Updates of existing people are few and go through
``operations.update`` so that they get the full per-field revision and audit trail.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.db import Database
from app.importer.normalise import Issue, RowData
from app.importer.plan import (
    NEW,
    SKIP_DUP,
    UPDATE,
    CancelFlag,
    ImportPlan,
    PeopleIndex,
    Progress,
    changes_for,
)
from app.models import AuditEntry, Contact, Retiree, SearchEntry, new_id, utcnow
from app.services import operations, rules, search
from app.services.context import default_actor, self_unit_id
from app.services.demo import Cancelled
from app.services.errors import ServiceError, ValidationError

CHUNK = 500
_RETIREE_COLUMNS = [c.name for c in Retiree.__table__.columns]  # type: ignore[attr-defined]
_CONTACT_COLUMNS = [c.name for c in Contact.__table__.columns]  # type: ignore[attr-defined]


@dataclass
class ApplyResult:
    counts: dict[str, int]
    created: list[str] = field(default_factory=list)  # retiree ids
    updated: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # rows that failed while applying
    backup: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "created": len(self.created), "updated": len(self.updated),
                "groups_created": self.groups_created, "backup": str(self.backup) if self.backup else None,
                "problems": [i.as_dict() for i in self.issues]}


def apply_plan(db: Database, plan: ImportPlan, *, choices: Mapping[str, str] | None = None,
               default: str = SKIP_DUP, accept_hints: bool | Collection[tuple[str, str]] = False,
               actor: str | None = None, progress: Progress | None = None,
               cancel: CancelFlag | None = None, backup: bool = True) -> ApplyResult:
    """Back the database up, then apply ``plan`` in one transaction.

    ``choices`` maps a duplicate row's key ("工作表!行号") to skip / update / new; rows not
    named get ``default``. ``accept_hints`` is True (all), False (none) or a set of
    (row key, field) suggestions from 备注 to write. A failure or a cancel rolls everything
    back: the database is as it was."""
    backup_path = db.backup(reason="before-import") if backup else None
    with db.session_scope() as s:
        result = apply_in_session(s, plan, choices=choices, default=default, accept_hints=accept_hints,
                                  actor=actor, progress=progress, cancel=cancel)
    result.backup = backup_path
    return result


def _hints_for(row: RowData, accept: bool | Collection[tuple[str, str]]) -> dict[str, Any]:
    if accept is True:
        return {h.field: h.value for h in row.hints}
    if not accept:
        return {}
    return {h.field: h.value for h in row.hints if (row.key, h.field) in accept}  # type: ignore[operator]


def apply_in_session(session: Session, plan: ImportPlan, *, choices: Mapping[str, str] | None = None,
                     default: str = SKIP_DUP, accept_hints: bool | Collection[tuple[str, str]] = False,
                     actor: str | None = None, progress: Progress | None = None,
                     cancel: CancelFlag | None = None) -> ApplyResult:
    """``apply_plan`` inside the caller's transaction (no backup)."""
    actor = actor or default_actor(session)
    choices = choices or {}
    report = progress or (lambda _d, _t, _s: None)
    unit_id = self_unit_id(session)
    now = utcnow()
    result = ApplyResult({"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0})
    counts = result.counts
    source = plan.path.name

    def check_cancel() -> None:
        if cancel and cancel():
            raise Cancelled()

    # Liaison groups named in the file that do not exist yet.
    groups = dict(plan.existing_groups)
    from app.importer.plan import load_groups

    groups.update(load_groups(session))
    for name in plan.new_groups:
        if name not in groups:
            change = operations.create(session, "liaison_groups", {"name": name}, actor=actor)
            groups[name] = change.id
            result.groups_created.append(name)

    # The database may have changed since the plan was made (or the same plan is applied a
    # second time): a planned "new" person who is there now is not added again.
    people = PeopleIndex.from_db(session)
    record_of: dict[str, str] = {}  # row key → retiree id it ended up in
    pending: list[dict[str, Any]] = []
    pending_rows: list[RowData] = []
    pending_contacts: list[dict[str, Any]] = []
    total = len(plan.rows)

    writer = _BulkWriter(session)

    def flush() -> None:
        if not pending:
            return
        writer.insert(Retiree, pending)
        writer.insert(SearchEntry, [search.entry_for(_Row(r)) for r in pending])
        writer.insert(AuditEntry, [
            {"at": now, "actor": actor, "action": "import", "table_name": "retirees", "record_id": r["id"],
             "field": None, "old": None, "new": f"导入自“{source}” {d.sheet} 第{d.row}行"}
            for r, d in zip(pending, pending_rows, strict=True)])
        if pending_contacts:
            writer.insert(Contact, pending_contacts)
            writer.insert(AuditEntry, [
                {"at": now, "actor": actor, "action": "import", "table_name": "contacts",
                 "record_id": c["id"], "field": None, "old": None, "new": f"导入自“{source}”"}
                for c in pending_contacts])
        pending.clear()
        pending_rows.clear()
        pending_contacts.clear()

    def note(row: RowData, message: str) -> None:
        result.issues.append(Issue(row.sheet, row.row, None, None, message, "warning"))

    def fail(row: RowData, exc: ServiceError) -> None:
        problems = exc.problems if isinstance(exc, ValidationError) else [exc]
        for p in problems:
            result.issues.append(Issue(row.sheet, row.row, getattr(p, "field", None),
                                       getattr(p, "label", None), str(p)))
        counts["failed"] += 1

    for done, planned in enumerate(plan.rows, 1):
        if done % CHUNK == 0:
            flush()
            report(done, total, f"已写入 {done}/{total} 行")
            check_cancel()
        row = planned.data
        action = planned.action
        if action in ("skipped", "failed", "unchanged"):
            counts[action] += 1
            if action == "unchanged" and planned.existing_id:
                record_of[row.key] = planned.existing_id
            continue
        choice = NEW
        if action == "duplicate":
            choice = choices.get(row.key, default)
            if choice not in (NEW, UPDATE, SKIP_DUP):
                raise ServiceError(f"重复行的处理方式只能是 skip/update/new：{choice}")
        if choice == SKIP_DUP:
            counts["skipped"] += 1
            continue
        hints = _hints_for(row, accept_hints)
        if choice == UPDATE:
            target = planned.existing_id
            if planned.duplicate and planned.duplicate.kind == "file":
                target = record_of.get(planned.duplicate.other_row or "")
            if target is None:
                counts["skipped"] += 1
                note(row, "要更新的前一行没有导入，此行已跳过")
                continue
            flush()  # the earlier row of the file may still be waiting to be written
            try:
                changed = _update(session, target, row, hints, groups, actor)
            except ServiceError as exc:
                fail(row, exc)
                continue
            record_of[row.key] = target
            counts["updated" if changed else "unchanged"] += 1
            if changed:
                result.updated.append(target)
            continue
        # A new person.
        if action == "new" and people.match(row.values) is not None:
            counts["skipped"] += 1
            note(row, "数据库中已有此人（可能已经导入过），此行已跳过")
            continue
        values = dict(row.values)
        if hints:
            values.update(hints)
            try:
                values = rules.check(session, "retirees", values, existing=None)
            except ValidationError as exc:
                fail(row, exc)
                continue
        rec = _new_record(values, unit_id, actor, now)
        if row.group_name:
            rec["group_id"] = groups[row.group_name]
        pending.append(rec)
        pending_rows.append(row)
        for c in row.contacts:
            pending_contacts.append(_new_contact(c, rec["id"], unit_id, actor, now))
        people.add(row.key, values["name"], values.get("birth_date"), values.get("id_number"))
        record_of[row.key] = rec["id"]
        result.created.append(rec["id"])
        counts["new"] += 1
    flush()
    check_cancel()
    report(total, total, "写入完成")
    session.add(AuditEntry(actor=actor, action="import", table_name="retirees", record_id=unit_id,
                           new=f"导入“{source}”：新增 {counts['new']}，更新 {counts['updated']}，"
                               f"不变 {counts['unchanged']}，跳过 {counts['skipped']}，失败 {counts['failed']}"))
    session.flush()
    return result


# Every column, with the model's defaults, so that each bulk row has the same keys.
_RETIREE_TEMPLATE: dict[str, Any] = {c: None for c in _RETIREE_COLUMNS}
_RETIREE_TEMPLATE.update(birthday_calendar="公历", returned_home=False, status="在册")


def _new_record(values: Mapping[str, Any], unit_id: str, actor: str, now: Any) -> dict[str, Any]:
    rec = _RETIREE_TEMPLATE.copy()
    rec["phones"] = []
    rec.update(values)
    rec.update(id=_uuid4_hex(), unit_id=unit_id, rev=1, field_revs={}, updated_at=now, updated_by=actor,
               deleted=False)
    return rec


def _new_contact(c: Mapping[str, Any], retiree_id: str, unit_id: str, actor: str, now: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {k: None for k in _CONTACT_COLUMNS}
    rec.update(id=new_id(), unit_id=unit_id, rev=1, field_revs={}, updated_at=now, updated_by=actor,
               deleted=False, retiree_id=retiree_id, kind=c["kind"], name=c["name"],
               phones=list(c.get("phones") or []), alive=True)
    return rec


def _update(session: Session, retiree_id: str, row: RowData, hints: Mapping[str, Any],
            groups: Mapping[str, str], actor: str) -> bool:
    """Update an existing person with the row's non-blank values; True if anything changed."""
    existing = operations.get(session, Retiree, retiree_id)
    changes = changes_for(existing, row, groups, extra=hints)
    wanted = {k: new for k, (_old, new) in changes.items()}
    changed = False
    if wanted:
        change = operations.update(session, Retiree, retiree_id, wanted, actor=actor)
        changed = change.changed
    from app.importer.plan import missing_contacts

    for c in missing_contacts(session, retiree_id, row):
        operations.create(session, "contacts", {"retiree_id": retiree_id, "kind": c["kind"],
                                                "name": c["name"], "phones": c["phones"]}, actor=actor)
        changed = True
    return changed


def _uuid4_hex() -> str:
    """A random (version 4) UUID in hex, as ``models.new_id`` makes, without building a
    ``uuid.UUID`` object (a tenth of the bulk insert's time otherwise)."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    return b.hex()


class _BulkWriter:
    """``executemany`` on the session's own DBAPI connection (so inside its transaction).

    SQLAlchemy's per-row parameter processing costs more than SQLite's insert itself for a
    10,000-row import, so each column's bind processor (JSON, datetime, bool as SQLAlchemy
    would store them) is looked up once and applied here."""

    def __init__(self, session: Session) -> None:
        conn = session.connection()
        self.dialect = conn.dialect
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._prepared: dict[tuple[str, tuple[str, ...]], tuple[str, list[Any]]] = {}

    def insert(self, model: type, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        table = model.__table__  # type: ignore[attr-defined]
        # Rows of one call share their keys in the same order (built from one template).
        names = tuple(rows[0])
        key = (table.name, names)
        if key not in self._prepared:
            cols = ", ".join(f'"{n}"' for n in names)
            marks = ", ".join("?" for _ in names)
            procs = [(i, p) for i, n in enumerate(names)
                     if (p := table.c[n].type.bind_processor(self.dialect)) is not None]
            self._prepared[key] = (f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', procs)
        sql, procs = self._prepared[key]
        params = []
        for row in rows:
            values = list(row.values())
            if len(values) != len(names):
                raise AssertionError(f"bulk rows for {table.name} differ in their columns")
            for i, p in procs:
                if values[i] is not None:
                    values[i] = p(values[i])
            params.append(values)
        self.cursor.executemany(sql, params)


class _Row:
    """Attribute access over a record dict, for ``search.entry_for``."""

    def __init__(self, d: Mapping[str, Any]) -> None:
        self.__dict__.update(d)
