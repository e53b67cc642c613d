"""Electronic results: a numbered PDF issued with the result, downloaded only by those who
may see the dossier, never changed once issued, and replaced by a new number that revokes
the old one with its reason."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.backoffice.models import AuditEntry
from app.core.errors import DomainError
from app.dossiers.models import Dossier
from app.extensions import db
from app.results.models import ResultDocument, ResultIsImmutable
from app.results.services import revoke_result
from tests import factories as f
from tests.factories.files import qr_texts_on_first_page


@pytest.fixture
def desk(app):
    """A commune whose specialist has a dossier in progress, and a neighbouring commune's
    officer."""
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        other = f.agency("vanhung", "Xã Vạn Hưng", "000.31.13.H26")
        proc = f.procedure([home, other])
        specialist = f.officer(home, "specialist")
        desk_officer = f.officer(home, "receiving")
        outsider = f.officer(other, "specialist")
        found = f.dossier(home, proc, "in_progress", assigned_officer_id=specialist.id)
        db.session.commit()
        return {"code": found.code, "specialist": specialist.username,
                "desk": desk_officer.username, "outsider": outsider.username}


def _result_pdf(pages: int = 1) -> bytes:
    from tests.factories.files import pypdf_document

    return pypdf_document(pages)


def _mark_ready_online(client, code, data: bytes, name: str = "ket-qua.pdf"):
    form = f.action_form(client, code)
    return client.post(f"/officer/dossiers/{code}/actions/mark_result_ready",
                       data={**form, "result_mode": "online",
                             "result_file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def _results(app, code) -> list[ResultDocument]:
    with app.app_context():
        rows = list(db.session.scalars(select(ResultDocument).join(Dossier)
                                       .where(Dossier.code == code)
                                       .order_by(ResultDocument.number)))
        for row in rows:
            _ = row.file.sha256  # loaded before the session goes
        db.session.expunge_all()
        return rows


def test_the_result_pdf_gets_the_dossier_code_and_number(app, desk):
    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    data = _result_pdf()
    assert _mark_ready_online(specialist, code, data).status_code == 302
    [result] = _results(app, code)
    assert result.code == f"{code}-KQ1"
    assert result.file.sha256 == hashlib.sha256(data).hexdigest()
    assert result.file.size == len(data)
    assert result.revoked_at is None and result.issued_by_id is not None
    # Unguessable: at least 128 random bits, URL-safe.
    assert len(result.public_id) >= 22 and result.public_id.isascii()
    page = specialist.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert f"{code}-KQ1" in page and "Thay thế kết quả này" in page


def test_an_image_or_a_fake_pdf_is_refused_as_a_result(app, desk):
    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    photo = _mark_ready_online(specialist, code, f.png_bytes(), "ket-qua.pdf")
    assert photo.status_code == 422
    assert "Kết quả điện tử phải là tệp PDF" in photo.get_data(as_text=True)
    renamed = _mark_ready_online(specialist, code, b"not a pdf at all", "ket-qua.pdf")
    assert renamed.status_code == 422
    assert _results(app, code) == []
    with app.app_context():
        assert db.session.scalar(select(Dossier.status).where(Dossier.code == code)) \
            == "in_progress"


def test_only_the_owner_and_the_communes_officers_download_the_result(app, desk):
    code = desk["code"]
    data = _result_pdf()
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, data).status_code \
        == 302
    [result] = _results(app, code)

    owner = app.test_client()
    answer = owner.get(f"/d/{code}/results/1?t={f.SECRET}")
    assert answer.status_code == 200
    assert answer.data == data
    assert answer.mimetype == "application/pdf"
    assert f'filename={code}-KQ1.pdf' in answer.headers["Content-Disposition"]
    page = owner.get(f"/d/{code}").get_data(as_text=True)  # the link came back with it
    assert f"Tải kết quả {code}-KQ1 (PDF)" in page

    stranger = app.test_client()
    unknown = stranger.get("/d/NO-SUCH-CODE/results/1")
    for path in (f"/d/{code}/results/1", f"/d/{code}/results/1?t=wrong-secret",
                 f"/d/{code}/files/{result.file_id}"):
        got = stranger.get(path)
        assert got.status_code == 404 and got.data == unknown.data, path
    assert owner.get(f"/d/{code}/results/2").status_code == 404

    same_commune = f.signed_in(app, desk["desk"])
    assert same_commune.get(f"/officer/dossiers/{code}/files/{result.file_id}").data == data
    outsider = f.signed_in(app, desk["outsider"])
    assert outsider.get(f"/officer/dossiers/{code}/files/{result.file_id}").status_code == 404
    assert outsider.get(f"/d/{code}/results/1").status_code == 404


def test_a_replacement_takes_the_next_number_and_revokes_the_old_with_its_reason(app, desk):
    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    first, second = _result_pdf(1), _result_pdf(2)
    assert _mark_ready_online(specialist, code, first).status_code == 302

    url = f"/officer/dossiers/{code}/results/1/replace"
    form = f.action_form(specialist, code)
    no_reason = specialist.post(url, data={"csrf_token": form["csrf_token"], "reason": " ",
                                           "result_file": (BytesIO(second), "moi.pdf")},
                                content_type="multipart/form-data")
    assert no_reason.status_code == 422
    assert "Vui lòng ghi lý do thay thế kết quả." in no_reason.get_data(as_text=True)
    # The desk officer may not issue results, so may not replace one either.
    desk_client = f.signed_in(app, desk["desk"])
    refused = desk_client.post(url, data={
        "csrf_token": f.action_form(desk_client, code)["csrf_token"], "reason": "Sai tên",
        "result_file": (BytesIO(second), "moi.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 403

    done = specialist.post(url, data={"csrf_token": form["csrf_token"],
                                      "reason": "Ghi sai năm sinh của người được cấp",
                                      "result_file": (BytesIO(second), "moi.pdf")},
                           content_type="multipart/form-data")
    assert done.status_code == 302
    old, new = _results(app, code)
    assert (old.code, new.code) == (f"{code}-KQ1", f"{code}-KQ2")
    assert old.revoked_at is not None
    assert old.revocation_reason == "Ghi sai năm sinh của người được cấp"
    assert old.replaced_by_id == new.id and new.revoked_at is None
    assert new.file.sha256 == hashlib.sha256(second).hexdigest()
    # A revoked result cannot be replaced again.
    assert specialist.post(url, data={"csrf_token": form["csrf_token"], "reason": "Lần nữa",
                                      "result_file": (BytesIO(first), "x.pdf")},
                           content_type="multipart/form-data").status_code == 404

    owner = app.test_client()
    assert owner.get(f"/d/{code}/results/1?t={f.SECRET}").status_code == 404
    assert owner.get(f"/d/{code}/results/2").data == second
    page = owner.get(f"/d/{code}").get_data(as_text=True)
    assert "đã thu hồi: Ghi sai năm sinh của người được cấp" in page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.what == "replace_result"))
        assert entry.changes == {"revoked": f"{code}-KQ1", "issued": f"{code}-KQ2",
                                 "reason": "Ghi sai năm sinh của người được cấp"}


def test_an_issued_result_never_changes_and_is_revoked_only_once(app, desk):
    code = desk["code"]
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code,
                              _result_pdf()).status_code == 302
    with app.app_context():
        result = db.session.scalar(select(ResultDocument))
        result.code = f"{code}-KQ9"
        with pytest.raises(ResultIsImmutable):
            db.session.flush()
        db.session.rollback()
        result = db.session.scalar(select(ResultDocument))
        db.session.delete(result)
        with pytest.raises(ResultIsImmutable):
            db.session.flush()
        db.session.rollback()
        result = db.session.scalar(select(ResultDocument))
        revoke_result(result, "Cấp nhầm hồ sơ", None)
        db.session.commit()
        with pytest.raises(DomainError):
            revoke_result(result, "Lần hai", None)
        result.revocation_reason = "Sửa lý do"
        with pytest.raises(ResultIsImmutable):
            db.session.flush()
        db.session.rollback()


def _signing_commune(app, tmp_path, organisation: str = "UBND Xã Tản Hồng") -> bytes:
    """Motcua signs for each commune with `{commune}.p12`; returns the CA's PEM roots."""
    import dataclasses

    from tests.factories import certificates as certs

    home = certs.chain(organisation)
    certs.write_pkcs12(tmp_path / "tanhong.p12", home, b"mat-khau-ky")
    (tmp_path / "tanhong.pin").write_text("mat-khau-ky\n")
    roots = certs.write_roots(tmp_path / "roots.pem", home.ca)
    app.config["MOTCUA"] = dataclasses.replace(
        app.config["MOTCUA"], result_signer="pkcs12",
        result_signer_pkcs12=str(tmp_path / "{commune}.p12"),
        result_signer_password_file=str(tmp_path / "{commune}.pin"),
        result_trust_roots=str(roots))
    return roots.read_bytes()


def test_motcua_signs_an_unsigned_result_with_the_communes_key(app, desk, tmp_path):
    _signing_commune(app, tmp_path)
    code = desk["code"]
    original = _result_pdf()
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, original
                              ).status_code == 302
    [result] = _results(app, code)
    assert result.signature_status == "valid"
    assert result.signer_name == "UBND Xã Tản Hồng"
    stored = app.test_client().get(f"/d/{code}/results/1?t={f.SECRET}").data
    assert stored.startswith(original) and len(stored) > len(original)
    assert result.file.sha256 == hashlib.sha256(stored).hexdigest()
    # The QR in the signature block on page 1: Circular 01/2023's facts, then the URL of
    # this result's verification page.
    base = app.config["MOTCUA"].public_base_url
    [qr] = qr_texts_on_first_page(stored)
    lines = qr.split("\n")
    assert lines[:3] == [f"Mã hồ sơ: {code}", "Mã thủ tục: 1.000001",
                         "Số định danh: 001190012345"]
    assert lines[3].startswith(f"Giấy tờ: Kết quả {code}-KQ1 – ")
    assert lines[4] == "Hệ thống: Motcua – Xã Tản Hồng"
    assert lines[5].startswith("Thời gian: ")
    assert lines[6] == f"{base}/verify/{result.public_id}"
    assert app.test_client().get(lines[6].removeprefix(base)).status_code == 200


def test_a_pdf_signed_by_the_communes_own_tool_is_stored_byte_for_byte(app, desk, tmp_path):
    from app.results.signing import Pkcs12Signer, Stamp, sign_pdf
    from tests.factories import certificates as certs

    _signing_commune(app, tmp_path)
    # Signed elsewhere, by another commune's certificate under another CA.
    other = certs.chain("UBND Xã Vạn Hưng", ca_name="CA khác")
    signer = Pkcs12Signer(certs.write_pkcs12(tmp_path / "khac.p12", other, b"k"), b"k")
    signed = sign_pdf(_result_pdf(), signer, Stamp(("Xã Vạn Hưng",), "https://x.example/v"))
    code = desk["code"]
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, signed
                              ).status_code == 302
    [result] = _results(app, code)
    assert app.test_client().get(f"/d/{code}/results/1?t={f.SECRET}").data == signed
    assert result.signature_status == "untrusted"
    assert result.signer_name == "UBND Xã Vạn Hưng"


def test_a_signer_that_cannot_open_issues_nothing(app, desk, tmp_path):
    _signing_commune(app, tmp_path)
    (tmp_path / "tanhong.pin").write_text("sai-mat-khau\n")
    code = desk["code"]
    answer = _mark_ready_online(f.signed_in(app, desk["specialist"]), code, _result_pdf())
    assert answer.status_code == 503
    assert "Chưa ký số được kết quả" in answer.get_data(as_text=True)
    assert _results(app, code) == []
    with app.app_context():
        assert db.session.scalar(select(Dossier.status).where(Dossier.code == code)) \
            == "in_progress"


def test_the_verification_page_shows_the_paper_masked_and_checks_a_copy(app, desk, tmp_path):
    _signing_commune(app, tmp_path)
    code = desk["code"]
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, _result_pdf()
                              ).status_code == 302
    [result] = _results(app, code)
    anyone = app.test_client()
    page = anyone.get(f"/verify/{result.public_id}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert f"{code}-KQ1" in html and "Xã Tản Hồng" in html
    assert "Hợp lệ: chữ ký số của UBND Xã Tản Hồng" in html
    assert "001******345" in html and "N*** T*** H***" in html
    # Nothing the paper's QR should not give away: the full ID, phone, address, answers.
    for private in ("001190012345", "0912345678", "Thôn Một", "Nguyễn Thị Hoà", "Kết hôn"):
        assert private not in html, private
    assert "đã bị thu hồi" not in html

    stored = app.test_client().get(f"/d/{code}/results/1?t={f.SECRET}").data
    token = f.csrf_token(html)
    same = anyone.post(f"/verify/{result.public_id}", data={
        "csrf_token": token, "copy": (BytesIO(stored), "ban-sao.pdf")},
        content_type="multipart/form-data")
    assert "Trùng khớp: tệp của bạn đúng là bản đã cấp." in same.get_data(as_text=True)
    changed = bytearray(stored)
    at = changed.index(b"/MediaBox") + 12
    changed[at] = ord("7") if changed[at] != ord("7") else ord("8")
    other = anyone.post(f"/verify/{result.public_id}", data={
        "csrf_token": token, "copy": (BytesIO(bytes(changed)), "ban-sao.pdf")},
        content_type="multipart/form-data")
    assert "Không khớp: tệp của bạn khác bản đã cấp" in other.get_data(as_text=True)
    # The copy was only compared: nothing new is stored.
    with app.app_context():
        from app.dossiers.models import DossierFile

        assert db.session.scalar(select(func.count(DossierFile.id))) == 1


def test_unknown_ids_get_one_404_and_a_revoked_result_says_so(app, desk, tmp_path):
    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    assert _mark_ready_online(specialist, code, _result_pdf()).status_code == 302
    [first] = _results(app, code)
    anyone = app.test_client()
    unknown = anyone.get("/verify/khong-co-ma-nay-0123456789ab")
    assert unknown.status_code == 404
    for path in ("/verify/x", f"/verify/{first.public_id[:-1]}", f"/verify/{first.code}"):
        again = anyone.get(path)
        assert again.status_code == 404 and again.data == unknown.data, path
    assert "Tệp không có chữ ký số." in anyone.get(f"/verify/{first.public_id}").get_data(
        as_text=True)

    form = f.action_form(specialist, code)
    assert specialist.post(f"/officer/dossiers/{code}/results/1/replace", data={
        "csrf_token": form["csrf_token"], "reason": "Sai ngày sinh",
        "result_file": (BytesIO(_result_pdf(2)), "moi.pdf")},
        content_type="multipart/form-data").status_code == 302
    html = anyone.get(f"/verify/{first.public_id}").get_data(as_text=True)
    assert "Kết quả này đã bị thu hồi" in html
    assert f"Đã được thay bằng kết quả {code}-KQ2." in html


def test_the_verification_page_is_rate_limited(app, desk):
    code = desk["code"]
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, _result_pdf()
                              ).status_code == 302
    [result] = _results(app, code)
    prober = app.test_client()
    answers = [prober.get(f"/verify/guess-{n:04d}").status_code for n in range(30)]
    assert answers == [404] * 30
    assert prober.get(f"/verify/{result.public_id}").status_code == 429


def _pushes(app, code) -> list[dict]:
    from app.notifications.models import Notification

    with app.app_context():
        return [n.payload for n in db.session.scalars(
            select(Notification).join(Dossier).where(Dossier.code == code)
            .order_by(Notification.id))]


def test_the_citizen_is_told_and_confirms_receipt_by_post_only(app, desk):
    code = desk["code"]
    assert _mark_ready_online(f.signed_in(app, desk["specialist"]), code, _result_pdf()
                              ).status_code == 302
    assert _pushes(app, code)[-1] == {
        "title": "Kết quả điện tử đã sẵn sàng",
        "body": f"Hồ sơ {code}: mở trang hồ sơ để tải kết quả về điện thoại.",
        "url": f"/d/{code}"}

    owner = app.test_client()
    page = owner.get(f"/d/{code}?t={f.SECRET}").get_data(as_text=True)
    assert "Tôi đã nhận kết quả" in page
    # Only a POST closes the dossier: a prefetched link cannot.
    assert owner.get(f"/d/{code}/received").status_code == 405
    assert owner.post(f"/d/{code}/received").status_code == 400  # no CSRF token
    assert app.test_client().post(f"/d/{code}/received", data={
        "csrf_token": f.csrf_token(page)}).status_code in (400, 404)  # another browser
    done = owner.post(f"/d/{code}/received", data={"csrf_token": f.csrf_token(page)})
    assert done.status_code == 302
    found, events = f.stored_dossier(app, code)
    assert found.status == "returned" and found.return_channel == "online"
    assert found.returned_at is not None
    last = events[-1]
    assert (last.action, last.actor_kind, last.from_status, last.to_status) == (
        "confirm_receipt", "citizen", "result_ready", "returned")
    assert last.data == {"handover": "online"}
    # Returned like a hand-over at the desk: counted in the commune's figures, and asked for
    # a rating.
    assert _pushes(app, code)[-1]["title"] == f"Mời bạn đánh giá hồ sơ {code}"
    with app.app_context():
        from app.feedback.models import StatsDaily

        assert sum(db.session.scalars(select(StatsDaily.returned))) == 1
    after = owner.get(f"/d/{code}").get_data(as_text=True)
    assert "Công dân xác nhận đã nhận kết quả điện tử" in after
    assert "Tôi đã nhận kết quả</button>" not in after
    # The result stays downloadable once returned.
    assert owner.get(f"/d/{code}/results/1").status_code == 200


def test_no_electronic_result_no_confirmation(app, desk):
    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    form = f.action_form(specialist, code)
    assert specialist.post(f"/officer/dossiers/{code}/actions/mark_result_ready",
                           data={**form, "result_mode": "paper"}).status_code == 302
    owner = app.test_client()
    page = owner.get(f"/d/{code}?t={f.SECRET}").get_data(as_text=True)
    assert "Tôi đã nhận kết quả</button>" not in page
    token = f.csrf_token(owner.get("/track").data)  # any form of this browser's session
    refused = owner.post(f"/d/{code}/received", data={"csrf_token": token})
    assert refused.status_code >= 400
    assert "chưa có kết quả điện tử" in refused.get_data(as_text=True)
    assert f.stored_dossier(app, code)[0].status == "result_ready"


def test_an_owed_fee_holds_the_electronic_result_until_it_is_paid(app, pay_world):
    from app.accounts.models import Officer
    from app.backoffice import services as office
    from app.backoffice.forms import ActionInput
    from tests.factories.payments import new_dossier as fee_dossier
    from tests.factories.payments import pay, payment
    from tests.factories.results import issued_result

    code = fee_dossier(app, pay_world)  # 4 pages × 2 copies: 12.000 đồng owed
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        specialist = db.session.scalar(select(Officer).where(
            Officer.username == pay_world.specialist))
        desk_officer = db.session.get(Officer, pay_world.desk_id)
        office.take_action(found, "assign", desk_officer,
                           ActionInput(data={"officer_id": specialist.id}))
        office.take_action(found, "mark_result_ready", specialist,
                           ActionInput(data={"result_mode": "online"}))
        issued_result(found, specialist)
        db.session.commit()
    assert _pushes(app, code)[-1]["body"] == ("Nộp đủ phí, lệ phí để tải kết quả điện tử "
                                              "trên trang hồ sơ.")
    owner = app.test_client()
    page = owner.get(f"/d/{code}?t={f.SECRET}").get_data(as_text=True)
    assert "tải về được khi đã nộp đủ phí, lệ phí" in page
    assert "Tôi đã nhận kết quả</button>" not in page
    assert owner.get(f"/d/{code}/results/1").status_code == 404

    owed = payment(app, code)
    ref = owed["reference"]
    assert pay(app.test_client(), "tx-ket-qua", owed["amount"],
               f"mc {ref[2:8]} {ref[8:]} chuyen tien").status_code < 300
    assert _pushes(app, code)[-1] == {
        "title": "Kết quả điện tử đã sẵn sàng",
        "body": f"Đã nhận thanh toán cho hồ sơ {code}. Mở trang hồ sơ để tải kết quả.",
        "url": f"/d/{code}"}
    assert owner.get(f"/d/{code}/results/1").status_code == 200
    assert "Tôi đã nhận kết quả</button>" in owner.get(f"/d/{code}").get_data(as_text=True)


def test_the_leader_who_approves_attaches_the_result(app, desk):
    from app.accounts.models import Officer

    code = desk["code"]
    with app.app_context():
        found = db.session.scalar(select(Dossier).where(Dossier.code == code))
        found.status = "awaiting_approval"
        home = found.agency
        leader = f.officer(home, "leader")
        db.session.commit()
        leader_name = leader.username
    client = f.signed_in(app, leader_name)
    form = f.action_form(client, code)
    answer = client.post(f"/officer/dossiers/{code}/actions/approve",
                         data={**form, "result_mode": "online",
                               "result_file": (BytesIO(_result_pdf()), "kq.pdf")},
                         content_type="multipart/form-data")
    assert answer.status_code == 302
    [result] = _results(app, code)
    with app.app_context():
        assert db.session.get(Officer, result.issued_by_id).username == leader_name
    assert f.stored_dossier(app, code)[0].status == "result_ready"


def test_the_results_qr_as_a_png_decodes_to_its_facts_and_the_verification_url(app, desk):
    import zxingcpp
    from PIL import Image

    from app.core.qr import qr_png
    from app.results.services import result_qr

    code = desk["code"]
    specialist = f.signed_in(app, desk["specialist"])
    assert _mark_ready_online(specialist, code, _result_pdf()).status_code == 302
    with app.app_context():
        result = db.session.scalar(select(ResultDocument))
        png = qr_png(result_qr(result))
        public_id = result.public_id
    [decoded] = zxingcpp.read_barcodes(Image.open(BytesIO(png)))
    lines = decoded.text.split("\n")
    assert lines[0] == f"Mã hồ sơ: {code}"
    assert lines[2] == "Số định danh: 001190012345"
    assert lines[-1] == f"http://127.0.0.1:5000/verify/{public_id}"
    assert app.test_client().get(f"/verify/{public_id}").status_code == 200
    # The desk sees the same code to print on the slip of a PDF signed elsewhere.
    assert "Mã QR kiểm tra kết quả" in specialist.get(f"/officer/dossiers/{code}").get_data(
        as_text=True)
