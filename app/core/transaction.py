"""The one transaction boundary: a request, a CLI command or a worker batch commits once.

Services only add and flush. A request commits in `after_request` when its answer is not an
error, and rolls back otherwise; CLI commands and the push worker call `commit()` at the
end of their unit. Side effects that must not outlive a rolled-back transaction (waking the
push worker, deleting the files of a failed upload) are registered with `after_commit` and
`on_rollback` and run only once the outcome is known.

This is the only module of `app/` that calls `Session.commit()`; a test keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, g
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.core.errors import DATABASE_DOWN, database_unavailable
from app.extensions import db

_AFTER_COMMIT = "motcua_after_commit"
_ON_ROLLBACK = "motcua_on_rollback"
_KEEP_FLAG = "motcua_keep_on_refusal"

Callback = Callable[[], None]


def _session(session: Session | None) -> Session:
    return session if session is not None else db.session()


def commit(session: Session | None = None) -> None:
    """Commit the unit of work; on failure roll it back (running its rollback hooks) and
    re-raise."""
    target = _session(session)
    try:
        target.commit()
    except BaseException:
        target.rollback()
        raise


def rollback(session: Session | None = None) -> None:
    _session(session).rollback()


def after_commit(callback: Callback, session: Session | None = None) -> None:
    """Run `callback` once the current transaction has committed; forgotten on rollback."""
    _session(session).info.setdefault(_AFTER_COMMIT, []).append(callback)


def on_rollback(callback: Callback, session: Session | None = None) -> None:
    """Run `callback` if the current transaction is rolled back; forgotten on commit."""
    _session(session).info.setdefault(_ON_ROLLBACK, []).append(callback)


def keep_on_refusal() -> None:
    """This request's writes stand even though it answers with an error: failure counters
    and the record of a refused attempt must survive the refusal they record."""
    g.setdefault(_KEEP_FLAG, True)


def _run(callbacks: list[Callback]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 (one failed side effect must not stop the others)
            from flask import current_app

            current_app.logger.exception("post-transaction callback failed")


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    if callbacks:
        _run(callbacks)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint inside the unit: the outer transaction still decides
    session.info.pop(_AFTER_COMMIT, None)
    callbacks = session.info.pop(_ON_ROLLBACK, [])
    if callbacks:
        _run(callbacks)


def init_app(app: Flask) -> None:
    @app.after_request
    def _finish_unit(response: Response) -> Response:
        # Registered first, so it runs after every blueprint's and feature's own hooks.
        if response.status_code < 400 or g.get(_KEEP_FLAG):
            try:
                commit()
            except DATABASE_DOWN as exc:
                # Lost with the connection: answer as any request that met the outage.
                return database_unavailable(exc)
        else:
            rollback()
        return response

    @app.teardown_request
    def _abandon(_exc: BaseException | None) -> None:
        # An exception that escaped before after_request: nothing of it is kept.
        session = db.session()
        if session.in_transaction():
            session.rollback()
