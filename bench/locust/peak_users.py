"""The users of a province's peak hour, for Locust (run by tests/peak.py in its own process:
gevent patches everything it runs in, so nothing else imports this file).

The plan (JSON, path in PEAK_PLAN) gives the site, each kind's users and per-user rate, the
dossiers officers receive, the payments the bank's notices pay and the photos; what succeeded
is written to PEAK_RESULT when Locust quits, for the database checks that follow.

Kinds: villagers reading public pages, citizens submitting with two photos (each from its own
address, as villagers are: the apply form allows 30 POSTs a minute per address), desk officers
receiving dossiers, and the bank sending payment notices.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from locust import FastHttpUser, HttpUser, constant_throughput, events, task
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from app.payments.webhook import sign  # noqa: E402  (the repository is on the path now)

PLAN: dict[str, Any] = json.loads(Path(os.environ["PEAK_PLAN"]).read_text())
RESULT = Path(os.environ["PEAK_RESULT"])
PHOTOS = [Path(p).read_bytes() for p in PLAN["photos"]]
MOVES: list[str] = list(PLAN["moves"])
NOTICES: list[dict[str, Any]] = list(PLAN["notices"])
DONE: dict[str, list[str]] = {"submitted": [], "moved": [], "paid": []}
ANSWERED: dict[str, float] = {}  # code → when its move or payment was answered (time.time())
ADDRESSES = itertools.count(PLAN["first_address"])
NOTICE_IDS = itertools.count(1)
VIETNAM = timezone(timedelta(hours=7))


def _rate(kind: str) -> Any:
    return constant_throughput(PLAN["kinds"][kind]["rate"])


def _stagger(kind: str) -> None:
    """Users start their first task spread over one period, not all in the first second."""
    time.sleep(random.uniform(0, 1 / PLAN["kinds"][kind]["rate"]))


def _token(html: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else None


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address: one villager's phone."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Villager(FastHttpUser):  # geventhttpclient: less CPU a request than requests'
    fixed_count = PLAN["kinds"]["reads"]["users"]
    wait_time = _rate("reads")

    def on_start(self) -> None:
        _stagger("reads")

    @task
    def read(self) -> None:
        kind, path = random.choice(PLAN["pages"])
        with self.client.get(path, name=f"read {kind}", catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{path}: {answer.status_code}")


class Citizen(HttpUser):
    fixed_count = PLAN["kinds"]["submissions"]["users"]
    wait_time = _rate("submissions")

    def on_start(self) -> None:
        self.client.mount("http://", _FromAddress(f"127.0.0.{next(ADDRESSES)}"))
        _stagger("submissions")

    @task
    def submit(self) -> None:
        form = PLAN["form"]
        with self.client.get(form["path"], name="submit form", catch_response=True) as page:
            key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
            token = _token(page.text)
            documents = re.findall(r'name="(doc-\d+)"', page.text)[:len(PHOTOS)]
            if page.status_code != 200 or not (key and token and documents):
                page.failure(f"apply form: {page.status_code}")
                return
        files = [(doc, (f"{doc}.jpg", photo, "image/jpeg"))
                 for doc, photo in zip(documents, PHOTOS, strict=False)]
        with self.client.post(form["action"], name="submit post", allow_redirects=False,
                              catch_response=True, files=files, data={
                                  **form["fields"], "csrf_token": token,
                                  "idempotency_key": key.group(1)}) as answer:
            found = re.search(r"/d/([^/?]+)/submitted", answer.headers.get("Location", ""))
            if answer.status_code != 302 or not found:
                answer.failure(f"submission: {answer.status_code} {answer.text[:200]}")
                return
            DONE["submitted"].append(found.group(1))


class DeskOfficer(HttpUser):
    fixed_count = PLAN["kinds"]["moves"]["users"]
    wait_time = _rate("moves")

    def on_start(self) -> None:
        page = self.client.get("/officer/login", name="officer sign-in form").text
        self.client.post("/officer/login", name="officer sign-in", allow_redirects=False,
                         data={"csrf_token": _token(page) or "", **PLAN["officer"]})
        _stagger("moves")

    @task
    def receive(self) -> None:
        if not MOVES:
            with self.client.get("/healthz", name="officer page", catch_response=True) as r:
                r.failure("no dossier left to receive: the plan was too small")
            return
        code = MOVES.pop()
        with self.client.get(f"/officer/dossiers/{code}", name="officer page",
                             catch_response=True) as page:
            version = re.search(r'name="version" value="(\d+)"', page.text)
            token = _token(page.text)
            if page.status_code != 200 or not (version and token):
                page.failure(f"{code}: {page.status_code}")
                return
        with self.client.post(f"/officer/dossiers/{code}/actions/receive", name="officer move",
                              allow_redirects=False, catch_response=True, data={
                                  "csrf_token": token, "version": version.group(1)}) as answer:
            if answer.status_code != 302:
                answer.failure(f"{code}: {answer.status_code} {answer.text[:200]}")
                return
            DONE["moved"].append(code)
            ANSWERED[code] = time.time()


class Bank(FastHttpUser):
    fixed_count = PLAN["kinds"]["notices"]["users"]
    wait_time = _rate("notices")

    def on_start(self) -> None:
        _stagger("notices")

    @task
    def notice(self) -> None:
        if not NOTICES:
            with self.client.get("/healthz", name="bank notice", catch_response=True) as r:
                r.failure("no payment left to pay: the plan was too small")
            return
        due = NOTICES.pop()
        body = json.dumps({
            "id": f"FT{PLAN['run']}{next(NOTICE_IDS):06d}", "amount": due["amount"],
            "content": f"CK {due['reference']} NGUYEN VAN AN",
            "account_number": PLAN["bank"]["account"], "bank_bin": PLAN["bank"]["bin"],
            "transaction_time": datetime.now(UTC).astimezone(VIETNAM).isoformat(
                timespec="seconds")}).encode()
        with self.client.post("/api/v1/payments/webhook", name="bank notice", data=body,
                              catch_response=True, headers={
                                  "Content-Type": "application/json",
                                  "X-Motcua-Signature": sign(PLAN["bank"]["secret"], body)}
                              ) as answer:
            if answer.status_code != 200:
                answer.failure(f"{due['code']}: {answer.status_code} {answer.text[:200]}")
                return
            DONE["paid"].append(due["code"])
            ANSWERED[due["code"]] = time.time()


@events.quitting.add_listener
def _write_result(environment: Any, **_: Any) -> None:
    """Once every user has stopped (the run time, then --stop-timeout for a busy task), so the
    figures include the last requests (Locust's CSV is written on a timer, before those)."""
    stats = environment.stats
    requests = [{"name": e.name, "count": e.num_requests, "failures": e.num_failures,
                 "rate": e.total_rps, "p50": e.get_response_time_percentile(0.5),
                 "p95": e.get_response_time_percentile(0.95)}
                for e in stats.entries.values()]
    failures = [f"{e.name}: {e.error} ×{e.occurrences}" for e in stats.errors.values()]
    failures += [f"exception ×{e['count']}: {e['msg']}"
                 for e in environment.runner.exceptions.values()]
    RESULT.write_text(json.dumps({"done": DONE, "answered": ANSWERED, "requests": requests,
                                  "failures": failures},
                                 ensure_ascii=False))
