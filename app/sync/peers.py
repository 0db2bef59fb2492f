"""Enrolment: headquarters (or any parent) creates a child unit and an enrolment file; the
child's installation opens it once and is set up with its identity and the parent's keys.

The enrolment file carries a one-time secret; the child's first bundle proves it holds the
file by an HMAC of its own public keys, and the parent then pins those keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from sqlmodel import Session, select

from app.models import SyncPeer, Unit
from app.services.context import SELF_UNIT, get_setting, set_setting
from app.services.errors import ServiceError
from app.services.units import add_unit, self_unit, subtree_ids
from app.sync.keys import b64, fingerprint, load_sign_pub, own_keys, unb64

ENROL_KIND = "retiree-desk-enrolment"


def key_proof(secret: str, enc_pub: str, sign_pub: str) -> str:
    return hmac.new(unb64(secret), (enc_pub + "|" + sign_pub).encode(), hashlib.sha256).hexdigest()


def add_child(session: Session, name: str, code: str, out: Path, *, actor: str) -> dict[str, Any]:
    """Create a child unit under this one and write its enrolment file."""
    me = self_unit(session)
    if me is None:
        raise ServiceError("请先初始化本单位，再添加下级单位。")
    keys = own_keys(session)
    child = add_unit(session, name, code, parent_id=me.id, actor=actor)
    secret = b64(secrets.token_bytes(32))
    session.add(SyncPeer(unit_id=child.id, code=child.code, name=child.name, role="child", enrol_secret=secret))
    ancestors = _unit_rows(session, me)
    body = {
        "kind": ENROL_KIND, "format": 1,
        "child": {"unit_id": child.id, "code": child.code, "name": child.name, "parent_id": me.id},
        "parent": {"unit_id": me.id, "code": me.code, "name": me.name,
                   "enc_pub": b64(keys.enc_pub), "sign_pub": b64(keys.sign_pub),
                   "fingerprint": keys.fingerprint},
        "units": ancestors,
        "secret": secret,
    }
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True)
    doc = {"enrolment": body, "signature": b64(keys.sign.sign(payload.encode("utf-8")))}
    tmp = out.with_suffix(out.suffix + ".part")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out)
    return {"unit_id": child.id, "code": child.code, "name": child.name, "file": str(out),
            "parent_fingerprint": keys.fingerprint}


def _unit_rows(session: Session, unit: Unit) -> list[dict[str, Any]]:
    """The unit and its ancestors, so the child knows the tree above it."""
    rows = []
    cur: Unit | None = unit
    while cur is not None:
        rows.append({"id": cur.id, "code": cur.code, "name": cur.name, "parent_id": cur.parent_id,
                     "level": cur.level, "unit_id": cur.unit_id})
        cur = session.get(Unit, cur.parent_id) if cur.parent_id else None
    return rows


def enrol(session: Session, path: Path, *, actor: str) -> dict[str, Any]:
    """Set this (new) database up as the child unit named in the enrolment file."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        body = doc["enrolment"]
        assert body["kind"] == ENROL_KIND
        payload = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        load_sign_pub(body["parent"]["sign_pub"]).verify(unb64(doc["signature"]), payload)
    except InvalidSignature:
        raise ServiceError("登记文件签名无效，可能已被改动。") from None
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        raise ServiceError("无法读取登记文件：不是退管通下级单位登记文件，或文件已损坏。") from None
    parent, child = body["parent"], body["child"]
    current = get_setting(session, SELF_UNIT)
    if current and current != child["unit_id"]:
        raise ServiceError("本数据库已属于另一个单位，不能再登记为新单位。请在新的数据库中打开登记文件。")
    if current == child["unit_id"]:
        raise ServiceError("本单位已经登记过，无需重复登记。")
    for row in reversed(body["units"]):  # root first, so parent ids exist
        if session.get(Unit, row["id"]) is None:
            session.add(Unit(**row))
            session.flush()
    if session.get(Unit, child["unit_id"]) is None:
        session.add(Unit(id=child["unit_id"], code=child["code"], name=child["name"],
                         parent_id=child["parent_id"], unit_id=child["parent_id"], level="单位",
                         updated_by=actor))
        session.flush()
    set_setting(session, SELF_UNIT, child["unit_id"])
    set_setting(session, "enrol_secret", body["secret"])
    keys = own_keys(session)
    session.merge(SyncPeer(unit_id=parent["unit_id"], code=parent["code"], name=parent["name"], role="parent",
                           enc_pub=parent["enc_pub"], sign_pub=parent["sign_pub"],
                           fingerprint=fingerprint(unb64(parent["enc_pub"]), unb64(parent["sign_pub"]))))
    return {"unit_id": child["unit_id"], "code": child["code"], "name": child["name"],
            "parent": parent["name"], "parent_fingerprint": parent["fingerprint"],
            "own_fingerprint": keys.fingerprint}


def peer_by_code(session: Session, code: str) -> SyncPeer:
    peer = session.exec(select(SyncPeer).where(SyncPeer.code == code)).first()
    if peer is None:
        raise ServiceError(f"没有与单位“{code}”交换数据的登记（只能与上级单位或已登记的下级单位交换）。")
    return peer


def allowed_units(session: Session, peer: SyncPeer, me_id: str) -> set[str]:
    """Units whose records this peer may send us."""
    if peer.role == "child":
        return set(subtree_ids(session, peer.unit_id))
    ids = set(subtree_ids(session, me_id))
    cur = session.get(Unit, me_id)
    while cur is not None and cur.parent_id:  # the parent's own notices come from above us
        ids.add(cur.parent_id)
        cur = session.get(Unit, cur.parent_id)
    return ids
