"""axe-core in Chromium on every citizen and officer page: no serious or critical violation.

The pages come from the app's url_map: every GET endpoint is either visited (`visits`, with
real objects of a seeded world) or listed in `NOT_PAGES` with the reason, so a page added
later fails this test until it is covered. Each page is checked on a 360×740 phone; citizen
pages also at 320 px, staff pages and the commune hall's devices also on a desktop. The
count of violations per page and impact (all impacts) is printed, and written to
axe-summary.txt in the test's tmp folder.

axe is the locked npm package of tests/oidc (`make tests/oidc/node_modules`). Its source is
run through Playwright's `evaluate` (the DevTools protocol), which the page's CSP does not
govern: the app's real CSP stays in force for everything the page itself loads and runs.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest
from flask import Flask, session
from sqlalchemy import select

from app.accounts.models import Officer
from app.admin import bank, password_links
from app.citizens import sessions as citizen_sessions
from app.citizens.models import Citizen
from app.core.vntime import vietnam_today
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.feedback import kiosk
from app.feedback.models import Counter, StatsDaily
from app.feedback.services import submit_feedback
from app.places.models import Agency
from app.privacy import incidents, rights
from app.procedures.models import Procedure
from app.queues import links
from app.queues import services as queue_services
from tests import factories as f
from tests.factories.payments import configure, pay, payment
from tests.factories.queues import queue_ticket
from tests.factories.results import issued_result

NODE = Path(__file__).parents[1] / "oidc"
AXE = NODE / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
SMALL_PHONE = {"width": 320, "height": 740}  # the narrowest phone the citizen pages fit
DESKTOP = {"width": 1280, "height": 800}
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) Chrome/130 Mobile motcua-axe"
FAILING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

# GET endpoints that are not a page a person reads, one row each, with the reason.
NOT_PAGES: dict[str, str] = {
    "static": "CSS, scripts and images",
    "pwa.service_worker": "the service worker script",
    "pwa.manifest": "the web app manifest (JSON)",
    "pwa.icon": "app icons (PNG)",
    "core.healthz": "health check (JSON)",
    "api.get_dossier": "JSON API",
    "api.openapi": "JSON API description",
    "api.procedures": "JSON API",
    "api.procedure": "JSON API",
    "api.push_key": "JSON API",
    "api.stats_json": "JSON API",
    "api.villages": "JSON API",
    "api.queues_json": "JSON API",
    "api.ticket_api": "JSON API",
    "api.display_api": "JSON API",
    "signin.login": "redirect to the citizens' identity provider",
    "signin.callback": "redirect back from the identity provider",
    "staff.accounts.login_oidc": "redirect to the staff identity provider",
    "dossiers.dossier_file": "an uploaded file",
    "dossiers.result_file": "the result PDF, a download",
    "payments.pay_png": "the VietQR image",
    "payments.pay_status": "payment status (JSON) polled by the pay page",
    "feedback.stats_csv": "CSV download",
    "feedback.display_json": "the hall display's live figures (JSON)",
    "queues.display_calls": "the hall display's queue calls (JSON)",
    "feedback.kiosk_photo": "the officer's photo on the kiosk",
    "staff.feedback_office.feedback_photo": "a photo sent with a feedback",
    "staff.posters.poster_png": "the poster's QR image (PNG)",
    "staff.posters.poster_svg": "the poster's QR image (SVG)",
    "staff.backoffice.audit_csv": "CSV download",
    "staff.backoffice.dossier_file": "an uploaded file",
    "staff.payments_office.report_csv": "CSV download",
    "staff.accounts.home": "redirect to the inbox",
    "staff.password_link.start": "moves the link's token into the session, then the form",
    "staff.privacy_office.authority_notice": "the breach notice to the authority (text file)",
    "staff.privacy_office.people_notice": "CSV download",
    "staff.privacy_office.views_csv": "CSV download",
    "privacy.export": "the citizen's data download (ZIP)",
    "metrics": "operators' metrics (Prometheus text), hidden without its token",
}

# Who opens a page: a context of its own, signed in (or not) as that person or device.
PUBLIC, CITIZEN, KIOSK, DESK, ADMIN = "public", "citizen", "kiosk", "desk", "admin"
TOTP_STEP, TOTP_SETUP_STEP = "totp-step", "totp-setup-step"
# The sizes each visitor's pages are checked at: citizens on every phone they may hold
# (a wide table overflows, and must scroll by keyboard, first at 320 px); the staff and the
# commune hall's tablet and screen on a phone and a desktop.
SIZES = {PUBLIC: {"phone": PHONE, "phone-320": SMALL_PHONE},
         CITIZEN: {"phone": PHONE, "phone-320": SMALL_PHONE}}
STAFF_SIZES = {"phone": PHONE, "desktop": DESKTOP}


@dataclass(frozen=True)
class Seeded:
    """The objects the pages are opened with, and the credentials of their visitors."""

    codes: dict[str, str]
    counter_id: int
    feedback_id: int
    citizen_cookie: str
    kiosk_cookie: str
    desk: str
    desk_password: str
    admin: str
    admin_password: str
    admin_totp: str
    new_admin: str
    # Ids of the administration's objects: desk officer, bank change, privacy request and
    # incident, and the one-time password link's token.
    ids: dict[str, Any]

    @classmethod
    def placeholder(cls) -> Seeded:
        """Stand-ins, to read which endpoints `visits` covers without seeding anything."""
        return cls(codes=defaultdict(str), counter_id=0, feedback_id=0, citizen_cookie="",
                   kiosk_cookie="", desk="", desk_password="", admin="", admin_password="",
                   admin_totp="", new_admin="", ids=defaultdict(str))


VILLAGE = "tanhong-lapham"
PROCEDURE = "1.001193"  # Đăng ký khai sinh: has a declaration filled online
FEE_PROCEDURE = "2.000815"  # Chứng thực bản sao: a per-page fee, paid by bank transfer


def visits(s: Seeded) -> dict[str, list[tuple[str, str]]]:
    """endpoint → (who, path) of each visit. One row per endpoint; add new pages here."""
    t = f"?t={f.SECRET}"
    c = s.codes
    return {
        # Citizens
        "places.home": [(PUBLIC, "/"), (PUBLIC, "/?agency=tanhong")],
        "places.village": [(PUBLIC, f"/v/{VILLAGE}")],
        "procedures.search": [(PUBLIC, "/procedures?q=khai+sinh"), (PUBLIC, "/procedures")],
        "procedures.detail": [(PUBLIC, f"/procedures/{PROCEDURE}?village={VILLAGE}"),
                              (PUBLIC, f"/procedures/{FEE_PROCEDURE}")],
        "dossiers.apply": [(PUBLIC, f"/procedures/{PROCEDURE}/apply?village={VILLAGE}")],
        "dossiers.submitted": [(PUBLIC, f"/d/{c['waiting']}/submitted{t}")],
        "dossiers.dossier_page": [(PUBLIC, f"/d/{c['unpaid']}{t}"),
                                  (PUBLIC, f"/d/{c['waiting']}{t}"),
                                  (PUBLIC, f"/d/{c['done']}{t}")],
        "dossiers.track": [(PUBLIC, "/track")],
        # After the dossier pages: this phone has seen them, so the list is not empty.
        "dossiers.my_dossiers": [(PUBLIC, "/my")],
        "payments.pay": [(PUBLIC, f"/d/{c['unpaid']}/pay{t}")],
        "payments.receipt": [(PUBLIC, f"/d/{c['paid']}/receipt{t}")],
        "feedback.rate": [(PUBLIC, f"/d/{c['done']}/rating{t}")],
        "results.verify": [(PUBLIC, f"/verify/{s.ids['result']}")],
        "feedback.feedback_new": [(PUBLIC, "/feedback/new?agency=tanhong")],
        "feedback.stats_province": [(PUBLIC, "/stats")],
        "feedback.stats_page": [(PUBLIC, "/stats/tanhong"), (PUBLIC, "/stats/hanoi")],
        "privacy.overview": [(PUBLIC, f"/d/{c['waiting']}/privacy{t}")],
        "citizens.my_dossiers": [(CITIZEN, "/me/dossiers")],
        "pwa.offline": [(PUBLIC, "/offline")],
        "queues.take_page": [(PUBLIC, "/q/tanhong")],
        "queues.ticket_page": [(PUBLIC, f"/q/t/{s.ids['ticket_link']}")],
        # The commune hall's devices
        "feedback.kiosk_page": [(KIOSK, f"/kiosk/{s.counter_id}")],
        "feedback.display_page": [(KIOSK, "/display/tanhong")],
        # Officers signing in
        "staff.accounts.login": [(PUBLIC, "/officer/login")],
        "staff.accounts.login_totp": [(TOTP_STEP, "/officer/login/totp")],
        "staff.accounts.login_totp_setup": [(TOTP_SETUP_STEP, "/officer/login/totp-setup")],
        # Officers
        "staff.accounts.account": [(DESK, "/officer/account")],
        "staff.accounts.security": [(DESK, "/officer/security")],
        "staff.backoffice.inbox": [(DESK, "/officer/inbox")],
        "staff.backoffice.dashboard": [(DESK, "/officer/dashboard")],
        "staff.backoffice.dossier": [(DESK, f"/officer/dossiers/{c['waiting_desk']}"),
                                     (DESK, f"/officer/dossiers/{c['received']}"),
                                     (DESK, f"/officer/dossiers/{c['unpaid']}")],
        "staff.backoffice.declaration": [
            (DESK, f"/officer/dossiers/{c['waiting_desk']}/declaration")],
        "staff.backoffice.slip": [(DESK, f"/officer/dossiers/{c['received']}/slips/receipt"),
                                  (DESK, f"/officer/dossiers/{c['received']}/slips/control")],
        "staff.backoffice.counter": [(DESK, "/officer/counter/new")],
        "staff.queue_desk.desk": [(DESK, f"/officer/queue?counter={s.counter_id}")],
        "staff.queue_desk.printout": [(DESK, f"/officer/queue/tickets/{s.ids['ticket']}/print")],
        "staff.payments_office.unmatched": [(DESK, "/officer/payments/unmatched")],
        "staff.feedback_office.counters": [(ADMIN, "/officer/counters")],
        "staff.queue_desk.lines": [(ADMIN, "/officer/queue/lines")],
        "staff.feedback_office.feedback_list": [(ADMIN, "/officer/feedback")],
        "staff.feedback_office.feedback_item": [(ADMIN, f"/officer/feedback/{s.feedback_id}")],
        "staff.feedback_office.report_monthly": [(ADMIN, "/officer/reports/monthly")],
        "staff.posters.agency_posters": [(ADMIN, "/admin/agencies/tanhong/posters")],
        "staff.posters.poster": [(ADMIN, f"/admin/villages/{VILLAGE}/poster")],
        # Commune administration and personal data
        "staff.password_link.set_password": [
            (PUBLIC, f"/officer/set-password/start?token={s.ids['token']}")],
        "staff.admin_officers.officers": [(ADMIN, "/admin/officers")],
        "staff.admin_officers.new_officer": [(ADMIN, "/admin/officers/new")],
        "staff.admin_officers.officer_page": [(ADMIN, f"/admin/officers/{s.ids['desk']}")],
        "staff.admin_bank.bank_account": [(ADMIN, "/admin/commune/bank-account")],
        "staff.admin_bank.review": [
            (ADMIN, f"/admin/commune/bank-account/changes/{s.ids['change']}")],
        "staff.commune_settings.settings": [(ADMIN, "/admin/commune/tanhong/settings")],
        "staff.privacy_office.requests_queue": [(DESK, "/officer/privacy/requests")],
        "staff.privacy_office.request_page": [
            (DESK, f"/officer/privacy/requests/{s.ids['request']}")],
        "staff.privacy_office.incidents_list": [(ADMIN, "/officer/privacy/incidents")],
        "staff.privacy_office.incident_new": [(ADMIN, "/officer/privacy/incidents/new")],
        "staff.privacy_office.incident": [
            (ADMIN, f"/officer/privacy/incidents/{s.ids['incident']}")],
        "staff.privacy_office.views_report": [(ADMIN, "/officer/privacy/views")],
    }


def get_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ())}


def _seed(app: Flask, demo: Any) -> Seeded:
    configure(app)
    logins = {login.username: login for login in demo.logins}
    admin = logins["quantri.tanhong"]
    assert admin.totp_secret
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        birth = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        fee = db.session.scalar(select(Procedure).where(Procedure.code == FEE_PROCEDURE))
        desk = db.session.scalar(select(Officer).where(Officer.username == "tiepnhan.tanhong"))
        assert home is not None and birth is not None and fee is not None and desk is not None
        made = {
            "unpaid": f.dossier(home, fee, "submitted", name="Nguyễn Thị Hoà"),
            "paid": f.dossier(home, fee, "submitted", name="Trần Văn Bình"),
            "waiting": f.dossier(home, fee, "needs_supplement", name="Lê Thị Ánh"),
            "done": f.dossier(home, fee, "returned", name="Phạm Quốc Huy"),
            "waiting_desk": f.dossier(home, birth, "submitted", name="Đỗ Minh Châu"),
            "received": f.dossier(home, birth, "submitted", name="Vũ Thị Hằng"),
        }
        for key in ("unpaid", "paid"):
            made[key].answers = {"pages": "4", "copies": "2"}
        for key in ("unpaid", "paid", "received"):
            apply(made[key], "receive", Actor.for_officer(desk))
        f.attach_image(made["waiting_desk"])
        result = issued_result(made["done"], desk)
        counter = Counter(agency_id=home.id, name="Quầy 1", officer_id=desk.id)
        db.session.add(counter)
        db.session.flush()
        # One number waiting on the phone, one called to the counter (its actions shown).
        queue_services.call_next(queue_ticket(home).queue, counter)
        waiting = queue_ticket(home)
        feedback = submit_feedback(home, "hall", "Ghế chờ ở sảnh bị hỏng, xin thay giúp.",
                                   procedure=None, officer=None, sender_name="Bùi Văn Nam",
                                   sender_phone="0912345678", photo=None)
        db.session.add(_busy_year(home))
        new_admin = f.officer(home, "commune_admin", username="quantri.moi", totp=False)
        head = db.session.scalar(select(Officer).where(Officer.username == admin.username))
        assert head is not None
        change = bank.propose(head, home, bank.clean_account("970436", "0011001234567",
                                                             "UBND XA TAN HONG"))
        newcomer = f.officer(home, "receiving", username="canbo.moi", totp=False)
        token = password_links.issue(head, newcomer)
        now = datetime.now(UTC)
        request = rights.file_request(made["waiting_desk"], "correction",
                                      "Tên mẹ viết sai dấu", now)
        incident = incidents.record_incident(
            head, summary="Máy tính ở quầy bị nhiễm mã độc", started_at=now,
            discovered_at=now, data_kinds=["id_photos"], scope_officer=desk,
            window_start=now - timedelta(days=1), window_end=now, scope_codes=[])
        citizen = Citizen(issuer="https://id.example", subject="c-axe", full_name="Lê Văn Dân")
        db.session.add(citizen)
        db.session.commit()
        codes = {key: d.code for key, d in made.items()}
        counter_id, feedback_id, new_admin_name = counter.id, feedback.id, new_admin.username
        ids = {"desk": desk.id, "change": change.id, "request": request.id,
               "incident": incident.id, "token": token, "result": result.public_id,
               "ticket": waiting.id,
               "ticket_link": links.ticket_token(waiting)}
        with app.test_request_context():
            response = kiosk.lock_to(app.response_class(), counter)
        kiosk_cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        # The signed session cookie the sign-in would set, for the browser's address and
        # user agent (Flask-Login's strong session protection checks both).
        with app.test_request_context(environ_base={"HTTP_USER_AGENT": USER_AGENT,
                                                    "REMOTE_ADDR": "127.0.0.1"}):
            citizen_sessions.start(db.session.get(Citizen, citizen.id))
            answer = app.response_class()
            app.session_interface.save_session(app, session._get_current_object(), answer)
        citizen_cookie = answer.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    found = payment(app, codes["paid"])
    assert found is not None
    ref = found["reference"]
    client = app.test_client()
    assert pay(client, "axe-paid", found["amount"],
               f"mc {ref[2:8]} {ref[8:]} chuyen tien").status_code < 300
    assert pay(client, "axe-unknown", 50000, "chuyen tien le phi").status_code < 300
    return Seeded(codes=codes, counter_id=counter_id, feedback_id=feedback_id,
                  citizen_cookie=citizen_cookie, kiosk_cookie=kiosk_cookie,
                  desk="tiepnhan.tanhong", desk_password=demo.password,
                  admin=admin.username, admin_password=demo.password,
                  admin_totp=admin.totp_secret, new_admin=new_admin_name, ids=ids)


def _busy_year(home: Agency) -> StatsDaily:
    """A busy commune's figures (four-digit counts), as the rollup would hold them: the
    statistics tables are then as wide as a real year makes them."""
    today = vietnam_today()
    return StatsDaily(agency_id=home.id, day=today, field="Hộ tịch",
                      month=today.replace(day=1), received=1240, received_online=860,
                      finished_early=702, finished_on_time=415, finished_late=38,
                      returned=1120, rejected=12, withdrawn=7, rated_satisfied=1034,
                      rated_neutral=61, rated_not_satisfied=23)


def _password_step(page: Any, username: str, password: str, lands_on: str) -> None:
    page.goto("/officer/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{lands_on}")


def _sign_in(who: str, page: Any, s: Seeded, live_server: str) -> None:
    """Make the context's page the visitor `who` (through the real login form for staff)."""
    host = urlparse(live_server).hostname
    if who == CITIZEN:
        # No identity provider runs here: the citizen's session cookie is made by the app.
        page.context.add_cookies([{"name": "session", "value": s.citizen_cookie,
                                   "domain": host, "path": "/", "httpOnly": True}])
    elif who == KIOSK:
        page.context.add_cookies([{"name": kiosk.COOKIE, "value": s.kiosk_cookie,
                                   "domain": host, "path": "/kiosk", "sameSite": "Strict",
                                   "httpOnly": True}])
    elif who == DESK:
        _password_step(page, s.desk, s.desk_password, "/officer/inbox")
    elif who == ADMIN:
        _password_step(page, s.admin, s.admin_password, "/officer/login/totp")
        page.fill("#code", pyotp.TOTP(s.admin_totp).now())
        page.click("button[type=submit]")
        page.wait_for_url("**/officer/inbox")
    elif who == TOTP_STEP:
        _password_step(page, s.admin, s.admin_password, "/officer/login/totp")
    elif who == TOTP_SETUP_STEP:
        _password_step(page, s.new_admin, f.PASSWORD, "/officer/login/totp-setup")


RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return {version: axe.version, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))};
}"""


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _axe(page: Any) -> dict[str, Any]:
    page.evaluate(_axe_source())
    return page.evaluate(RUN_AXE)


def _locked_axe_version() -> str:
    lock = json.loads((NODE / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/axe-core"]["version"])


@dataclass
class Finding:
    endpoint: str
    path: str
    size: str
    violations: list[dict[str, Any]]

    def count(self, impact: str) -> int:
        return sum(1 for v in self.violations if v["impact"] == impact)

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["impact"] in FAILING]


def _check_pages(browser: Any, live_server: str, s: Seeded,
                 plan: dict[str, list[tuple[str, str]]]) -> Iterator[Finding]:
    by_who: dict[str, list[tuple[str, str]]] = {}
    for endpoint, rows in plan.items():
        for who, path in rows:
            by_who.setdefault(who, []).append((endpoint, path))
    for who, rows in by_who.items():
        sizes = SIZES.get(who, STAFF_SIZES).items()
        # One context a visitor, both sizes in it: a TOTP code signs in only once.
        context = browser.new_context(base_url=live_server, locale="vi-VN", viewport=PHONE,
                                      user_agent=USER_AGENT)
        page = context.new_page()
        try:
            _sign_in(who, page, s, live_server)
            for name, size in sizes:
                page.set_viewport_size(size)
                for endpoint, path in rows:
                    response = page.goto(path)
                    assert response is not None and response.status == 200, (
                        f"{path} as {who}: {response and response.status}")
                    found = _axe(page)
                    assert found["version"] == _locked_axe_version(), (
                        "tests/oidc/node_modules is not the locked install: run make "
                        "tests/oidc/node_modules")
                    yield Finding(endpoint, path, name, found["violations"])
        finally:
            context.close()


def _table(findings: list[Finding]) -> str:
    lines = [f"{'page':58} {'size':8} " + " ".join(f"{i[:4]:>4}" for i in IMPACTS)
             + "  rules"]
    for found in findings:
        rules = ", ".join(sorted({f"{v['id']}({v['impact'][:4]})" for v in found.violations}))
        lines.append(f"{found.path[:58]:58} {found.size:8} "
                     + " ".join(f"{found.count(i):>4}" for i in IMPACTS) + f"  {rules}")
    return "\n".join(lines)


def _explain(found: Finding) -> str:
    return f"{found.path} ({found.size}): " + "; ".join(
        f"{v['id']} [{v['impact']}] {v['help']} ×{v['nodes']} at {v['targets']}"
        for v in found.failing)


def test_every_get_endpoint_is_visited_or_excluded_with_a_reason(app: Flask) -> None:
    plan = visits(Seeded.placeholder())
    endpoints = get_endpoints(app)
    assert not set(plan) & set(NOT_PAGES), "an endpoint is both visited and excluded"
    assert set(plan) | set(NOT_PAGES) >= endpoints, (
        f"GET pages nobody checks: {sorted(endpoints - set(plan) - set(NOT_PAGES))}: visit "
        "them in visits() or say why not in NOT_PAGES")
    assert set(plan) | set(NOT_PAGES) <= endpoints, (
        f"listed but gone: {sorted(set(plan) | set(NOT_PAGES) - endpoints)}")


@pytest.mark.browser
def test_no_serious_or_critical_axe_violation_on_any_page(
        app: Flask, browser: Any, live_server: str, demo: Any, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run make tests/oidc/node_modules")
    seeded = _seed(app, demo)
    plan = visits(seeded)
    assert set(plan) | set(NOT_PAGES) >= get_endpoints(app)
    findings = list(_check_pages(browser, live_server, seeded, plan))
    summary = _table(findings)
    (tmp_path / "axe-summary.txt").write_text(summary + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + summary)
    failing = [_explain(found) for found in findings if found.failing]
    assert not failing, "\n".join(failing)
