"""Test harness: real SQLite or a real PostgreSQL started here, a live server, Chromium.

Run on PostgreSQL with `pytest --db=postgresql` (a server is started on 127.0.0.1) or with
TEST_DATABASE_URL pointing at one. `--store=s3` keeps every app's files in a SeaweedFS
server started here (S3 API on 127.0.0.1), each test under its own prefix. In CI a missing
tool fails the run; locally the tests that need it are skipped with the reason printed.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, create_engine, event, inspect, select, text
from werkzeug.serving import make_server

from app.core.vntime import vietnam_today
from app.extensions import db, limiter
from app.places.models import Village
from tests import factories as f
from tests.factories.apps import make_app
from tests.factories.payments import PayWorld, make_pay_world
from tests.factories.push import VAPID_KEY
from tests.factories.world import World, make_world
from tests.oidc_fixture import oidc_env, oidc_live_server, oidc_provider  # noqa: F401
from tests.push_service import PushService

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"
S3_BUCKET = "motcua-tests"
# Keeps Chromium off the closed network (no update, sync or background requests).
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default=os.environ.get("MOTCUA_TEST_DB", "sqlite"),
                     choices=("sqlite", "postgresql"), help="database backend for the suite")
    parser.addoption("--store", default=os.environ.get("MOTCUA_TEST_STORE", "local"),
                     choices=("local", "s3"),
                     help="file store of every app: local disk, or S3 on a SeaweedFS started "
                          "for the session")


# Fixtures that serve the app to other threads or processes: what they read must be committed.
_COMMITTED_FIXTURES = {"live_server", "oidc_live_server", "page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests served over real HTTP (live server, browser) need committed data: mark them.

    Browser tests check what the phone does, which no database changes: they run once, in
    the SQLite pass, and the PostgreSQL pass leaves them out."""
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        if browser_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
    if config.getoption("--db") == "postgresql":
        browser = [item for item in items if item.get_closest_marker("browser")]
        if browser:
            config.hook.pytest_deselected(items=browser)
            items[:] = [item for item in items if not item.get_closest_marker("browser")]
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if (names & _COMMITTED_FIXTURES or item.get_closest_marker("browser")) \
                and not item.get_closest_marker("committed"):
            item.add_marker(pytest.mark.committed)


def need(reason: str) -> None:
    """A tool the test needs is missing: fail in CI, skip (with the reason) locally."""
    if IN_CI:
        pytest.fail(f"required tool missing in CI: {reason}")
    pytest.skip(reason)


def _served(start: Any, unavailable: type[Exception]) -> Iterator[str]:
    """A server this run starts (`start()` gives one with `.url` and `.stop()`): its URL
    for the session; a missing tool skips locally and fails in CI."""
    try:
        server = start()
    except unavailable as exc:
        need(str(exc))
        return
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


# The PostgreSQL server this run started for the session, kept for the replica fixture.
_PG_PRIMARY = pytest.StashKey[Any]()


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory,
                 request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given.replace("postgresql://", "postgresql+psycopg://", 1)
        return
    from tests import pg_server

    def start() -> pg_server.PostgresServer:
        server = request.config.stash[_PG_PRIMARY] = pg_server.start()
        return server

    yield from _served(start, pg_server.PostgresUnavailable)


@pytest.fixture(scope="session")
def pg_primary(backend: str, database_url: str, request: pytest.FixtureRequest) -> Any:
    """The session's PostgreSQL server (a tests/pg_server.PostgresServer), to copy from.
    The SQLite pass legitimately has none: skipped there, whatever CI says."""
    if backend != "postgresql":
        pytest.skip("needs PostgreSQL (the SQLite pass has no replica)")
    server = request.config.stash.get(_PG_PRIMARY, None)
    if server is None:
        need("TEST_DATABASE_URL names a server this run did not start: no replica copies it")
    return server


@pytest.fixture(scope="session")
def replica_url(pg_primary: Any) -> Iterator[str]:
    """A hot standby streaming from the session's PostgreSQL (pg_basebackup -R): its URL."""
    from tests import pg_server

    yield from _served(lambda: pg_server.start_replica(pg_primary),
                       pg_server.PostgresUnavailable)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throw-away Redis on 127.0.0.1 (tests/redis_server.py), for shared rate limits."""
    from tests import redis_server

    yield from _served(redis_server.start, redis_server.RedisUnavailable)


@pytest.fixture(scope="session")
def seaweed() -> Iterator[Any]:
    """A SeaweedFS server (S3 on 127.0.0.1) with the bucket `motcua-tests`, started on first
    use and stopped at the end of the session."""
    from tests import s3_server

    try:
        server = s3_server.start()
    except s3_server.SeaweedUnavailable as exc:
        need(str(exc))
        return
    try:
        server.create_bucket(S3_BUCKET)
        yield server
    finally:
        server.stop()



@pytest.fixture(scope="session", autouse=True)
def _file_store(request: pytest.FixtureRequest) -> Iterator[str]:
    """With --store=s3, every app the tests make (through the environment, as production
    reads it) keeps its files in the session's SeaweedFS; `app` gives each test a prefix."""
    if request.config.getoption("--store") != "s3":
        yield "local"
        return
    server = request.getfixturevalue("seaweed")
    saved = {k: os.environ.get(k) for k in ("FILE_STORE_URL", "AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(server.env(S3_BUCKET, "shared"))
    try:
        yield "s3"
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def s3_url(seaweed: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """A FILE_STORE_URL on the session's SeaweedFS under a prefix of this test's own (5 MB
    multipart parts, AES256 server-side encryption), whatever --store says."""
    env = seaweed.env(S3_BUCKET, f"t-{uuid.uuid4().hex}", sse="AES256", multipart_mb="5")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env["FILE_STORE_URL"]


@pytest.fixture(scope="module")
def s3_env(seaweed: Any) -> dict[str, str]:
    """FILE_STORE_URL and its credentials for processes a module starts: the session's
    bucket (a new bucket would need new volumes of SeaweedFS), a prefix of the module's own."""
    return dict(seaweed.env(S3_BUCKET, f"m-{uuid.uuid4().hex}"))


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Run the test once with each file store."""
    return str(request.param)


@pytest.fixture
def store_app(app: Flask, store_kind: str, tmp_path: Path,
              request: pytest.FixtureRequest) -> Flask:
    """The test app on a local folder or on S3 (SeaweedFS), as `store_kind` says."""
    if store_kind == "local":
        return f.use_file_store(app, f"file://{tmp_path / 'store'}")
    return f.use_file_store(app, request.getfixturevalue("s3_url"))


def own_prefix(url: str) -> str:
    """The session's FILE_STORE_URL with a prefix of the test's own."""
    head, _sep, query = url.partition("?")
    bucket = head.removeprefix("s3://").split("/", 1)[0]
    return f"s3://{bucket}/t-{uuid.uuid4().hex}?{query}"


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Create the schema once per session (the migration itself is tested separately)."""
    app = make_app(database_url, tmp_path_factory.mktemp("uploads"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.commit()
        db.engine.dispose()
    return database_url


# --- one rolled-back transaction per test ----------------------------------------------
#
# A test that is not marked `committed` runs on one connection holding an outer transaction
# that is rolled back at the end. Every session of its app (one per app context: each test
# client request, each `with app.app_context()`) joins that connection with a savepoint, so
# the app's own `commit()` only releases a savepoint (SQLAlchemy's "Joining a Session into
# an External Transaction"). Sequences are not rolled back: ids do not restart at 1.

_TEST_CONNECTION = "motcua.test_connection"


class _TestSession(FlaskSession):
    """Flask-SQLAlchemy's session, on the test's connection when its app has one."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None,
                 **kwargs: Any) -> Any:
        if bind is None:
            connection = current_app.extensions.get(_TEST_CONNECTION)
            if connection is not None:
                return connection
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


# As `SQLAlchemy(session_options=...)` would make it; `db.session` is looked up at each use.
db.session = db._make_scoped_session(
    {"class_": _TestSession, "join_transaction_mode": "create_savepoint"})


def _sqlite_savepoints(engine: Any) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT: let SQLAlchemy emit BEGIN."""
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = [t.name for t in db.metadata.sorted_tables]
            conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            shadow = re.compile(r".*_(data|idx|content|docsize|config)$")
            for name in inspect(conn).get_table_names():
                if not shadow.match(name) and not name.startswith("sqlite_"):
                    conn.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 (own table names)
    engine.dispose()


@pytest.fixture
def app(_schema: str, _file_store: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> Iterator[Flask]:
    """A fresh app on the session's schema; what the test wrote is gone afterwards.

    No app context is held during the test: each client request gets its own, as in
    production. Tests that read the database open one: `with app.app_context(): ...`.
    Unmarked tests run inside one transaction rolled back at the end (see `_TestSession`);
    tests marked `committed` really commit, and the tables are emptied afterwards.
    """
    committed = request.node.get_closest_marker("committed") is not None
    store: dict[str, Any] = {}
    if _file_store == "s3":
        store = {"file_store_url": own_prefix(os.environ["FILE_STORE_URL"])}
    application = make_app(_schema, tmp_path / "uploads", SETTINGS=store)
    connection = outer = None
    with application.app_context():
        limiter.reset()  # rate-limit counters must not leak from one test into the next
        if not committed:
            if db.engine.dialect.name == "sqlite":
                _sqlite_savepoints(db.engine)
            connection = db.engine.connect()
            outer = connection.begin()
            application.extensions[_TEST_CONNECTION] = connection
    yield application
    with application.app_context():
        db.session.remove()
        if connection is not None and outer is not None:
            application.extensions.pop(_TEST_CONNECTION)
            assert outer.is_active, "the test's outer transaction ended before the test did"
            outer.rollback()
            connection.close()
        db.engine.dispose()
    if committed:
        _empty_all_tables(_schema)


@pytest.fixture
def client(app: Flask):  # noqa: ANN201
    return app.test_client()


@pytest.fixture
def demo(app: Flask) -> Any:
    """The demo communes, villages, procedures and officers, as `flask seed-demo` loads them."""
    from app.places.demo import load_demo

    with app.app_context():
        result = load_demo()
        db.session.commit()
    return result


@pytest.fixture
def world(app: Flask) -> World:
    """Two communes, the test procedures and one officer per role (tests.factories.world)."""
    return make_world(app)


@pytest.fixture
def pay_world(app: Flask) -> PayWorld:
    """A commune with a bank account and a fee procedure (tests.factories.payments)."""
    return make_pay_world(app)


@pytest.fixture
def push_app(app: Flask) -> Flask:
    """The test app with a known VAPID key (nothing written to the instance folder), and
    the local push service on 127.0.0.1 let through by the test-only setting."""
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"],
                                               vapid_private_key=VAPID_KEY,
                                               push_test_hosts=("127.0.0.1",))
    return app


@pytest.fixture
def push_service() -> Iterator[PushService]:
    """The local push service that decrypts what the worker sends."""
    service = PushService().start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on 127.0.0.1 in a thread, for the browser and benches."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        need(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is not installed")
    pw = sync_playwright().start()
    chromium = pw.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
    )
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, locale="vi-VN")
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def commune(app: Flask) -> dict[str, Any]:
    """Two communes with officers and one dossier in each queue, for back-office pages."""
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        proc = f.procedure([home, other])
        proc2 = f.procedure([home], code="1.000002", name="Chứng thực chữ ký",
                            field="Chứng thực")
        desk = f.officer(home, "receiving")
        specialist = f.officer(home, "specialist")
        admin = f.officer(home, "commune_admin")
        f.officer(other, "receiving")
        village = db.session.scalar(select(Village).where(Village.code == "tanhong-thon2"))
        today = vietnam_today()
        made = {
            "waiting": f.dossier(home, proc, "submitted", name="Trần Văn Đức",
                                 phone="0987654321", village=village),
            "overdue": f.dossier(home, proc, "in_progress", name="Lê Thị Ánh",
                                 due_date=today - timedelta(days=2),
                                 assigned_officer_id=specialist.id),
            "soon": f.dossier(home, proc2, "received", name="Phạm Quốc Huy",
                              due_date=today, channel="counter"),
            "later": f.dossier(home, proc, "awaiting_approval", name="Đỗ Minh Châu",
                               due_date=today + timedelta(days=20)),
            "ready": f.dossier(home, proc, "result_ready", name="Vũ Thị Hằng"),
            "supplement": f.dossier(home, proc, "needs_supplement", name="Bùi Văn Nam"),
            "theirs": f.dossier(other, proc, "submitted", name="Trần Văn Đức",
                                phone="0987654321"),
        }
        image = f.attach_image(made["waiting"])
        db.session.commit()
        return {"codes": {k: d.code for k, d in made.items()}, "file_id": image.id,
                "desk": desk.username, "admin": (admin.username, admin.totp_secret),
                "specialist": specialist.username, "village_id": village.id,
                "proc2_id": proc2.id, "home_id": home.id, "proc_id": proc.id}


@pytest.fixture
def posts(app: Flask) -> Iterator[list[tuple[str, int]]]:
    """(path, body bytes) of every POST the live server receives."""
    seen: list[tuple[str, int]] = []
    inner = app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] == "POST":
            seen.append((environ["PATH_INFO"], int(environ.get("CONTENT_LENGTH") or 0)))
        return inner(environ, start_response)

    app.wsgi_app = recording  # type: ignore[method-assign]
    yield seen
    app.wsgi_app = inner  # type: ignore[method-assign]
