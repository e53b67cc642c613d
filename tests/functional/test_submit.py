"""Submitting a dossier through the HTML form: markup, validation, idempotency, no orphans."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierFile
from app.extensions import db
from tests.factories.files import jpeg, pdf
from tests.factories.world import (
    OFFLINE_PROCEDURE,
    PROCEDURE,
    World,
    open_form,
    post_form,
    stored_files,
    submit,
)


def _upload_dir(app: Flask) -> Path:
    return Path(app.config["MOTCUA"].upload_dir)


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_form_keeps_the_markup_contract(client, world: World) -> None:
    html, _csrf, key = open_form(client)
    assert ('<form id="apply-form" data-module="upload-form" method="post" '
            'enctype="multipart/form-data" novalidate') in html
    assert re.fullmatch(r"[0-9a-f-]{36}", key)
    assert html.count("<h1") == 1
    fieldset = f'<fieldset data-requirement="{world.required_doc}"'
    assert fieldset in html and f'data-requirement="{world.optional_doc}"' in html
    # One large "Chụp ảnh / Chọn ảnh" button per paper: the phone offers camera or files.
    name = f'name="doc-{world.required_doc}"'
    assert html.count(name) == 1
    assert f'{name} accept="image/*,application/pdf" multiple' in html
    button = f'<label class="file-button" for="f-doc-{world.required_doc}">'
    assert f"{button}Chụp ảnh / Chọn ảnh" in html
    # The paper that must be shown in person gets no upload slot.
    assert html.count("<fieldset data-requirement=") == 2
    for field in ("applicant_name", "citizen_id", "birth_date", "phone", "address", "agency",
                  "village", "consent", "answer-child_name", "answer-child_birth",
                  "answer-sex", "answer-copies", "answer-married"):
        assert f'name="{field}"' in html
        assert f'<label for="f-{field}"' in html or f'id="f-{field}"' in html
    assert "<button type=\"submit\" data-submit>" in html
    assert "<div data-progress hidden></div>" in html
    assert 'optgroup label="Xã A"' in html and 'optgroup label="Xã B"' in html
    # A second visit gets a new key: each opened form is one dossier.
    assert open_form(client)[2] != key


def test_caching_empty_form_may_be_kept_filled_form_never(client, world: World) -> None:
    # The service worker keeps the empty form for an offline reload (the draft lives on the
    # phone); a re-rendered form holds the citizen's data and is never stored.
    form = client.get(f"/procedures/{PROCEDURE}/apply")
    assert form.headers["Cache-Control"] == "no-cache"
    _html, csrf, key = open_form(client)
    refused = post_form(client, world, csrf=csrf, key=key, files={})
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "private, no-store"


def test_village_link_preselects_village_and_commune(client, world: World) -> None:
    html, _c, _k = open_form(client, query=f"?village={world.village_code}")
    assert f'<option value="{world.village_code}" selected>' in html
    assert f'<option value="{world.agency_slug}" selected>' in html


def test_apply_is_404_for_offline_and_unknown_procedures(client, world: World) -> None:
    assert client.get(f"/procedures/{OFFLINE_PROCEDURE}/apply").status_code == 404
    assert client.get("/procedures/9.999999/apply").status_code == 404


def test_submit_redirects_to_confirmation_with_code_and_expected_date(
        app: Flask, client, world: World) -> None:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, files={
        f"doc-{world.required_doc}": [(jpeg(), "a.jpg"), (pdf(), "b.pdf")],
        f"doc-{world.optional_doc}": [(jpeg(color="blue"), "uy-quyen.jpg")],
    })
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.search(r"/d/000\.31\.12\.H26-\d{6}-0001/submitted\?t=[\w-]{22,}$", location)
    page = client.get(location)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    code = re.search(r"/d/([^/]+)/submitted", location).group(1)
    assert f'class="dossier-code" id="dossier-code">{code}<' in html
    assert "Dự kiến có kết quả" in html and re.search(r"\d{2}/\d{2}/20\d{2}", html)
    assert "chụp màn hình" in html
    assert page.headers["Cache-Control"] == "private, no-store"
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status == "submitted"
        assert dossier.phone == "0912345678"
        assert dossier.answers == {"child_name": "Nguyễn Văn Bé", "child_birth": "2025-12-01",
                                   "sex": "Nam", "copies": 2, "married": True}
        assert dossier.village.code == world.village_code
        assert [e.action for e in dossier.events] == ["submit"]
        assert len(dossier.files) == 3
        assert {f.content_type for f in dossier.files} == {"image/jpeg", "application/pdf"}
        # The secret itself is never stored.
        assert location.split("t=")[1] not in (dossier.tracking_secret_hash or "")
        keys = {f.storage_key for f in dossier.files}
    on_disk = set(stored_files(app))
    assert on_disk == keys


def test_validation_errors_rerender_with_messages_and_keep_text(
        app: Flask, client, world: World) -> None:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, files={},
                         citizen_id="12345", phone="12", consent=None,
                         **{"answer-sex": "", "answer-copies": "99",
                            "answer-child_birth": "31/02/2025"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    for name in ("citizen_id", "phone", "consent", "answer-sex", "answer-copies",
                 "answer-child_birth", f"doc-{world.required_doc}"):
        assert f'id="f-{name}-error"' in html, name
    assert "12 chữ số" in html
    assert "Vui lòng chọn giới tính" in html
    assert "phải từ 0 đến 10" in html
    assert "vui lòng chọn lại" in html  # files are never kept across a refused POST
    assert 'value="Nguyễn Văn An"' in html  # text kept
    assert f'name="idempotency_key" value="{key}"' in html  # the same attempt continues
    assert _count(app, Dossier) == 0
    assert stored_files(app) == []


def test_enhanced_form_is_not_told_to_choose_its_photos_again(client, world: World) -> None:
    # apply.js keeps the chosen photos and resends them, so that advice would be wrong.
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, citizen_id="12345",
                         headers={"X-Motcua-Enhanced": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "12 chữ số" in html
    assert "vui lòng chọn lại" not in html


def test_citizen_id_must_agree_with_birth_date(client, world: World) -> None:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, birth_date="2001-01-01")
    assert response.status_code == 422
    assert "không khớp với năm sinh" in response.get_data(as_text=True)


def test_village_must_belong_to_the_chosen_commune(client, world: World) -> None:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, village=world.other_village_code)
    assert response.status_code == 422
    assert 'id="f-village-error"' in response.get_data(as_text=True)


def test_same_key_twice_gives_one_dossier_and_the_same_redirect(
        app: Flask, client, world: World) -> None:
    _html, csrf, key = open_form(client)
    first = post_form(client, world, csrf=csrf, key=key)
    again = post_form(client, world, csrf=csrf, key=key)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert _count(app, Dossier) == 1
    assert _count(app, DossierFile) == 1
    assert len(stored_files(app)) == 1


def test_same_key_with_another_body_is_409(app: Flask, client, world: World) -> None:
    _html, csrf, key = open_form(client)
    assert post_form(client, world, csrf=csrf, key=key).status_code == 302
    other = post_form(client, world, csrf=csrf, key=key, applicant_name="Lê Thị Cúc")
    assert other.status_code == 409
    assert "Mã gửi này đã được dùng cho một hồ sơ khác" in other.get_data(as_text=True)
    assert _count(app, Dossier) == 1
    assert len(stored_files(app)) == 1


def test_a_request_failing_half_way_leaves_nothing(app: Flask, client, world: World) -> None:
    _html, csrf, key = open_form(client)
    response = post_form(client, world, csrf=csrf, key=key, files={
        f"doc-{world.required_doc}": [(jpeg(), "ok.jpg")],
        f"doc-{world.optional_doc}": [(b"MZ\x90\x00 not a photo", "anh.jpg")],
    })
    assert response.status_code == 422
    assert f'id="f-doc-{world.optional_doc}-error"' in response.get_data(as_text=True)
    assert _count(app, Dossier) == 0
    assert stored_files(app) == []


def test_codes_count_up_per_commune(client, world: World) -> None:
    first, _s1 = submit(client, world)
    second, _s2 = submit(client, world)
    other, _s3 = submit(client, world, agency=world.other_agency_slug, village="")
    assert first.endswith("-0001") and second.endswith("-0002")
    assert other.startswith("000.31.13.H26-") and other.endswith("-0001")


def test_post_without_csrf_token_is_refused(app: Flask, client, world: World) -> None:
    _html, _csrf, key = open_form(client)
    response = post_form(client, world, csrf="forged", key=key)
    assert response.status_code == 400
    assert _count(app, Dossier) == 0


def test_sweep_removes_only_old_unreferenced_files(app: Flask, client, world: World) -> None:
    # Whichever store the app uses (local disk, or S3 in the PostgreSQL pass): a stored
    # object's age is the store's own, so "old" is reached by shortening the grace period.
    code, _secret = submit(client, world)
    (kept,) = stored_files(app)
    with app.app_context():
        orphan = get_file_store().put_bytes(jpeg(), "jpg")
    stale_tmp = _upload_dir(app) / "tmp" / "raw-crash.part"
    stale_tmp.parent.mkdir(parents=True, exist_ok=True)
    stale_tmp.write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(stale_tmp, (two_hours_ago, two_hours_ago))
    young_tmp = _upload_dir(app) / "tmp" / "raw-in-flight.part"
    young_tmp.write_bytes(b"half")
    result = app.test_cli_runner().invoke(args=["dossiers", "sweep-files"])
    assert result.exit_code == 0, result.output
    assert f"removed {stale_tmp}" in result.output
    assert "1 orphan file(s) removed" in result.output
    assert sorted(stored_files(app)) == sorted([kept, orphan, young_tmp.name])
    result = app.test_cli_runner().invoke(args=["dossiers", "sweep-files",
                                                "--min-age-minutes", "0"])
    assert result.exit_code == 0, result.output
    assert "2 orphan file(s) removed" in result.output
    assert stored_files(app) == [kept]
    assert client.get(f"/d/{code}").status_code == 200
