"""Ed25519 signatures over release manifests, shared by the guide server and the kiosk.

The signed bytes are the manifest's canonical JSON (``guides.release.canonical_json``),
so key order and whitespace on the wire do not matter. A signed manifest travels as
an envelope::

    {"manifest": {...}, "signature": "<base64 of 64 bytes>", "key_id": "<16 hex>"}

or, to a kiosk that already holds a release, as a delta envelope with the same signature
(guides.sync_format): the kiosk rebuilds the full manifest first and verifies that here,
so there is no separate signature over a delta.

The server's private key lives in its instance folder (``release-signing-key.pem``,
mode 0600, created on first use). A kiosk pins the public key (base64 of its 32 raw
bytes) when it is provisioned and accepts no manifest that it does not verify.
No Flask, no Kivy.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from guides.release import canonical_json

KEY_FILE = "release-signing-key.pem"


class SignatureError(Exception):
    """A manifest that is unsigned, signed by another key, or altered after signing.

    The message is Chinese and says which; it is what the kiosk logs."""


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public_text: str) -> str:
    """A short fingerprint of a public key, for people to compare (16 hex digits)."""
    return hashlib.sha256(public_text.encode("ascii")).hexdigest()[:16]


def parse_public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        raise SignatureError(f"签名公钥格式不对：{exc}") from None


def load_or_create_key(instance: str | Path) -> Ed25519PrivateKey:
    """The release-signing key of an instance folder, created (0600, O_EXCL) on first use."""
    path = Path(instance) / KEY_FILE
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return _read_key(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
        fh.flush()
        os.fsync(fh.fileno())
    return key


def _read_key(path: Path) -> Ed25519PrivateKey:
    data = path.read_bytes()
    if not data.strip():  # created by a racing worker that has not written yet
        raise FileNotFoundError(path)
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: 不是 Ed25519 私钥")
    return key


def sign_manifest(manifest: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed envelope of a manifest."""
    signature = key.sign(canonical_json(manifest))
    return {"manifest": manifest, "signature": base64.b64encode(signature).decode("ascii"),
            "key_id": key_id(public_key_text(key.public_key()))}


def verify_envelope(envelope: Any, public_text: str) -> dict[str, Any]:
    """The manifest of a signed envelope, or SignatureError saying what is wrong."""
    if not isinstance(envelope, dict) or not isinstance(envelope.get("manifest"), dict):
        raise SignatureError("版本清单格式不对：缺少 manifest")
    signature = envelope.get("signature")
    if not signature:
        raise SignatureError("版本清单没有签名，拒绝使用")
    pinned = key_id(public_text)
    if envelope.get("key_id") not in (None, pinned):
        raise SignatureError(f"版本清单由另一把密钥签名（{str(envelope.get('key_id'))[:16]}，"
                             f"本机认可的是 {pinned}）")
    try:
        raw = base64.b64decode(str(signature), validate=True)
    except binascii.Error:
        raise SignatureError("版本清单的签名不是有效的 base64") from None
    try:
        parse_public_key(public_text).verify(raw, canonical_json(envelope["manifest"]))
    except InvalidSignature:
        raise SignatureError("版本清单签名验证失败：清单被改动过，或不是由认可的密钥签名") from None
    return envelope["manifest"]
