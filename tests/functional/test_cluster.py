"""The whole topology (tests/cluster.py: PostgreSQL primary + replica, Redis, SeaweedFS, two
gunicorn app servers, two push workers, nginx) driven only through nginx, as phones and
officers use it: a dossier from submission to hand-over with each push delivered once, public
pages from the proxy cache while QR scans still count, and an edit visible within the
freshness the README states (max-age 60 + stale-while-revalidate 30 = 90 s)."""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pyotp
import pytest
import requests
from sqlalchemy import create_engine, text

from app.payments.webhook import sign
from tests.cluster import Cluster, cluster, missing_tools
from tests.conftest import need
from tests.factories.files import jpeg
from tests.push_service import PushService

WEBHOOK_SECRET = "whsec-cum-may"
VILLAGE = "/v/tanhong-lapham"
PROCEDURE = "2.000635"  # copy of a birth certificate: 8,000 đồng a copy, fully online
FRESH_WITHIN = 90.0  # README: "an edit (hotline, procedure) shows within 90 s"
POLL = 2.0


@pytest.fixture(scope="module")
def running(backend: str) -> Iterator[Cluster]:
    if backend != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (primary and replica): PostgreSQL pass only")
    if missing := missing_tools():
        need("; ".join(missing))
    with cluster(PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET) as started:
        yield started


def _sql(c: Cluster, query: str, **params: Any) -> Any:
    engine = create_engine(c.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), params).scalar()
    finally:
        engine.dispose()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _sign_in(c: Cluster, username: str) -> requests.Session:
    """An officer's browser signing in through nginx (and the TOTP step for an admin)."""
    browser = requests.Session()
    page = browser.get(f"{c.url}/officer/login", timeout=30).text
    answer = browser.post(f"{c.url}/officer/login", data={
        "csrf_token": _token(page), "username": username, "password": "motcua-demo"},
        allow_redirects=False, timeout=30)
    assert answer.status_code == 302, answer.text[:500]
    if answer.headers["Location"].endswith("/login/totp"):
        secret = re.search(rf"^\s+{re.escape(username)}\s+([A-Z2-7]{{16,}})\s*$",
                           c.seed_output, re.M)
        assert secret, f"the seed printed no TOTP secret for {username}"
        page = browser.get(f"{c.url}/officer/login/totp", timeout=30).text
        answer = browser.post(f"{c.url}/officer/login/totp", data={
            "csrf_token": _token(page), "code": pyotp.TOTP(secret.group(1)).now()},
            allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text[:500]
    return browser


def _move(c: Cluster, officer: requests.Session, code: str, action: str, **fields: str) -> str:
    """An officer's button on the dossier page: its form's token and version, then POST."""
    page = officer.get(f"{c.url}/officer/dossiers/{code}", timeout=30).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, page[:500]
    answer = officer.post(f"{c.url}/officer/dossiers/{code}/actions/{action}", data={
        "csrf_token": _token(page), "version": version.group(1), **fields},
        allow_redirects=False, timeout=30)
    assert answer.status_code == 302, (action, answer.status_code, answer.text[:500])
    return officer.get(f"{c.url}/officer/dossiers/{code}", timeout=30).text


def _submit(c: Cluster, phone: requests.Session) -> tuple[str, str]:
    """The citizen's apply form through nginx, two photos attached: (code, tracking secret)."""
    page = phone.get(f"{c.url}/procedures/{PROCEDURE}/apply?agency=tanhong", timeout=30).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    mandatory = re.findall(r'name="(doc-\d+)"', page)[:2]
    answer = phone.post(f"{c.url}/procedures/{PROCEDURE}/apply", data={
        "csrf_token": _token(page), "idempotency_key": key.group(1),
        "applicant_name": "Nguyễn Văn An", "citizen_id": "001090123456",
        "birth_date": "1990-05-01", "phone": "0912345678", "address": "Thôn Lã Phẩm",
        "agency": "tanhong", "village": "tanhong-lapham",
        "answer-record_type": "Giấy khai sinh", "answer-person_full_name": "Nguyễn Văn An",
        "answer-copies": "2", "consent": "1"},
        files=[(doc, (f"{doc}.jpg", jpeg(), "image/jpeg")) for doc in mandatory],
        allow_redirects=False, timeout=60)
    assert answer.status_code == 302, answer.text[:1000]
    found = re.search(r"/d/([^/]+)/submitted\?t=([\w-]+)", answer.headers["Location"])
    assert found
    return found.group(1), found.group(2)


def test_a_dossier_goes_from_the_phone_to_the_hand_over_with_each_push_once(
        running: Cluster, push_service: PushService) -> None:
    c = running
    phone = requests.Session()
    code, secret = _submit(c, phone)
    # push.js on the dossier page: the server's key, subscribe, then POST the subscription.
    key = phone.get(f"{c.url}/api/v1/push/key", timeout=30).json()["public_key"]
    subscriber = push_service.new_subscriber(key)
    page = phone.get(f"{c.url}/d/{code}?t={secret}", timeout=30).text
    csrf = re.search(r'data-csrf="([^"]+)"', page)
    assert csrf
    subscribed = phone.post(f"{c.url}/d/{code}/push", data=json.dumps(
        {"subscription": subscriber.subscription()}), timeout=30, headers={
        "X-CSRFToken": csrf.group(1), "Content-Type": "application/json"})
    assert subscribed.status_code == 200, subscribed.text

    desk = _sign_in(c, "tiepnhan.tanhong")
    page = _move(c, desk, code, "receive")
    specialist = re.search(r'<option value="(\d+)">Công chức chuyên môn', page)
    assert specialist, "no specialist to assign to"
    _move(c, desk, code, "assign", officer_id=specialist.group(1))
    _move(c, _sign_in(c, "chuyenvien.tanhong"), code, "mark_result_ready",
          result_mode="paper")

    # The citizen pays 2 copies × 8,000 đồng by bank transfer; the bank's notice comes in.
    pay = phone.get(f"{c.url}/d/{code}/pay?t={secret}", timeout=30).text
    assert "16.000 đ" in pay
    reference = re.search(r'<b class="dossier-code">([A-Z0-9]+)</b>', pay)
    assert reference
    body = json.dumps({"id": "FT26336000001", "amount": 16000,
                       "content": f"CK {reference.group(1)} NGUYEN VAN AN",
                       "account_number": "9999000000126", "bank_bin": "970405",
                       "transaction_time": "2026-12-02T09:15:00+07:00"}).encode()
    notice = requests.post(f"{c.url}/api/v1/payments/webhook", data=body, timeout=30, headers={
        "Content-Type": "application/json",
        "X-Motcua-Signature": sign(WEBHOOK_SECRET, body)})
    assert notice.status_code == 200, notice.text
    _move(c, desk, code, "return_result", handover="post")

    expected = [f"Hồ sơ {code} đã được tiếp nhận", f"Đã nhận thanh toán cho hồ sơ {code}",
                f"Hồ sơ {code} đã có kết quả", f"Mời bạn đánh giá hồ sơ {code}"]
    push_service.wait_for(len(expected), timeout=60)
    deadline = time.monotonic() + 60
    while _sql(c, "SELECT count(*) FROM notifications WHERE status = 'pending'"):
        assert time.monotonic() < deadline, "the outbox never emptied"
        time.sleep(0.2)
    titles = [m["title"] for m in push_service.messages(subscriber)]
    # Two workers share one outbox: every message exactly once, none twice or lost.
    assert sorted(titles) == sorted(expected), titles
    assert "Số tiền: 16.000 đồng. Cảm ơn bạn." in [
        m["body"] for m in push_service.messages(subscriber)]


def _get(c: Cluster, path: str, source: str = "127.0.0.1") -> Any:
    """One anonymous GET through nginx from `source` (another villager's address)."""
    port = int(c.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                      source_address=(source, 0))
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def _scans(c: Cluster) -> int:
    return int(_sql(c, "SELECT coalesce(sum(s.count), 0) FROM village_scans s JOIN villages v"
                       " ON v.id = s.village_id WHERE v.code = :code",
                    code=VILLAGE.removeprefix("/v/")))


def test_a_village_page_comes_from_the_cache_and_every_scan_still_counts(
        running: Cluster) -> None:
    c = running
    first = _get(c, VILLAGE)
    assert first.status == 200 and first.getheader("X-Cache-Status") == "MISS"
    assert c.app_requests(VILLAGE) == 1
    again = _get(c, VILLAGE)
    other = _get(c, VILLAGE, source="127.0.0.3")  # another villager, another address
    for answer in (again, other):
        assert answer.getheader("X-Cache-Status") == "HIT" and answer.body == first.body
    assert c.app_requests(VILLAGE) == 1  # neither app server saw those two
    for scan in range(1, 4):
        counted = _get(c, f"{VILLAGE}?src=qr", source=f"127.0.0.{10 + scan}")
        assert counted.status == 303 and counted.getheader("Location") == VILLAGE
        followed = _get(c, VILLAGE, source=f"127.0.0.{10 + scan}")
        assert followed.getheader("X-Cache-Status") == "HIT"
        assert _scans(c) == scan
    assert c.app_requests(f"{VILLAGE}?src=qr") == 3
    assert c.app_requests(VILLAGE) == 1


class _Form(HTMLParser):
    """What a browser would send for a form left as it is: inputs, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.values[a["name"]] = a.get("value", "on")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a
                                                   or self._select not in self.values):
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def test_a_new_hotline_shows_through_the_cache_within_the_stated_time(
        running: Cluster) -> None:
    c = running
    old, new = "024 0000 0126", "024 3382 1234"
    _get(c, VILLAGE)
    cached = _get(c, VILLAGE)
    assert cached.getheader("X-Cache-Status") == "HIT" and old in cached.body.decode()
    admin = _sign_in(c, "quantri.tanhong")
    settings = f"{c.url}/admin/commune/tanhong/settings"
    form = _Form()
    form.feed(admin.get(settings, timeout=30).text)
    saved = admin.post(settings, data={**form.values, "hotline": new},
                       allow_redirects=False, timeout=30)
    assert saved.status_code == 302, saved.text[:1000]
    edited = time.monotonic()
    while new not in _get(c, VILLAGE).body.decode():
        assert time.monotonic() - edited < FRESH_WITHIN + POLL, \
            f"the new hotline was not shown within {FRESH_WITHIN:g} s"
        time.sleep(POLL)
    print(f"new hotline shown through nginx {time.monotonic() - edited:.0f} s after the edit")
