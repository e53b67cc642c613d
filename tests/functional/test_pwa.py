"""The PWA over HTTP: manifest and icons, the service worker's headers, the offline page and
the Cache-Control contract the service worker relies on (anonymous vs signed-in)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from PIL import Image

from app.pwa import cache_policy
from tests.factories.pages import csrf_token

VILLAGE = "/v/tanhong-vansa1"


def _login(client: Any, demo: Any) -> None:
    login = next(entry for entry in demo.logins if entry.role == "receiving")
    page = client.get("/officer/login")
    response = client.post("/officer/login", data={
        "csrf_token": csrf_token(page.data), "username": login.username,
        "password": demo.password})
    assert response.status_code == 302, "the demo receiving officer could not sign in"


def _logout(client: Any) -> Any:
    home = client.get("/officer/account")
    return client.post("/officer/logout", data={"csrf_token": csrf_token(home.data)})


def test_manifest_makes_the_app_installable(client: Any) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Motcua – Dịch vụ công một cửa"
    assert manifest["short_name"] == "Motcua"
    assert manifest["lang"] == "vi"
    assert manifest["start_url"] == "/?source=pwa"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#b3261e"
    assert manifest["background_color"] == "#ffffff"
    declared = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared


def test_every_manifest_icon_is_a_png_of_its_declared_size(client: Any) -> None:
    for icon in client.get("/manifest.webmanifest").get_json(force=True)["icons"]:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert image.format == "PNG"
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert image.size == (width, height)
        if icon["purpose"] == "maskable":
            # A launcher crops maskable icons to any shape: no transparent pixel may show.
            assert image.convert("RGBA").getextrema()[3] == (255, 255)


def test_unknown_icon_is_not_found(client: Any) -> None:
    assert client.get("/icons/../sw.js").status_code == 404
    assert client.get("/icons/nothing.png").status_code == 404


def test_service_worker_is_served_for_the_root_scope_and_always_revalidated(client: Any) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    assert "__VERSION__" not in body and "__PRECACHE__" not in body
    # An unchanged worker costs a 304 on the browser's update check.
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_service_worker_precaches_the_exact_assets_pages_load(client: Any) -> None:
    body = client.get("/sw.js").get_data(as_text=True)
    page = client.get("/offline").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]+)"', page)
    assert any("app.css" in a for a in assets) and any("app.js" in a for a in assets)
    for asset in assets:
        assert f'"{asset}"' in body, f"{asset} is not precached"
    assert '"/offline"' in body


def _declared(body: str, name: str) -> Any:
    match = re.search(rf"^const {name} = (.*);$", body, re.MULTILINE)
    assert match, f"sw.js declares no {name}"
    return json.loads(match[1])


def test_service_worker_paths_are_cache_policys_lists(client: Any) -> None:
    body = client.get("/sw.js").get_data(as_text=True)
    assert _declared(body, "PUBLIC_PAGES") == list(cache_policy.PUBLIC_PAGES)
    assert _declared(body, "PUBLIC_SECTIONS") == list(cache_policy.PUBLIC_SECTIONS)
    assert _declared(body, "PERSONAL_PREFIXES") == list(cache_policy.PERSONAL_PREFIXES)
    assert _declared(body, "HOLDER_SECTIONS") == list(cache_policy.HOLDER_SECTIONS)
    assert not re.search(r'"__[A-Z_]+__"', body), "a placeholder was left unfilled"


def test_a_changed_path_list_changes_the_served_worker(app: Any, monkeypatch: Any) -> None:
    before = app.test_client().get("/sw.js")
    monkeypatch.setattr(cache_policy, "PERSONAL_PREFIXES",
                        (*cache_policy.PERSONAL_PREFIXES, "/me"))
    app.extensions.pop("motcua_sw")  # what a restarted process would do
    after = app.test_client().get("/sw.js")
    body = after.get_data(as_text=True)
    assert _declared(body, "PERSONAL_PREFIXES")[-1] == "/me"
    assert _declared(body, "VERSION") != _declared(before.get_data(as_text=True), "VERSION")
    assert after.headers["ETag"] != before.headers["ETag"]


PATHS = ["/", "/v", "/v/", "/v/tanhong-lapham", "/vx", "/procedures", "/procedures/1.001193",
         "/proceduresx", "/d", "/d/X-1", "/dich-vu", "/officer", "/officer/inbox", "/track",
         "/api/v1/x", "/kiosk/1", "/admin/a", "/my", "/stats/tanhong", ""]


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to run the served worker")
def test_the_worker_judges_paths_as_the_server_does(client: Any, tmp_path: Any) -> None:
    script = tmp_path / "judge.js"
    script.write_text("""
const vm = require("vm");
const fs = require("fs");
const self = { addEventListener() {}, location: { origin: "http://x" } };
const judge = vm.runInNewContext(fs.readFileSync(0, "utf8") + ";({ isPublicPage, isPersonal })",
                                 { self, URL, Request: class {}, Response: class {} });
const paths = JSON.parse(process.argv[2]);
console.log(JSON.stringify(paths.map((p) => [judge.isPublicPage(p), judge.isPersonal(p)])));
""", encoding="utf-8")
    worker = client.get("/sw.js").get_data(as_text=True)
    done = subprocess.run(["node", str(script), json.dumps(PATHS)], input=worker,  # noqa: S603,S607
                          capture_output=True, text=True, check=True, timeout=30)
    expected = [[cache_policy.is_public_page(p), cache_policy.is_personal_path(p)]
                for p in PATHS]
    assert json.loads(done.stdout) == expected


def test_offline_page_explains_and_offers_a_retry(client: Any) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "Không có kết nối mạng" in html
    assert "trang bạn đã mở trước đó vẫn đọc được" in html
    assert re.search(r'<a class="button" href="">Thử lại</a>', html)


@pytest.mark.parametrize("path", ["/", VILLAGE, "/procedures?q=khai+sinh"])
def test_public_pages_may_be_cached_briefly_by_anyone(client: Any, demo: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
    # The language is in the URL: nothing about the visitor's cookies changes the page.
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/officer/login", "/api/v1/villages", "/track", "/d/ABC123",
                                  "/admin/agencies/tanhong/posters", "/kiosk"])
def test_personal_paths_are_never_stored(client: Any, demo: Any, path: str) -> None:
    response = client.get(path)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_each_language_is_shared_under_its_own_url(client: Any, demo: Any) -> None:
    en = client.get("/?lang=en")
    vi = client.get("/")
    # Both may be cached: the URL, the cache's key, tells them apart; no cookie does.
    assert en.headers["Cache-Control"] == vi.headers["Cache-Control"]
    assert "Set-Cookie" not in en.headers
    assert en.headers["ETag"] != vi.headers["ETag"]


def test_hashed_static_assets_keep_their_own_policy(client: Any, demo: Any) -> None:
    _login(client, demo)  # even for an officer: a stylesheet is the same for everyone
    page = client.get("/offline").get_data(as_text=True)
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page)
    assert css
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert "private" not in response.headers.get("Cache-Control", "")


def test_every_page_of_a_signed_in_officer_is_private(client: Any, demo: Any) -> None:
    _login(client, demo)
    for path in ("/", VILLAGE, "/procedures?q=khai+sinh", "/officer/inbox"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_logout_clears_the_browser_cache_and_pages_may_be_kept_again(client: Any,
                                                                    demo: Any) -> None:
    _login(client, demo)
    response = _logout(client)
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert response.headers["Cache-Control"] == "private, no-store"
    # The service worker also drops its kept pages when it sees this navigation.
    assert "logged_out=1" in response.headers["Location"]
    client.get(response.headers["Location"])  # shows (and uses up) the "logged out" message
    # Signed out, the phone may keep public pages again.
    assert "private" not in client.get(VILLAGE).headers.get("Cache-Control", "")


def test_a_page_showing_a_flash_message_is_not_shared(client: Any, demo: Any) -> None:
    _login(client, demo)
    _logout(client)
    # The message is for this visitor only: the page that shows it must not be shared.
    assert "public" not in client.get(VILLAGE).headers.get("Cache-Control", "")


def test_a_failed_login_form_post_is_not_stored(client: Any, demo: Any) -> None:
    page = client.get("/officer/login")
    response = client.post("/officer/login", data={
        "csrf_token": csrf_token(page.data), "username": "nobody", "password": "wrong-password"})
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Clear-Site-Data" not in response.headers
