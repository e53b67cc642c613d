"""One deployment of Motcua for a drill, made of parts the drill may cut: its own
PostgreSQL, a file store in SeaweedFS (its own server, or a prefix of the session's), and the
app as gunicorn processes and CLI commands. Only this module and tests/drills/conftest.py
know how the parts start, so the drills can move onto the cluster harness unchanged."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from app.extensions import db
from tests.app_process import REPO, app_env, gunicorn, wait_until_serving, web_processes
from tests.conftest import S3_BUCKET
from tests.factories.apps import make_app
from tests.pg_server import PostgresServer, stop_process
from tests.s3_server import SeaweedServer


@dataclass
class Deployment:
    pg: PostgresServer
    s3: SeaweedServer
    tmp: Path
    prefix: str = field(default_factory=lambda: f"d-{uuid.uuid4().hex[:12]}")
    extra: dict[str, str] = field(default_factory=dict)
    store_port: int | None = None  # reach the store through this port (a drill's relay)

    @property
    def database_url(self) -> str:
        return self.pg.url

    @property
    def store_env(self) -> dict[str, str]:
        env = self.s3.env(S3_BUCKET, self.prefix)
        if self.store_port:
            env["FILE_STORE_URL"] = env["FILE_STORE_URL"].replace(
                self.s3.endpoint, f"http://127.0.0.1:{self.store_port}")
        return env

    def env(self, **extra: str) -> dict[str, str]:
        """The environment every process of this deployment runs with. Each simulated
        citizen sends its own X-Forwarded-For, so one proxy hop is trusted."""
        return app_env(self.database_url, self.tmp, TRUSTED_PROXY_HOPS="1",
                       **self.store_env, **self.extra, **extra)

    def app(self) -> Flask:
        """An app object on this deployment's database and store, for the drill's own reads
        and set-up (the AWS credentials are in the environment: see conftest)."""
        return make_app(self.database_url, self.tmp / "drill-uploads",
                        SETTINGS={"file_store_url": self.store_env["FILE_STORE_URL"]})

    def create_schema(self) -> None:
        app = self.app()
        with app.app_context():
            db.create_all()
            db.session.commit()
            db.engine.dispose()

    @contextlib.contextmanager
    def web(self, count: int = 2, **extra: str) -> Iterator[list[str]]:
        with web_processes(self.env(**extra), count) as urls:
            yield urls

    @contextlib.contextmanager
    def servers(self, count: int = 2) -> Iterator[list[tuple[subprocess.Popen[Any], str]]]:
        """Like `web`, with each server's process, for a drill that kills one."""
        started = [gunicorn(self.env()) for _ in range(count)]
        try:
            for process, url in started:
                wait_until_serving(process, url)
            yield started
        finally:
            for process, _url in started:
                stop_process(process)

    def flask(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """`flask --app wsgi ARGS` as an operator runs it on this deployment."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                              cwd=REPO, env=self.env(**extra), capture_output=True,
                              text=True, check=False, timeout=300)


def counts(app: Flask, *models: Any) -> dict[str, int]:
    """Rows of each model, counted by the drill itself."""
    from sqlalchemy import func, select

    with app.app_context():
        return {m.__tablename__: int(db.session.scalar(select(func.count()).select_from(m))
                                     or 0) for m in models}


@dataclass(frozen=True)
class Seeded:
    """What the drills' clients need: the commune with a bank account and its fee
    procedure (tests.factories.payments), whose documents each submission photographs."""

    pay: Any  # tests.factories.payments.PayWorld
    procedure_code: str
    documents: list[int]
    agency: str = "tanhong"
    village: str = "tanhong-thon1"


def seed(app: Flask) -> Seeded:
    from app.procedures.models import Procedure
    from tests.factories.payments import make_pay_world

    pay = make_pay_world(app)
    with app.app_context():
        procedure = db.session.get(Procedure, pay.procedure_id)
        assert procedure is not None
        return Seeded(pay, procedure.code, [d.id for d in procedure.documents])


def kill_hard(process: subprocess.Popen[Any]) -> list[int]:
    """`kill -9` a gunicorn and its workers at once, as a host that dies: what was in
    flight is cut off mid-way. The pids killed."""
    pid = process.pid
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    killed = []
    for child in [int(c) for c in children] + [pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
            killed.append(child)
    process.wait(10)
    return killed
