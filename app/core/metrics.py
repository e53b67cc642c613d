"""Operators' metrics at GET /metrics, in Prometheus text format (prometheus-client).

Two kinds of figure, so that any gunicorn worker answering a scrape gives the whole picture:

- Counted in the process where they happen (HTTP responses by status, webhook rejections,
  file store errors). Under gunicorn each worker is its own process: with
  PROMETHEUS_MULTIPROC_DIR set (deploy/gunicorn.conf.py sets it, and empties it at start)
  prometheus-client's multiprocess mode keeps each process's counters in files there and
  the scrape adds them up.
- Read from the database at scrape time (outbox depth and age, push delivery failures): the
  push workers are separate processes that nobody scrapes, and the rows are the truth.

The endpoint is for operators only: it answers 404, as for a page that does not exist,
unless the request carries `Authorization: Bearer <METRICS_TOKEN>`; with no METRICS_TOKEN it
is always 404.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from app.core.models import utcnow
from app.extensions import db

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# This process's own counters (written to PROMETHEUS_MULTIPROC_DIR in multiprocess mode).
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("motcua_http_requests", "HTTP responses sent, by status code", ["status"],
                   registry=REGISTRY)
WEBHOOK_REJECTIONS = Counter("motcua_webhook_rejections",
                             "Bank notices refused by the payment webhooks, by reason",
                             ["reason"], registry=REGISTRY)
STORAGE_ERRORS = Counter("motcua_storage_errors", "Dossier file store operations that failed",
                         ["operation"], registry=REGISTRY)
REPLICA_FALLBACKS = Counter("motcua_replica_fallbacks",
                            "Requests whose public figures were read from the primary because "
                            "the database replica could not be reached", registry=REGISTRY)


class CountedStore:
    """A file store whose failures are counted (and still raised). A bad key (ValueError) or
    a missing one (FileNotFoundError) is the caller's case, not the store's: not counted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def _call(self, operation: str, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except (ValueError, FileNotFoundError):
            raise
        except Exception:
            STORAGE_ERRORS.labels(operation=operation).inc()
            raise

    def put_file(self, src_path: Any, ext: str) -> str:
        return str(self._call("put", self.inner.put_file, src_path, ext))

    def put_bytes(self, data: bytes, ext: str) -> str:
        return str(self._call("put", self.inner.put_bytes, data, ext))

    def put_stream(self, src: BinaryIO, ext: str) -> str:
        return str(self._call("put", self.inner.put_stream, src, ext))

    def put_as(self, key: str, src: BinaryIO) -> None:
        self._call("put", self.inner.put_as, key, src)

    def open(self, key: str) -> BinaryIO:
        opened: BinaryIO = self._call("open", self.inner.open, key)
        return opened

    def read(self, key: str) -> Any:
        return self._call("open", self.inner.read, key)

    def delete(self, key: str) -> None:
        self._call("delete", self.inner.delete, key)

    def exists(self, key: str) -> bool:
        return bool(self._call("exists", self.inner.exists, key))

    def entries(self) -> Iterator[Any]:
        listing = self._call("list", self.inner.entries)
        while True:  # a listing fails page by page, while it is read
            try:
                entry = self._call("list", next, listing)
            except StopIteration:
                return
            yield entry

    def remove_entry(self, entry: Any) -> None:
        self._call("delete", self.inner.remove_entry, entry)

    def __getattr__(self, name: str) -> Any:  # anything else the store offers (path, …)
        return getattr(self.inner, name)


class _DatabaseFigures:
    """Collected at each scrape from the rows themselves."""

    def collect(self) -> Iterator[Metric]:
        from app.notifications.models import Delivery, Notification, NotificationStatus

        pending = Notification.status == NotificationStatus.PENDING.value
        depth, oldest, retrying = db.session.execute(select(
            func.count(Notification.id), func.min(Notification.created_at),
            func.count(Notification.id).filter(Notification.attempts > 0)).where(pending)).one()
        yield GaugeMetricFamily("motcua_outbox_depth", "Notifications waiting to be pushed",
                                value=depth)
        age = (utcnow() - _aware(oldest)).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily("motcua_outbox_oldest_age_seconds",
                                "Age of the oldest notification waiting (0 when none)",
                                value=max(0.0, age))
        yield GaugeMetricFamily("motcua_outbox_retrying",
                                "Waiting notifications that failed at least once", value=retrying)
        refused = db.session.scalar(select(func.count(Delivery.id))
                                    .where(Delivery.status == "failed")) or 0
        given_up = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.status == NotificationStatus.FAILED.value)) or 0
        failures = CounterMetricFamily("motcua_push_delivery_failures",
                                       "Pushes that failed: refused by the push service, or "
                                       "given up after the last retry", labels=["kind"])
        failures.add_metric(["refused"], refused)
        failures.add_metric(["given_up"], given_up)
        yield failures


def _aware(moment: Any) -> Any:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def exposition() -> bytes:
    """Every figure, as Prometheus reads them (needs an app context for the database)."""
    counted: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        MultiProcessCollector(counted)  # the sum over every process of this deployment
    from_rows = CollectorRegistry()
    from_rows.register(_DatabaseFigures())
    return generate_latest(counted) + generate_latest(from_rows)


def _allowed() -> bool:
    token = current_app.config["MOTCUA"].metrics_token
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _view() -> Response:
    if not _allowed():
        abort(404)
    response = Response(exposition(), content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


class _CountResponses:
    """WSGI middleware: the status each response really goes out with, errors included."""

    def __init__(self, inner: Callable[..., Iterable[bytes]]) -> None:
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        def counting(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            REQUESTS.labels(status=status.split(" ", 1)[0]).inc()
            return start_response(status, headers, *exc)

        return self.inner(environ, counting)


def init_app(app: Flask) -> None:
    app.add_url_rule("/metrics", "metrics", _view, methods=["GET"])
    app.wsgi_app = _CountResponses(app.wsgi_app)  # type: ignore[method-assign]
