"""The whole production topology on loopback, for `make cluster`, the cluster tests and the
reliability drills: PostgreSQL primary + streaming replica, Redis, SeaweedFS (S3), two
gunicorn app servers (deploy/gunicorn.conf.py), two push workers and nginx in front
(deploy/nginx.conf), the schema migrated and the demo seeded.

    with cluster() as c:
        c.url                   # nginx, what a citizen opens
        c.parts["app-1"].pid    # every process by name, with its URL and log
        c.primary.pid           # the PostgresServer objects, so a drill can stop or pause them

Everything is stopped in the reverse order of its start, always, by its own pid, and every
folder it made is removed.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests import pg_server, redis_server, s3_server
from tests.app_process import REPO, app_env, wait_until_serving
from tests.nginx_server import nginx
from tests.pg_server import PostgresServer, free_port, stop_process

BUCKET = "motcua"
APP_SERVERS = 2
PUSH_WORKERS = 2
MAX_BODY_MB = 41  # MAX_DOSSIER_MB (40) + 1 for the form fields, as the app caps a request
START_TIMEOUT = 120.0  # seconds for the whole start; each part has its own share of it


def missing_tools() -> list[str]:
    """What is not installed of what the cluster runs (empty when everything is there)."""
    missing = [f"{name} is not installed (apt-get install {package})"
               for name, package in (("nginx", "nginx"), ("redis-server", "redis-server"))
               if not (shutil.which(name) or Path("/usr/sbin", name).exists()
                       or Path("/usr/bin", name).exists())]
    for check, unavailable in ((pg_server._bin_dir, pg_server.PostgresUnavailable),
                               (s3_server.weed_binary, s3_server.SeaweedUnavailable)):
        try:
            check()
        except unavailable as exc:
            missing.append(str(exc))
    return missing


class ClusterFailed(RuntimeError):
    """A part did not start: the message names it and ends with its log's tail."""

    def __init__(self, part: str, why: str, log: Path | str | None = None) -> None:
        tail = ""
        if isinstance(log, Path):
            with contextlib.suppress(OSError):
                tail = log.read_text(errors="replace")[-1500:]
        elif log:
            tail = log[-1500:]
        super().__init__(f"{part}: {why}" + (f"\n--- log tail of {part} ---\n{tail}"
                                              if tail else ""))
        self.part = part


@dataclass
class Part:
    """One process of the cluster: its name, pid, URL (if it serves one) and log."""

    name: str
    pid: int
    url: str = ""
    log: Path | None = None


@dataclass
class Cluster:
    url: str  # nginx: the public URL
    folder: Path
    env: dict[str, str]  # what every app process and worker was started with
    primary: PostgresServer
    replica: PostgresServer
    redis: redis_server.RedisServer
    s3: s3_server.SeaweedServer
    seed_output: str  # what `flask seed-demo` printed: villages, logins, TOTP secrets
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return self.primary.url

    @property
    def replica_url(self) -> str:
        return self.replica.url

    @property
    def app_urls(self) -> list[str]:
        return [p.url for n, p in self.parts.items() if n.startswith("app-")]

    def access_log(self, name: str) -> Path:
        """The access log of app server `name` (the cluster turns it on to see what reaches
        the app; production keeps the proxy's only, see deploy/gunicorn.conf.py)."""
        return self.folder / name / "access.log"

    def app_requests(self, path: str) -> int:
        """How many GETs of exactly `path` (query included) the app servers have answered.

        gunicorn writes a request's line after sending its answer: a marker request sent to
        each app server directly, and waited for in its log, lets every earlier line land."""
        marker = f"/healthz?settled={uuid.uuid4().hex}"
        for name, part in self.parts.items():
            if name.startswith("app-"):
                with urllib.request.urlopen(part.url + marker, timeout=10):
                    pass
        deadline = time.monotonic() + 10
        while not all(f'"GET {marker} HTTP/' in self.access_log(name).read_text()
                      for name in self.parts if name.startswith("app-")):
            if time.monotonic() > deadline:
                raise AssertionError(f"an app server never logged {marker}")
            time.sleep(0.05)
        needle = f'"GET {path} HTTP/'
        return sum(self.access_log(name).read_text().count(needle)
                   for name in self.parts if name.startswith("app-"))


def _flask(env: dict[str, str], *args: str, log: Path, timeout: float) -> str:
    """`flask --app wsgi ARGS` run to its end; its output, or ClusterFailed with the log."""
    try:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args],
                              cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ClusterFailed(f"flask {' '.join(args)}", f"still running after {timeout:g} s",
                            log) from None
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise ClusterFailed(f"flask {' '.join(args)}", f"exit status {done.returncode}", log)
    return done.stdout


def _spawn(stack: contextlib.ExitStack, cmd: list[str], env: dict[str, str], log: Path
           ) -> subprocess.Popen[Any]:
    """A child in its own process group (a Ctrl-C at the terminal reaches only whoever
    started the cluster, which then stops the parts in order), output into `log`."""
    with open(log, "wb") as out:
        process: subprocess.Popen[Any] = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, process_group=0)
    stack.callback(stop_process, process, 40)
    return process


def _wait_for_line(process: subprocess.Popen[Any], log: Path, needle: str, part: str,
                   deadline: float) -> None:
    while needle not in log.read_text(errors="replace"):
        if process.poll() is not None:
            raise ClusterFailed(part, f"exited with status {process.returncode}", log)
        if time.monotonic() > deadline:
            raise ClusterFailed(part, f"did not print {needle!r} in time", log)
        time.sleep(0.1)


def _started(stack: contextlib.ExitStack, futures: list[tuple[str, Future[Any]]],
             stop: Callable[[Any], None]) -> list[Any]:
    """Wait for parts started in threads; every one that came up is stopped at the end even
    when another failed (then the first failure is raised)."""
    results, failure = [], None
    for name, future in futures:
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 (re-raised below, after the others)
            failure = failure or (exc if isinstance(exc, ClusterFailed)
                                  else ClusterFailed(name, str(exc)))
            continue
        stack.callback(stop, result)
        results.append(result)
    if failure is not None:
        raise failure
    return results


def _stop_server(server: Any) -> None:
    if isinstance(server, s3_server.SeaweedServer):
        server.stop(timeout=2)  # its objects go with its folder: no need to wait for weed
    else:
        server.stop()


def _seaweed() -> s3_server.SeaweedServer:
    server = s3_server.start()
    try:
        server.create_bucket(BUCKET)
    except Exception as exc:
        log = server.log_tail()
        server.stop()
        raise ClusterFailed("seaweedfs", str(exc), log) from exc
    return server


@contextlib.contextmanager
def cluster(port: int | None = None, timeout: float = START_TIMEOUT,
            **extra_env: str) -> Iterator[Cluster]:
    """Start everything (nginx on `port`, or a free one); `extra_env` goes to every app
    process and worker (a webhook secret, a setting under test)."""
    from app.notifications.vapid import generate_private_key

    deadline = time.monotonic() + timeout
    folder = Path(tempfile.mkdtemp(prefix="motcua-cluster-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        with ThreadPoolExecutor(max_workers=3) as pool:
            first = [("postgresql primary", pool.submit(pg_server.start)),
                     ("redis", pool.submit(redis_server.start)),
                     ("seaweedfs", pool.submit(_seaweed))]
            primary, redis, s3 = _started(stack, first, _stop_server)
            # The copy streams whatever the migration writes meanwhile.
            replica_started = pool.submit(pg_server.start_replica, primary)
            env = app_env(
                primary.url, folder, RATELIMIT_STORAGE_URI=redis.url,
                VAPID_PRIVATE_KEY=generate_private_key(),
                PUSH_TEST_HOSTS="127.0.0.1", TRUSTED_PROXY_HOPS="1", PUBLIC_BASE_URL=url,
                **s3.env(BUCKET), **extra_env)
            try:
                left = max(deadline - time.monotonic(), 1)
                _flask(env, "db", "upgrade", log=folder / "migrate.log", timeout=left)
                left = max(deadline - time.monotonic(), 1)
                seeded = _flask(env, "seed-demo", "--if-empty", log=folder / "seed.log",
                                timeout=left)
            finally:
                (replica,) = _started(stack, [("postgresql replica", replica_started)],
                                      _stop_server)
        # Public statistics and catalogue search read from the replica.
        env["DATABASE_REPLICA_URL"] = replica.url
        found = Cluster(url=url, folder=folder, env=env, primary=primary, replica=replica,
                        redis=redis, s3=s3, seed_output=seeded)
        found.parts.update({
            "postgresql-primary": Part("postgresql-primary", primary.pid,
                                       f"127.0.0.1:{primary.port}"),
            "postgresql-replica": Part("postgresql-replica", replica.pid,
                                       f"127.0.0.1:{replica.port}"),
            "redis": Part("redis", redis.process.pid, redis.url),
            "seaweedfs": Part("seaweedfs", s3.process.pid, s3.endpoint)})

        # Each app server has its own control socket: gunicorn's default is one per user,
        # which every gunicorn on the machine would share.
        apps = []
        for i in range(1, APP_SERVERS + 1):
            name, app_port = f"app-{i}", free_port()
            (folder / name).mkdir()
            app_environment = {**env, "GUNICORN_BIND": f"127.0.0.1:{app_port}",
                               "PROMETHEUS_MULTIPROC_DIR": str(folder / name / "metrics")}
            app_environment.setdefault("GUNICORN_WORKERS", "1")
            log = folder / name / "gunicorn.log"
            process = _spawn(stack, [sys.executable, "-m", "gunicorn", "-c",
                                     "deploy/gunicorn.conf.py", "--access-logfile",
                                     str(found.access_log(name)), "--control-socket",
                                     str(folder / name / "gunicorn.ctl"), "wsgi:app"],
                             app_environment, log)
            apps.append((name, process, f"http://127.0.0.1:{app_port}", log))
        workers = []
        for i in range(1, PUSH_WORKERS + 1):
            name = f"worker-{i}"
            log = folder / f"{name}.log"
            process = _spawn(stack, [sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                     "--poll", "5"], env, log)
            workers.append((name, process, log))
        for name, process, app_url, log in apps:
            try:
                wait_until_serving(process, app_url, max(deadline - time.monotonic(), 1))
            except RuntimeError as exc:
                raise ClusterFailed(name, str(exc), log) from None
            found.parts[name] = Part(name, process.pid, app_url, log)
        for name, process, log in workers:
            _wait_for_line(process, log, " idle (", name, deadline)
            found.parts[name] = Part(name, process.pid, "", log)

        prefix = folder / "nginx"
        try:
            stack.enter_context(nginx(prefix, found.app_urls, MAX_BODY_MB, port))
        except RuntimeError as exc:
            raise ClusterFailed("nginx", str(exc), prefix / "error.log") from None
        found.parts["nginx"] = Part("nginx", int((prefix / "nginx.pid").read_text()), url,
                                    prefix / "error.log")
        yield found
