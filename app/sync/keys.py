"""This installation's key pair (X25519 to receive, Ed25519 to sign) and fingerprints."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from sqlmodel import Session

from app.services.context import get_setting, set_setting

KEYS = "install_keys"
_RAW = serialization.Encoding.Raw
_PUB = serialization.PublicFormat.Raw
_PRIV = serialization.PrivateFormat.Raw


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def fingerprint(enc_pub: bytes, sign_pub: bytes) -> str:
    """Short, human-comparable: 16 hex digits in groups of four."""
    h = hashlib.sha256(b"retiree-desk key" + enc_pub + sign_pub).hexdigest()[:16].upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class KeyPair:
    enc: X25519PrivateKey
    sign: Ed25519PrivateKey

    @property
    def enc_pub(self) -> bytes:
        return self.enc.public_key().public_bytes(_RAW, _PUB)

    @property
    def sign_pub(self) -> bytes:
        return self.sign.public_key().public_bytes(_RAW, _PUB)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.enc_pub, self.sign_pub)


def own_keys(session: Session) -> KeyPair:
    """The installation's keys, made on first use and kept in the database."""
    stored = get_setting(session, KEYS)
    if stored:
        return KeyPair(X25519PrivateKey.from_private_bytes(unb64(stored["enc"])),
                       Ed25519PrivateKey.from_private_bytes(unb64(stored["sign"])))
    pair = KeyPair(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
    set_setting(session, KEYS, {
        "enc": b64(pair.enc.private_bytes(_RAW, _PRIV, serialization.NoEncryption())),
        "sign": b64(pair.sign.private_bytes(_RAW, _PRIV, serialization.NoEncryption())),
    })
    return pair


def load_enc_pub(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(unb64(text))


def load_sign_pub(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(unb64(text))
