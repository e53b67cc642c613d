"""The app behind deploy/nginx.conf: public pages from the proxy cache for every anonymous
visitor while each QR scan still reaches the app, personal pages never cached, each
citizen's own address behind the proxy, static files compressed and kept."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.places.models import Village, VillageScan
from app.pwa.cache_policy import PERSONAL_PREFIXES
from tests.app_process import app_env, web_processes
from tests.conftest import need
from tests.nginx_server import CONFIG, NGINX, nginx, render

pytestmark = pytest.mark.committed

MAX_BODY_MB = 41  # MAX_DOSSIER_MB (40) + 1 for the form fields, as the app caps a request


@pytest.fixture(scope="module")
def proxy(_schema: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(NGINX).exists():
        need("nginx is not installed (apt-get install nginx)")
    env = app_env(_schema, tmp_path_factory.mktemp("behind"), TRUSTED_PROXY_HOPS="1")
    with web_processes(env, 2) as urls, \
            nginx(tmp_path_factory.mktemp("nginx"), urls, MAX_BODY_MB) as url:
        yield url


def _get(base: str, path: str, source: str = "127.0.0.1", **headers: str) -> Any:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def _scans(app: Flask, code: str) -> int:
    with app.app_context():
        return sum(db.session.scalars(
            select(VillageScan.count).join(Village, Village.id == VillageScan.village_id)
            .where(Village.code == code)))


def test_the_tests_copy_differs_from_deploy_only_in_its_names(tmp_path: Path) -> None:
    ours = render(tmp_path, "127.0.0.1:8080", ["http://127.0.0.1:9001"], MAX_BODY_MB)
    shipped = CONFIG.read_text().splitlines()
    for line, made in zip(shipped, ours.splitlines(), strict=True):
        assert line == made or "@" in line
    assert f"client_max_body_size {MAX_BODY_MB}m;" in ours
    # nginx cannot read the app's list of personal paths: it must hold every one of them.
    never_cached = re.search(r"location ~ \^/\(([a-z|]+)\)", ours)
    assert never_cached is not None
    assert {p.strip("/") for p in PERSONAL_PREFIXES} <= set(never_cached.group(1).split("|"))


def test_the_proxy_lets_through_what_the_app_accepts(app: Flask) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == MAX_BODY_MB * 1024 * 1024


def test_a_public_page_is_served_from_the_cache_and_scans_still_count(
        app: Flask, demo: Any, proxy: str) -> None:
    first = _get(proxy, "/v/tanhong-lapham")
    assert first.status == 200 and first.getheader("X-Cache-Status") == "MISS"
    again = _get(proxy, "/v/tanhong-lapham")
    assert again.getheader("X-Cache-Status") == "HIT" and again.body == first.body
    # Another villager, from another address, gets the same copy: the app sees nothing.
    other = _get(proxy, "/v/tanhong-lapham", source="127.0.0.2")
    assert other.getheader("X-Cache-Status") == "HIT" and other.body == first.body
    # The poster's URL is never answered from the cache: each scan is counted once.
    for _ in range(3):
        scan = _get(proxy, "/v/tanhong-lapham?src=qr")
        assert scan.status == 303 and scan.getheader("Location") == "/v/tanhong-lapham"
        assert scan.getheader("X-Cache-Status") != "HIT"
    assert _scans(app, "tanhong-lapham") == 3
    # In English: its own copy under its own URL.
    english = _get(proxy, "/v/tanhong-lapham?lang=en")
    assert english.getheader("X-Cache-Status") == "MISS" and b'lang="en"' in english.body


def test_signed_in_visitors_and_personal_pages_skip_the_cache(demo: Any, proxy: str) -> None:
    _get(proxy, "/procedures/1.001193")
    signed_in = _get(proxy, "/procedures/1.001193", Cookie="session=anything")
    assert signed_in.getheader("X-Cache-Status") == "BYPASS"
    for _ in range(2):
        track = _get(proxy, "/track")
        assert track.getheader("X-Cache-Status") in ("", None)  # not a cached location
        assert track.getheader("Cache-Control") == "private, no-store"


def test_each_address_behind_the_proxy_has_its_own_rate_limit(demo: Any, proxy: str) -> None:
    # /track allows 10 lookups a minute per address; GETs are not counted, so use the form.
    def guesses(source: str, count: int) -> list[int]:
        host, port = proxy.removeprefix("http://").split(":")
        statuses = []
        for i in range(count):
            conn = http.client.HTTPConnection(host, int(port), timeout=30,
                                              source_address=(source, 0))
            conn.request("GET", "/track")
            page = conn.getresponse()
            cookie = page.getheader("Set-Cookie", "").split(";")[0]
            token = re.search(rb'name="csrf_token" value="([^"]+)"', page.read())
            assert token is not None
            conn.request("POST", "/track", headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
                body=f"csrf_token={token.group(1).decode()}&code=X-{i}&phone=0912345678")
            answer = conn.getresponse()
            answer.read()
            statuses.append(answer.status)
            conn.close()
        return statuses

    assert guesses("127.0.0.3", 11) == [422] * 10 + [429]
    assert guesses("127.0.0.4", 1) == [422]  # another villager is not held back


def test_static_files_are_compressed_and_kept_for_a_year(demo: Any, proxy: str) -> None:
    page = _get(proxy, "/v/tanhong-lapham").body.decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css\?v=[0-9a-f]+)"', page)
    assert stylesheet is not None
    css = _get(proxy, stylesheet.group(1).replace("&amp;", "&"), **{"Accept-Encoding": "gzip"})
    assert css.status == 200 and css.getheader("Content-Encoding") == "gzip"
    assert "immutable" in css.getheader("Cache-Control", "")
