"""The citizen's payment page, PNG, status and receipt; the officer's panel, counter cash,
amount adjustment, refunds, the unmatched queue and the day's CSV; the workflow guard."""

from __future__ import annotations

import csv
import io

import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.vietqr import parse_payload
from tests import factories as f
from tests.factories.pages import csrf_token
from tests.factories.payments import new_dossier, pay, payment


def _citizen(client, code):
    return client.get(f"/d/{code}?t={f.SECRET}")


def test_dossier_page_tells_what_to_pay_and_the_pay_page_shows_the_code(app, client, pay_world):
    code = new_dossier(app, pay_world)
    ref = payment(app, code)["reference"]
    html = _citizen(client, code).get_data(as_text=True)
    assert "Bạn cần nộp 12.000 đồng" in html and f"/d/{code}/pay" in html
    page = client.get(f"/d/{code}/pay")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    text = page.get_data(as_text=True)
    assert "<svg" in text and ref in text and "9999000000126" in text
    assert "UBND XA TAN HONG" in text and "Agribank" in text and "12.000 đ" in text
    assert text.count("<h1") == 1 and "style=" not in text
    assert client.get(f"/d/{code}/pay/status").json["status"] == "pending"


def test_qr_png_decodes_to_the_exact_payload(app, client, pay_world):
    code = new_dossier(app, pay_world)
    ref = payment(app, code)["reference"]
    _citizen(client, code)
    response = client.get(f"/d/{code}/pay/qr.png")
    assert response.mimetype == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert len(results) == 1
    parsed = parse_payload(results[0].text)
    assert (parsed.amount, parsed.purpose, parsed.account, parsed.bank_bin, parsed.dynamic) == (
        12000, ref, "9999000000126", "970405", True)
    with app.app_context():
        from app.payments.views import transfer_payload

        assert results[0].text == transfer_payload("970405", "9999000000126", 12000, ref)


def test_pay_page_needs_access(app, client, pay_world):
    code = new_dossier(app, pay_world)
    assert client.get(f"/d/{code}/pay").status_code == 404
    assert client.get(f"/d/{code}/pay/status").status_code == 404
    assert client.get(f"/d/{code}/pay?t=wrong").status_code == 404


def test_partial_payment_shows_a_new_code_for_the_rest_then_a_receipt(app, client, pay_world):
    code = new_dossier(app, pay_world)
    ref = payment(app, code)["reference"]
    _citizen(client, code)
    assert client.get(f"/d/{code}/receipt").status_code == 404
    pay(client, "p1", 5000, ref)
    text = client.get(f"/d/{code}/pay").get_data(as_text=True)
    assert "Còn thiếu" in text and "7.000 đ" in text
    pay(client, "p2", 7000, ref)
    status = client.get(f"/d/{code}/pay/status").json
    assert status == {"status": "paid", "label": "Đã thanh toán", "amount": 12000,
                      "paid_amount": 12000, "outstanding": 0}
    receipt = client.get(f"/d/{code}/receipt").get_data(as_text=True)
    assert "Nguyễn Thị Hoà" in receipt and code in receipt and "p1" in receipt
    assert "Phí chứng thực bản sao từ bản chính" in receipt and "12.000 đ" in receipt
    timeline = _citizen(client, code).get_data(as_text=True)
    assert "Đã thanh toán phí, lệ phí" in timeline


def _officer(app, username):
    client = app.test_client()
    f.login(client, username)
    return client


def _post(client, code, path, **data):
    # Any form of this session carries its token; the tracking form is there for every role.
    data["csrf_token"] = csrf_token(client.get("/track").data)
    return client.post(f"/officer/payments/{path}", data=data)


def _move(app, code, action, username):
    from app.accounts.models import Officer
    from app.dossiers.workflow import Actor, apply

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        officer = db.session.scalar(select(Officer).where(Officer.username == username))
        extra = f.COLLECTED_BY_RELATIVE if action == "return_result" else {}
        apply(dossier, action, Actor.for_officer(officer), **extra)
        db.session.commit()


def _to_result_ready(app, code, world):
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        dossier.status = "result_ready"
        dossier.finished_at = dossier.received_at  # what the result's move stamps
        db.session.commit()


def test_result_cannot_be_returned_until_the_counter_takes_the_fee(app, pay_world):
    code = new_dossier(app, pay_world)
    _to_result_ready(app, code, pay_world)
    desk = _officer(app, pay_world.desk)
    page = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "12.000 đ · Chưa thanh toán" in page and "Thu tiền mặt tại quầy" in page
    form = f.action_form(desk, code)
    refused = desk.post(f"/officer/dossiers/{code}/actions/return_result",
                        data={**form, **f.COLLECTED_BY_RELATIVE})
    assert "Chưa thể trả kết quả" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Dossier.status).where(Dossier.code == code)) == \
            "result_ready"
    missing = _post(desk, code, f"{code}/cash", amount="12000", receipt_number="")
    assert missing.status_code == 409
    response = _post(desk, code, f"{code}/cash", amount="12.000", receipt_number="BL-0042")
    assert response.status_code == 302
    assert payment(app, code)["status"] == "paid"
    _move(app, code, "return_result", pay_world.desk)


def test_amount_adjustment_is_on_the_timeline_and_refunds_are_recorded(app, pay_world):
    code = new_dossier(app, pay_world)
    desk = _officer(app, pay_world.desk)
    assert _post(desk, code, f"{code}/amount", amount="8000", reason="").status_code == 409
    assert _post(desk, code, f"{code}/amount", amount="8000",
                 reason="Chỉ chứng thực 1 bản").status_code == 302
    assert payment(app, code)["amount"] == 8000
    pay(desk, "r1", 10000, payment(app, code)["reference"])
    assert payment(app, code)["refund_due"] == 2000
    assert _post(desk, code, f"{code}/refund", amount="3000", note="x").status_code == 409
    assert _post(desk, code, f"{code}/refund", amount="2000",
                 note="Trả tiền mặt").status_code == 302
    found = payment(app, code)
    assert found["refund_due"] == 0 and found["refunded"] == 2000
    page = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Điều chỉnh số tiền phí, lệ phí" in page and "Chỉ chứng thực 1 bản" in page
    assert "Hoàn trả tiền phí, lệ phí" in page


def test_specialist_cannot_handle_money(app, pay_world):
    code = new_dossier(app, pay_world)
    specialist = _officer(app, pay_world.specialist)
    response = _post(specialist, code, f"{code}/cash", amount="12000", receipt_number="1")
    assert response.status_code == 403
    assert app.test_client().post(f"/officer/payments/{code}/cash").status_code in (302, 400)


def test_unmatched_queue_hand_match_and_day_report(app, pay_world):
    code = new_dossier(app, pay_world)
    desk = _officer(app, pay_world.desk)
    assert pay(desk, "u1", 12000, "nop tien chung thuc ba Hoa").json["status"] == "unmatched"
    assert pay(desk, "u2", 3000, "khong ro").json["status"] == "unmatched"
    page = desk.get("/officer/payments/unmatched").get_data(as_text=True)
    assert "nop tien chung thuc ba Hoa" in page and "khong ro" in page
    with app.app_context():
        from app.payments.models import BankTransaction

        txn = db.session.scalar(select(BankTransaction.id).where(
            BankTransaction.provider_id == "u1"))
    response = desk.post(f"/officer/payments/unmatched/{txn}/match",
                         data={"csrf_token": csrf_token(page), "dossier_code": code})
    assert response.status_code == 302
    assert payment(app, code)["status"] == "paid"
    again = desk.post(f"/officer/payments/unmatched/{txn}/match",
                      data={"csrf_token": csrf_token(page), "dossier_code": code})
    assert again.status_code == 409 and payment(app, code)["paid"] == 12000
    assert "nop tien chung thuc ba Hoa" not in desk.get(
        "/officer/payments/unmatched").get_data(as_text=True)
    report = desk.get("/officer/payments/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["received_at", "provider", "transaction_id", "amount"]
    totals = {r[0]: int(r[3]) for r in rows if r[0].startswith("total_")}
    assert totals == {"total_credits": 15000, "total_matched": 12000, "total_unmatched": 3000}
    assert any(r[2] == "u1" and r[7] == code for r in rows)


def test_day_report_neutralises_bank_text_and_ids_a_spreadsheet_would_run(app, pay_world):
    desk = _officer(app, pay_world.desk)
    assert pay(desk, "=u9", 5000, "\t=cmd|' /C calc'!A0").json["status"] == "unmatched"
    assert pay(desk, "u10", 4000, "\r@SUM(A1)").json["status"] == "unmatched"
    report = desk.get("/officer/payments/report.csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    by_id = {r[2]: r for r in rows[1:]}
    assert by_id["'=u9"][4] == "'\t=cmd|' /C calc'!A0"
    assert by_id["u10"][4] == "'\r@SUM(A1)"
