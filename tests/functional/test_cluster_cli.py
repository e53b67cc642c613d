"""`make cluster` (scripts/cluster.py) leaves nothing behind: after Ctrl-C every process it
started is gone, its ports are closed and its folder removed; a start that fails names the
part and shows its log, and stops what had started. Its own module: it starts a cluster of
its own, the one the operator gets."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app_process import REPO
from tests.cluster import ClusterFailed, cluster, missing_tools
from tests.conftest import need
from tests.pg_server import free_port

START_WITHIN = 240.0  # seconds: a loaded 2-core machine starts it in 25-40 s
STOP_WITHIN = 90.0


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` in /proc's tree (children of each of its threads)."""
    found: set[int] = set()
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children = [int(child) for child in tasks.read_text().split()]
        except OSError:
            continue
        for child in children:
            found |= {child} | _descendants(child)
    return found


def _alive(pid: int) -> bool:
    """Running or asleep; a zombie (exited, not yet reaped by init) is not alive."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_every_process_it_started_and_closes_its_ports(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (primary and replica): PostgreSQL pass only")
    if missing := missing_tools():
        need("; ".join(missing))
    port = free_port()
    cli = subprocess.Popen([sys.executable, "scripts/cluster.py", "--port", str(port)],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in cli.stdout or ()],
                     daemon=True).start()
    printed: list[str] = []
    pids: set[int] = set()
    try:
        deadline = time.monotonic() + START_WITHIN
        while not any(line.startswith("Motcua cluster: ") for line in printed):
            assert cli.poll() is None or not lines.empty(), "".join(printed)
            try:
                printed.append(lines.get(timeout=max(deadline - time.monotonic(), 0.1)))
            except queue.Empty:
                raise AssertionError(f"no URL within {START_WITHIN:g} s: {printed}") from None
        # Taken first, so that whatever fails below, the finally stops exactly these.
        parts = re.findall(r"^\s+(\S+)\s+pid (\d+)\s+(\S*)$", "".join(printed), re.M)
        # PostgreSQL's postmasters are detached by pg_ctl: they are in the printed list only.
        pids = _descendants(cli.pid) | {int(pid) for _name, pid, _url in parts}
        ports = {int(p) for p in re.findall(r":(\d+)", " ".join(u for *_x, u in parts))}
        assert {name for name, _pid, _url in parts} >= {
            "postgresql-primary", "postgresql-replica", "redis", "seaweedfs", "app-1",
            "app-2", "worker-1", "worker-2", "nginx"}
        url = f"http://127.0.0.1:{port}"
        assert f"Motcua cluster: {url}" in "".join(printed)
        assert "tiepnhan.tanhong" in "".join(printed)  # the demo sign-ins are shown
        with urllib.request.urlopen(f"{url}/v/tanhong-lapham", timeout=30) as page:
            assert page.status == 200 and "Thôn La Phẩm" in page.read().decode()
        folder = re.search(r"^Logs: (\S+)", "".join(printed), re.M)
        assert folder and Path(folder.group(1)).is_dir()
        assert all(_alive(pid) for pid in pids) and all(_open(p) for p in ports)

        os.killpg(cli.pid, signal.SIGINT)  # what Ctrl-C in its terminal sends
        assert cli.wait(STOP_WITHIN) == 0
        assert [pid for pid in pids if _alive(pid)] == []
        assert [p for p in ports if _open(p)] == []
        assert not Path(folder.group(1)).exists()
    finally:
        if cli.poll() is None:  # a failed assertion above: still stop it the operator's way
            os.killpg(cli.pid, signal.SIGINT)
            try:
                cli.wait(STOP_WITHIN)
            except subprocess.TimeoutExpired:
                cli.kill()
                cli.wait()
        for pid in pids:  # only what this test's cluster started, and only if it lingers
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_part_that_fails_to_start_is_named_with_its_log_and_the_rest_is_stopped(
        backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (primary and replica): PostgreSQL pass only")
    if missing := missing_tools():
        need("; ".join(missing))
    before = _descendants(os.getpid())
    # The production check refuses the test-only push hosts: the migration cannot even start.
    with pytest.raises(ClusterFailed) as failed, cluster(MOTCUA_ENV="production"):
        pass
    assert failed.value.part == "flask db upgrade"
    assert "log tail of flask db upgrade" in str(failed.value)
    assert "PUSH_TEST_HOSTS is for tests only" in str(failed.value)
    # Redis, SeaweedFS and the replica had started: they were stopped (PostgreSQL's
    # postmasters are no children of anyone here; its folders go with them).
    assert [pid for pid in _descendants(os.getpid()) - before if _alive(pid)] == []
