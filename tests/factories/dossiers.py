"""Dossiers put straight into any status, and their stored files."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.core.text import fold
from app.dossiers.codes import hash_secret
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierEvent, DossierFile
from app.extensions import db
from app.places.models import Agency, Village
from app.procedures.models import Procedure
from tests.factories.files import png_bytes

SECRET = "bi-mat-theo-doi-ho-so-thu"
_seq = itertools.count(1)


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


def attach_image(found: Dossier) -> DossierFile:
    data = png_bytes()
    key = get_file_store().put_bytes(data, "png")
    stored = DossierFile(dossier_id=found.id, kind="application", storage_key=key,
                         original_name="can-cuoc.png", content_type="image/png",
                         size=len(data), sha256="0" * 64)
    db.session.add(stored)
    db.session.flush()
    return stored


# A result collected at the counter by a relative of the applicant: what the return move
# needs (the applicant's own ID is 001190012345; this is someone else's).
COLLECTED_BY_RELATIVE = {"handover": "counter", "collector_name": "Nguyễn Thị Nhận",
                         "collector_id_number": "001185012345", "collector_relation": "family"}


def stored_dossier(app: Any, code: str) -> tuple[Dossier, list[DossierEvent]]:
    """The dossier as the database holds it now, and its events in order (detached)."""
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert found is not None, code
        events = list(db.session.scalars(select(DossierEvent).where(
            DossierEvent.dossier_id == found.id).order_by(DossierEvent.id)))
        db.session.expunge_all()
        return found, events


def desk_and_neighbour(statuses: tuple[str, ...]) -> dict[str, Any]:
    """A commune's desk, specialist and one dossier in each of `statuses`, and a receiving
    officer of a neighbouring commune (committed); usernames and codes by status."""
    from tests.factories.officers import officer
    from tests.factories.places import agency
    from tests.factories.procedures import procedure

    home = agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
    other = agency("vanhung", "Xã Vạn Hưng", "000.31.13.H26")
    proc = procedure([home, other])
    found = {"desk": officer(home, "receiving").username,
             "specialist": officer(home, "specialist").username,
             "outsider": officer(other, "receiving").username,
             "codes": {status: dossier(home, proc, status).code for status in statuses}}
    db.session.commit()
    return found
