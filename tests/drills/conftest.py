"""Reliability drills (issue 19): a part of a deployment is killed or cut while real clients
use it, and what the citizens, the bank and the operator rely on is checked afterwards.

They run in the PostgreSQL pass only (the SQLite pass deselects them: an embedded
deployment has no servers to cut). Each drill prints its figures to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import pg_server, s3_server
from tests.conftest import S3_BUCKET, need
from tests.drills.deployment import Deployment

DRILLS = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if DRILLS in Path(str(item.path)).parents]
    if config.getoption("--db") != "postgresql":
        if ours:
            config.hook.pytest_deselected(items=ours)
            items[:] = [item for item in items if item not in ours]
        return
    for item in ours:
        item.add_marker(pytest.mark.committed)


@pytest.fixture
def figures(capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
            ) -> Callable[..., None]:
    """figures(what=value, ...): one line of the drill's figures, shown even under capture."""
    name = request.node.name.removeprefix("test_")

    def show(**values: Any) -> None:
        line = ", ".join(f"{k.replace('_', ' ')}={v}" for k, v in values.items())
        with capsys.disabled():
            print(f"\n[drill {name}] {line}", flush=True)

    return show


def _start_postgres() -> pg_server.PostgresServer:
    try:
        return pg_server.start()
    except pg_server.PostgresUnavailable as exc:
        need(str(exc))
        raise


def _start_seaweed() -> s3_server.SeaweedServer:
    try:
        server = s3_server.start()
        server.create_bucket(S3_BUCKET)
    except s3_server.SeaweedUnavailable as exc:
        need(str(exc))
        raise
    return server


@pytest.fixture
def start_seaweed() -> Iterator[Callable[[], s3_server.SeaweedServer]]:
    """Start a SeaweedFS of the drill's own (one it may stop, or a fresh one to restore
    into); all stopped afterwards."""
    started: list[s3_server.SeaweedServer] = []

    def start() -> s3_server.SeaweedServer:
        started.append(_start_seaweed())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def make_deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seaweed: Any
                    ) -> Iterator[Callable[..., Deployment]]:
    """make_deployment(s3=None, schema=True, extra_env=None, store_port=None): a deployment
    on a fresh PostgreSQL (with the schema unless told), its files in `s3` (default: a
    prefix of the shared SeaweedFS, reached through `store_port` if given), its processes'
    environment extended by `extra_env`."""
    servers: list[pg_server.PostgresServer] = []

    def make(s3: s3_server.SeaweedServer | None = None, schema: bool = True,
             extra_env: dict[str, str] | None = None,
             store_port: int | None = None) -> Deployment:
        pg = _start_postgres()
        servers.append(pg)
        deployment = Deployment(pg=pg, s3=s3 or seaweed,
                                tmp=tmp_path / f"deployment{len(servers)}",
                                extra=dict(extra_env or {}), store_port=store_port)
        deployment.tmp.mkdir()
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(name, deployment.store_env[name])
        if schema:
            deployment.create_schema()
        return deployment

    yield make
    for pg in servers:
        pg.stop()


@pytest.fixture
def deployment(make_deployment: Callable[..., Deployment]) -> Deployment:
    return make_deployment()
