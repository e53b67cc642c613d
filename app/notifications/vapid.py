"""The server's VAPID key: from VAPID_PRIVATE_KEY, or generated once into the instance folder
for the embedded mode; and `GET /api/v1/push/key` for the browser's subscribe call."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from py_vapid import Vapid

from app.api.blueprint import bp

KEY_FILE = "vapid_private.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_private_key() -> str:
    """A new key in the VAPID_PRIVATE_KEY format: base64url of the raw 32-byte scalar (what
    `npx web-push generate-vapid-keys` prints)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _load(text: str) -> Vapid:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return Vapid.from_pem(text.encode())
    raw = b64url_decode(text)
    if len(raw) == 32:
        return Vapid.from_raw(text.encode())
    return Vapid.from_der(text.encode())


def _instance_key(instance_path: Path) -> str:
    path = instance_path / KEY_FILE
    if path.exists():
        return path.read_text()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    # O_EXCL: two processes starting together must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(fd, "w") as fh:
        fh.write(pem)
    return pem


def get_vapid(app: Flask | None = None) -> Vapid:
    """The app's VAPID signer, loaded once per app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("motcua_vapid")
    if cached is None:
        settings = app.config["MOTCUA"]
        text = settings.vapid_private_key or _instance_key(Path(app.instance_path))
        cached = app.extensions["motcua_vapid"] = _load(text)
    return cached


def public_key(app: Flask | None = None) -> str:
    """The applicationServerKey: base64url of the uncompressed P-256 point."""
    raw = get_vapid(app).public_key.public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


@bp.get("/push/key")
def push_key() -> ResponseReturnValue:
    return jsonify({"public_key": public_key()})
