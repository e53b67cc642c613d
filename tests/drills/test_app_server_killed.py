"""Drill 1: one of two app servers is killed (-9, with its worker) while 30 citizens submit
dossiers with photos; each client retries with the same Idempotency-Key, as the apply page
does. Every dossier exists exactly once with all its files in the bucket, no row points at a
missing object, and what the killed requests stored before dying is swept."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierFile
from app.dossiers.services import sweep_orphan_files
from app.extensions import db
from tests.drills.clients import Submission, photos
from tests.drills.deployment import Deployment, kill_hard, seed

CITIZENS = 30


def _dossiers(app) -> int:  # noqa: ANN001
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Dossier)) or 0)


def test_an_app_server_killed_mid_submission_loses_and_doubles_nothing(
        deployment: Deployment, figures: Callable[..., None]) -> None:
    app = deployment.app()
    world = seed(app)
    subs = [Submission(f"drill1-{i}-{uuid.uuid4().hex[:8]}", photos(i, world.documents),
                       world.procedure_code, world.agency) for i in range(CITIZENS)]
    with deployment.servers(2) as started:
        (victim, victim_url), (_survivor, survivor_url) = started
        threads = [threading.Thread(target=sub.send_until_done, args=(
            [victim_url, survivor_url] if i % 2 == 0 else [survivor_url, victim_url],
            time.monotonic() + 120)) for i, sub in enumerate(subs)]
        for thread in threads:
            thread.start()
        while _dossiers(app) < CITIZENS // 3:  # a third done: the rest in flight
            time.sleep(0.05)
        at = _dossiers(app)
        killed = kill_hard(victim)
        for thread in threads:
            thread.join(150)

    attempts = [status for sub in subs for status in sub.answers]
    assert all(sub.body is not None for sub in subs), [s.answers for s in subs]
    with app.app_context():
        per_key = {key: n for key, n in db.session.execute(
            select(Dossier.idempotency_key, func.count()).group_by(Dossier.idempotency_key))}
        assert per_key == {sub.key: 1 for sub in subs}
        store = get_file_store()
        rows = db.session.execute(select(DossierFile.storage_key, DossierFile.sha256)).all()
        assert len(rows) == CITIZENS * len(world.documents)
        for key, sha256 in rows:  # no row points at a missing object; the bytes are whole
            with store.open(key) as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == sha256
        referenced = {key for key, _sha in rows}
        orphans = [e.key for e in store.entries() if e.key not in referenced]
        # What `flask dossiers sweep-files` runs; any age: nothing is in flight any more.
        sweep_orphan_files(timedelta(0))
        assert {e.key for e in store.entries()} == referenced
    figures(killed=f"gunicorn master+worker (pids {killed}) with kill -9 after {at} of "
                   f"{CITIZENS} dossiers", citizens=CITIZENS,
            attempts={s: attempts.count(s) for s in sorted(set(attempts))},
            retried=sum(1 for sub in subs if len(sub.answers) > 1),
            dossiers_once=len(per_key), files_present=len(rows),
            orphans_swept=len(orphans))
