"""A province's peak hour on the cluster (issue 19, drill 9), shared by bench/peak_hour.py
(5 minutes at full rates, figures printed) and the smoke test (20 s at reduced rates, counts
checked, never rates or latencies).

    with cluster(PAYMENT_WEBHOOK_SECRET=peak.WEBHOOK_SECRET) as c:
        outcome = peak.run(c, push_service, seconds=300, rates=peak.FULL, folder=tmp)
        print(outcome.table())
        assert not outcome.problems

Before the load, straight into the database: dossiers waiting for the desk to receive them,
received dossiers whose fee the bank's notices pay, each followed by its own phone at the
local push service. Then Locust (bench/locust/peak_users.py) in its own process, through
nginx only, with constant-throughput waits so the rates are targets. After it: nothing lost
or doubled, counted in the database, the bucket and at the push service.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tests.app_process import REPO
from tests.cluster import BUCKET, Cluster
from tests.cluster import missing_tools as cluster_missing_tools
from tests.factories.files import phone_photo
from tests.pg_server import stop_process
from tests.push_service import PushService, Subscriber

WEBHOOK_SECRET = "whsec-gio-cao-diem"
LOCUSTFILE = REPO / "bench" / "locust" / "peak_users.py"
AGENCY, VILLAGE, PROCEDURE = "tanhong", "tanhong-lapham", "2.000635"  # a copy of a birth record
APPLICANT = "Trần Thị Cao Điểm"  # every submission of the run, and only those, carry it
DESK, PASSWORD = "tiepnhan.tanhong", "motcua-demo"  # the seed's desk officer
BANK_ACCOUNT, BANK_BIN = "9999000000126", "970405"  # the seed's account of Tản Hồng
FIRST_ADDRESS = 20  # citizens submit from 127.0.0.20, .21, …
SPARE = 1.25  # dossiers and payments prepared beyond the target count (rates are targets)
DRAIN_TIMEOUT = 180.0  # seconds for the outbox to empty after the load


@dataclass(frozen=True)
class Rates:
    """Targets per second of each kind; `users` share a kind's rate evenly."""

    reads: float
    submissions: float
    moves: float
    notices: float

    def scaled(self, factor: float) -> Rates:
        return Rates(self.reads * factor, self.submissions * factor, self.moves * factor,
                     self.notices * factor)


FULL = Rates(reads=150, submissions=3, moves=2, notices=2)  # issue 19's peak hour
# Enough users that each may take several times its share of a second and the kind still
# reaches its rate: 75 readers at 2/s (0.5 s each), 24 citizens at 1/8 s (8 s for the form and
# its photos; 7.5 POSTs a minute from each address, a quarter of the form's limit), 8 officers
# at 1/4 s, 6 bank senders at 1/3 s.
USERS = {"reads": 75, "submissions": 24, "moves": 8, "notices": 6}
PAGES = [("village", f"/v/{code}") for code in (
    "tanhong-vansa1", "tanhong-vansa2", "tanhong-lapham", "tanhong-lathuong", "tanhong-lathien",
    "vanhung-xuandong", "vanhung-xuantu1", "vanhung-xuanvinh")] + [
    ("search", f"/procedures?q={q}") for q in (
        "khai+sinh", "kết+hôn", "chung+thuc", "ban+sao", "đăng+ký")] + [
    ("statistics", path) for path in ("/stats", "/stats/tanhong", "/stats/vanhung")]
KINDS = ("read", "submit", "officer", "bank")


@dataclass
class Prepared:
    moves: dict[str, Subscriber]  # code waiting to be received → its phone
    notices: dict[str, tuple[str, int, Subscriber]]  # code → (reference, amount, its phone)


@dataclass
class Outcome:
    seconds: float
    rates: Rates
    requests: list[dict[str, Any]]  # per request name: count, failures, p50, p95, rate
    failures: list[str]  # what Locust counted as failed (names and reasons)
    done: dict[str, list[str]]  # what the users saw succeed: submitted, moved, paid codes
    answered: dict[str, float]  # code → when its move or payment was answered (time.time())
    push_delays: list[float] = field(default_factory=list)  # answer → phone, seconds
    counts: list[tuple[str, int, int]] = field(default_factory=list)  # (check, expected, found)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Locust's CPU warnings, the proxy's errors

    def table(self) -> str:
        lines = [f"peak hour: {self.seconds:g} s, targets {self.rates.reads:g} reads/s, "
                 f"{self.rates.submissions:g} submissions/s, {self.rates.moves:g} officer "
                 f"moves/s, {self.rates.notices:g} bank notices/s",
                 f"{'request':<20} {'count':>7} {'errors':>7} {'per s':>7} {'p50 ms':>7}"
                 f" {'p95 ms':>7}"]
        for r in self.requests:
            lines.append(f"{r['name']:<20} {r['count']:>7} {r['failures']:>7} "
                         f"{r['rate']:>7.2f} {r['p50']:>7.0f} {r['p95']:>7.0f}")
        lines.append(f"{'nothing lost':<44} {'expected':>9} {'found':>9}")
        for check, expected, found in self.counts:
            mark = "" if expected == found else "  <-- differs"
            lines.append(f"{check:<44} {expected:>9} {found:>9}{mark}")
        if len(self.push_delays) >= 2:
            cuts = statistics.quantiles(self.push_delays, n=20)
            lines.append(f"push at the phone after the move's or payment's answer: p50 "
                         f"{statistics.median(self.push_delays):.2f} s, p95 {cuts[18]:.2f} s")
        lines += [f"problem: {p}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def missing_tools() -> list[str]:
    """What the cluster or the load needs that is not installed (empty when all is there)."""
    # find_spec looks without importing: gevent must never patch this process.
    locust = [] if importlib.util.find_spec("locust") else [
        "locust is not installed (pip install -r requirements-dev.txt)"]
    return cluster_missing_tools() + locust


def run(c: Cluster, service: PushService, seconds: float, rates: Rates, folder: Path,
        users: dict[str, int] | None = None) -> Outcome:
    """Prepare, load for `seconds` through nginx, then check; the cluster must have been
    started with PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET."""
    users = users or USERS
    app = _app(c, folder)
    prepared = prepare(app, service, moves=_pool(rates.moves, seconds),
                       notices=_pool(rates.notices, seconds))
    plan = _plan(app, prepared, rates, users, folder)
    requests, failures, done, answered = load(c, plan, seconds, folder)
    outcome = Outcome(seconds, rates, requests, failures, done, answered)
    outcome.notes += _lines(folder / "locust.log", "CPU usage")[:3]
    # Why the proxy answered 5xx, if it did (the cluster's folder goes when it stops).
    outcome.notes += _lines(c.parts["nginx"].log, "upstream")[:5]
    check(c, app, service, prepared, outcome)
    return outcome


def _lines(log: Path | None, needle: str) -> list[str]:
    if log is None or not log.exists():
        return []
    return [line.strip() for line in log.read_text(errors="replace").splitlines()
            if needle in line]


def _pool(rate: float, seconds: float) -> int:
    return math.ceil(rate * seconds * SPARE) + 5


def _app(c: Cluster, folder: Path) -> Any:
    """The app on the cluster's primary, for preparing and counting (never for serving)."""
    from tests.factories.apps import make_app

    # The cluster's VAPID key: the phones subscribe with the key the workers sign with.
    return make_app(c.database_url, folder / "uploads",
                    SETTINGS={"vapid_private_key": c.env["VAPID_PRIVATE_KEY"]})


def prepare(app: Any, service: PushService, moves: int, notices: int) -> Prepared:
    """`moves` submitted dossiers and `notices` received ones with their fee due (16,000 đồng:
    2 copies), then one phone following each, subscribed once the receipts' own
    notifications are out of the outbox (so a phone hears only about the peak hour)."""
    from app.accounts.models import Officer
    from app.dossiers.workflow import Actor, apply
    from app.extensions import db
    from app.notifications import services as push
    from app.notifications.vapid import public_key
    from app.payments.models import Payment
    from app.places.models import Agency, Village
    from app.procedures.models import Procedure
    from tests.factories.dossiers import dossier

    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == AGENCY))
        village = db.session.scalar(select(Village).where(Village.code == VILLAGE))
        proc = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        desk = db.session.scalar(select(Officer).where(Officer.username == DESK))
        assert home and village and proc and desk, "the demo seed is not there"
        answers = {"record_type": "Giấy khai sinh", "person_full_name": "Nguyễn Văn An",
                   "copies": "2"}
        waiting = [dossier(home, proc, village=village, name="Nguyễn Văn Chờ")
                   for _ in range(moves)]
        paying = [dossier(home, proc, village=village, name="Lê Thị Trả")
                  for _ in range(notices)]
        for found in waiting + paying:
            found.answers = answers
        for found in paying:
            apply(found, "receive", Actor.for_officer(desk))
        db.session.commit()
        _drained(app, time.monotonic() + DRAIN_TIMEOUT)
        key = public_key(app)
        phones = {}
        for found in waiting + paying:
            phones[found.code] = service.new_subscriber(key)
            push.subscribe(_info(phones[found.code]), [found])
        db.session.commit()
        due = {p.dossier.code: (p.reference, p.amount) for p in db.session.scalars(
            select(Payment).where(Payment.dossier_id.in_([d.id for d in paying])))}
        assert len(due) == len(paying), "a received dossier has no payment"
        return Prepared({d.code: phones[d.code] for d in waiting},
                        {code: (*due[code], phones[code]) for code in due})


def _info(phone: Subscriber) -> dict[str, str]:
    sub = phone.subscription()
    return {"endpoint": sub["endpoint"], **sub["keys"]}


def _plan(app: Any, prepared: Prepared, rates: Rates, users: dict[str, int],
          folder: Path) -> Path:
    from app.extensions import db
    from app.procedures.models import Procedure

    with app.app_context():
        procedures = db.session.scalars(select(Procedure.code).order_by(Procedure.code)
                                        .limit(8)).all()
    photos = []
    for i, (width, height) in enumerate(((1600, 1200), (1200, 1600))):
        photo = folder / f"photo-{i}.jpg"
        photo.write_bytes(phone_photo(width, height))
        photos.append(str(photo))
    plan = {
        "run": uuid.uuid4().hex[:6].upper(), "photos": photos, "first_address": FIRST_ADDRESS,
        "kinds": {kind: {"users": users[kind], "rate": getattr(rates, kind) / users[kind]}
                  for kind in ("reads", "submissions", "moves", "notices")},
        "pages": PAGES + [("procedure", f"/procedures/{code}") for code in procedures],
        "moves": list(prepared.moves),
        "notices": [{"code": code, "reference": ref, "amount": amount}
                    for code, (ref, amount, _) in prepared.notices.items()],
        "officer": {"username": DESK, "password": PASSWORD},
        "bank": {"account": BANK_ACCOUNT, "bin": BANK_BIN, "secret": WEBHOOK_SECRET},
        "form": {"path": f"/procedures/{PROCEDURE}/apply?agency={AGENCY}&village={VILLAGE}",
                 "action": f"/procedures/{PROCEDURE}/apply", "fields": {
                     "applicant_name": APPLICANT, "citizen_id": "001190123456",
                     "birth_date": "1990-05-01", "phone": "0912345678",
                     "address": "Thôn Lã Phẩm", "agency": AGENCY, "village": VILLAGE,
                     "answer-record_type": "Giấy khai sinh",
                     "answer-person_full_name": "Trần Văn Bé", "answer-copies": "2",
                     "consent": "1"}}}
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False))
    return path


def load(c: Cluster, plan: Path, seconds: float, folder: Path
         ) -> tuple[list[dict[str, Any]], list[str], dict[str, list[str]], dict[str, float]]:
    """Locust in its own process for `seconds` against nginx; a user busy at the end finishes
    its task (so what it did is known). Its per-request figures, failures, successes and
    when each move and payment was answered."""
    kinds = json.loads(plan.read_text())["kinds"]
    result = folder / "result.json"
    env = {**os.environ, "PEAK_PLAN": str(plan), "PEAK_RESULT": str(result)}
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
           "--host", c.url, "-u", str(sum(k["users"] for k in kinds.values())),
           "-r", "100", "-t", f"{math.ceil(seconds)}s", "--stop-timeout", "60",
           "--only-summary", "--loglevel", "WARNING"]
    with open(folder / "locust.log", "wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, process_group=0)
        try:
            process.wait(seconds + 150)
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop_process(process, 10)
    if not result.exists():
        tail = (folder / "locust.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"Locust wrote no result (exit {process.returncode}):\n{tail}")
    found = json.loads(result.read_text())
    requests = sorted(found["requests"], key=lambda r: (KINDS.index(r["name"].split()[0]),
                                                        r["name"]))
    return requests, found["failures"], found["done"], found["answered"]


def _drained(app: Any, deadline: float) -> None:
    from app.extensions import db
    from app.notifications.models import Notification

    while True:
        with app.app_context():
            pending = db.session.scalar(select(func.count()).select_from(Notification).where(
                Notification.status == "pending"))
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{pending} notifications still pending in the outbox")
        time.sleep(0.5)


def check(c: Cluster, app: Any, service: PushService, prepared: Prepared,
          outcome: Outcome) -> None:
    """Nothing lost or doubled: the database, the bucket and the phones against what the
    users saw succeed. Fills outcome.counts and outcome.problems."""
    from app.dossiers.models import Dossier, DossierEvent, DossierFile
    from app.extensions import db
    from app.payments.models import BankTransaction, Payment

    done, counts, problems = outcome.done, outcome.counts, outcome.problems
    problems += [f"Locust: {f}" for f in outcome.failures]
    submitted, moved, paid = set(done["submitted"]), set(done["moved"]), set(done["paid"])
    for what, seen in (("submitted", done["submitted"]), ("moved", done["moved"]),
                       ("paid", done["paid"])):
        if len(set(seen)) != len(seen):
            problems.append(f"a dossier was {what} twice by the users")
    with app.app_context():
        stored = set(db.session.scalars(select(Dossier.code).where(
            Dossier.applicant_name == APPLICANT)))
        files = db.session.execute(select(Dossier.code, DossierFile.storage_key).join(
            DossierFile, DossierFile.dossier_id == Dossier.id).where(
            Dossier.applicant_name == APPLICANT)).all()
        receipts = db.session.execute(select(Dossier.code, func.count(DossierEvent.id)).join(
            DossierEvent, DossierEvent.dossier_id == Dossier.id).where(
            Dossier.code.in_(list(prepared.moves)), DossierEvent.action == "receive")
            .group_by(Dossier.code)).all()
        payments = db.session.execute(select(Dossier.code, Payment.paid_amount, Payment.amount)
                                      .join(Payment, Payment.dossier_id == Dossier.id).where(
            Dossier.code.in_(list(prepared.notices)))).all()
        transactions = db.session.scalar(select(func.count()).select_from(BankTransaction))
    counts.append(("dossiers submitted (database)", len(submitted), len(stored)))
    if stored != submitted:
        problems.append(f"submitted codes differ: only stored {sorted(stored - submitted)[:5]},"
                        f" only answered {sorted(submitted - stored)[:5]}")
    in_bucket = _bucket_keys(c)
    keys = [key for _, key in files]
    counts.append(("their files (2 each)", 2 * len(submitted), len(keys)))
    counts.append(("  of them in the bucket", len(keys), sum(k in in_bucket for k in keys)))
    events = {code: n for code, n in receipts}
    counts.append(("receive events (officer moves)", len(moved), sum(events.values())))
    if set(events) != moved or any(n != 1 for n in events.values()):
        problems.append("receive events differ from the officers' successful moves")
    credited = {code: got for code, got, owed in payments if got}
    counts.append(("bank notices credited (payments paid)", len(paid), len(credited)))
    counts.append(("bank transactions recorded", len(paid), transactions))
    if set(credited) != paid or any(got != prepared.notices[code][1]
                                    for code, got in credited.items()):
        problems.append("credited payments differ from the notices (lost or credited twice)")

    _wait_pushes(app, service, len(moved) + len(paid))
    expected = {**{code: [f"Hồ sơ {code} đã được tiếp nhận"] for code in moved},
                **{code: [f"Đã nhận thanh toán cho hồ sơ {code}"] for code in paid}}
    phones = {**prepared.moves, **{code: p for code, (_, _, p) in prepared.notices.items()}}
    delivered = wrong = 0
    arrived = {r.token: r.at for r in service.received}
    outcome.push_delays += [arrived[phones[code].token] - at
                            for code, at in outcome.answered.items()
                            if phones[code].token in arrived]
    for code, phone in phones.items():
        titles = [m["title"] for m in service.messages(phone)]
        delivered += len(titles)
        wrong += titles != expected.get(code, [])
    counts.append(("pushes at the phones (moves + payments)", len(moved) + len(paid),
                   delivered))
    counts.append(("phones with a missing or doubled push", 0, wrong))
    if service.rejected:
        problems.append(f"the push service refused {len(service.rejected)} pushes, first: "
                        f"{service.rejected[0]}")
    problems += [f"{check}: expected {want}, found {got}" for check, want, got in counts
                 if want != got]


def _wait_pushes(app: Any, service: PushService, count: int) -> None:
    """The outbox empty, then (the workers send before they mark) `count` arrivals."""
    _drained(app, time.monotonic() + DRAIN_TIMEOUT)
    service.wait_for(count, timeout=30)


def _bucket_keys(c: Cluster) -> set[str]:
    client = c.s3.client()
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


def scaled_users(factor: float) -> dict[str, int]:
    """Fewer users at a reduced scale, each at about the full per-user rate."""
    return {kind: max(1, round(n * min(factor * 2, 1))) for kind, n in USERS.items()}
