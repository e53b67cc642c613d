"""Authorization matrix: every back-office URL and every dossier action × every role × own
and another agency × anonymous and a citizen who holds a dossier's tracking access.

Only the allowed combinations succeed; the rest get 302 to the login page, 403, or 404 —
and a 404 for another commune's dossier is byte-for-byte the 404 of a code that does not
exist, so nothing leaks. Expectations come from the hand-written workflow spec
(tests/spec/workflow.toml, never from the code's own table) and from the page rules
written out below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.accounts.models import Officer, Role
from app.dossiers import access
from app.dossiers.models import Dossier, DossierEvent, DossierStatus
from app.dossiers.workflow import TRANSITIONS
from app.extensions import db
from tests import factories as f
from tests import spec
from tests.factories.dossiers import COLLECTED_BY_RELATIVE
from tests.factories.pages import csrf_token

OWN, OTHER = "own", "other"
SUBJECTS = (["anonymous", "citizen"]
            + [f"{role.value}@{where}" for role in Role for where in (OWN, OTHER)])
SLIP_KINDS = ("receipt", "supplement", "rejection", "apology", "control")
DESK = {Role.RECEIVING, Role.COMMUNE_ADMIN}
PAIRS = [(status, action) for (status, action) in spec.PAIRS if status is not None]


@dataclass
class World:
    codes: dict[str, str]  # label -> dossier code
    file_id: int
    specialist_id: int
    doc_id: int
    officers: dict[str, tuple[str, str | None]]  # subject -> (username, totp secret)


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        own = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.25.28.H34")
        proc = f.procedure([own, other])
        officers = {}
        for role in Role:
            for where, home in ((OWN, own), (OTHER, other)):
                o = f.officer(home, role.value)
                officers[f"{role.value}@{where}"] = (o.username, o.totp_secret)
        specialist = db.session.scalar(select(Officer).where(
            Officer.username == f"specialist.{own.slug}"))
        codes: dict[str, str] = {}
        # One fresh dossier per (status, action): a successful move must not spoil the next.
        for status, action in PAIRS:
            d = f.dossier(own, proc, status.value, due_date=date.today() + timedelta(days=5))
            codes[f"{status.value}:{action}"] = d.code
        # One dossier that has every slip, for the read-only pages.
        # Its own name, so the inbox search finds it on the first page among the others.
        shown = f.dossier(own, proc, "in_progress", due_date=date.today() + timedelta(days=5),
                          name="Trần Văn Khải")
        for action in ("receive", "request_supplement", "reject", "apologize"):
            db.session.add(DossierEvent(dossier_id=shown.id, action=action,
                                        actor_kind="officer", note="Thử",
                                        data={"due_date": shown.due_date.isoformat()}))
        codes["shown"] = shown.code
        stored = f.attach_image(shown)
        db.session.commit()
        return World(codes, stored.id, specialist.id, proc.documents[0].id, officers)


def _client_for(app, world: World, subject: str):
    client = app.test_client()
    if subject == "citizen":
        # What /d/<code>?t=<secret> leaves behind: this browser may see that one dossier.
        with client.session_transaction() as session:
            session[access.SESSION_KEY] = [world.codes["shown"]]
    elif subject != "anonymous":
        username, secret = world.officers[subject]
        f.login(client, username, secret)
    return client


def _role_where(subject: str) -> tuple[str | None, str | None]:
    if "@" not in subject:
        return None, None
    role, where = subject.split("@")
    return role, where


def _page_expectations(world: World, subject: str) -> list[tuple[str, str, int]]:
    """(method, url, expected status) for every page, written out rule by rule."""
    role, where = _role_where(subject)
    shown = world.codes["shown"]
    dossier_urls = ([f"/officer/dossiers/{shown}",
                     f"/officer/dossiers/{shown}/files/{world.file_id}"]
                    + [f"/officer/dossiers/{shown}/slips/{k}" for k in SLIP_KINDS]
                    + [f"/officer/dossiers/{shown}/slips/{k}?format=80mm" for k in SLIP_KINDS])
    pages = ["/officer/inbox", "/officer/inbox?queue=all&q=Khai", "/officer/dashboard",
             "/officer/counter/new", "/officer/audit.csv"]
    if role is None:
        return [("GET", url, 302) for url in pages + dossier_urls]
    out = [("GET", "/officer/inbox", 200), ("GET", "/officer/inbox?queue=all&q=Khai", 200),
           ("GET", "/officer/dashboard", 200),
           ("GET", "/officer/counter/new", 200 if role in DESK else 403),
           ("GET", "/officer/audit.csv", 200 if role == Role.COMMUNE_ADMIN else 403)]
    out += [("GET", url, 200 if where == OWN else 404) for url in dossier_urls]
    return out


def _form_for(action: str, world: World) -> dict[str, Any]:
    return {"note": "Lý do thử nghiệm", "officer_id": str(world.specialist_id),
            "missing": str(world.doc_id), "result_mode": "paper",
            "new_due_date": (date.today() + timedelta(days=9)).isoformat(),
            "fix-phone": "0987 654 321", **COLLECTED_BY_RELATIVE}


def _strip_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]+"|name="csrf_token" value="[^"]+"', "", html)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_authorization_matrix(app, world, subject):
    client = _client_for(app, world, subject)
    role, where = _role_where(subject)
    wrong: list[str] = []

    for method, url, expected in _page_expectations(world, subject):
        response = client.open(url, method=method)
        response.get_data()  # a streamed export ends (and frees its request) once read
        if response.status_code != expected:
            wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
        elif expected == 302 and "/officer/login" not in response.headers["Location"]:
            wrong.append(f"{method} {url}: redirected to {response.headers['Location']}")
        elif (expected == 200 and url == "/officer/inbox?queue=all&q=Khai"
              and (world.codes["shown"] in response.get_data(as_text=True)) != (where == OWN)):
            wrong.append(f"{url}: another commune's dossier listed (or own one missing)")

    # Another commune's dossier and a code that never existed answer the very same page.
    if role is not None and where == OTHER:
        theirs = client.get(f"/officer/dossiers/{world.codes['shown']}")
        nobody = client.get("/officer/dossiers/000.31.12.H26-991231-9999")
        assert nobody.status_code == theirs.status_code == 404
        assert _strip_nonce(theirs.get_data(as_text=True)) == _strip_nonce(
            nobody.get_data(as_text=True))

    # Everyone sends a valid CSRF token (anyone can read one off the login page): the
    # refusals below must come from the back office's own rules, not from CSRF.
    token = csrf_token(client.get("/officer/account" if role else "/officer/login").data)
    for status, action in PAIRS:
        code = world.codes[f"{status.value}:{action}"]
        # The factory's dossiers were never received unless their status says so.
        move = next(m for m in spec.moves_for(status, action)
                    if m.when in (None, "never_received"))
        if role is None:
            expected = 302
        elif where == OTHER:
            expected = 404
        elif role in move.roles:
            expected = 302  # done: back to the dossier page
        else:
            expected = 403
        data = {**_form_for(action, world), "version": "1", "csrf_token": token}
        response = client.post(f"/officer/dossiers/{code}/actions/{action}", data=data)
        label = f"POST {status.value} → {action}"
        if response.status_code != expected:
            wrong.append(f"{label}: {response.status_code}, expected {expected}")
            continue
        location = response.headers.get("Location", "")
        if expected == 302 and role is None and "/officer/login" not in location:
            wrong.append(f"{label}: redirected to {location}")
        with app.app_context():
            d = db.session.scalar(select(Dossier).where(Dossier.code == code))
            events = db.session.scalar(select(func.count()).select_from(DossierEvent)
                                       .where(DossierEvent.dossier_id == d.id))
            moved = role is not None and expected == 302
            if moved and (d.status != move.to.value or events != 2):
                wrong.append(f"{label}: status {d.status}, {events} events after success")
            if not moved and (d.status != status.value or events != 1):
                wrong.append(f"{label}: refused, yet the dossier changed to {d.status}")

    assert not wrong, f"{subject}:\n" + "\n".join(wrong)


def test_every_officer_action_is_reachable_from_the_ui():
    """Each officer move of the table has a form the dossier page can show."""
    from pathlib import Path

    template = (Path(__file__).parents[2] / "app/templates/backoffice/dossier.html").read_text()
    officer_actions = {a for (_s, a), m in TRANSITIONS.items() if m.actor == "officer"}
    assert officer_actions, "the workflow table lists no officer action"
    assert "{% for action in actions %}" in template
    assert all(s in DossierStatus for s, _a in PAIRS)
