"""A local Web Push service for the tests and benchmarks, on 127.0.0.1.

It does what a strict real one does with each message: checks the VAPID JWT (ES256, `aud` =
its own origin with the port, `exp` within 24 h, `sub` mailto: or https:, `k` = the key the
subscriber subscribed with), requires `TTL` and `Content-Encoding: aes128gcm`, then plays the
phone: decrypts the body with the subscriber's private key and auth secret (http_ece) and
records the plaintext. Failures can be switched on: 503 for a while, 429 with Retry-After,
410 for a subscription. It can be stopped and started again on the same port.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    """The phone's side of one subscription: its keys and what it received."""

    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str
    server_key: str | None = None  # the applicationServerKey it subscribed with

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint,
                "keys": {"p256dh": _b64(public), "auth": _b64(self.auth)}}


@dataclass
class Received:
    token: str
    message: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.time() when decrypted


@dataclass
class Failure:
    status: int
    remaining: int | None  # None: until cleared
    retry_after: str | None = None
    location: str | None = None  # a redirect answer's target


@dataclass
class PushService:
    port: int = 0
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (status, why)
    requests: int = 0
    failure: Failure | None = None
    decrypt: bool = True  # the benchmark can measure the cost of the phone's part
    delay: float = 0.0  # seconds each request takes before it is looked at (a slow service)
    body_size: int = 0  # answer with this many bytes of body (a hostile service)
    body_sent: int = 0  # how many of them the sender let through before it hung up
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> PushService:
        service = self

        class Handler(_Handler):
            push = service

        server = _Server(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port: senders get "connection refused" until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    # --- subscribers and failures ----------------------------------------------------------

    def new_subscriber(self, server_key: str | None = None) -> Subscriber:
        token = _b64(os.urandom(12))
        sub = Subscriber(token=token, private_key=ec.generate_private_key(ec.SECP256R1()),
                         auth=os.urandom(16), endpoint=f"{self.origin}/push/{token}",
                         server_key=server_key)
        with self._lock:
            self.subscribers[token] = sub
        return sub

    def forget(self, subscriber: Subscriber) -> None:
        """The phone unsubscribed: its endpoint now answers 410 Gone."""
        with self._lock:
            self.subscribers.pop(subscriber.token, None)

    def fail(self, status: int, times: int | None = None, retry_after: str | None = None,
             location: str | None = None) -> None:
        with self._lock:
            self.failure = Failure(status, times, retry_after, location)

    def heal(self) -> None:
        with self._lock:
            self.failure = None

    def messages(self, subscriber: Subscriber | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [r.message for r in self.received
                    if subscriber is None or r.token == subscriber.token]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until at least `count` messages arrived (or the timeout): what arrived."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
        with self._lock:
            return list(self.received)

    # --- the checks ----------------------------------------------------------------------------

    def _take(self, token: str, headers: Any, body: bytes) -> tuple[int, dict[str, str], str]:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.requests += 1
            failure = self.failure
            if failure is not None:
                if failure.remaining is not None:
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self.failure = None
                extra = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                if failure.location:
                    extra["Location"] = failure.location
                return failure.status, extra, "failure switched on"
            sub = self.subscribers.get(token)
        if sub is None:
            return 410, {}, "no such subscription"
        why = self._check_vapid(headers.get("Authorization", ""), sub)
        if why:
            return 403, {}, why
        if not (headers.get("TTL") or "").isdigit():
            return 400, {}, "TTL header missing"
        if (headers.get("Content-Encoding") or "").lower() != "aes128gcm":
            return 415, {}, "Content-Encoding must be aes128gcm"
        if len(body) > 4096:
            return 413, {}, "payload too large"
        message: dict[str, Any] = {}
        if self.decrypt:
            try:
                plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth,
                                         version="aes128gcm")
                message = json.loads(plain.decode("utf-8"))
            except Exception as exc:  # noqa: BLE001 (any failure is the sender's fault)
                return 400, {}, f"cannot decrypt: {exc}"
        keep = {k: headers.get(k) for k in ("TTL", "Urgency", "Topic") if headers.get(k)}
        with self._arrived:
            with self._lock:
                self.received.append(Received(token, message, keep, time.time()))
            self._arrived.notify_all()
        return 201, {"Location": f"{self.origin}/m/{len(self.received)}"}, ""

    def _check_vapid(self, authorization: str, sub: Subscriber) -> str:
        if not authorization.lower().startswith("vapid "):
            return "Authorization must be vapid t=…, k=…"
        params = dict(part.strip().split("=", 1) for part in authorization[6:].split(",")
                      if "=" in part)
        token, key = params.get("t", ""), params.get("k", "")
        if sub.server_key and key != sub.server_key:
            return "k is not the key this subscription was made with"
        try:
            head_b64, claims_b64, sig_b64 = token.split(".")
            header = json.loads(_unb64(head_b64))
            claims = json.loads(_unb64(claims_b64))
            signature = _unb64(sig_b64)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(key))
        except (ValueError, TypeError):
            return "malformed JWT or key"
        if header.get("alg") != "ES256" or len(signature) != 64:
            return "JWT must be ES256"
        try:
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                       int.from_bytes(signature[32:], "big"))
            public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad JWT signature"
        if claims.get("aud") != self.origin:
            return f"aud {claims.get('aud')!r} is not {self.origin!r}"
        exp = claims.get("exp")
        if not isinstance(exp, int) or not time.time() < exp <= time.time() + 86400:
            return "exp must be within 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "sub must be mailto: or https:"
        return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a sender killed mid-request resets its connection: expected in the tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a new connection per push would dominate
    push: PushService

    def setup(self) -> None:
        super().setup()
        # Without this, small responses wait ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *_args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, extra, why = (410, {}, "unknown path")
        if self.path.startswith("/push/"):
            status, extra, why = self.push._take(self.path[len("/push/"):], self.headers, body)
        if why:
            with self.push._lock:
                self.push.rejected.append((status, why))
        payload = why.encode()
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        huge = self.push.body_size
        self.send_header("Content-Length", str(huge or len(payload)))
        self.end_headers()
        if not huge:
            self.wfile.write(payload)
            return
        chunk = b"x" * 65536
        while self.push.body_sent < huge:
            self.wfile.write(chunk)  # a sender that hung up ends this with an error
            self.push.body_sent += len(chunk)
