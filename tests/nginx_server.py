"""Debian's nginx in front of the tests' app servers, configured by deploy/nginx.conf."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.app_process import wait_until_serving
from tests.pg_server import free_port, stop_process

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render(prefix: Path, listen: str, upstreams: list[str], max_body_mb: int) -> str:
    """deploy/nginx.conf with its @NAMES@ replaced, and nothing else changed."""
    servers = " ".join(f"server {u.removeprefix('http://')};" for u in upstreams)
    # The workers run as root here: the tests' folders are root's own (mode 0700).
    names = {"@USER@": "root", "@PREFIX@": str(prefix), "@LISTEN@": listen,
             "@UPSTREAMS@": servers, "@MAX_BODY_MB@": str(max_body_mb)}
    text = CONFIG.read_text()
    for name, value in names.items():
        text = text.replace(name, value)
    return text


@contextlib.contextmanager
def nginx(prefix: Path, upstreams: list[str], max_body_mb: int, port: int | None = None
          ) -> Iterator[str]:
    """nginx serving on loopback (`port`, or a free one) until the block ends; yields its
    base URL. Its master's pid is in PREFIX/nginx.pid."""
    prefix.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    (prefix / "nginx.conf").write_text(render(prefix, f"127.0.0.1:{port}", upstreams,
                                              max_body_mb))
    process: subprocess.Popen[Any] = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, url, timeout=20)  # its error.log says why, if not
        yield url
    finally:
        stop_process(process)
