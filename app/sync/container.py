"""The bundle file: a plaintext header, an encrypted zip, a signature.

    MAGIC(8) | header length (4, big endian) | header JSON | ciphertext length (8) | ciphertext
    | Ed25519 signature (64) over everything before it

The zip is encrypted with AES-256-GCM under a key agreed between a fresh ephemeral X25519 key
and the recipient's X25519 key (HKDF-SHA256); the header is the GCM associated data, so it
cannot be altered either. Reading checks, in order: magic, sizes, format version, recipient,
sender, signature, decryption, then the archive (allow-listed member names, caps on count,
size and compression ratio, sha256 and record counts per member). Nothing is extracted to
disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.sync.errors import BundleRejected
from app.sync.keys import KeyPair, b64, load_enc_pub, load_sign_pub, unb64

MAGIC = b"RDBNDL\x00\x01"
FORMAT_VERSION = 1
MAX_HEADER = 64 * 1024
MAX_MEMBERS = 64
MAX_MEMBER_BYTES = 1024 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 200
# Inflated members kept in memory between the checks and the reading, per bundle.
MAX_KEPT_BYTES = 64 * 1024 * 1024
SIG_LEN = 64
_scan_once = json.JSONDecoder().scan_once  # what json.loads uses under default settings
_MEMBER = re.compile(r"^(manifest\.json|records/[a-z_]+\.jsonl)$")


@dataclass
class OpenedBundle:
    header: dict[str, Any]
    manifest: dict[str, Any]
    archive: zipfile.ZipFile
    sha256: str
    # Members already inflated (and checked) by open_archive, kept when small, so that
    # reading the records does not inflate them a second time.
    inflated: dict[str, bytes] = field(default_factory=dict)

    def records(self, table: str) -> Iterator[dict[str, Any]]:
        name = f"records/{table}.jsonl"
        if name not in self.manifest.get("members", {}):
            return
        data = self.inflated.pop(name, None)
        if data is not None:
            text = data.decode("utf-8")
            if "\r" not in text:  # else: the text reader's universal newlines, below
                yield from _parse_lines(text)
                return
        with self.archive.open(name) as fh:
            yield from _parse(io.TextIOWrapper(fh, encoding="utf-8"))


def _parse_lines(text: str) -> Iterator[Any]:
    """``_parse`` of the lines the text reader would give for ``text`` (which has no "\r"):
    split on "\n" only, as the reader does (str.splitlines would also split on U+2028 and
    other characters that JSON strings may hold)."""
    lines = text.split("\n")
    last = lines.pop()  # "" when the text ends with a newline, else a final unterminated line
    scan = _scan_once
    loads = json.loads
    for line in lines:
        # The same rule as in _parse, for a line whose newline has been cut off.
        try:
            value, end = scan(line, 0)
        except (StopIteration, ValueError):
            value, end = None, -1
        if end == len(line):
            yield value
        elif line.strip():
            yield loads(line + "\n")
    if last:
        yield from _parse([last])


def _parse(lines: Iterable[str]) -> Iterator[Any]:
    scan = _scan_once
    loads = json.loads
    for line in lines:
        # The decoder's own scanner, without json.loads' two Python frames and two
        # whitespace matches per line: when the value starts the line and ends right
        # at its newline, that is exactly what json.loads would return. Anything
        # else (blank, padded or malformed lines) goes through json.loads as before.
        try:
            value, end = scan(line, 0)
        except (StopIteration, ValueError):
            value, end = None, -1
        if end == len(line) - 1 and line[-1] == "\n":
            yield value
        elif line.strip():
            yield loads(line)


def _derive(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"retiree-desk bundle v1" + eph_pub + recipient_pub).derive(shared)


def seal(header: dict[str, Any], zip_bytes: bytes, recipient_enc_pub: str, sender: KeyPair) -> bytes:
    eph = X25519PrivateKey.generate()
    eph_pub = eph.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    rpub = unb64(recipient_enc_pub)
    key = _derive(eph.exchange(load_enc_pub(recipient_enc_pub)), eph_pub, rpub)
    nonce = os.urandom(12)
    header = {**header, "format": FORMAT_VERSION, "eph_pub": b64(eph_pub), "nonce": b64(nonce)}
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
    cipher = AESGCM(key).encrypt(nonce, zip_bytes, head)
    body = MAGIC + struct.pack(">I", len(head)) + head + struct.pack(">Q", len(cipher)) + cipher
    return body + sender.sign.sign(body)


def read_header(data: bytes) -> tuple[dict[str, Any], int]:
    """The plaintext header and where the ciphertext length starts; rejects a broken frame."""
    if len(data) < len(MAGIC) + 4 or not data.startswith(MAGIC):
        raise BundleRejected("这不是退管通数据包（文件标识不符），或文件已损坏。")
    (hlen,) = struct.unpack(">I", data[8:12])
    if hlen > MAX_HEADER or 12 + hlen + 8 > len(data):
        raise BundleRejected("数据包已损坏或不完整（文件头长度不符）。")
    try:
        header = json.loads(data[12:12 + hlen].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleRejected("数据包已损坏（文件头无法解析）。") from None
    if not isinstance(header, dict):
        raise BundleRejected("数据包已损坏（文件头格式不对）。")
    return header, 12 + hlen


def open_sealed(data: bytes, me: KeyPair, sender_sign_pub: str) -> tuple[bytes, dict[str, Any]]:
    header, pos = read_header(data)
    (clen,) = struct.unpack(">Q", data[pos:pos + 8])
    end = pos + 8 + clen
    if end + SIG_LEN != len(data):
        raise BundleRejected("数据包不完整或被截断（长度不符），请重新拷贝。")
    try:
        load_sign_pub(sender_sign_pub).verify(data[end:], data[:end])
    except InvalidSignature:
        raise BundleRejected("数据包签名验证失败：文件已被改动或并非由该单位生成。") from None
    try:
        eph_pub = unb64(header["eph_pub"])
        nonce = unb64(header["nonce"])
        shared = me.enc.exchange(load_enc_pub(header["eph_pub"]))
        key = _derive(shared, eph_pub, me.enc_pub)
        plain = AESGCM(key).decrypt(nonce, data[pos + 8:end], data[12:pos])
    except (InvalidTag, KeyError, ValueError):
        raise BundleRejected("数据包无法解密：不是发给本单位的，或文件已损坏。") from None
    return plain, header


def check_member_name(name: str) -> None:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in name.replace("\\", "/").split("/"):
        raise BundleRejected(f"数据包含有不安全的文件名：{name}")
    if not _MEMBER.match(name):
        raise BundleRejected(f"数据包含有不认识的文件：{name}")


def open_archive(plain: bytes, header: dict[str, Any], sha: str, tables: set[str]) -> OpenedBundle:
    try:
        archive = zipfile.ZipFile(io.BytesIO(plain))
        infos = archive.infolist()
    except zipfile.BadZipFile:
        raise BundleRejected("数据包内容已损坏（不是有效的压缩包）。") from None
    if len(infos) > MAX_MEMBERS:
        raise BundleRejected(f"数据包内文件过多（{len(infos)} 个）。")
    total = 0
    for info in infos:
        check_member_name(info.filename)
        if info.filename.startswith("records/") and info.filename[8:-6] not in tables:
            raise BundleRejected(f"数据包含有不认识的记录类型：{info.filename}")
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise BundleRejected("数据包解压后过大，已拒绝（可能是压缩炸弹）。")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise BundleRejected(f"数据包内文件压缩比异常（{info.filename}），已拒绝（可能是压缩炸弹）。")
    names = {i.filename for i in infos}
    if "manifest.json" not in names:
        raise BundleRejected("数据包缺少清单（manifest.json）。")
    manifest = json.loads(_read_capped(archive, "manifest.json", 1024 * 1024))
    members = manifest.get("members", {})
    if set(members) != names - {"manifest.json"}:
        raise BundleRejected("数据包内容与清单不符（文件缺失或多出）。")
    inflated: dict[str, bytes] = {}
    kept = 0
    for name, meta in members.items():
        digest = hashlib.sha256()
        lines = 0
        chunks: list[bytes] | None = []
        with archive.open(name) as fh:
            read = 0
            while chunk := fh.read(1 << 20):
                read += len(chunk)
                if read > MAX_MEMBER_BYTES:
                    raise BundleRejected("数据包解压后过大，已拒绝（可能是压缩炸弹）。")
                digest.update(chunk)
                lines += chunk.count(b"\n")
                if chunks is not None:
                    if kept + read <= MAX_KEPT_BYTES:
                        chunks.append(chunk)
                    else:
                        chunks = None  # too big to keep: read again from the archive
        if digest.hexdigest() != meta.get("sha256"):
            raise BundleRejected(f"数据包内文件校验失败（{name} 已被改动）。")
        if lines != meta.get("count"):
            raise BundleRejected(f"数据包内记录数与清单不符（{name}：清单 {meta.get('count')} 条，实际 {lines} 条）。")
        if chunks is not None and name.startswith("records/"):
            # Exactly the bytes just hashed and counted.
            inflated[name] = b"".join(chunks)
            kept += len(inflated[name])
    return OpenedBundle(header, manifest, archive, sha, inflated)


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with archive.open(name) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise BundleRejected(f"数据包内文件过大：{name}")
    return data


def build_zip(manifest: dict[str, Any], members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    meta = {}
    for name, data in members.items():
        meta[name] = {"sha256": hashlib.sha256(data).hexdigest(), "count": data.count(b"\n"), "bytes": len(data)}
    manifest = {**manifest, "members": meta}
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()
