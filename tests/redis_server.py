"""Start a throw-away Redis (Debian's redis-server) on 127.0.0.1 for the tests and benches."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from tests.pg_server import free_port, stop_process


class RedisUnavailable(RuntimeError):
    pass


@dataclass
class RedisServer:
    process: subprocess.Popen[Any]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        stop_process(self.process)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start(timeout: float = 10, port: int | None = None) -> RedisServer:
    """A memory-only server (no RDB, no AOF: nothing is written to disk); on `port` when
    given (a restart of a stopped one)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not shutil.which(binary):
        raise RedisUnavailable("redis-server is not installed (apt-get install redis-server)")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while not _answers_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RedisUnavailable(f"redis-server did not start on port {port}")
        time.sleep(0.02)
    return RedisServer(process=process, port=port)
