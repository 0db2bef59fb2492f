"""Applying a planned bundle: one transaction, after a backup, logged; undoable in one step."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func
from sqlmodel import Session, select

from app.db import Database, restore_from
from app.models import (
    SYNCED_MODELS,
    AuditEntry,
    BundleLog,
    SyncConflict,
    SyncPeer,
    SyncReceived,
    SyncSent,
    utcnow,
)
from app.services import care_state, search
from app.services.demo import Cancelled
from app.services.errors import ServiceError
from app.services.versions import follow_local, plain_value
from app.sync.plan import BundlePlan, plan_bundle

Progress = Callable[[int, int, str], None]


def _audit_mark(session: Session) -> int:
    return int(session.exec(select(func.max(AuditEntry.id))).one() or 0)


def apply_plan(session: Session, plan: BundlePlan, *, actor: str, backup_path: str | None = None,
               progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    """Write what ``plan`` says, inside the caller's transaction."""
    peer = session.get(SyncPeer, plan.peer_unit_id)
    assert peer is not None
    if plan.pin_keys:
        peer.enc_pub = plan.pin_keys["enc_pub"]
        peer.sign_pub = plan.pin_keys["sign_pub"]
        peer.fingerprint = plan.pin_keys["fingerprint"]
        session.add(peer)
    now = utcnow()
    new_rows: dict[str, list[dict[str, Any]]] = {}
    audit: list[dict[str, Any]] = []
    echo: list[dict[str, Any]] = []
    touched_retirees: list[str] = []
    visited: set[str] = set()  # people whose visits change: their care_state row is recomputed
    total = len(plan.records)
    for i, rp in enumerate(plan.records):
        if cancel and i % 500 == 0 and cancel():
            raise Cancelled()
        if progress and i % 2000 == 0:
            progress(i, total, "写入")
        if rp.action == "new":
            assert rp.values is not None
            new_rows.setdefault(rp.table, []).append(rp.values)
            echo.append((plan.peer_unit_id, 0, rp.table, rp.id, rp.rev, True))
        elif rp.action in ("updated", "conflict"):
            obj = session.get(SYNCED_MODELS[rp.table], rp.id)
            assert obj is not None and rp.values is not None
            if rp.table == "visits":
                visited.add(obj.retiree_id)  # and below the new one, should the visit move
            for name, value in rp.values.items():
                audit.append({"at": now, "actor": actor, "action": "sync", "table_name": rp.table,
                              "record_id": rp.id, "field": name, "old": _text(getattr(obj, name)),
                              "new": _text(value)})
                setattr(obj, name, value)
            obj.field_revs = rp.field_revs
            obj.rev = max(obj.rev + 1, rp.rev)
            obj.updated_at = now
            obj.updated_by = actor
            session.add(obj)
            if rp.field_revs:
                follow_local(session, rp.id, rp.values, rp.field_revs, actor=actor)
            for name, (mine, theirs, vm, vt) in rp.conflicts.items():
                exists = session.exec(select(SyncConflict).where(
                    SyncConflict.record_id == rp.id, SyncConflict.field == name,
                    SyncConflict.resolved_at == None)).first()  # noqa: E711
                if exists is None or exists.theirs != plain_value(theirs):
                    session.add(SyncConflict(table_name=rp.table, record_id=rp.id, field=name, mine=plain_value(mine),
                                             theirs=plain_value(theirs), mine_vv=vm, theirs_vv=vt,
                                             peer_unit_id=plan.peer_unit_id, bundle_seq=plan.seq))
            if rp.table == "retirees":
                touched_retirees.append(rp.id)
            elif rp.table == "visits":
                visited.add(obj.retiree_id)
    for table, rows in new_rows.items():
        _insert_rows(session, table, rows)
        # New records are audited per table and bundle: one row saying how many, not 100,000.
        audit.append({"at": now, "actor": actor, "action": "sync", "table_name": table,
                      "record_id": plan.peer_unit_id, "field": None, "old": None,
                      "new": f"数据包第{plan.seq}号新增 {len(rows)} 条"})
    session.flush()
    # New retirees are indexed from the rows just inserted (the same values, as they
    # travelled): loading 7,000 ORM objects back costs more than the index itself.
    fresh = [_Row(r) for r in new_rows.get("retirees", ())]
    if touched_retirees or fresh:
        from app.models import Retiree

        search.reindex_many(session, fresh)
        for k in range(0, len(touched_retirees), 500):
            search.reindex_many(session, session.exec(
                select(Retiree).where(Retiree.id.in_(touched_retirees[k:k + 500]))))  # type: ignore[attr-defined]
    visited.update(r["retiree_id"] for r in new_rows.get("visits", ()))
    if visited:
        care_state.refresh(session, visited)
    if audit:
        session.execute(AuditEntry.__table__.insert(), audit)  # type: ignore[attr-defined]
    if echo:
        # What the peer sent us it already has: never echo it back. Plain executemany: these
        # rows are many and simple.
        session.connection().exec_driver_sql(
            "INSERT INTO sync_sent (peer_unit_id, seq, table_name, record_id, rev, confirmed) VALUES (?, ?, ?, ?, ?, ?)",
            echo)
    acks = plan.manifest.get("acks") or []
    if acks:
        session.exec(SyncSent.__table__.update().where(  # type: ignore[attr-defined, call-overload]
            SyncSent.peer_unit_id == plan.peer_unit_id, SyncSent.seq.in_(acks)).values(confirmed=True))  # type: ignore[attr-defined]
    if session.get(SyncReceived, (plan.peer_unit_id, plan.seq)) is None:
        session.add(SyncReceived(peer_unit_id=plan.peer_unit_id, seq=plan.seq, sha256=plan.sha256))
    session.flush()
    counts = {a: plan.counts[a] for a in plan.counts}
    log = BundleLog(direction="in", peer_unit_id=plan.peer_unit_id, seq=plan.seq, file_name=Path(plan.file).name,
                    sha256=plan.sha256, counts=counts, actor=actor, backup_path=backup_path,
                    result="applied" if plan.changes else "unchanged", message=plan.summary())
    session.add(log)
    session.flush()
    log.audit_mark = _audit_mark(session)
    session.add(log)
    return {**plan.as_dict(), "applied": True, "log_id": log.id}


class _Row:
    """Attribute access to a row dict, for ``search.entry_for``."""

    __slots__ = ("_d",)

    def __init__(self, d: dict[str, Any]) -> None:
        self._d = d

    def __getattr__(self, name: str) -> Any:
        return self._d.get(name)


_STORAGE: dict[str, list[tuple[str, Any]]] = {}


def _stamp(v: str) -> str:
    """ISO with offset, as bundles carry it → SQLAlchemy's naive-UTC storage text."""
    if len(v) == 32 and v.endswith("+00:00"):
        return f"{v[:10]} {v[11:26]}"
    from datetime import UTC, datetime

    d = datetime.fromisoformat(v)
    d = d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


def _json_text(v: Any) -> str:
    # json.dumps with its default settings, which is what SQLAlchemy's JSON type stores;
    # most field_revs of new records are empty.
    return "{}" if type(v) is dict and not v else _encode(v)


_encode = json.JSONEncoder().encode  # = json.dumps(v) under default settings


def _storage(table: str) -> list[tuple[str, Any]]:
    """(column, converter from a bundle's JSON value to SQLite's stored value, or None)."""
    if table not in _STORAGE:
        from sqlalchemy import JSON, Boolean, DateTime, inspect

        out = []
        for c in inspect(SYNCED_MODELS[table]).columns:
            impl = getattr(c.type, "impl", c.type)
            if isinstance(c.type, JSON):
                conv: Any = _json_text
            elif isinstance(impl, Boolean):
                conv = int
            elif isinstance(impl, DateTime):
                conv = _stamp
            else:
                conv = None  # text, numbers and ISO dates are stored as they travel
            out.append((c.key, conv))
        _STORAGE[table] = out
    return _STORAGE[table]


def _insert_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert new records with one plain executemany, in the storage format SQLAlchemy itself
    uses for these column types: its per-value processing costs more than the insert for
    100,000 rows. Rows are read with one C-level itemgetter call each; only the converted
    columns are touched in Python, each distinct hashable value converted once (the stamps
    and flags of a bundle repeat a lot)."""
    spec = _storage(table)
    names = [n for n, _c in spec]
    try:
        data = list(map(list, map(itemgetter(*names), rows)))
    except KeyError:  # a record without some column: it is NULL
        data = [[r.get(n) for n in names] for r in rows]
    for i, (_n, conv) in enumerate(spec):
        if conv is None:
            continue
        col = list(map(itemgetter(i), data))
        try:
            # Keyed with the type: 1, 1.0 and True are one dict key but not one JSON text.
            keys = list(zip(map(type, col), col, strict=True))
            done = {k: (None if k[1] is None else conv(k[1])) for k in set(keys)}
        except TypeError:  # unhashable values (JSON lists and objects)
            new = [None if v is None else conv(v) for v in col]
        else:
            new = list(map(done.__getitem__, keys))
        for row, value in zip(data, new, strict=True):
            row[i] = value
    session.flush()
    session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        list(map(tuple, data)))  # SQLAlchemy takes many parameter sets as tuples only


def _text(value: Any) -> str | None:
    from app.services.operations import audit_text

    return audit_text(value)


@contextmanager
def _one_checkpoint(db: Database) -> Iterator[Connection]:
    """One connection for a whole import, with the WAL copied back into the database (and
    synced) once at the end rather than after every bundle: otherwise each bundle's commit
    rewrites the index pages all the previous ones touched, and syncs twice. Each bundle is
    still its own transaction; the setting is put back and the checkpoint done even when a
    bundle fails.

    Durability: under WAL with synchronous=NORMAL a commit reaches the disk at the next
    checkpoint, so a power cut during an import can take back the bundles committed since
    the import began (never half of one: the database stays consistent, and the bundle log
    goes back with them). Importing the same files again redoes them exactly, which is why
    this is accepted for ~0.4 s saved on a full headquarters import."""
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        (before,) = raw.execute("PRAGMA wal_autocheckpoint").fetchone()
        raw.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield conn
        finally:
            raw.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")


@contextmanager
def _transaction(conn: Connection) -> Iterator[Session]:
    """``Database.session_scope`` on the given connection: commit on success, roll back on
    any error."""
    session = Session(bind=conn, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def _few_collections() -> Iterator[None]:
    """Collect garbage rarely while bundles are planned and applied. A bundle makes hundreds
    of thousands of small dicts and tuples that form no cycles, yet with the default threshold
    (a collection every 700 allocations) their making keeps walking every object in the
    process: a tenth of the import. The collector still runs, and is restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def import_bundles(db: Database, files: list[Path], *, actor: str, dry_run: bool = False,
                   progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> list[dict[str, Any]]:
    """Plan and (unless ``dry_run``) apply each bundle, each in its own transaction; one backup
    is taken before the first bundle that changes anything. A rejected bundle is reported and
    leaves the database untouched."""
    results = []
    backup: Path | None = None
    with _few_collections(), _one_checkpoint(db) as conn:
        for path in files:
            try:
                with _transaction(conn) as s:
                    # The plan is made inside the writing transaction: what it says is what is applied.
                    plan = plan_bundle(s, Path(path), progress=progress, cancel=cancel)
                    if dry_run or (not plan.changes and not plan.pin_keys and plan.duplicate):
                        results.append({**plan.as_dict(), "applied": False})
                        if dry_run:
                            s.rollback()
                        else:
                            s.add(BundleLog(direction="in", peer_unit_id=plan.peer_unit_id, seq=plan.seq,
                                            file_name=Path(path).name, sha256=plan.sha256, result="unchanged",
                                            message=plan.summary(), actor=actor))
                        continue
                    if backup is None:
                        # SQLite's backup API reads a consistent snapshot; our transaction has not written yet.
                        backup = db.backup(reason="before-bundle")
                    results.append(apply_plan(s, plan, actor=actor, backup_path=str(backup),
                                              progress=progress, cancel=cancel))
            except ServiceError as exc:
                results.append({"file": str(path), "applied": False, "rejected": True, "error": str(exc)})
                _log_rejection(db, Path(path), str(exc), actor)
    return results


def rejection_log(db: Database) -> Path:
    return db.path.parent / "logs" / "bundles-rejected.log"


def _log_rejection(db: Database, path: Path, message: str, actor: str) -> None:
    """Rejections go to a text log beside the database: the database itself stays byte for
    byte as it was."""
    import hashlib
    from datetime import datetime

    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        sha = "-"
    log = rejection_log(db)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now():%Y-%m-%d %H:%M:%S}\t{actor}\t{path.name}\t{sha}\t{message}\n")


def undo_last(db: Database, *, actor: str) -> dict[str, Any]:
    """Put the database back as it was before the last applied bundle, if nothing changed since."""
    with db.session_scope() as s:
        log = s.exec(select(BundleLog).where(BundleLog.direction == "in", BundleLog.result == "applied")
                     .order_by(BundleLog.id.desc())).first()  # type: ignore[union-attr]
        if log is None or not log.backup_path:
            raise ServiceError("没有可以撤销的数据包导入。")
        if _audit_mark(s) != log.audit_mark:
            raise ServiceError("导入该数据包之后数据又有改动，不能整体撤销。请用冲突处理或逐条修改。")
        backup, name, seq = Path(log.backup_path), log.file_name, log.seq
    db.close()
    restore_from(db.path, backup)
    from app.db import open_database

    fresh = open_database(db.path)
    with fresh.session_scope() as s:
        s.add(BundleLog(direction="in", peer_unit_id="", seq=seq, file_name=name, result="undone",
                        message=f"已撤销数据包“{name}”的导入", actor=actor))
    fresh.close()
    return {"undone": name, "seq": seq}
