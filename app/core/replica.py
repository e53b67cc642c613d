"""Where public figures are read: the read replica (DATABASE_REPLICA_URL) when there is one.

Public statistics and catalogue search are the same for every visitor and may be a few
seconds old, so they read a streaming replica and leave the primary to the desks and the
citizens. Everything else (writes, the hall display, a citizen's own dossier, the back
office) keeps using `db.session`, on the primary, and never reads anything stale.

The replica session is read-only twice over: it refuses to flush, and its transactions
are PostgreSQL READ ONLY (a hot standby refuses writes anyway; this code must not try).
It lives for one request (or app context) and is closed when that ends; it never commits.

A replica that cannot be reached does not take the public pages down: the request reads
the primary instead, a warning is logged (the error's kind only: no address, no person)
and `motcua_replica_fallbacks` counts every request so served in /metrics. The process
then leaves the replica alone for RETRY_SECONDS before trying it again: a vanished host
would otherwise cost every public page the connect timeout, and the log a line each.
A replica that fails in the middle of a request (after it connected) fails that request.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.config import REPLICA_BIND
from app.core.metrics import REPLICA_FALLBACKS
from app.extensions import db

_HELD = "motcua_public_session"
_DOWN_UNTIL = "motcua_replica_down_until"
RETRY_SECONDS = 10


class ReplicaWriteError(RuntimeError):
    """Something tried to write through the session of public reads."""


def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    raise ReplicaWriteError("the public reads session is read-only: write through db.session")


def _open_replica() -> Session | None:
    """A read-only session on the replica, connected; None when it cannot be reached."""
    if time.monotonic() < current_app.extensions.get(_DOWN_UNTIL, 0.0):
        return None
    engine = db.engines[REPLICA_BIND].execution_options(postgresql_readonly=True)
    session = Session(bind=engine, autoflush=False, expire_on_commit=False)
    event.listen(session, "before_flush", _refuse_flush)
    try:
        session.connection()  # connect now, so an unreachable replica is known here
    except DBAPIError as exc:
        session.close()
        current_app.extensions[_DOWN_UNTIL] = time.monotonic() + RETRY_SECONDS
        current_app.logger.warning(
            "database replica unreachable (%s); public figures read from the primary, "
            "replica tried again in %d s", type(exc.orig).__name__, RETRY_SECONDS)
        return None
    return session


def public_session() -> Session:
    """The session to read public figures from in this request: the replica's when one is
    configured and answers, else the primary's `db.session`. Read only through it."""
    if REPLICA_BIND not in current_app.config.get("SQLALCHEMY_BINDS", {}):
        return db.session()
    if _HELD not in g:
        opened = _open_replica()
        if opened is None:
            REPLICA_FALLBACKS.inc()
        setattr(g, _HELD, opened)
    held: Session | None = g.get(_HELD)
    return held if held is not None else db.session()


def _close(_exc: BaseException | None = None) -> None:
    held: Session | None = g.pop(_HELD, None)
    if held is not None:
        held.close()  # rolls the read-only transaction back: nothing to keep


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
