"""Delivers the outbox: claims due notifications, encrypts and sends them with pywebpush,
records each delivery, retries with backoff, and keeps each dossier's messages in order.

"Exactly once" rests on three things: (1) the notification row is committed in the same
transaction as the dossier event, so no event is lost and none is invented; (2) after the
push service accepts a message, a Delivery row unique on (notification, subscription) is
committed at once, and a subscription with a Delivery row is never sent that notification
again, whichever worker looks next; (3) a claimed row is leased, so a killed worker's rows
come back only after the lease, never while a live worker is still sending them. The one
gap no sender can close is a crash between the push service's 201 and that commit: the
message is then sent again, with the same `Topic` header (the push service replaces a copy
it still holds) and the same notification `tag` (the phone replaces the one it shows).
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import click
import requests
from flask import Flask, current_app
from flask.cli import with_appcontext
from pywebpush import WebPusher, WebPushException
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from app.core import transaction
from app.core.models import utcnow
from app.extensions import db
from app.notifications import endpoints, outbox, services
from app.notifications.models import (
    Delivery,
    Notification,
    NotificationStatus,
    PushSubscription,
    subscription_dossiers,
    subscription_tickets,
)
from app.notifications.vapid import get_vapid

log = logging.getLogger(__name__)
PENDING = NotificationStatus.PENDING.value
# Recorded for a delivery never attempted because its endpoint may not be contacted.
REFUSED = 403


@dataclass
class Policy:
    """How hard the worker tries; the tests shorten the delays."""

    batch: int = 50
    lease: float = 60.0  # seconds a claim lasts; a batch stops early at half of it
    base_delay: float = 5.0
    max_delay: float = 3600.0
    max_attempts: int = 20
    timeout: tuple[float, float] = (3.05, 10.0)  # connect, read
    senders: int = 8  # pushes in flight at once
    # Delivery records are committed in groups: a crash can resend at most this many
    # messages (each shown once by the phone: same tag), and commits stay off the hot path.
    commit_every: int = 20


@dataclass
class _Outcome:
    sent_any: bool = False
    retry: Retry | None = None


class Retry(Exception):
    """The push service could not take the message now: try this notification later."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


def backoff(attempts: int, policy: Policy) -> float:
    """Exponential, capped, with "equal jitter": half fixed, half random, so workers that
    failed together do not come back together."""
    ceiling = min(policy.max_delay, policy.base_delay * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (not security)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def push_body(notification: Notification) -> str:
    """The JSON the service worker gets: the payload plus the tag that collapses copies."""
    return json.dumps({**notification.payload, "tag": f"n{notification.id}"},
                      ensure_ascii=False, separators=(",", ":"))


class Worker:
    def __init__(self, app: Flask, policy: Policy | None = None, name: str | None = None,
                 resolver: endpoints.Resolver = socket.getaddrinfo) -> None:
        self.app = app
        self.settings = app.config["MOTCUA"]
        self.resolver = resolver  # the tests give their own: no real name is looked up
        self.policy = policy or Policy()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.subject = app.config["MOTCUA"].vapid_subject
        self.vapid = get_vapid(app)
        self.pool = ThreadPoolExecutor(self.policy.senders, thread_name_prefix="push-send")
        self._local = threading.local()
        self._signed: dict[str, tuple[float, dict[str, str]]] = {}

    # --- claiming ---------------------------------------------------------------------------

    def claim(self) -> list[int]:
        """Lease the due notifications that are first in line for their dossier."""
        now = utcnow()
        earlier = aliased(Notification)
        blocked = exists().where(or_(earlier.dossier_id == Notification.dossier_id,
                                     earlier.ticket_id == Notification.ticket_id),
                                 earlier.status == PENDING, earlier.id < Notification.id)
        query = (select(Notification.id)
                 .where(Notification.status == PENDING, Notification.next_attempt_at <= now,
                        or_(Notification.lease_until.is_(None), Notification.lease_until < now),
                        ~blocked)
                 .order_by(Notification.id).limit(self.policy.batch))
        if db.engine.dialect.name == "postgresql":
            # Several workers at once: each takes rows the others have not locked.
            query = query.with_for_update(skip_locked=True, of=Notification)
        ids = list(db.session.scalars(query))
        if not ids:
            transaction.rollback()
            return []
        lease = now + timedelta(seconds=self.policy.lease)
        # Conditional, so on SQLite (no row locks) two workers cannot both take a row.
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids),
                   or_(Notification.lease_until.is_(None), Notification.lease_until < now))
            .values(lease_until=lease, claimed_by=self.name)
            .execution_options(synchronize_session=False))
        transaction.commit()
        return list(db.session.scalars(
            select(Notification.id).where(Notification.id.in_(ids),
                                          Notification.claimed_by == self.name,
                                          Notification.lease_until == lease)
            .order_by(Notification.id)))

    # --- one round ----------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim one batch and deliver it; the number of notifications settled or rescheduled.

        Sends run in parallel (HTTP latency, not CPU, is the limit); the database work stays
        on this thread, and the results are committed in groups of `commit_every`.
        """
        ids = self.claim()
        if not ids:
            db.session.remove()
            return 0
        # The loaded rows stay valid across this round's group commits (only this worker
        # holds their lease); expiring them would reload each one with its own SELECT.
        db.session().expire_on_commit = False
        notifications = db.session.scalars(
            select(Notification).where(Notification.id.in_(ids), Notification.status == PENDING)
            .order_by(Notification.id)).all()
        done_for: dict[int, set[int | None]] = {}
        for notification_id, subscription_id in db.session.execute(
                select(Delivery.notification_id, Delivery.subscription_id)
                .where(Delivery.notification_id.in_(ids))):
            done_for.setdefault(notification_id, set()).add(subscription_id)
        by_dossier: dict[int, list[PushSubscription]] = {}
        for dossier_id, subscription in db.session.execute(
                select(subscription_dossiers.c.dossier_id, PushSubscription)
                .join(PushSubscription,
                      subscription_dossiers.c.subscription_id == PushSubscription.id)
                .where(subscription_dossiers.c.dossier_id.in_(
                    {n.dossier_id for n in notifications}))
                .order_by(PushSubscription.id)):
            by_dossier.setdefault(dossier_id, []).append(subscription)
        by_ticket: dict[int, list[PushSubscription]] = {}
        ticket_ids = {n.ticket_id for n in notifications if n.ticket_id is not None}
        if ticket_ids:
            for ticket_id, subscription in db.session.execute(
                    select(subscription_tickets.c.ticket_id, PushSubscription)
                    .join(PushSubscription,
                          subscription_tickets.c.subscription_id == PushSubscription.id)
                    .where(subscription_tickets.c.ticket_id.in_(ticket_ids))
                    .order_by(PushSubscription.id)):
                by_ticket.setdefault(ticket_id, []).append(subscription)

        jobs: dict[Future[int], tuple[Notification, PushSubscription]] = {}
        waiting: dict[int, int] = {}
        for notification in notifications:
            body = push_body(notification)
            headers = {"Urgency": notification.urgency, "Topic": f"n{notification.id}"}
            followers = (by_ticket.get(notification.ticket_id, [])
                         if notification.ticket_id is not None
                         else by_dossier.get(notification.dossier_id or 0, []))
            todo = [s for s in followers if s.id not in done_for.get(notification.id, set())]
            waiting[notification.id] = len(todo)
            for subscription in todo:
                future = self.pool.submit(self._send, subscription.info(), body,
                                          notification.ttl, headers)
                jobs[future] = (notification, subscription)
        outcome: dict[int, _Outcome] = {
            n.id: _Outcome(sent_any=bool(done_for.get(n.id))) for n in notifications}
        unsaved = 0
        for notification in notifications:
            if waiting[notification.id] == 0:
                self._settle(notification, outcome[notification.id])
                unsaved += 1
        deadline = time.monotonic() + self.policy.lease / 2
        for future in as_completed(jobs, timeout=max(1.0, deadline - time.monotonic())):
            notification, subscription = jobs[future]
            result = outcome[notification.id]
            try:
                code = future.result()
            except Retry as exc:
                result.retry = exc
            else:
                if code in (404, 410):
                    # The phone unsubscribed or the browser dropped it: never push there again.
                    services.remove(subscription.id)
                else:
                    db.session.add(Delivery(notification_id=notification.id,
                                            subscription_id=subscription.id,
                                            status="delivered" if code < 300 else "failed",
                                            status_code=code))
                    result.sent_any = result.sent_any or code < 300
            waiting[notification.id] -= 1
            if waiting[notification.id] == 0:
                self._settle(notification, result)
            unsaved += 1
            if unsaved >= self.policy.commit_every:
                transaction.commit()  # these phones are settled, whatever happens next
                unsaved = 0
        transaction.commit()
        db.session.remove()
        return len(notifications)

    def _settle(self, notification: Notification, result: _Outcome) -> None:
        now = utcnow()
        notification.lease_until = None
        notification.claimed_by = None
        if result.retry is not None:
            notification.attempts += 1
            notification.last_error = str(result.retry)[:200]
            if notification.attempts >= self.policy.max_attempts:
                notification.status = NotificationStatus.FAILED.value
            else:
                delay = max(result.retry.after or 0.0,
                            backoff(notification.attempts, self.policy))
                notification.next_attempt_at = now + timedelta(seconds=delay)
        else:
            notification.status = (NotificationStatus.DELIVERED.value if result.sent_any
                                   else NotificationStatus.NO_SUBSCRIPTION.value)
            notification.delivered_at = now if result.sent_any else None

    def _session(self) -> requests.Session:
        # One kept-alive session per sender thread (a Session is not shared across threads),
        # which connects only to checked public addresses of known push services.
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = endpoints.PushSession(self.settings,
                                                                   self.resolver)
        return session

    def _send(self, info: dict[str, Any], body: str, ttl: int, headers: dict[str, str]
              ) -> int:
        """The push service's status code, or Retry for what may work later."""
        try:
            response = WebPusher(info, requests_session=self._session()).send(
                body, {**headers, **self._vapid_headers(info["endpoint"])}, ttl=ttl,
                content_encoding="aes128gcm", timeout=self.policy.timeout)
        except WebPushException as exc:  # malformed keys: no use retrying
            log.warning("cannot encrypt for %s: %s", urlsplit(info["endpoint"]).netloc, exc)
            return 400
        except endpoints.EndpointRefused as exc:  # not a push service we may contact
            log.warning("push endpoint refused (%s): %s", urlsplit(info["endpoint"]).hostname,
                        exc)
            return REFUSED
        except (requests.Timeout, requests.ConnectionError, socket.gaierror) as exc:
            raise Retry(type(exc).__name__) from exc
        status = int(response.status_code)
        if status <= 202:
            return status
        if status == 429 or status >= 500:
            raise Retry(f"HTTP {status}",
                        _retry_after(response.headers.get("Retry-After")))
        if 300 <= status < 400:
            # A redirect is never followed: the push service must take the message itself.
            log.warning("push redirect (%s) from %s not followed", status,
                        urlsplit(info["endpoint"]).netloc)
        elif status not in (404, 410):
            log.warning("push refused (%s) by %s", status, urlsplit(info["endpoint"]).netloc)
        return status

    def _vapid_headers(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for this push service, signed once an hour per origin
        (aud is the origin, port included; the token is valid for 12 hours)."""
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        cached = self._signed.get(origin)
        if cached is None or cached[0] < now:
            # py_vapid may write into the claims it gets: a fresh dict every time.
            claims = {"sub": self.subject, "aud": origin, "exp": int(now) + 12 * 3600}
            cached = (now + 3600, dict(self.vapid.sign(claims)))
            self._signed[origin] = cached
        return cached[1]

    # --- loops ----------------------------------------------------------------------------------

    def run(self, stop: threading.Event, poll: float = 0.2,
            on_idle: Callable[[], None] | None = None) -> None:
        """Until `stop`: work while there is work, else wait `poll` seconds or a wake-up.
        `on_idle` is called once, the first time the worker has nothing to do."""
        with self.app.app_context():
            while not stop.is_set():
                try:
                    busy = self.run_once()
                except Exception:  # noqa: BLE001 (a database blip must not end the loop)
                    log.exception("push worker round failed")
                    transaction.rollback()
                    db.session.remove()
                    busy = 0
                if not busy:
                    if on_idle is not None:
                        on_idle()
                        on_idle = None
                    outbox.WAKE.wait(poll)
                    outbox.WAKE.clear()


def listen(app: Flask, stop: threading.Event, wake: threading.Event | None = None,
           retry: float = 5.0) -> threading.Event | None:
    """On PostgreSQL: a thread that LISTENs on the outbox channel and sets `wake` (the
    worker's event) on each NOTIFY, so a worker in another process than the web app starts
    within milliseconds of the commit; polling stays as the fallback. A lost connection is
    opened again after `retry` seconds, and `wake` is set then, in case something was
    committed while nobody listened. Returns an event set once the first LISTEN is in place;
    None on SQLite, where only polling (and the in-process wake-up) exists."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return None
    ready = threading.Event()
    # The engine's own connection arguments (host, user, SSL…), on a connection of its own
    # outside the pool: it is held for as long as the worker runs.
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    target = wake if wake is not None else outbox.WAKE

    def loop() -> None:
        import psycopg

        first = True
        while not stop.is_set():
            try:
                with psycopg.connect(*cargs, **{**cparams, "autocommit": True}) as conn:
                    conn.execute(f"LISTEN {outbox.CHANNEL}")
                    if not first:
                        target.set()
                    first = False
                    ready.set()
                    while not stop.is_set():
                        for _note in conn.notifies(timeout=1.0):
                            target.set()
            except psycopg.Error as exc:
                log.warning("outbox listener lost its connection (%s); polling meanwhile",
                            type(exc).__name__)
                stop.wait(retry)

    threading.Thread(target=loop, daemon=True, name="motcua-outbox-listen").start()
    return ready


def start_thread(app: Flask, poll: float = 0.2) -> threading.Event:
    """The embedded worker for `make run`: a daemon thread. Returns its stop event."""
    stop = threading.Event()
    thread = threading.Thread(target=Worker(app).run, args=(stop, poll), daemon=True,
                              name="motcua-push-worker")
    thread.start()
    return stop


@click.command("worker")
@click.option("--poll", default=0.2, show_default=True, help="Seconds between idle polls.")
@click.option("--batch", default=50, show_default=True)
@click.option("--lease", default=60.0, show_default=True,
              help="Seconds a claimed notification stays with this worker.")
@click.option("--base-delay", default=5.0, show_default=True,
              help="First retry delay in seconds (doubles each attempt).")
@click.option("--once", is_flag=True, help="Process what is due now, then exit.")
@with_appcontext
def worker_command(poll: float, batch: int, lease: float, base_delay: float, once: bool
                   ) -> None:
    """Deliver web push notifications from the outbox (run one or several)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = Worker(app, Policy(batch=batch, lease=lease, base_delay=base_delay))
    click.echo(f"push worker {worker.name} started", err=True)
    if once:
        while worker.run_once():
            pass
        return
    stop = threading.Event()
    woken_by = f"polling every {poll:g} s"
    listening = listen(app, stop)
    if listening is not None and listening.wait(10):
        woken_by = f"LISTEN {outbox.CHANNEL}, polling every {poll:g} s as a fallback"

    def idle() -> None:
        click.echo(f"push worker {worker.name} idle ({woken_by})", err=True)

    try:
        worker.run(stop, poll, on_idle=idle)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()


def due_count(now: datetime | None = None) -> int:
    """Pending notifications due now (for tests and the back office)."""
    return len(db.session.scalars(select(Notification.id).where(
        Notification.status == PENDING,
        Notification.next_attempt_at <= (now or utcnow()))).all())
