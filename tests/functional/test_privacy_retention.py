"""The retention sweep on a hand-built dataset with a fixed clock: one day inside each
period is kept, one day past is swept, results and open dossiers are kept, and the sweep
records what it did. Expected counts are written by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from app.accounts.officer_sessions import OfficerSession
from app.accounts.throttle import LoginThrottle
from app.backoffice.models import AuditEntry
from app.core.transaction import commit
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications.models import PushSubscription
from app.payments.models import BankTransaction
from app.privacy.models import SweepRecord
from app.privacy.retention import sweep
from tests import factories as f
from tests.factories import privacy as p

NOW = datetime(2030, 6, 15, 5, 0, tzinfo=UTC)
RETENTION = {"id_photos": 90, "dossier_files": 365, "personal_fields": 1825,
             "audit_events": 730, "push_subscriptions": 90, "login_records": 30,
             "payment_records": 3650}


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def _subscription(n: int, created: datetime, *dossiers: Dossier) -> PushSubscription:
    sub = PushSubscription(endpoint_hash=f"{n:064d}", endpoint=f"https://push.example/{n}",
                           p256dh="k", auth="a", created_at=created)
    sub.dossiers = list(dossiers)
    db.session.add(sub)
    return sub


def _notice(n: int, received: datetime) -> None:
    db.session.add(BankTransaction(provider="test", provider_id=str(n), amount=8000,
                                   content="NGUYEN VAN AN chuyen tien MC", raw={"payer": "x"},
                                   received_at=received, received_day=received.date()))


def test_sweep_keeps_what_is_inside_its_period_and_takes_what_is_past(app: Flask) -> None:
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        proc = f.procedure([home])
        form_doc, id_doc = proc.documents
        desk = f.officer(home, "receiving")

        files_in = p.closed_at(f.dossier(home, proc, "returned"), days_ago(364))
        files_past = p.closed_at(f.dossier(home, proc, "returned"), days_ago(366))
        photo_in = p.closed_at(f.dossier(home, proc, "rejected"), days_ago(89))
        photo_past = p.closed_at(f.dossier(home, proc, "withdrawn"), days_ago(91))
        running = f.dossier(home, proc, "in_progress", submitted_at=days_ago(4000))
        old = p.closed_at(f.dossier(home, proc, "returned", name="Lê Văn Cũ"), days_ago(1826))
        old_in = p.closed_at(f.dossier(home, proc, "returned", name="Lê Văn Mới"),
                             days_ago(1824))

        kept = {
            "files_in form": p.stored_file(files_in, form_doc),
            "files_past result": p.stored_file(files_past, None, kind="result"),
            "photo_in photo": p.stored_file(photo_in, id_doc),
            "photo_past form": p.stored_file(photo_past, form_doc),
            "running form": p.stored_file(running, form_doc),
            "running photo": p.stored_file(running, id_doc),
        }
        swept = {
            "files_in photo": p.stored_file(files_in, id_doc),
            "files_past form": p.stored_file(files_past, form_doc),
            "files_past photo": p.stored_file(files_past, id_doc),
            "photo_past photo": p.stored_file(photo_past, id_doc),
        }
        p.audit(desk.id, home.id, "view_file", days_ago(731), files_in)
        p.audit(desk.id, home.id, "view_file", days_ago(729), files_in)
        _subscription(1, days_ago(91), files_past)
        _subscription(2, days_ago(91), running, files_past)
        _subscription(3, days_ago(89), files_past)
        db.session.add_all([
            LoginThrottle(key="account:a", failures=1, last_failure_at=days_ago(31)),
            LoginThrottle(key="account:b", failures=1, last_failure_at=days_ago(29)),
            OfficerSession(id="s-old", officer_id=desk.id, created_at=days_ago(31),
                           last_seen_at=days_ago(31)),
            OfficerSession(id="s-new", officer_id=desk.id, created_at=days_ago(29),
                           last_seen_at=days_ago(29)),
        ])
        _notice(1, days_ago(3651))
        _notice(2, days_ago(3649))
        db.session.flush()
        keys = {name: stored.storage_key for name, stored in {**kept, **swept}.items()}

        report = sweep(NOW, RETENTION)
        commit()

        assert report.counts == {
            "id_photos": 3, "dossier_files": 1, "personal_fields": 1, "audit_events": 1,
            "push_subscriptions": 1, "login_throttle": 1, "officer_sessions": 1,
            "payment_records": 1, "result_files_kept": 1}
        store = get_file_store()
        assert {n for n in keys if not store.exists(keys[n])} == set(swept)
        assert all(stored.erased_at is not None for stored in swept.values())
        assert all(stored.erased_at is None for stored in kept.values())

        gone = db.session.get(Dossier, old.id)
        assert (gone.applicant_name, gone.citizen_id_number, gone.phone, gone.address,
                gone.answers, gone.applicant_birth_date) == ("", "", "", "", {}, None)
        # What the public figures count stays.
        assert (gone.status, gone.procedure_id, gone.agency_id) == ("returned", proc.id,
                                                                    home.id)
        assert db.session.get(Dossier, old_in.id).applicant_name == "Lê Văn Mới"
        assert db.session.get(Dossier, running.id).applicant_name == "Nguyễn Thị Hoà"

        assert len(db.session.scalars(select(AuditEntry)).all()) == 1
        assert sorted(s.endpoint_hash[-1] for s in db.session.scalars(
            select(PushSubscription))) == ["2", "3"]
        assert db.session.scalars(select(LoginThrottle.key)).all() == ["account:b"]
        assert db.session.scalars(select(OfficerSession.id)).all() == ["s-new"]
        notices = {t.provider_id: (t.content, t.raw, t.amount)
                   for t in db.session.scalars(select(BankTransaction))}
        assert notices == {"1": ("", {}, 8000),
                           "2": ("NGUYEN VAN AN chuyen tien MC", {"payer": "x"}, 8000)}

        recorded = db.session.scalars(select(SweepRecord)).all()
        assert [r.counts["id_photos"] for r in recorded] == [3]

        again = sweep(NOW, RETENTION)
        commit()
        assert again.counts == dict.fromkeys(again.counts, 0) | {"result_files_kept": 1}


def test_the_sweep_command_prints_what_it_did(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["privacy", "sweep", "--now",
                                                "2030-06-15T12:00"])
    assert result.exit_code == 0, result.output
    assert "privacy sweep as of 2030-06-15T05:00:00+00:00" in result.output
    assert "  id_photos: 0" in result.output
    assert "  personal_fields: 0" in result.output


def test_retention_defaults_are_the_ones_the_readme_gives(app: Flask) -> None:
    # Written by hand from the README's table: a changed default must change both.
    assert app.config["MOTCUA"].retention == {
        "dossier_files": 365, "id_photos": 90, "personal_fields": 1825, "audit_events": 730,
        "push_subscriptions": 90, "login_records": 30, "payment_records": 3650}
