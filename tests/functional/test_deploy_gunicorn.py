"""deploy/gunicorn.conf.py for real: two worker processes, and /metrics adds up what each
counted (prometheus-client's multiprocess mode), whichever worker answers the scrape."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.app_process import REPO, app_env, wait_until_serving
from tests.pg_server import free_port, stop_process

TOKEN = "Vd3-kP8wQz1LmX6rTn4CbY9sJh2GfA5eUo7iRaE0"
REQUESTS = 40


def _not_found(url: str, scrape_headers: dict[str, str]) -> list[float]:
    seen = []
    for _ in range(6):  # new connections: the scrape lands on either worker
        text = requests.get(f"{url}/metrics", headers=scrape_headers, timeout=10).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "motcua_http_requests_total" and \
                        sample.labels == {"status": "404"}:
                    seen.append(sample.value)
    return seen


def test_two_workers_count_into_one_figure(_schema: str, tmp_path: Path) -> None:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = app_env(_schema, tmp_path, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2",
                  PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), METRICS_TOKEN=TOKEN)
    (metrics_dir).mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left by a previous run")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, url)
        assert not (metrics_dir / "counter_999999.db").exists()  # emptied at start
        with ThreadPoolExecutor(8) as pool:  # at once, so both workers take some
            codes = list(pool.map(lambda _i: requests.get(f"{url}/nope", timeout=10)
                                  .status_code, range(REQUESTS)))
        assert codes == [404] * REQUESTS
        assert requests.get(f"{url}/metrics", timeout=10).status_code == 404
        seen = _not_found(url, {"Authorization": f"Bearer {TOKEN}"})
        # The unauthorised scrape above was a 404 too.
        assert seen == [REQUESTS + 1] * 6, seen
    finally:
        stop_process(process, timeout=40)
