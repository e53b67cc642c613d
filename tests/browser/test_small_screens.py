"""The citizen pages on a 320 and a 360 px phone and at 200 % zoom: no sideways scrolling, one
h1, every form control labelled. The pages are every citizen GET page of the app's url_map,
filled with real objects (a village, a procedure, dossiers in the states their pages need)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.models import Officer
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from app.queues import links
from tests import factories as f
from tests.factories.payments import configure, pay, payment
from tests.factories.queues import queue_ticket
from tests.factories.results import issued_result

# Pages that are not the citizen's: staff, devices in the commune hall, machines.
NOT_CITIZEN_PREFIXES = ("/officer", "/admin", "/api", "/static", "/kiosk", "/display")
# Citizen GET endpoints that answer something else than an HTML page.
NOT_HTML = {
    "dossiers.dossier_file", "dossiers.result_file", "payments.pay_png", "payments.pay_status",
    "feedback.stats_csv", "pwa.service_worker", "pwa.manifest", "pwa.icon", "core.healthz",
    "signin.login", "signin.callback",  # redirects to and from the identity provider
    "privacy.export",  # the citizen's data download (ZIP)
    "metrics",  # operators' metrics, hidden without their token
}
FEE_PROCEDURE = "2.000815"  # Chứng thực bản sao: a per-page fee, paid by bank transfer
PROCEDURE = "1.001193"
# Without an identity provider set up here, the signed-in citizen's list answers its 404 page
# (which is still measured); test_oidc_login.py signs a citizen in.
NOT_200 = {"/me/dossiers": 404}
VILLAGE = "tanhong-lapham"

AUDIT = """() => {
  const doc = document.documentElement;
  const unlabelled = [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden' && el.type !== 'submit')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.name || el.id);
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 3).map(el => el.tagName + (el.className ? '.' + el.className : ''));
  return {overflow: doc.scrollWidth - window.innerWidth, width: doc.scrollWidth,
          h1: document.querySelectorAll('h1').length, unlabelled, wide};
}"""


def citizen_endpoints(app: Flask) -> dict[str, str]:
    """endpoint → rule of every citizen HTML page (GET) the app serves."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in NOT_HTML:
            continue
        if rule.rule.startswith(NOT_CITIZEN_PREFIXES):
            continue
        found[rule.endpoint] = rule.rule
    return found


def _receive(dossier: Dossier) -> None:
    desk = db.session.scalar(select(Officer).where(Officer.username == "tiepnhan.tanhong"))
    assert desk is not None
    apply(dossier, "receive", Actor.for_officer(desk))


def pages_to_visit(app: Flask) -> dict[str, list[str]]:
    """endpoint → the paths that show it, with real objects of the demo."""
    configure(app)
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        fee_proc = db.session.scalar(select(Procedure).where(Procedure.code == FEE_PROCEDURE))
        assert home is not None and fee_proc is not None and home.bank_account
        unpaid = f.dossier(home, fee_proc, "submitted", name="Nguyễn Thị Hoà")
        paid = f.dossier(home, fee_proc, "submitted", name="Trần Văn Bình")
        for dossier in (unpaid, paid):
            dossier.answers = {"pages": "4", "copies": "2"}
            _receive(dossier)
        waiting = f.dossier(home, fee_proc, "needs_supplement")
        done = f.dossier(home, fee_proc, "returned")
        desk = db.session.scalar(select(Officer).where(Officer.username == "tiepnhan.tanhong"))
        result = issued_result(done, desk)
        ticket = queue_ticket(home)
        db.session.commit()
        ticket_link = links.ticket_token(ticket)
        codes = {"unpaid": unpaid.code, "paid": paid.code, "waiting": waiting.code,
                 "done": done.code, "result": result.public_id}
    found = payment(app, codes["paid"])
    assert found is not None
    ref = found["reference"]
    answer = pay(app.test_client(), "small-screen-tx", found["amount"],
                 f"mc {ref[2:8]} {ref[8:]} chuyen tien")
    assert answer.status_code < 300, answer.get_data(as_text=True)
    t = f"?t={f.SECRET}"
    return {
        "places.home": ["/", "/?agency=tanhong"],
        "places.village": [f"/v/{VILLAGE}"],
        "procedures.search": ["/procedures?q=khai+sinh", "/procedures"],
        "procedures.detail": [f"/procedures/{PROCEDURE}?village={VILLAGE}",
                              f"/procedures/{FEE_PROCEDURE}"],
        "dossiers.apply": [f"/procedures/{PROCEDURE}/apply?village={VILLAGE}",
                           "/procedures/1.004884/apply"],
        "dossiers.submitted": [f"/d/{codes['waiting']}/submitted{t}"],
        "dossiers.dossier_page": [f"/d/{codes['unpaid']}{t}", f"/d/{codes['paid']}{t}",
                                  f"/d/{codes['waiting']}{t}", f"/d/{codes['done']}{t}"],
        "dossiers.track": ["/track"],
        "dossiers.my_dossiers": ["/my"],
        "payments.pay": [f"/d/{codes['unpaid']}/pay{t}", f"/d/{codes['paid']}/pay{t}"],
        "payments.receipt": [f"/d/{codes['paid']}/receipt{t}"],
        "feedback.rate": [f"/d/{codes['done']}/rating{t}"],
        "privacy.overview": [f"/d/{codes['waiting']}/privacy{t}"],
        "feedback.feedback_new": ["/feedback/new", "/feedback/new?agency=tanhong"],
        "feedback.stats_province": ["/stats"],
        "feedback.stats_page": ["/stats/tanhong"],
        "citizens.my_dossiers": ["/me/dossiers"],
        "pwa.offline": ["/offline"],
        "results.verify": [f"/verify/{codes['result']}"],
        "queues.take_page": ["/q/tanhong"],
        "queues.ticket_page": [f"/q/t/{ticket_link}"],
    }


@pytest.mark.browser
def test_every_citizen_page_fits_320_and_360_px_and_200_percent_zoom(
        app: Flask, browser: Any, live_server: str, demo: Any) -> None:
    visits = pages_to_visit(app)
    assert set(visits) == set(citizen_endpoints(app)), (
        "a citizen page was added or removed: list it (with real objects) in pages_to_visit")
    # 200 % zoom on a 640 px window lays the page out in 320 CSS pixels, as a phone would.
    for width, scale in ((320, 1), (360, 1), (640, 2)):
        context = browser.new_context(base_url=live_server, locale="vi-VN",
                                      viewport={"width": width // scale, "height": 640},
                                      device_scale_factor=scale)
        page = context.new_page()
        try:
            for paths in visits.values():
                for path in paths:
                    response = page.goto(path)
                    assert response is not None, path
                    assert response.status == NOT_200.get(path, 200), path
                    found = page.evaluate(AUDIT)
                    assert found["overflow"] <= 0, (
                        f"{path} is {found['width']} px wide at {width}/{scale} px: "
                        f"{found['wide']}")
                    assert found["h1"] == 1, f"{path} has {found['h1']} h1"
                    assert found["unlabelled"] == [], f"{path}: unlabelled {found['unlabelled']}"
        finally:
            context.close()


def test_the_payment_page_names_what_it_is(app: Flask, client: Any, demo: Any) -> None:
    """No receipt number or series of the commune yet: the page is a confirmation, not a
    "Biên lai điện tử"."""
    paths = pages_to_visit(app)
    for path in paths["payments.receipt"] + paths["payments.pay"]:
        html = client.get(path).get_data(as_text=True)
        assert "Biên lai điện tử" not in html and "biên lai điện tử" not in html, path
    html = client.get(paths["payments.receipt"][0]).get_data(as_text=True)
    assert "<h1>Xác nhận đã nộp phí</h1>" in html
