"""Planning a bundle import: decrypt → verify → check → validate → plan.

The plan says, per record, what applying would do (new, updated, unchanged, stale, conflict,
rejected) and why; the preview shows it and ``apply`` carries out exactly it. Merging uses the
per-field version vectors (``app.services.versions``), never clocks."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice, repeat
from pathlib import Path
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from app.models import SYNCED_MODELS, BundleLog, SyncConflict, SyncPeer, SyncReceived
from app.models.registry import REGISTRY, FieldSpec, Kind
from app.services.context import self_unit_id
from app.services.demo import Cancelled
from app.services.versions import as_vector, ge, merge, record_vector
from app.sync.container import FORMAT_VERSION, OpenedBundle, open_archive, open_sealed, read_header
from app.sync.errors import BundleRejected
from app.sync.keys import fingerprint, own_keys, unb64
from app.sync.peers import allowed_units, key_proof
from app.sync.records import REFS, TABLE_ORDER, from_json, from_json_many, user_fields

Progress = Callable[[int, int, str], None]
ACTIONS = ("new", "updated", "unchanged", "stale", "conflict", "rejected")
ACTION_LABELS = {"new": "新增", "updated": "更新", "unchanged": "无变化", "stale": "已过时（本地更新）",
                 "conflict": "冲突（待处理）", "rejected": "拒收"}
TABLE_LABELS = {"units": "单位", "liaison_groups": "联络小组", "retirees": "人员", "notices": "告知事项",
                "notice_deliveries": "告知记录", "benefits": "待遇", "contacts": "联系人", "care_cases": "慰问事项",
                "visits": "走访记录", "payments": "慰问金", "fund_budgets": "经费预算"}
BATCH = 1000


@dataclass
class RecordPlan:
    table: str
    id: str
    action: str
    label: str = ""
    values: dict[str, Any] | None = None  # incoming row (new) or the fields to set (updated/conflict)
    field_revs: dict[str, Any] | None = None  # vectors after merge
    conflicts: dict[str, tuple[Any, Any, dict, dict]] = field(default_factory=dict)
    rev: int = 0
    message: str = ""


@dataclass
class BundlePlan:
    file: str
    sha256: str
    header: dict[str, Any]
    manifest: dict[str, Any]
    peer_unit_id: str
    peer_name: str
    seq: int
    duplicate: bool
    missing_seqs: list[int]
    pin_keys: dict[str, str] | None
    records: list[RecordPlan] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    by_table: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, rp: RecordPlan) -> None:
        self.counts[rp.action] += 1
        if rp.table not in self.by_table:
            self.by_table[rp.table] = Counter()
        self.by_table[rp.table][rp.action] += 1
        if rp.action not in ("unchanged", "stale"):
            self.records.append(rp)

    @property
    def changes(self) -> int:
        return sum(self.counts[a] for a in ("new", "updated", "conflict"))

    def summary(self) -> str:
        parts = [f"{ACTION_LABELS[a]} {self.counts[a]}" for a in ACTIONS if self.counts[a]]
        text = f"来自“{self.peer_name}”的第 {self.seq} 号数据包：" + ("，".join(parts) or "没有记录")
        if self.duplicate:
            text += "。此数据包已导入过，再次导入不会改动数据"
        if self.missing_seqs:
            text += f"。注意：尚未收到第 {'、'.join(map(str, self.missing_seqs))} 号数据包"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "sha256": self.sha256, "from": self.peer_name, "seq": self.seq,
            "duplicate": self.duplicate, "missing_seqs": self.missing_seqs,
            "counts": {a: self.counts[a] for a in ACTIONS},
            "by_table": {t: dict(c) for t, c in self.by_table.items()},
            "problems": [{"table": r.table, "id": r.id, "label": r.label, "action": r.action, "message": r.message}
                         for r in self.records if r.action in ("rejected", "conflict")],
            "summary": self.summary(),
        }


def _open(session: Session, path: Path) -> tuple[OpenedBundle, SyncPeer, dict[str, str] | None]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BundleRejected(f"无法读取数据包：{exc}") from None
    header, _ = read_header(data)
    fmt = header.get("format")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise BundleRejected(f"数据包格式版本 {fmt} 比本程序新（支持 {FORMAT_VERSION}），请先升级退管通。")
    me_id = self_unit_id(session)
    keys = own_keys(session)
    recipient = header.get("recipient") or {}
    if recipient.get("unit_id") != me_id or recipient.get("fingerprint") not in (None, keys.fingerprint):
        raise BundleRejected(f"此数据包是发给“{recipient.get('code', '?')}”的，不是发给本单位的。")
    sender = header.get("sender") or {}
    peer = session.get(SyncPeer, sender.get("unit_id", ""))
    if peer is None:
        raise BundleRejected(f"发送单位“{sender.get('name') or sender.get('code') or '?'}”不是本单位的上级或已登记的下级单位。")
    pin = None
    sign_pub = peer.sign_pub
    if sign_pub is None:
        # First bundle of a newly enrolled child: accept its keys only with the enrolment proof.
        enc_pub, new_sign = sender.get("enc_pub", ""), sender.get("sign_pub", "")
        if not (peer.enrol_secret and sender.get("key_proof") == key_proof(peer.enrol_secret, enc_pub, new_sign)):
            raise BundleRejected(f"无法确认“{peer.name}”的密钥：数据包不是用本单位发出的登记文件登记的。")
        sign_pub = new_sign
        pin = {"enc_pub": enc_pub, "sign_pub": new_sign,
               "fingerprint": fingerprint(unb64(enc_pub), unb64(new_sign))}
    plain, header = open_sealed(data, keys, sign_pub)
    sha = hashlib.sha256(data).hexdigest()
    opened = open_archive(plain, header, sha, set(TABLE_ORDER))
    if opened.manifest.get("sender_unit_id") != peer.unit_id or opened.manifest.get("seq") != header.get("seq"):
        raise BundleRejected("数据包清单与文件头不一致。")
    return opened, peer, pin


def _label(table: str, values: dict[str, Any]) -> str:
    for key in ("name", "title", "item", "kind"):
        if values.get(key):
            return str(values[key])
    return values.get("id", "")[:8]


_SPECS = {t: {f.name: f for f in REGISTRY[t]} for t in REGISTRY}
_TEXTUAL = (Kind.TEXT, Kind.NAME, Kind.REF)


def _validate(table: str, values: dict[str, Any], names: list[str]) -> str | None:
    specs = _SPECS[table]
    for name in names:
        spec = specs.get(name)
        if spec is None:
            continue
        value = values.get(name)
        if value is None:
            if spec.required:
                return f"「{spec.label}」不能为空"
            continue
        if spec.kind in _TEXTUAL and type(value) is str:
            continue  # the common case, settled without a call
        problem = spec.check_stored(value)
        if problem:
            return problem
    return None


def _suspects(table: str, rows: list[dict[str, Any]]) -> set[int]:
    """``id()`` of the rows that might fail ``_validate(table, row, user_fields(table))``; every
    other row passes it. Checked a column at a time: the type of every value (in C, through
    ``set(map(type, …))``) and each distinct (type, value) once with the very
    ``FieldSpec.check_stored`` that ``_validate`` calls. The type is part of the key because
    1, 1.0 and True are equal in Python but not equally valid."""
    out: set[int] = set()
    for spec in REGISTRY[table]:
        col = list(map(dict.get, rows, repeat(spec.name)))
        if spec.kind in _TEXTUAL:
            if set(map(type, col)) <= (_STR if spec.required else _STR_OR_NONE):
                continue
            out.update(id(r) for r, v in zip(rows, col, strict=True)
                       if type(v) is not str and (v is not None or spec.required))
            continue
        types = set(map(type, col))
        if None in col and spec.required:
            out.update(id(r) for r, v in zip(rows, col, strict=True) if v is None)
        types.discard(_NONE)
        if not types:
            continue
        # One memo per type: within one type, equal values are equally valid.
        kind = types.pop() if len(types) == 1 else None
        good = _GOOD.setdefault((table, spec.name, kind), set())
        try:
            if kind is not None:
                keys: list[Any] = col
                unknown = set(col) - good
                unknown.discard(None)
            else:
                keys = list(zip(map(type, col), col, strict=True))
                unknown = set(keys) - good
                unknown.discard((_NONE, None))
        except TypeError:  # unhashable values (lists of phones): one at a time
            out.update(id(r) for r, v in zip(rows, col, strict=True) if v is not None and not _passes(spec, good, v))
            continue
        if not unknown:
            continue
        bad = {k for k in unknown if not _passes(spec, good, k if kind is not None else k[1], k)}
        if bad:
            out.update(id(r) for r, k in zip(rows, keys, strict=True) if k in bad)
    return out


# (table, field, type or None for mixed types) → values (or (type, value) keys when mixed)
# known to pass; check_stored is a pure function of the value, so what passed once passes
# again. Bounded: a long session cannot grow it without end.
_GOOD: dict[tuple[str, str, type | None], set[Any]] = {}
_GOOD_MAX = 100_000
_NONE = type(None)


def _passes(spec: FieldSpec, good: set[Any], value: Any, key: Any = None) -> bool:
    """``check_stored`` of one value that is not None, remembered under ``key`` when it passes."""
    ok = spec.check_stored(value) is None
    if ok and key is not None:
        if len(good) >= _GOOD_MAX:
            good.clear()
        good.add(key)
    return ok


_STR = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})


def plan_bundle(session: Session, path: Path, *, progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> BundlePlan:
    opened, peer, pin = _open(session, path)
    me_id = self_unit_id(session)
    seq = int(opened.header.get("seq") or 0)
    received = set(session.exec(select(SyncReceived.seq).where(SyncReceived.peer_unit_id == peer.unit_id)))
    duplicate = seq in received
    upto = max(received | {seq})
    missing = sorted(set(range(1, upto + 1)) - received - {seq})
    plan = BundlePlan(str(path), opened.sha256, opened.header, opened.manifest, peer.unit_id, peer.name, seq,
                      duplicate, missing, pin)
    if duplicate and _applied_cleanly(session, peer.unit_id, seq, opened.sha256):
        # This very file (same sha256, checked again above) went in before with nothing rejected.
        # Applying it again cannot change anything: every record's vectors are already ≤ ours, and
        # its conflicts are parked. Counting it as unchanged saves parsing every line again.
        for name, meta in opened.manifest.get("members", {}).items():
            table = name[len("records/"):-len(".jsonl")]
            plan.counts["unchanged"] += meta.get("count", 0)
            plan.by_table.setdefault(table, Counter())["unchanged"] += meta.get("count", 0)
        opened.archive.close()
        return plan
    allowed = allowed_units(session, peer, me_id)
    accepted: dict[str, set[str]] = {t: set() for t in TABLE_ORDER}
    known = _Known(session)
    total = sum(m.get("count", 0) for m in opened.manifest.get("members", {}).values())
    done = 0
    for table in TABLE_ORDER:
        for batch in _batches(opened.records(table), BATCH):
            if cancel and cancel():
                raise Cancelled()
            _plan_batch(session, plan, table, batch, allowed, accepted, known)
            done += len(batch)
            if progress:
                progress(done, total, f"核对{TABLE_LABELS[table]}")
    opened.archive.close()
    return plan


def _applied_cleanly(session: Session, peer_id: str, seq: int, sha: str) -> bool:
    received = session.get(SyncReceived, (peer_id, seq))
    if received is None or received.sha256 != sha:
        return False
    log = session.exec(select(BundleLog).where(BundleLog.peer_unit_id == peer_id, BundleLog.sha256 == sha,
                                               BundleLog.result == "applied")).first()
    return log is not None and not (log.counts or {}).get("rejected")


def _batches(it: Iterator[dict[str, Any]], n: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(it, n)):
        yield batch


class _Known:
    """Ids present in the database, per table, loaded once when first needed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, set[str]] = {}

    def has(self, table: str, rid: str, accepted: dict[str, set[str]]) -> bool:
        if rid in accepted[table]:
            return True
        if table not in self.ids:
            model = SYNCED_MODELS[table]
            self.ids[table] = set(self.session.exec(select(model.id)))  # type: ignore[call-overload]
        return rid in self.ids[table]


def _plan_batch(session: Session, plan: BundlePlan, table: str, batch: list[dict[str, Any]],
                allowed: set[str], accepted: dict[str, set[str]], known: _Known) -> None:
    model = SYNCED_MODELS[table]
    ids = [r.get("id") for r in batch if isinstance(r, dict) and isinstance(r.get("id"), str)]
    # Only the identity columns, straight from the driver: most records of a repeated bundle
    # are the very revision we hold, and that is all it takes to see it.
    conn = session.connection()
    marks = ",".join("?" * len(ids))
    local: dict[str, Any] = {
        rid: (uid, rev, deleted, revs)
        for rid, uid, rev, deleted, revs in conn.exec_driver_sql(
            f"SELECT id, unit_id, rev, deleted, field_revs FROM {table} WHERE id IN ({marks})", tuple(ids))
    } if ids else {}
    # Parked conflicts only matter when merging into a row we hold.
    held = [rid for rid in ids if rid in local]
    parked: dict[tuple[str, str], dict[str, int]] = {
        (c.record_id, c.field): as_vector(c.theirs_vv)
        for c in session.exec(select(SyncConflict).where(SyncConflict.record_id.in_(held),  # type: ignore[attr-defined]
                                                         SyncConflict.resolved_at.is_(None)))  # type: ignore[union-attr]
    } if held else {}
    fresh = [r for r in batch if isinstance(r, dict) and r.get("id") not in local]
    suspect = _suspects(table, fresh) if fresh else set()
    ready = from_json_many(table, fresh)
    refs = list(REFS[table].items())
    full: dict[str, Any] = {}
    for raw in batch:
        ident = local.get(raw.get("id")) if isinstance(raw, dict) else None
        if ident is not None and ident[1] == raw.get("rev") and bool(ident[2]) == bool(raw.get("deleted")) \
                and ident[0] == raw.get("unit_id") and (table == "units" or ident[0] in allowed) \
                and json.loads(ident[3]) == raw.get("field_revs"):
            # The very same revision we hold: nothing to compare field by field.
            accepted[table].add(raw["id"])
            plan.add(RecordPlan(table, raw["id"], "unchanged"))
            continue
        mine = None
        if ident is not None:
            if not full:
                rest = [r.get("id") for r in batch if isinstance(r, dict) and r.get("id") in local]
                t = model.__table__  # type: ignore[attr-defined]
                full = {row.id: dict(row) for row in session.execute(sa_select(t).where(t.c.id.in_(rest))).mappings()}
            mine = full.get(raw["id"])
        try:
            values = ready.get(id(raw)) if mine is None else None
            if values is None:
                values = from_json(table, raw, convert=mine is not None) if isinstance(raw, dict) else None
            if values is None:
                raise ValueError("记录格式不对")
        except (ValueError, TypeError) as exc:
            plan.add(RecordPlan(table, str(raw.get("id", "?")) if isinstance(raw, dict) else "?", "rejected",
                                message=f"{TABLE_LABELS[table]}记录无效：{exc}"))
            continue
        rid = values["id"]
        label = _label(table, values)
        owner_ok = (values["unit_id"] in allowed) if table != "units" else (
            rid in allowed or values.get("parent_id") in allowed)
        if not owner_ok:
            plan.add(RecordPlan(table, rid, "rejected", label,
                                message=f"{TABLE_LABELS[table]}“{label}”属于发送单位管辖范围以外的单位，已拒收"))
            continue
        if table == "units":
            allowed.add(rid)
        bad_ref = None
        for f, t in refs:
            ref = values.get(f)
            if ref and not known.has(t, ref, accepted):
                bad_ref = f
                break
        if bad_ref:
            plan.add(RecordPlan(table, rid, "rejected", label,
                                message=f"{TABLE_LABELS[table]}“{label}”引用的记录不存在（{bad_ref}）"))
            continue
        if mine is None:
            # Records that passed the column checks pass _validate too; the rest get it in full
            # for the message.
            problem = _validate(table, values, user_fields(table)) if id(raw) in suspect else None
            if problem:
                plan.add(RecordPlan(table, rid, "rejected", label, message=f"{TABLE_LABELS[table]}“{label}”：{problem}"))
                continue
            accepted[table].add(rid)
            # Kept as it came (JSON types; from_json(convert=False) leaves every value as it
            # travelled but field_revs and deleted): it is inserted as is, see apply._insert_rows.
            plan.add(RecordPlan(table, rid, "new", label, values=values, rev=values["rev"]))
            continue
        accepted[table].add(rid)
        _merge(plan, table, label, values, mine, parked)


def _merge(plan: BundlePlan, table: str, label: str, theirs: dict[str, Any], mine: dict[str, Any],
           parked: dict[tuple[str, str], dict[str, int]]) -> None:
    mine_revs = {k: as_vector(v) for k, v in (mine.get("field_revs") or {}).items()}
    their_revs = theirs["field_revs"]
    sets: dict[str, Any] = {}
    vectors = dict(mine_revs)
    conflicts: dict[str, tuple[Any, Any, dict, dict]] = {}
    for name in [*user_fields(table), "deleted"]:
        vm, vt = mine_revs.get(name, {}), their_revs.get(name, {})
        if ge(vm, vt):
            continue  # we have seen their change already
        if ge(vt, vm):
            sets[name] = theirs.get(name)
            vectors[name] = vt
        elif mine.get(name) == theirs.get(name):
            vectors[name] = merge(vm, vt)
        elif ge(parked.get((theirs["id"], name), {}), vt) and (theirs["id"], name) in parked:
            continue  # this very change of theirs is already waiting for a person
        else:
            conflicts[name] = (mine.get(name), theirs.get(name), vm, vt)
    # Edit against delete, either order: never let a tombstone swallow an unseen edit.
    rec_mine, rec_theirs = record_vector(mine_revs), record_vector(their_revs)
    key = (theirs["id"], "deleted")
    if sets.get("deleted") is True and not ge(rec_theirs, rec_mine):
        del sets["deleted"]
        if "deleted" in mine_revs:
            vectors["deleted"] = mine_revs["deleted"]
        else:
            vectors.pop("deleted", None)
        if key not in parked:
            conflicts["deleted"] = (False, True, mine_revs.get("deleted", {}), their_revs.get("deleted", {}))
    elif mine.get("deleted") and not theirs["deleted"] and "deleted" not in sets and not ge(rec_mine, rec_theirs) \
            and any(k != "deleted" for k in sets) and key not in parked:
        conflicts["deleted"] = (True, False, mine_revs.get("deleted", {}), their_revs.get("deleted", {}))
    if sets:
        problem = _validate(table, {**mine, **sets}, [k for k in sets if k != "deleted"])
        if problem:
            plan.add(RecordPlan(table, theirs["id"], "rejected", label, message=f"{TABLE_LABELS[table]}“{label}”：{problem}"))
            return
    if not sets and not conflicts and vectors == mine_revs:
        action = "unchanged" if record_vector(mine_revs) == record_vector(their_revs) else "stale"
        plan.add(RecordPlan(table, theirs["id"], action, label))
        return
    action = "conflict" if conflicts else "updated"
    msg = ""
    if conflicts:
        names = {f.name: f.label for f in REGISTRY[table]} | {"deleted": "删除"}
        msg = f"{TABLE_LABELS[table]}“{label}”双方都改了：{'、'.join(names.get(k, k) for k in conflicts)}"
    plan.add(RecordPlan(table, theirs["id"], action, label, values=sets, field_revs=vectors,
                        conflicts=conflicts, rev=max(mine["rev"], theirs["rev"]) + 1, message=msg))
