"""Making a bundle for the parent (上报数据包) or a child (下发数据包)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app import __version__
from app.models import SYNCED_MODELS, BundleLog, SyncPeer, SyncReceived, SyncSent, Unit
from app.services.context import get_setting, self_unit_id, set_setting
from app.services.demo import Cancelled
from app.services.errors import ServiceError
from app.services.units import subtree_ids
from app.sync.container import build_zip, seal
from app.sync.keys import b64, own_keys
from app.sync.peers import key_proof, peer_by_code
from app.sync.records import TABLE_ORDER, to_line

Progress = Callable[[int, int, str], None]


def _scope(session: Session, peer: SyncPeer, me_id: str) -> tuple[set[str], bool]:
    """Units whose records go to ``peer``, and whether this unit's notices go too (down)."""
    if peer.role == "parent":
        return set(subtree_ids(session, me_id)), False
    return set(subtree_ids(session, peer.unit_id)), True


def export_bundle(session: Session, to_code: str, out: Path, *, actor: str, everything: bool = False,
                  progress: Progress | None = None, cancel: Callable[[], bool] | None = None) -> dict[str, Any]:
    peer = peer_by_code(session, to_code)
    if not peer.enc_pub:
        raise ServiceError(f"尚未收到“{peer.name}”的密钥：请先导入该单位发来的第一个数据包。")
    me_id = self_unit_id(session)
    me = session.get(Unit, me_id)
    keys = own_keys(session)
    units, with_notices = _scope(session, peer, me_id)
    confirmed: dict[tuple[str, str], int] = {}
    if not everything:
        rows = session.exec(select(SyncSent.table_name, SyncSent.record_id, func.max(SyncSent.rev))
                            .where(SyncSent.peer_unit_id == peer.unit_id, SyncSent.confirmed == True)  # noqa: E712
                            .group_by(SyncSent.table_name, SyncSent.record_id)).all()
        confirmed = {(t, r): rev for t, r, rev in rows}
    seq_key = f"seq_out:{peer.unit_id}"
    seq = int(get_setting(session, seq_key, 0)) + 1
    members: dict[str, bytes] = {}
    sent: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    unit_list = list(units)
    for i, table in enumerate(TABLE_ORDER):
        if cancel and cancel():
            raise Cancelled()
        if progress:
            progress(i, len(TABLE_ORDER), f"整理{table}")
        model = SYNCED_MODELS[table]
        stmt = select(model)
        if table == "units":
            stmt = stmt.where(model.id.in_(unit_list))
        elif table == "notices" and with_notices:
            stmt = stmt.where(model.unit_id.in_([*unit_list, me_id]))
        else:
            stmt = stmt.where(model.unit_id.in_(unit_list))
        lines = []
        for row in session.exec(stmt.execution_options(yield_per=2000)):
            if confirmed.get((table, row.id), 0) >= row.rev:
                continue
            lines.append(to_line(table, row))
            sent.append({"peer_unit_id": peer.unit_id, "seq": seq, "table_name": table,
                         "record_id": row.id, "rev": row.rev, "confirmed": False})
        if lines:
            members[f"records/{table}.jsonl"] = "".join(lines).encode("utf-8")
            counts[table] = len(lines)
    acks = list(session.exec(select(SyncReceived.seq).where(SyncReceived.peer_unit_id == peer.unit_id)))
    manifest = {"format": 1, "sender_unit_id": me_id, "seq": seq, "acks": sorted(acks),
                "program": f"retiree-desk {__version__}", "everything": everything}
    zip_bytes = build_zip(manifest, members)
    header: dict[str, Any] = {
        "app": "retiree-desk",
        "kind": "up" if peer.role == "parent" else "down",
        "seq": seq,
        "sender": {"unit_id": me_id, "code": me.code if me else "", "name": me.name if me else "",
                   "fingerprint": keys.fingerprint, "enc_pub": b64(keys.enc_pub), "sign_pub": b64(keys.sign_pub)},
        "recipient": {"unit_id": peer.unit_id, "code": peer.code, "fingerprint": peer.fingerprint},
    }
    secret = get_setting(session, "enrol_secret")
    if peer.role == "parent" and secret:
        header["sender"]["key_proof"] = key_proof(secret, header["sender"]["enc_pub"], header["sender"]["sign_pub"])
    data = seal(header, zip_bytes, peer.enc_pub, keys)
    out = Path(out)
    tmp = out.with_suffix(out.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    if sent:
        session.execute(SyncSent.__table__.insert(), sent)  # type: ignore[attr-defined]
    set_setting(session, seq_key, seq)
    sha = hashlib.sha256(data).hexdigest()
    session.add(BundleLog(direction="out", peer_unit_id=peer.unit_id, seq=seq, file_name=out.name, sha256=sha,
                          counts=counts, result="exported", actor=actor,
                          message=f"{'上报' if peer.role == 'parent' else '下发'}数据包 第{seq}号"))
    return {"file": str(out), "to": peer.code, "seq": seq, "counts": counts, "records": sum(counts.values()),
            "bytes": len(data), "sha256": sha}

