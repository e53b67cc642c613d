"""The drills' clients: citizens submitting dossiers with photos through the API (retrying
with the same Idempotency-Key, as the apply page does) and a bank sending signed notices
(retrying on any non-2xx). Each citizen has an address of its own (X-Forwarded-For)."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from app.payments.webhook import sign
from tests.factories.files import jpeg
from tests.factories.payments import SECRET, notice_body
from tests.factories.world import CITIZEN_ID

_ADDRESSES = itertools.count(1)
COLORS = ("red", "green", "blue", "orange", "purple", "teal")


def citizen_address() -> str:
    n = next(_ADDRESSES)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def photo(n: int, size: int = 160) -> bytes:
    """A real JPEG photo, different for each n (up to a few thousand)."""
    return jpeg(size + n % 97, size + n // 97 % 61, COLORS[n % len(COLORS)])


def photos(n: int, documents: list[int]) -> dict[int, bytes]:
    """Distinct photos for each document of the n-th citizen."""
    return {doc: photo(n * len(documents) + i) for i, doc in enumerate(documents)}


@dataclass
class Submission:
    """One citizen's dossier: a photo for each document of the procedure."""

    key: str
    photos: dict[int, bytes]  # document id → its photo
    procedure_code: str
    agency: str
    address: str = field(default_factory=citizen_address)
    attempts: int = 0
    answers: list[int] = field(default_factory=list)  # status of every attempt (0: no answer)
    body: dict[str, Any] | None = None

    @property
    def sha256s(self) -> list[str]:
        return sorted(hashlib.sha256(p).hexdigest() for p in self.photos.values())

    def payload(self) -> str:
        return json.dumps({
            "procedure_code": self.procedure_code, "agency": self.agency,
            "applicant": {"name": "Nguyễn Thị Diễn Tập", "citizen_id": CITIZEN_ID,
                          "phone": "0912345678", "address": "Thôn Một"},
            "answers": {}, "consent": True})

    def post(self, base: str, timeout: float = 15) -> requests.Response:
        self.attempts += 1
        return requests.post(
            f"{base}/api/v1/dossiers", timeout=timeout,
            headers={"Idempotency-Key": self.key, "X-Forwarded-For": self.address},
            data={"dossier": self.payload()},
            files={f"doc-{doc}": ("anh-giay-to.jpg", content, "image/jpeg")
                   for doc, content in self.photos.items()})

    def send_until_done(self, bases: list[str], deadline: float) -> int:
        """Retry (alternating servers, same key) until a 200/201 or the deadline; the last
        status (0: no answer at all)."""
        for base in itertools.cycle(bases):
            try:
                answer = self.post(base)
                status = answer.status_code
            except requests.RequestException:
                status = 0
            self.answers.append(status)
            if status in (200, 201):
                self.body = answer.json()
                return status
            if time.monotonic() > deadline:
                return status
            time.sleep(0.3)
        raise AssertionError("unreachable")

    @property
    def code(self) -> str:
        assert self.body is not None
        return str(self.body["code"])

    @property
    def tracking_path(self) -> str:
        assert self.body is not None
        return "/d/" + str(self.body["tracking_url"]).split("/d/", 1)[1]


def bank_notice(base: str, ident: str, amount: int, content: str, deadline: float,
                timeout: float = 10) -> list[int]:
    """One bank notice, signed anew at each try and retried on any non-2xx until the
    deadline, as a bank does; the status of every attempt (0: no answer)."""
    body = notice_body(ident, amount, content)
    statuses: list[int] = []
    while True:
        headers = {"Content-Type": "application/json",
                   "X-Motcua-Signature": sign(SECRET, body)}
        try:
            status = requests.post(f"{base}/api/v1/payments/webhook", data=body,
                                   headers=headers, timeout=timeout).status_code
        except requests.RequestException:
            status = 0
        statuses.append(status)
        if 200 <= status < 300 or time.monotonic() > deadline:
            return statuses
        time.sleep(0.3)


@dataclass
class Answer:
    kind: str
    started: float  # time.monotonic() when the request was sent
    status: int  # 0: no answer (refused, reset, timed out)
    body: str = ""
    retry_after: str | None = None
    ended: float = 0.0  # time.monotonic() when the answer (or the failure) came


class Traffic:
    """Clients in threads, each sending one kind of request in a loop over the servers
    until stopped; every answer is kept."""

    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def add(self, kind: str, send: Callable[[str, dict[str, str]], requests.Response],
            pause: float = 0.05) -> None:
        """`send(base, headers)` makes one request; the headers carry a citizen's address."""
        def loop() -> None:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                started = time.monotonic()
                try:
                    answer = send(self.bases[n % len(self.bases)],
                                  {"X-Forwarded-For": citizen_address()})
                    self.answers.append(Answer(kind, started, answer.status_code,
                                               answer.text[:3000],
                                               answer.headers.get("Retry-After"),
                                               time.monotonic()))
                except requests.RequestException as exc:
                    self.answers.append(Answer(kind, started, 0, type(exc).__name__,
                                               ended=time.monotonic()))
                time.sleep(pause)

        self._threads.append(threading.Thread(target=loop, daemon=True))
        self._threads[-1].start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def of(self, kind: str) -> list[Answer]:
        return [a for a in self.answers if a.kind == kind]

    def tally(self) -> dict[str, dict[int, int]]:
        """kind → status → how many."""
        out: dict[str, dict[int, int]] = {}
        for a in self.answers:
            out.setdefault(a.kind, {}).setdefault(a.status, 0)
            out[a.kind][a.status] += 1
        return out
