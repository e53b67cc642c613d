"""The production layout on one machine: gunicorn with deploy/gunicorn.conf.py (2 workers),
rate limits in Redis, a throw-away PostgreSQL, and a separate `flask worker` process woken
by LISTEN/NOTIFY. Prints the time from an officer's action (a real POST to the back office)
to the plaintext at the local decrypting push service, p50/p95, and the peak resident memory
(VmHWM) of each gunicorn worker and of the push worker.

    .venv/bin/python bench/production.py [--samples 40] [--poll 5]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, postgres, workdir  # noqa: E402
from bench.push import RemoteService  # noqa: E402
from tests.app_process import wait_until_serving  # noqa: E402
from tests.pg_server import free_port, stop_process  # noqa: E402


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--poll", type=float, default=5.0,
                        help="the worker's fallback poll (seconds), as in the systemd unit")
    args = parser.parse_args()

    import requests

    from app import create_app
    from app.extensions import db
    from app.notifications import services
    from app.notifications.vapid import generate_private_key, public_key
    from tests import factories as f
    from tests import redis_server

    with workdir() as folder, postgres() as url:
        redis = redis_server.start()
        vapid = generate_private_key()
        app = create_app({"SETTINGS": {
            "database_url": url, "upload_dir": str(folder / "uploads"), "secret_key": "bench",
            "vapid_private_key": vapid, "push_test_hosts": ("127.0.0.1",)}})
        service = RemoteService()
        with app.app_context():
            db.create_all()
            home = f.agency("xa-bench", "Xã Bench", "000.99.99.H99")
            proc = f.procedure([home])
            desk = f.officer(home, "receiving").username
            codes = []
            for phone in service.call("new", public_key(app), args.samples):
                dossier = f.dossier(home, proc)
                services.subscribe(services.parse_subscription(phone, app.config["MOTCUA"]),
                                   [dossier])
                codes.append(dossier.code)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        port = free_port()
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40,
               "UPLOAD_DIR": str(folder / "uploads"), "MOTCUA_ENV": "development",
               "RATELIMIT_STORAGE_URI": redis.url, "VAPID_PRIVATE_KEY": vapid,
               "PUSH_TEST_HOSTS": "127.0.0.1", "GUNICORN_BIND": f"127.0.0.1:{port}",
               "GUNICORN_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
               "PUBLIC_BASE_URL": "http://127.0.0.1"}
        python = str(REPO / ".venv" / "bin" / "python")
        web = subprocess.Popen([python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                                "wsgi:app"], cwd=REPO, env=env)
        worker_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        worker = subprocess.Popen([python, "-m", "flask", "--app", "wsgi", "worker", "--poll",
                                   str(args.poll)], cwd=REPO, env=worker_env,
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(web, base)
            assert worker.stderr is not None
            for line in worker.stderr:
                if "idle" in line:
                    print(line.strip())
                    break
            browser = requests.Session()

            def token(page: str) -> str:
                match = re.search(r'name="csrf_token" value="([^"]+)"', page)
                assert match, "no CSRF token"
                return match.group(1)

            login = browser.get(f"{base}/officer/login", timeout=10).text
            answer = browser.post(f"{base}/officer/login", data={
                "csrf_token": token(login), "username": desk, "password": f.PASSWORD},
                allow_redirects=False, timeout=10)
            assert answer.status_code == 302, answer.status_code
            samples, after_response = [], []
            for i, code in enumerate(codes):
                page = browser.get(f"{base}/officer/dossiers/{code}", timeout=10).text
                version = re.search(r'name="version" value="(\d+)"', page)
                form = {"csrf_token": token(page), "version": version.group(1) if version
                        else "1"}
                time.sleep(random.uniform(0.2, 0.6))  # noqa: S311 (the worker is idle)
                acted = time.time()
                moved = browser.post(f"{base}/officer/dossiers/{code}/actions/receive",
                                     data=form, allow_redirects=False, timeout=10)
                assert moved.status_code == 302, (moved.status_code, moved.text[:300])
                answered = time.time()
                arrived = service.call("wait", i + 1)
                assert arrived is not None, "the push did not arrive"
                samples.append(float(arrived) - acted)  # type: ignore[arg-type]
                after_response.append(float(arrived) - answered)  # type: ignore[arg-type]
            print(f"officer action (HTTP POST) -> plaintext, separate worker woken by "
                  f"LISTEN/NOTIFY (poll {args.poll:g} s): p50 "
                  f"{percentile(samples, 0.5) * 1000:.0f} ms, p95 "
                  f"{percentile(samples, 0.95) * 1000:.0f} ms ({len(samples)} actions; "
                  f"goal p95 <= 250 ms)")
            print(f"  of which after the POST's answer (NOTIFY -> worker -> push service): "
                  f"p50 {percentile(after_response, 0.5) * 1000:.0f} ms, p95 "
                  f"{percentile(after_response, 0.95) * 1000:.0f} ms")
            children = Path(f"/proc/{web.pid}/task/{web.pid}/children").read_text().split()
            for pid in children:
                print(f"gunicorn worker {pid}: peak memory {peak_mb(int(pid)):.0f} MB")
            print(f"push worker {worker.pid}: peak memory {peak_mb(worker.pid):.0f} MB")
        finally:
            stop_process(worker)
            stop_process(web, timeout=40)
            service.stop()
            redis.stop()


if __name__ == "__main__":
    main()
