"""Drill 3: the object store (SeaweedFS) is cut off while citizens submit with photos (a
relay in front of it refuses connections and resets open ones), then reachable again on
the same address. Our choice: submissions are refused (503, the API's
JSON error in Vietnamese), not held; the citizens' clients retry with the same key.
Nothing is half-written: every row's objects are there, every leftover object is swept;
the app servers resume by themselves."""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierFile
from app.dossiers.services import sweep_orphan_files
from app.extensions import db
from tests.drills.clients import Submission, photos
from tests.drills.cut import Relay
from tests.drills.deployment import Deployment, seed
from tests.s3_server import SeaweedServer

# The issue asks 30 s; the suite's budget (all drills within 5 minutes) allows 6 s.
OUTAGE_SECONDS = 6
CITIZENS = 2
MESSAGE = "Kho lưu trữ tệp đang tạm thời gián đoạn nên chưa thực hiện được."


def test_object_store_down_during_submissions(
        make_deployment: Callable[..., Deployment], seaweed: SeaweedServer,
        figures: Callable[..., None]) -> None:
    relay = Relay(seaweed.port)
    deployment = make_deployment(store_port=relay.port)
    app = deployment.app()
    world = seed(app)
    done: list[Submission] = []
    refusals: list[str] = []
    stop = threading.Event()
    with deployment.web(2) as urls:
        def citizen(lane: int) -> None:
            n = 0
            while not stop.is_set():
                sub = Submission(f"drill3-{lane}-{n}-{uuid.uuid4().hex[:8]}",
                                 photos(lane * 300 + n, world.documents),
                                 world.procedure_code, world.agency)
                while True:  # as the apply page: the same key until it is taken
                    answer = None
                    try:
                        answer = sub.post(urls[(lane + sub.attempts) % 2])
                    except Exception:  # noqa: BLE001 (no answer at all: counted as 0)
                        sub.answers.append(0)
                    if answer is not None:
                        sub.answers.append(answer.status_code)
                        if answer.status_code in (200, 201):
                            sub.body = answer.json()
                            break
                        refusals.append(answer.json()["error"]["detail"])
                    time.sleep(0.3)
                done.append(sub)
                n += 1

        lanes = [threading.Thread(target=citizen, args=(lane,)) for lane in range(CITIZENS)]
        for lane in lanes:
            lane.start()
        time.sleep(2)
        relay.cut()
        time.sleep(OUTAGE_SECONDS)
        relay.restore()
        time.sleep(3)
        stop.set()
        for lane in lanes:
            lane.join(60)

    attempts = [status for sub in done for status in sub.answers]
    assert set(attempts) <= {200, 201, 503}, attempts
    assert 503 in attempts, "no submission met the outage"
    assert refusals and all(r.startswith(MESSAGE) for r in refusals), set(refusals)
    # Each citizen's dossier exactly once, with every photo in the bucket, byte for byte.
    with app.app_context():
        keys = db.session.scalars(select(Dossier.idempotency_key)).all()
        assert sorted(keys) == sorted(sub.key for sub in done)
        file_store = get_file_store()
        rows = db.session.execute(select(DossierFile.storage_key, DossierFile.sha256)).all()
        for key, sha256 in rows:
            with file_store.open(key) as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == sha256
        assert len(rows) == len(done) * len(world.documents)
        referenced = {key for key, _sha in rows}
        leftovers = [e.key for e in file_store.entries() if e.key not in referenced]
    with app.app_context():
        # What `flask dossiers sweep-files` runs; any age: no request is in flight now.
        sweep_orphan_files(timedelta(0))
        assert {e.key for e in get_file_store().entries()} == referenced
    relay.cut()  # its threads end with the test
    figures(cut=f"SeaweedFS unreachable for {OUTAGE_SECONDS}s (issue: 30 s)",
            policy="refuse with 503, client retries the same key", citizens=CITIZENS,
            dossiers=len(done), attempts={s: attempts.count(s) for s in sorted(set(attempts))},
            files_checked=len(rows), leftover_objects_swept=len(leftovers))
