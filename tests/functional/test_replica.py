"""The read replica: public statistics and catalogue search read a real streaming standby
(pg_basebackup -R from the session's PostgreSQL), while a citizen's own dossier and the
hall display read the primary and are never stale.

Replication is held still with pg_wal_replay_pause() and waited for by comparing the
primary's WAL position with the replica's replayed one, never by sleeping."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.accounts.models import Officer
from app.core.replica import ReplicaWriteError, public_session
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.feedback import services
from app.feedback.models import Counter
from app.places.models import Agency
from app.procedures.models import Procedure
from app.procedures.search import index_procedure
from tests import pg_server
from tests.factories.apps import make_app
from tests.factories.pages import csrf_token
from tests.factories.procedures import procedure
from tests.factories.world import World, officer_move, submit

pytestmark = pytest.mark.committed

TOKEN = "replica-test-metrics-token-7Hq2"
CATCH_UP_BOUND = 60  # seconds: a stuck replica fails the test instead of hanging it


def _engine(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool)


def _caught_up(primary_url: str, replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary has written so far (the
    insert position: with synchronous_commit=off a commit may not be written out yet)."""
    with _engine(primary_url).connect() as conn:
        target = conn.scalar(text("SELECT pg_current_wal_insert_lsn()::text"))
    replica = _engine(replica_url)
    deadline = time.monotonic() + CATCH_UP_BOUND
    while True:
        with replica.connect() as conn:
            if conn.scalar(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"),
                           {"lsn": target}):
                return
        assert time.monotonic() < deadline, f"the replica never replayed up to {target}"
        time.sleep(0.02)


@contextmanager
def _replay_paused(replica_url: str) -> Iterator[None]:
    """The replica applies nothing more until the block ends (once a pause is requested,
    the standby checks it before each WAL record it would apply)."""
    with _engine(replica_url).connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
        assert conn.scalar(text("SELECT pg_get_wal_replay_pause_state()")) != "not paused"
    try:
        yield
    finally:
        with _engine(replica_url).connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))


def _reading_app(app: Flask, replica_url: str, upload_dir: Path) -> Flask:
    """An app of the same deployment (database, secret, file store) that reads public
    figures from `replica_url`."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], upload_dir,
                    SECRET_KEY=app.config["SECRET_KEY"],
                    SETTINGS={"database_replica_url": replica_url, "metrics_token": TOKEN,
                              "file_store_url": app.config["MOTCUA"].file_store_url})


@pytest.fixture
def reader(app: Flask, replica_url: str, tmp_path: Path) -> Iterator[Flask]:
    other = _reading_app(app, replica_url, tmp_path / "reader")
    yield other
    with other.app_context():
        for engine in db.engines.values():
            engine.dispose()


def _received_dossier(app: Flask, world: World) -> str:
    """An online dossier of Xã A submitted and received now (committed): its code."""
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == world.agency_slug))
        proc = db.session.scalar(select(Procedure).where(Procedure.code == world.procedure_code))
        dossier = Dossier(code="R1-2026", procedure=proc, agency=agency,
                          applicant_name="Người Thử", applicant_name_folded="nguoi thu",
                          citizen_id_number="001090123456", phone="0912345678",
                          channel="online", tracking_secret_hash="0" * 64)
        apply(dossier, "submit", Actor.citizen())
        db.session.add(dossier)
        db.session.flush()
        apply(dossier, "receive",
              Actor.for_officer(db.session.get(Officer, world.officers["receiving"])))
        db.session.commit()
    return "R1-2026"


def _finish_and_rate(app: Flask, world: World, code: str) -> None:
    """The specialist finishes the dossier the day it was received (early: it has three
    working days) and a citizen taps "satisfied" at the counter kiosk."""
    officer_move(app, code, "assign", world.officers["receiving"],
                 officer_id=world.officers["specialist"])
    officer_move(app, code, "mark_result_ready", world.officers["specialist"])
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == world.agency_slug))
        counter = Counter(agency_id=agency.id, name="Quầy 1",
                          officer_id=world.officers["receiving"])
        db.session.add(counter)
        db.session.flush()
        services.record_kiosk_rating(counter, str(uuid.uuid4()), "satisfied",
                                     world.officers["receiving"], None)
        db.session.commit()


def _figures(client: Any) -> dict[str, int]:
    response = client.get("/api/v1/stats/xa-a")
    assert response.status_code == 200
    total = response.get_json()["total"]
    return {k: total[k] for k in ("received", "finished", "finished_early", "rated_satisfied")}


def _finished_on_page(client: Any) -> str:
    html = client.get("/stats/xa-a").get_data(as_text=True)
    found = re.search(r'<b>Đã giải quyết</b><span class="big">(\d+)</span>', html)
    assert found, "the statistics page shows no finished count"
    return found.group(1)


def test_public_statistics_read_the_replica_and_catch_up_after_it(
        app: Flask, world: World, reader: Flask, replica_url: str) -> None:
    primary_url = app.config["SQLALCHEMY_DATABASE_URI"]
    code = _received_dossier(app, world)
    _caught_up(primary_url, replica_url)
    visitor = reader.test_client()
    before = {"received": 1, "finished": 0, "finished_early": 0, "rated_satisfied": 0}
    assert _figures(visitor) == before

    with _replay_paused(replica_url):
        _finish_and_rate(app, world, code)
        # The primary has it; the replica, held still, does not: the figures come from it.
        assert _figures(visitor) == before
        assert _finished_on_page(visitor) == "0"
        # The hall display reads the primary: live.
        live = visitor.get("/display/xa-a/live.json").get_json()
        assert live["today"]["finished"] == 1 and live["ready"] == ["R1-2026"]

    _caught_up(primary_url, replica_url)
    assert _figures(visitor) == {"received": 1, "finished": 1, "finished_early": 1,
                                 "rated_satisfied": 1}
    assert _finished_on_page(visitor) == "1"


def _search_codes(client: Any, q: str) -> list[str]:
    response = client.get("/api/v1/procedures", query_string={"q": q})
    assert response.status_code == 200
    return [item["code"] for item in response.get_json()["items"]]


def test_catalogue_search_reads_the_replica(app: Flask, world: World, reader: Flask,
                                            replica_url: str) -> None:
    primary_url = app.config["SQLALCHEMY_DATABASE_URI"]
    _caught_up(primary_url, replica_url)
    visitor = reader.test_client()
    assert _search_codes(visitor, "nuoi ong") == []

    with _replay_paused(replica_url):
        with app.app_context():
            commune = db.session.scalar(select(Agency).where(Agency.slug == world.agency_slug))
            index_procedure(procedure([commune], code="9.000042",
                                      name="Cấp giấy chứng nhận nuôi ong mật",
                                      field="Nông nghiệp"))
            db.session.commit()
        assert _search_codes(visitor, "nuoi ong") == []
        page = visitor.get("/procedures?q=nuoi+ong").get_data(as_text=True)
        assert "Không tìm thấy thủ tục nào" in page and "nuôi ong mật" not in page

    _caught_up(primary_url, replica_url)
    assert _search_codes(visitor, "nuoi ong") == ["9.000042"]
    page = visitor.get("/procedures?q=nuoi+ong").get_data(as_text=True)
    assert "Cấp giấy chứng nhận nuôi ong mật" in page


def test_a_citizens_own_dossier_is_fresh_while_the_replica_lags(
        app: Flask, world: World, reader: Flask, replica_url: str) -> None:
    _caught_up(app.config["SQLALCHEMY_DATABASE_URI"], replica_url)
    with _replay_paused(replica_url):
        phone = reader.test_client()
        code, secret = submit(phone, world)
        assert code in phone.get(f"/d/{code}/submitted?t={secret}").get_data(as_text=True)
        page = phone.get(f"/d/{code}?t={secret}")
        assert page.status_code == 200 and "Đã nộp – chờ tiếp nhận" in page.get_data(
            as_text=True)
        assert code in phone.get("/my").get_data(as_text=True)
        # Another phone tracks it by code and phone number: found at once.
        other = reader.test_client()
        token = csrf_token(other.get("/track").get_data(as_text=True))
        tracked = other.post("/track", data={"csrf_token": token, "code": code,
                                             "phone": "0912345678"})
        assert tracked.status_code == 302 and tracked.headers["Location"].endswith(
            f"/d/{code}")
        # The desk receives it: the hall display counts it now, and the citizen sees it.
        officer_move(app, code, "receive", world.officers["receiving"])
        assert other.get("/display/xa-a/live.json").get_json()["today"]["received"] == 1
        assert "Đã tiếp nhận" in phone.get(f"/d/{code}?t={secret}").get_data(as_text=True)
        # The public figures, from the held replica, do not have it yet.
        assert _figures(other)["received"] == 0


PUBLIC_FIGURES = ["/stats", "/stats/xa-a", "/stats/xa-a.csv", "/stats/tinh",
                  "/api/v1/stats/xa-a", "/api/v1/stats/tinh", "/procedures",
                  "/procedures?q=dang+ky", "/procedures?q=dang+ky&field=H%E1%BB%99+t%E1%BB%8Bch",
                  "/api/v1/procedures?q=dang+ky", "/api/v1/procedures"]


def test_public_figures_send_no_statement_to_the_primary(app: Flask, world: World,
                                                         reader: Flask, replica_url: str
                                                         ) -> None:
    _caught_up(app.config["SQLALCHEMY_DATABASE_URI"], replica_url)
    statements: list[str] = []
    with reader.app_context():
        primary = db.engines[None]

    def record(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        statements.append(sql)

    event.listen(primary, "before_cursor_execute", record)
    try:
        visitor = reader.test_client()
        for path in PUBLIC_FIGURES:
            assert visitor.get(path).status_code == 200, path
        assert statements == []
        # The counter-check: the hall display does read the primary.
        assert visitor.get("/display/xa-a/live.json").status_code == 200
        assert statements
    finally:
        event.remove(primary, "before_cursor_execute", record)


def test_the_replica_session_cannot_write(app: Flask, world: World, reader: Flask) -> None:
    with reader.test_request_context("/stats/xa-a"):
        reads = public_session()
        assert reads.scalar(text("SELECT pg_is_in_recovery()")) is True  # the standby
        reads.add(Agency(code="X", slug="xa-moi", name="Xã Mới", kind="commune"))
        with pytest.raises(ReplicaWriteError):
            reads.flush()
        reads.expunge_all()
        with pytest.raises(DBAPIError, match="read-only transaction"):
            reads.execute(text("UPDATE agencies SET name = 'Đổi tên'"))


def test_public_reads_never_write_even_on_a_writable_server(app: Flask, world: World,
                                                            backend: str, tmp_path: Path
                                                            ) -> None:
    """Pointed at a server that accepts writes (the primary itself; the production check
    refuses that, a development setup may not), the public reads still cannot write."""
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL (READ ONLY transactions)")
    reader = _reading_app(app, app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "reader")
    try:
        with reader.test_request_context("/stats/xa-a"):
            reads = public_session()
            assert reads.scalar(text("SELECT pg_is_in_recovery()")) is False
            with pytest.raises(DBAPIError, match="read-only transaction"):
                reads.execute(text("UPDATE agencies SET name = 'Đổi tên'"))
    finally:
        with reader.app_context():
            for engine in db.engines.values():
                engine.dispose()
    with app.app_context():
        assert db.session.scalar(select(Agency.name).where(Agency.slug == "xa-a")) == "Xã A"


def _fallbacks(client: Any) -> float:
    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True)
    found = re.search(r"^motcua_replica_fallbacks_total ([\d.]+)$", body, re.M)
    assert found, "/metrics has no replica fallback counter"
    return float(found.group(1))


def test_a_stopped_replica_leaves_the_statistics_on_the_primary(
        app: Flask, world: World, pg_primary: Any, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    try:
        replica = pg_server.start_replica(pg_primary)
    except pg_server.PostgresUnavailable as exc:
        pytest.fail(f"a second replica could not be started: {exc}")
    reader = _reading_app(app, replica.url, tmp_path / "reader")
    try:
        code = _received_dossier(app, world)
        _caught_up(app.config["SQLALCHEMY_DATABASE_URI"], replica.url)
        visitor = reader.test_client()
        assert _figures(visitor)["received"] == 1
        counted = _fallbacks(visitor)
        replica.stop()

        _finish_and_rate(app, world, code)
        with caplog.at_level(logging.WARNING):
            # Still answering, from the primary: the fresh figures.
            assert _figures(visitor) == {"received": 1, "finished": 1, "finished_early": 1,
                                         "rated_satisfied": 1}
            assert _finished_on_page(visitor) == "1"
        # One warning: after a failure the replica is left alone for a while, so the
        # page does not wait for it again and the log is not flooded.
        warnings = [r.getMessage() for r in caplog.records if "replica" in r.getMessage()]
        assert len(warnings) == 1 and "unreachable" in warnings[0]
        assert str(replica.port) not in warnings[0] and "R1-2026" not in warnings[0]
        assert _fallbacks(visitor) == counted + 2  # both requests: the JSON, then the page
    finally:
        replica.stop()
        with reader.app_context():
            for engine in db.engines.values():
                engine.dispose()
