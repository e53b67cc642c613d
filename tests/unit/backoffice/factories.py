"""Small builders for back-office tests: agencies, procedures, officers, dossiers in any
status, and signing in through the real login form (TOTP included)."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import pyotp
from PIL import Image

from app.accounts.models import Officer, Role
from app.accounts.passwords import hash_password
from app.core.text import fold
from app.dossiers.codes import hash_secret
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierEvent, DossierFile
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure, ProcedureDocument
from tests.conftest import csrf_token

PASSWORD = "mat-khau-thu-nghiem-2026"
SECRET = "bi-mat-theo-doi-ho-so-thu"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose: hash once for every officer of the test session.
    return hash_password(PASSWORD)


def agency(slug: str, name: str, code: str) -> Agency:
    found = Agency(slug=slug, name=name, code=code, kind="commune")
    db.session.add(found)
    db.session.flush()
    db.session.add(Village(agency_id=found.id, code=f"{slug}-thon1", name="Thôn Một"))
    db.session.add(Village(agency_id=found.id, code=f"{slug}-thon2", name="Thôn Hai"))
    db.session.flush()
    return found


def procedure(agencies: list[Agency], code: str = "1.000001", days: int = 3,
              name: str = "Xác nhận tình trạng hôn nhân", field: str = "Hộ tịch") -> Procedure:
    found = Procedure(code=code, name=name, field=field, time_limit_days=days,
                      online_level="full", form_fields=[
                          {"name": "purpose", "label": "Mục đích sử dụng", "type": "text"},
                          {"name": "married_before", "label": "Đã từng kết hôn",
                           "type": "checkbox"}])
    found.documents = [
        ProcedureDocument(position=1, name="Tờ khai theo mẫu"),
        ProcedureDocument(position=2, name="Bản sao căn cước"),
    ]
    found.agencies = list(agencies)
    db.session.add(found)
    db.session.flush()
    return found


def officer(home: Agency, role: str, username: str | None = None,
            totp: bool | None = None) -> Officer:
    username = username or f"{role}.{home.slug}"
    needs_totp = role in (Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN) if totp is None else totp
    found = Officer(username=username, full_name=f"Cán bộ {role} {home.name}",
                    password_hash=_password_hash(), role=role, agency_id=home.id,
                    totp_secret=pyotp.random_base32() if needs_totp else None)
    db.session.add(found)
    db.session.flush()
    return found


def dossier(home: Agency, proc: Procedure, status: str = "submitted", *,
            name: str = "Nguyễn Thị Hoà", phone: str = "0912345678",
            due_date: date | None = None, received_at: datetime | None = None,
            submitted_at: datetime | None = None, village: Village | None = None,
            channel: str = "online", **extra: Any) -> Dossier:
    """A dossier put straight into `status` (the workflow itself is tested elsewhere)."""
    n = next(_seq)
    now = datetime.now(UTC)
    running = status not in ("submitted", "rejected", "withdrawn")
    if running and received_at is None and status != "needs_supplement":
        received_at = now - timedelta(days=1)
    if running and due_date is None and status != "needs_supplement":
        due_date = date.today() + timedelta(days=7)
    # The stamps the workflow would have left (the database checks them against the status).
    if status in ("result_ready", "returned"):
        extra.setdefault("finished_at", now)
    if status == "returned":
        extra.setdefault("returned_at", max(now, extra["finished_at"]))
    found = Dossier(code=f"{home.code}-260301-{n:04d}", procedure_id=proc.id,
                    agency_id=home.id, village_id=village.id if village else None,
                    applicant_name=name, applicant_name_folded=fold(name),
                    citizen_id_number="001190012345", phone=phone, address="Thôn Một",
                    answers={"purpose": "Kết hôn", "married_before": False},
                    status=status, channel=channel, submitted_at=submitted_at or now,
                    received_at=received_at, due_date=due_date,
                    tracking_secret_hash=hash_secret(SECRET), **extra)
    db.session.add(found)
    db.session.flush()
    db.session.add(DossierEvent(dossier_id=found.id, action="submit", to_status="submitted",
                                actor_kind="citizen"))
    db.session.flush()
    return found


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def attach_image(found: Dossier) -> DossierFile:
    data = png_bytes()
    key = get_file_store().put_bytes(data, "png")
    stored = DossierFile(dossier_id=found.id, kind="application", storage_key=key,
                         original_name="can-cuoc.png", content_type="image/png",
                         size=len(data), sha256="0" * 64)
    db.session.add(stored)
    db.session.flush()
    return stored


def login(client: Any, username: str, totp_secret: str | None = None) -> None:
    """Sign in through /officer/login (and its TOTP step when the officer has one)."""
    page = client.get("/officer/login")
    response = client.post("/officer/login", data={
        "csrf_token": csrf_token(page.data), "username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].endswith("/login/totp"):
        assert totp_secret, f"{username} needs a TOTP secret"
        page = client.get("/officer/login/totp")
        response = client.post("/officer/login/totp", data={
            "csrf_token": csrf_token(page.data), "code": pyotp.TOTP(totp_secret).now()})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]


def action_form(client: Any, code: str) -> dict[str, str]:
    """The CSRF token and version from the officer's dossier page, as a form would send."""
    import re

    page = client.get(f"/officer/dossiers/{code}")
    html = page.get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html)
    return {"csrf_token": csrf_token(html), "version": version.group(1) if version else "1"}
