"""Start a throw-away PostgreSQL server on 127.0.0.1 for the test session."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise PostgresUnavailable("PostgreSQL server binaries (initdb) are not installed")


def free_port() -> int:
    """A port nobody listens on now, on 127.0.0.1 (the tests' servers and the benches')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Stop a server this run started (by its own pid): asked first, killed if it lingers."""
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


@dataclass
class PostgresServer:
    datadir: str
    port: int
    bindir: str
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int:
        """The postmaster's pid (pg_ctl detaches it: it is no child of whoever started it)."""
        with open(os.path.join(self.datadir, "postmaster.pid")) as lines:
            return int(lines.readline())

    def psql(self, sql: str) -> str:
        """One statement through psql as the superuser; its unaligned output."""
        done = subprocess.run(
            [f"{self.bindir}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-Atc", sql], capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def stop_fast(self) -> None:
        """`pg_ctl stop -m fast`: sessions are ended, the server shuts down cleanly."""
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m",
                        "fast", "-w", "stop"], capture_output=True, check=True)

    def start_again(self) -> None:
        """Start the stopped server on its own port again (a restart, in two halves)."""
        _pg_ctl_start(self.bindir, os.path.dirname(self.datadir), self.datadir, self.as_user,
                      self.port)

    def stop(self) -> None:
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.datadir, "-m",
                        "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(os.path.dirname(self.datadir), ignore_errors=True)


def _new_root(prefix: str) -> tuple[str, list[str]]:
    """A folder for one server, and the command prefix that runs as its owner: initdb and
    the server refuse to run as root, so as root they run as the postgres system user."""
    root = tempfile.mkdtemp(prefix=prefix)
    if os.geteuid() != 0:
        return root, []
    shutil.chown(root, "postgres", "postgres")
    return root, ["runuser", "-u", "postgres", "--"]


def _pg_ctl_start(bindir: str, root: str, datadir: str, as_user: list[str], port: int) -> None:
    opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    started = subprocess.run(
        [*as_user, f"{bindir}/pg_ctl", "-D", datadir, "-w", "-l", os.path.join(root, "log"),
         "-o", opts, "start"], capture_output=True, text=True, check=False)
    if started.returncode != 0:
        raise PostgresUnavailable(f"pg_ctl start failed: {started.stderr.strip()[-500:]}")


def _run_server(bindir: str, root: str, datadir: str, as_user: list[str]) -> PostgresServer:
    port = free_port()
    _pg_ctl_start(bindir, root, datadir, as_user, port)
    return PostgresServer(datadir=datadir, port=port, bindir=bindir, as_user=as_user)


def start() -> PostgresServer:
    bindir = _bin_dir()
    root, as_user = _new_root("motcua-pg-")
    datadir = os.path.join(root, "data")
    init = subprocess.run(
        [*as_user, f"{bindir}/initdb", "-D", datadir, "--auth=trust", "-E", "UTF8",
         "--locale=C.UTF-8", "-U", "postgres"], capture_output=True, text=True, check=False)
    if init.returncode != 0:
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    return _run_server(bindir, root, datadir, as_user)


def start_replica(primary: PostgresServer) -> PostgresServer:
    """A hot standby streaming from `primary`, copied from it by `pg_basebackup -R` (which
    writes standby.signal and primary_conninfo). initdb's trust rules admit replication
    from 127.0.0.1, so the copy needs no password."""
    root, as_user = _new_root("motcua-pg-replica-")
    datadir = os.path.join(root, "data")
    copied = subprocess.run(
        [*as_user, f"{primary.bindir}/pg_basebackup", "-h", "127.0.0.1", "-p",
         str(primary.port), "-U", "postgres", "-D", datadir, "-R", "-X", "stream",
         "--checkpoint=fast"], capture_output=True, text=True, check=False)
    if copied.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"pg_basebackup failed: {copied.stderr.strip()[-500:]}")
    return _run_server(primary.bindir, root, datadir, as_user)
