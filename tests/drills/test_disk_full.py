"""Drill 7: the upload folder's disk is full (a small tmpfs mounted on it and filled up).
Submissions, through the API and the apply form, are refused with a clear Vietnamese
error; nothing is stored; the servers keep serving; once space is freed, the same
submission (same Idempotency-Key) goes through."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import requests
from sqlalchemy import func, select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.extensions import db
from tests.conftest import need
from tests.drills.clients import Submission, photos
from tests.drills.deployment import Deployment, seed
from tests.drills.disks import MountUnavailable, fill, small_tmpfs
from tests.factories.world import CITIZEN_ID

MESSAGE = "Máy chủ tạm thời không còn chỗ nhận tệp nên hồ sơ chưa được gửi."
TMPFS_KB = 512


def _apply_form(base: str, world, photo: bytes) -> requests.Response:  # noqa: ANN001
    villager = requests.Session()
    page = villager.get(f"{base}/procedures/{world.procedure_code}/apply", timeout=10)
    assert page.status_code == 200
    fields = {name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)
              for name in ("csrf_token", "idempotency_key")}
    form = {**fields, "applicant_name": "Lê Văn Đầy Đĩa", "citizen_id": CITIZEN_ID,
            "birth_date": "1990-05-01", "phone": "0912345678", "address": "Thôn Một",
            "agency": world.agency, "village": world.village, "consent": "1"}
    files = [(f"doc-{doc}", ("anh.jpg", photo, "image/jpeg")) for doc in world.documents]
    return villager.post(f"{base}/procedures/{world.procedure_code}/apply", data=form,
                         files=files, allow_redirects=False, timeout=15)


def _stored(app) -> tuple[int, int]:  # noqa: ANN001
    with app.app_context():
        return (int(db.session.scalar(select(func.count()).select_from(Dossier)) or 0),
                len(list(get_file_store().entries())))


def test_a_full_upload_disk_refuses_cleanly_and_the_server_keeps_serving(
        deployment: Deployment, figures: Callable[..., None]) -> None:
    app = deployment.app()
    world = seed(app)
    tmp_dir = deployment.tmp / "uploads" / "tmp"  # UPLOAD_DIR/tmp, where uploads are checked
    try:
        mount = small_tmpfs(tmp_dir, TMPFS_KB)
        mount.__enter__()
    except MountUnavailable as exc:
        need(str(exc))
        raise
    try:
        filler = fill(tmp_dir)
        sub = Submission(f"drill7-{uuid.uuid4().hex}", photos(7, world.documents),
                         world.procedure_code, world.agency)
        with deployment.web(2) as urls:
            refused = []
            for base in urls:
                api = sub.post(base)
                assert api.status_code == 503, api.text[:500]
                assert api.json()["error"]["code"] == "upload_space_full"
                assert api.json()["error"]["detail"].startswith(MESSAGE)
                form = _apply_form(base, world, photos(8, world.documents)[world.documents[0]])
                assert form.status_code == 503 and MESSAGE in form.text
                refused += [api.status_code, form.status_code]
                # Still serving what needs no disk.
                assert requests.get(f"{base}/procedures/{world.procedure_code}",
                                    timeout=10).status_code == 200
            left = sorted(p.name for p in tmp_dir.iterdir())
            assert left == ["filler.bin"], left  # no half-received upload left behind
            assert _stored(app) == (0, 0)

            filler.unlink()
            assert sub.send_until_done(urls, time.monotonic() + 20) == 201
            assert sub.send_until_done(urls[::-1], time.monotonic() + 20) == 200  # a replay
        with app.app_context():
            assert db.session.scalars(select(Dossier.idempotency_key)).all() == [sub.key]
        dossiers, objects = _stored(app)
        assert (dossiers, objects) == (1, len(world.documents))
        assert list(tmp_dir.iterdir()) == []
    finally:
        mount.__exit__(None, None, None)
    figures(cut=f"upload temp folder on a {TMPFS_KB} KB tmpfs, filled up", servers=2,
            refused=f"{len(refused)} submissions (API and form), all 503 in Vietnamese",
            stored_while_full="0 dossiers, 0 objects, 0 temp files",
            after_freeing=f"same key: 201 then 200, {dossiers} dossier, {objects} objects")
