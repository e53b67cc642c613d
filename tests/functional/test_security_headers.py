"""Every GET route of the app answers with the security headers, built from the url_map so a
new route is covered (or must say why it cannot be) without touching this test."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.accounts.models import Officer
from app.citizens import sessions as citizen_sessions
from app.citizens.models import Citizen
from app.dossiers.models import DossierFile
from app.extensions import db
from app.feedback.models import Counter, Feedback
from app.queues import links
from tests import factories as f
from tests.factories.files import jpeg
from tests.factories.officers import sign_in
from tests.factories.pages import csrf_token
from tests.factories.payments import PayWorld, new_dossier
from tests.factories.queues import queue_ticket
from tests.factories.results import issued_result

# Rules this test knowingly does not request, each with the reason. Keep it short.
SKIPPED: dict[str, str] = {}

# Rules whose right answer here is not a page, with the status the app gives and why.
NOT_A_PAGE = {
    "signin.callback": (400, "no sign-in is in progress: the refusal page"),
    "signin.login": (302, "no provider configured in tests: back to the home page"),
    "staff.accounts.login_oidc": (302, "no provider configured in tests: back to the home page"),
    "staff.accounts.login_totp": (302, "no password step pending: back to the login page"),
    "staff.accounts.login_totp_setup": (302,
                                        "no password step pending: back to the login page"),
    "staff.accounts.home": (302, "the staff index sends the officer on to the inbox"),
    "staff.backoffice.declaration": (404, "this procedure has no declaration filled online"),
    "feedback.rate": (403, "the dossier is not returned yet, so it cannot be rated"),
    "payments.receipt": (404, "nothing is paid yet, so there is no receipt"),
    "staff.password_link.start": (302, "the link's token moves into the session"),
    "staff.password_link.set_password": (404, "no password link was handed over here"),
    "metrics": (404, "no METRICS_TOKEN in tests, and no token sent: hidden from the public"),
    "dossiers.result_file": (404, "the result is issued but the dossier is not at its end "
                                  "yet (nor its fee paid): not handed out"),
}

# Query arguments a rule needs besides its path ones.
QUERY = {"api.get_dossier": {"t": f.SECRET}}


def _citizen_sign_in(app: Flask, client: Any) -> None:
    with app.app_context():
        citizen = Citizen(issuer="https://id.example", subject="c-1", full_name="Lê Văn Dân")
        db.session.add(citizen)
        db.session.commit()
        with app.test_request_context(environ_base=client.environ_base):
            citizen_sessions.start(citizen)
            from flask import session

            data = dict(session)
    with client.session_transaction() as sess:
        sess.update(data)


def _objects(app: Flask, world: PayWorld) -> dict[str, Any]:
    """Real objects for every URL argument, and the clients that may open them."""
    code = new_dossier(app, world)
    with app.app_context():
        from app.dossiers.models import Dossier

        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        file_id = f.attach_image(dossier).id
        result_id = issued_result(dossier, db.session.get(Officer, world.desk_id)).public_id
        home = dossier.agency
        admin = f.officer(home, "commune_admin", totp=False)
        village = home.villages[0].code if hasattr(home, "villages") else "tanhong-thon1"
        procedure = dossier.procedure.code
        from app.admin import bank

        change = bank.propose(admin, home, bank.clean_account("970436", "0011001234567",
                                                              "UBND XA TAN HONG"))
        from app.privacy import incidents, rights

        request_id = rights.file_request(dossier, "correction", "Sửa tên",
                                         datetime.now(UTC)).id
        incident = incidents.record_incident(
            admin, summary="Lộ mật khẩu", started_at=datetime.now(UTC),
            discovered_at=datetime.now(UTC), data_kinds=["id_photos"], scope_officer=None,
            window_start=None, window_end=None, scope_codes=[code])
        ticket = queue_ticket(home)
        db.session.commit()
        admin_name, admin_id, change_id = admin.username, admin.id, change.id
        incident_id, ticket_id, ticket_token = incident.id, ticket.id, links.ticket_token(ticket)
    citizen = app.test_client()
    assert citizen.get(f"/d/{code}?t={f.SECRET}").status_code == 200  # this phone's dossier

    desk = app.test_client()
    sign_in(app, desk, world.desk)
    token = csrf_token(desk.get("/officer/counters").data)
    assert desk.post("/officer/counters", data={"csrf_token": token,
                                                "name": "Quầy 1"}).status_code == 302
    with app.app_context():
        counter_id = db.session.scalar(select(Counter.id))
    desk.post(f"/officer/counters/{counter_id}", data={
        "csrf_token": token, "officer": str(world.desk_id),
        "photo": (io.BytesIO(jpeg(120, 120)), "anh.jpg")}, content_type="multipart/form-data")
    tablet = app.test_client()
    sign_in(app, tablet, world.desk)
    assert tablet.post(f"/officer/counters/{counter_id}/kiosk", data={
        "csrf_token": csrf_token(tablet.get("/officer/counters").data)}).status_code == 302
    form = citizen.get("/feedback/new?agency=tanhong")
    citizen.post("/feedback/new", data={
        "csrf_token": csrf_token(form.data), "agency": "tanhong", "about": "hall",
        "message": "Ghế chờ bị hỏng", "photo": (io.BytesIO(jpeg()), "ghe.jpg")},
        content_type="multipart/form-data")
    with app.app_context():
        feedback_id = db.session.scalar(select(Feedback.id))
        assert db.session.get(DossierFile, file_id) is not None
    assert feedback_id is not None
    admin_client = app.test_client()
    sign_in(app, admin_client, admin_name)
    me = app.test_client()
    _citizen_sign_in(app, me)
    return {
        "values": {"code": code, "file_id": file_id, "counter_id": counter_id,
                   "feedback_id": feedback_id, "slug": "tanhong", "kind": "receipt",
                   "name": "icon-192.png", "filename": "app.css", "officer_id": admin_id,
                   "change_id": change_id, "request_id": request_id,
                   "incident_id": incident_id, "number": 1, "public_id": result_id,
                   "ticket_id": ticket_id,
                   "token": ticket_token},
        "by_prefix": {"/officer/": admin_client, "/admin/": admin_client,
                      "/kiosk/": tablet, "/me/": me},
        "code_of": {"/admin/villages/": village, "/procedures/": procedure,
                    "/api/v1/procedures/": procedure, "/v/": village},
        "anonymous": citizen,
    }


def _fill(rule: Any, objects: dict[str, Any]) -> dict[str, Any] | None:
    values = dict(objects["values"])
    for prefix, code in objects["code_of"].items():
        if rule.rule.startswith(prefix):
            values["code"] = code
    if not set(rule.arguments) <= set(values):
        return None
    return {name: values[name] for name in rule.arguments}


def _client_for(path: str, objects: dict[str, Any]) -> Any:
    for prefix, client in objects["by_prefix"].items():
        if path.startswith(prefix) and not path.startswith("/officer/login"):
            return client
    return objects["anonymous"]


def _assert_headers(path: str, headers: Any) -> None:
    csp = headers.get("Content-Security-Policy", "")
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp), path
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, path
    assert "base-uri 'none'" in csp, path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path
    assert headers.get("X-Frame-Options") == "DENY", path
    assert "geolocation=()" in headers.get("Permissions-Policy", ""), path


def test_every_get_route_sends_the_security_headers(app: Flask, pay_world: PayWorld) -> None:
    objects = _objects(app, pay_world)
    unfillable, seen, wrong_status = [], [], []
    with app.test_request_context():
        from flask import url_for

        rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
        built = []
        for rule in rules:
            if rule.endpoint in SKIPPED:
                continue
            arguments = _fill(rule, objects)
            if arguments is None:
                unfillable.append(rule.rule)
                continue
            built.append((rule.endpoint,
                          url_for(rule.endpoint, **arguments, **QUERY.get(rule.endpoint, {}))))
    assert not unfillable, f"GET rules this test cannot fill (give it an object): {unfillable}"
    for endpoint, path in built:
        response = _client_for(path, objects).get(path)
        response.close()  # a streamed answer (CSV) holds its context until closed
        expected = NOT_A_PAGE.get(endpoint, (200, ""))[0]
        if response.status_code != expected:
            wrong_status.append((path, response.status_code))
        _assert_headers(path, response.headers)
        seen.append(endpoint)
    assert not wrong_status, wrong_status
    assert len(seen) == len(rules) - len(SKIPPED)
    assert {"staff.backoffice.audit_csv", "dossiers.dossier_file", "feedback.kiosk_page",
            "citizens.my_dossiers", "payments.pay_png", "static"} <= set(seen)


def test_error_answers_send_the_security_headers_too(client: Any) -> None:
    for path in ("/no-such-page", "/api/v1/no-such-thing", "/d/NO-SUCH-CODE"):
        _assert_headers(path, client.get(path).headers)
