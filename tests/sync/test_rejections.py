"""Every bad bundle is refused with a clear message and the database bytes unchanged."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.sync.container import MAGIC, build_zip, seal
from app.sync.keys import own_keys
from tests.sync.conftest import add_people, unit_id


@pytest.fixture
def pair(net):
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    add_people(u1, "张三", "李四")
    u1.send(hq)  # keys pinned both ways from here on
    hq.send(u1)
    return hq, u1


def _refused(site, path: Path, expect: str) -> None:
    before = site.file_bytes()
    from app.db import open_database

    site.db = open_database(site.db.path)
    [result] = site.take(path)
    assert result.get("rejected"), result
    assert expect in result["error"], result["error"]
    assert site.file_bytes() == before
    from app.db import open_database as reopen

    site.db = reopen(site.db.path)


def _forge(sender, recipient, members: dict[str, bytes], *, raw_zip: bytes | None = None,
           header_extra: dict | None = None, manifest_extra: dict | None = None) -> Path:
    """A bundle signed and encrypted with the sender's real keys but with content of our choosing."""
    from app.sync.peers import peer_by_code

    with sender.db.session_scope() as s:
        keys = own_keys(s)
        peer = peer_by_code(s, recipient.code)
        from app.services.units import self_unit

        me = self_unit(s)
        manifest = {"format": 1, "sender_unit_id": me.id, "seq": 99, "acks": [], **(manifest_extra or {})}
        zip_bytes = raw_zip if raw_zip is not None else build_zip(manifest, members)
        header = {"app": "retiree-desk", "kind": "up", "seq": 99,
                  "sender": {"unit_id": me.id, "code": me.code, "name": me.name, "fingerprint": keys.fingerprint},
                  "recipient": {"unit_id": peer.unit_id, "code": peer.code, "fingerprint": peer.fingerprint},
                  **(header_extra or {})}
        data = seal(header, zip_bytes, peer.enc_pub, keys)
    out = sender.folder / "forged.rdb"
    out.write_bytes(data)
    return out


def test_truncated_corrupted_and_flipped(pair) -> None:
    hq, u1 = pair
    good = u1.export(hq)
    data = good.read_bytes()
    (cut := good.with_name("cut.rdb")).write_bytes(data[: len(data) // 2])
    _refused(hq, cut, "不完整")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    (bad := good.with_name("flip.rdb")).write_bytes(bytes(flipped))
    _refused(hq, bad, "签名验证失败")
    (junk := good.with_name("junk.rdb")).write_bytes(b"PK\x03\x04" + os.urandom(200))
    _refused(hq, junk, "不是退管通数据包")
    # A changed byte in the plaintext header: the signature covers the header too.
    hlen = struct.unpack(">I", data[8:12])[0]
    hb = bytearray(data)
    hb[12 + hlen - 3] ^= 0x02
    (hdr := good.with_name("hdr.rdb")).write_bytes(bytes(hb))
    [result] = hq.take(hdr)
    assert result.get("rejected")


def test_wrong_recipient_and_unknown_sender(pair, net) -> None:
    hq, u1 = pair
    u2 = net.child(hq, "U2")
    to_hq = u1.export(hq)
    _refused(u2, to_hq, "不是发给本单位")
    stranger_hq = net.headquarters("XHQ")
    stranger = net.child(stranger_hq, "X1")
    add_people(stranger, "陌生人")
    foreign = stranger.export(stranger_hq)
    _refused(hq, foreign, "不是发给本单位")
    # A bundle from an enrolled child whose keys were never proven by its enrolment file.
    with hq.db.session_scope() as s:
        from app.models import SyncPeer

        peer = s.get(SyncPeer, unit_id(u2))
        peer.enrol_secret = "AAAA"
        s.add(peer)
    add_people(u2, "王五")
    _refused(hq, u2.export(hq), "无法确认")


def test_tampered_member_and_counts(pair) -> None:
    hq, u1 = pair
    line = b'{"id":"x"}\n'
    manifest = {"format": 1}
    zip_ok = build_zip(manifest, {"records/retirees.jsonl": line})
    # Rewrite the member after the manifest was made.
    import io

    src = zipfile.ZipFile(io.BytesIO(zip_ok))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr("manifest.json", src.read("manifest.json"))
        out.writestr("records/retirees.jsonl", b'{"id":"y"}\n')
    _refused(hq, _forge(u1, hq, {}, raw_zip=buf.getvalue()), "校验失败")


def test_records_outside_the_senders_subtree(pair, net) -> None:
    hq, u1 = pair
    u2 = net.child(hq, "U2")
    [other] = add_people(u2, "别家的人")
    u2.send(hq)
    from app.sync.records import to_line

    with hq.db.session_scope() as s:
        from app.models import Retiree

        row = s.get(Retiree, other)
        row.note = "冒充修改"
        line = to_line("retirees", row).encode()
    before_note = hq.people()[other].note
    forged = _forge(u1, hq, {"records/retirees.jsonl": line})
    [result] = hq.take(forged)
    assert result["counts"]["rejected"] == 1 and result["counts"]["updated"] == 0
    assert "管辖范围以外" in result["problems"][0]["message"]
    assert hq.people()[other].note == before_note


def test_newer_format_zip_bomb_and_bad_member_names(pair) -> None:
    hq, u1 = pair
    newer = _forge(u1, hq, {})
    data = bytearray(newer.read_bytes())
    hlen = struct.unpack(">I", data[8:12])[0]
    head = json.loads(data[12:12 + hlen])
    head["format"] = 99
    new_head = json.dumps(head).encode()
    rebuilt = MAGIC + struct.pack(">I", len(new_head)) + new_head + bytes(data[12 + hlen:])
    (p := newer.with_name("newer.rdb")).write_bytes(rebuilt)
    _refused(hq, p, "比本程序新")
    # A member that inflates far beyond its compressed size.
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps({"members": {}}))
        zf.writestr("records/visits.jsonl", b"\n" * (20 * 1024 * 1024))
    _refused(hq, _forge(u1, hq, {}, raw_zip=buf.getvalue()), "压缩炸弹")
    for name, expect in (("../evil.jsonl", "不安全"), ("/etc/passwd", "不安全"), ("C:/x.jsonl", "不安全"),
                         ("records/../../x.jsonl", "不安全"), ("records/shoes.jsonl", "不认识"),
                         ("notes.txt", "不认识")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("manifest.json", json.dumps({"members": {}}))
            zf.writestr(name, b"{}\n")
        _refused(hq, _forge(u1, hq, {}, raw_zip=buf.getvalue()), expect)


def test_killed_during_apply_leaves_the_database_as_before(pair, tmp_path) -> None:
    hq, u1 = pair
    add_people(u1, *[f"新人{i}" for i in range(40)])
    bundle = u1.export(hq)
    before = hq.snapshot()
    hq.db.close()
    script = f"""
import os, sys
from app.db import open_database
import app.sync.apply as ap
def dying(session, retirees):
    session.flush()  # the new records are written by now...
    os._exit(9)  # ...and the power goes off before the transaction ends
ap.search.reindex_many = dying
db = open_database({str(hq.db.path)!r})
ap.import_bundles(db, [__import__('pathlib').Path({str(bundle)!r})], actor='t')
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, "RETIREE_DESK_HOME": str(tmp_path / "h")})
    assert done.returncode == 9, done.stderr
    from app.db import open_database

    hq.db = open_database(hq.db.path)
    assert hq.snapshot() == before
    [result] = hq.take(bundle)  # and the bundle still goes in afterwards
    assert result["counts"]["new"] == 40
