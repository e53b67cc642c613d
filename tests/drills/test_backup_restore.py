"""Drill 8: a backup taken while citizens submit and the bank pays, restored into a fresh
PostgreSQL and a fresh SeaweedFS, serves the same dossiers with the same files."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy import select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierEvent, DossierFile
from app.extensions import db
from app.notifications.models import Notification
from app.payments.models import BankTransaction, Payment
from app.procedures.models import Procedure
from tests.drills.clients import Submission, bank_notice, photos
from tests.drills.deployment import Deployment, counts
from tests.factories.payments import SECRET, make_pay_world, new_dossier, payment

MODELS = (Dossier, DossierEvent, DossierFile, Payment, BankTransaction, Notification)
LOAD_SECONDS = 6


def _state(app) -> dict[str, tuple[str, list[str], list[str]]]:  # noqa: ANN001
    """Each dossier: (status, its events' actions, its files' sha256), read from rows."""
    with app.app_context():
        found = {}
        for dossier in db.session.scalars(select(Dossier)):
            found[dossier.code] = (dossier.status, [e.action for e in dossier.events],
                                   sorted(f.sha256 for f in dossier.files))
        return found


def _objects_sha256(app) -> dict[str, str]:  # noqa: ANN001
    """storage key → sha256 of the bytes the store holds under it."""
    with app.app_context():
        store = get_file_store()
        out = {}
        for key in db.session.scalars(select(DossierFile.storage_key)):
            with store.open(key) as fh:
                out[key] = hashlib.sha256(fh.read()).hexdigest()
        return out


def test_backup_under_write_load_restores_into_a_fresh_cluster(
        make_deployment: Callable[..., Deployment], start_seaweed: Callable[..., object],
        tmp_path: Path, figures: Callable[..., None]) -> None:
    source = make_deployment(extra_env={"PAYMENT_WEBHOOK_SECRET": SECRET})
    app = source.app()
    pay = make_pay_world(app)
    with app.app_context():
        proc = db.session.get(Procedure, pay.procedure_id)
        code, documents = proc.code, [d.id for d in proc.documents]
    # Before the load: received dossiers owing a fee, half of them paid.
    owing = [new_dossier(app, pay, name=f"Người Nộp {i}") for i in range(6)]
    references = [str(payment(app, c)["reference"]) for c in owing]

    submitted: list[Submission] = []
    notices: list[list[int]] = []
    stop = threading.Event()
    with source.web(2) as urls:
        for i, reference in enumerate(references[:3]):
            notices.append(bank_notice(urls[i % 2], f"pre-{i}", 10000, reference,
                                       time.monotonic() + 20))

        def citizens(lane: int) -> None:
            n = 0
            while not stop.is_set():
                sub = Submission(f"drill8-{lane}-{n}-{uuid.uuid4().hex[:8]}",
                                 photos(lane * 500 + n, documents), code, "tanhong")
                sub.send_until_done(urls[lane % 2:] + urls[:lane % 2], time.monotonic() + 20)
                submitted.append(sub)
                n += 1
                time.sleep(0.3)  # a citizen a lane every ~0.5 s: enough to back up under

        def bank() -> None:
            for i, reference in enumerate(references[3:]):
                if stop.is_set():
                    return
                notices.append(bank_notice(urls[i % 2], f"load-{i}", 10000, reference,
                                           time.monotonic() + 20))
                time.sleep(0.5)

        workers = [threading.Thread(target=citizens, args=(lane,)) for lane in range(2)]
        workers.append(threading.Thread(target=bank))
        for worker in workers:
            worker.start()
        time.sleep(1.5)  # the load is running when the backup starts
        before = counts(app, *MODELS)
        folder = tmp_path / "backup"
        started = time.monotonic()
        backed_up = source.flask("backup", str(folder))
        backup_seconds = time.monotonic() - started
        time.sleep(max(0.0, LOAD_SECONDS - 1.5 - backup_seconds))
        stop.set()
        for worker in workers:
            worker.join(60)
        after = counts(app, *MODELS)
    assert backed_up.returncode == 0, backed_up.stderr[-2000:]
    manifest = json.loads((folder / "manifest.json").read_text())

    # A fresh PostgreSQL without tables and a fresh SeaweedFS.
    target = make_deployment(s3=start_seaweed(), schema=False,
                             extra_env={"PAYMENT_WEBHOOK_SECRET": SECRET})
    started = time.monotonic()
    restored = target.flask("restore", str(folder))
    restore_seconds = time.monotonic() - started
    assert restored.returncode == 0, restored.stderr[-2000:]
    copy = target.app()
    restored_counts = counts(copy, *MODELS)

    # What the snapshot held: at least what existed before it, at most what existed after.
    for table, n in restored_counts.items():
        assert before[table] <= n <= after[table], (table, before, n, after)
        assert manifest["counts"][table] == n, table
    assert restored_counts["dossiers"] > len(owing), "no submission made it into the backup"
    # Every restored dossier is whole: the same status, events and files as in the source.
    source_state, copy_state = _state(app), _state(copy)
    assert set(copy_state) <= set(source_state)
    for dossier_code, state in copy_state.items():
        assert state == source_state[dossier_code], dossier_code
    # Every restored object has the bytes of the source's, and the sha256 its row records.
    copied, original = _objects_sha256(copy), _objects_sha256(app)
    with copy.app_context():
        recorded = {key: sha for key, sha in db.session.execute(
            select(DossierFile.storage_key, DossierFile.sha256))}
    assert copied == {key: original[key] for key in copied} == recorded
    assert len(copied) == restored_counts["dossier_files"]
    # Paid is still paid, once.
    for reference in references:
        with copy.app_context():
            rows = db.session.scalars(select(Payment).where(Payment.reference == reference))
            assert len(list(rows)) == 1

    # The restored deployment serves the restored dossiers through their tracking links.
    in_backup = [s for s in submitted if s.body is not None and s.code in copy_state]
    assert in_backup
    served = 0
    with target.web(1) as (url,):
        for sub in in_backup:
            page = requests.get(url + sub.tracking_path, timeout=10)
            assert page.status_code == 200 and sub.code in page.text, sub.code
            with copy.app_context():
                file_ids = db.session.scalars(select(DossierFile.id).join(Dossier).where(
                    Dossier.code == sub.code)).all()
            path, _sep, query = sub.tracking_path.partition("?")
            downloaded = []
            for file_id in file_ids:
                got = requests.get(f"{url}{path}/files/{file_id}?{query}", timeout=10)
                assert got.status_code == 200
                downloaded.append(hashlib.sha256(got.content).hexdigest())
            # The bytes the source stored (the app re-encodes photos), not the phone's.
            assert sorted(downloaded) == source_state[sub.code][2], sub.code
            served += 1
    figures(load=f"2 citizens + bank for {LOAD_SECONDS}s over 2 app servers",
            submitted=len(submitted), in_backup=restored_counts["dossiers"] - len(owing),
            counts_before_backup=before, restored=restored_counts, after_load=after,
            files=len(copied), sha256_equal=len(copied), backup_s=f"{backup_seconds:.1f}",
            restore_s=f"{restore_seconds:.1f}", tracking_links_served=served)
