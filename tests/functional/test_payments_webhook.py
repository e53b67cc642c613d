"""The bank webhook: authentication (signature, rotation, staleness), replays, and matching
of exact, partial, over and unmatched credits, with the references banks mangle."""

from __future__ import annotations

import time

from app.payments.webhook import sign
from tests.factories.payments import (
    CASSO_TOKEN,
    OLD_SECRET,
    SECRET,
    SEPAY_KEY,
    notice_body,
    pay,
    payment,
    send,
)
from tests.factories.payments import new_dossier as dossier_for


def test_receiving_a_dossier_creates_its_payment_from_the_fee_items(app, pay_world):
    code = dossier_for(app, pay_world, pages=4, copies=2)
    found = payment(app, code)
    # 2 pages at 2,000 + 2 pages at 1,000 = 6,000 a copy, two copies.
    assert found["amount"] == 12000 and found["status"] == "pending"
    assert found["reference"].startswith("MC") and len(found["reference"]) == 12


def test_forged_missing_stale_and_wrong_secret_are_refused(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    body = notice_body("tx-1", 12000, ref)
    assert send(client, body, header="").status_code == 401
    assert send(client, body, header="t=1,v1=deadbeef").status_code == 401
    assert send(client, body, secret="not-our-secret").status_code == 401
    assert send(client, body, at=int(time.time()) - 301).status_code == 401
    assert send(client, body).status_code == 200  # the genuine notice goes through
    # A valid signature of one body sent with another (changed on the way).
    header = sign(SECRET, body)
    response = client.post("/api/v1/payments/webhook", data=notice_body("tx-2", 999999, ref),
                           headers={"X-Motcua-Signature": header,
                                    "Content-Type": "application/json"})
    assert response.status_code == 401
    assert payment(app, code)["paid"] == 12000


def test_old_secret_still_accepted_while_keys_rotate(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    response = send(client, notice_body("tx-rot", 12000, ref), secret=OLD_SECRET)
    assert response.status_code == 200 and response.json["status"] == "matched"


def test_replayed_id_is_counted_once(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    first = pay(client, "tx-same", 5000, ref)
    again = pay(client, "tx-same", 5000, ref)
    assert first.json["status"] == "partial" and again.json["status"] == "duplicate"
    assert payment(app, code)["paid"] == 5000


def test_exact_partial_over_and_unmatched(app, client, pay_world):
    exact = dossier_for(app, pay_world)
    part = dossier_for(app, pay_world)
    over = dossier_for(app, pay_world)
    assert pay(client, "a", 12000, payment(app, exact)["reference"]).json["status"] == "matched"
    assert payment(app, exact)["status"] == "paid"

    ref = payment(app, part)["reference"]
    assert pay(client, "b1", 7000, ref).json["status"] == "partial"
    assert payment(app, part)["status"] == "partial"
    assert payment(app, part)["outstanding"] == 5000
    assert pay(client, "b2", 5000, ref).json["status"] == "matched"
    assert payment(app, part)["status"] == "paid"

    assert pay(client, "c", 20000, payment(app, over)["reference"]).json["status"] == "overpaid"
    assert payment(app, over)["status"] == "paid" and payment(app, over)["refund_due"] == 8000

    assert pay(client, "d", 12000, "chuyen tien le phi").json["status"] == "unmatched"
    assert pay(client, "e", 12000, "MC9912319999").json["status"] == "unmatched"


def test_mangled_references_still_match(app, client, pay_world):
    codes = [dossier_for(app, pay_world) for _ in range(4)]
    refs = [payment(app, c)["reference"] for c in codes]
    date_part, seq = refs[1][2:8], refs[1][8:]
    contents = [
        refs[0].lower(),
        f"mc {date_part} {seq} chuyen tien",
        # The bank's own prefix and trace number cut into the reference.
        f"MBVCB.3278907687.MC{refs[2][2:8]}.FT{refs[2][8:]}.CT tu 0123456789 NGUYEN VAN AN",
        f"Chuyển tiền lệ phí Mc-{refs[3][2:8]}-{refs[3][8:]} ủng hộ",
    ]
    for i, content in enumerate(contents):
        response = pay(client, f"m{i}", 12000, content)
        assert response.json["status"] == "matched", content
        assert payment(app, codes[i])["status"] == "paid"


def test_credit_to_another_communes_account_does_not_pay_this_dossier(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    assert pay(client, "x", 12000, ref, account="9999000000128").json["status"] == "unmatched"
    assert pay(client, "y", 12000, ref, account="0000").json["status"] == "unmatched"
    assert payment(app, code)["paid"] == 0


def test_casso_adapter(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    body = {"error": 0, "data": [{"id": 123456, "tid": "FT2611", "description":
                                  f"CT DEN:0123 {ref} NOP LE PHI", "amount": 12000,
                                  "cusum_balance": 100000, "when": "2026-11-22 09:15:00",
                                  "bank_sub_acc_id": "9999000000126"}]}
    assert client.post("/api/v1/payments/casso", json=body).status_code == 401
    assert client.post("/api/v1/payments/casso", json=body,
                       headers={"Secure-Token": "sai"}).status_code == 401
    ok = client.post("/api/v1/payments/casso", json=body, headers={"Secure-Token": CASSO_TOKEN})
    assert ok.status_code == 200 and ok.json["results"] == ["matched"]
    again = client.post("/api/v1/payments/casso", json=body,
                        headers={"Secure-Token": CASSO_TOKEN})
    assert again.json["results"] == ["duplicate"]
    assert payment(app, code)["status"] == "paid"


def test_sepay_adapter(app, client, pay_world):
    code = dossier_for(app, pay_world)
    ref = payment(app, code)["reference"]
    body = {"id": 92704, "gateway": "Agribank", "transactionDate": "2026-11-22 14:02:37",
            "accountNumber": "9999000000126", "code": None, "content": f"{ref} chuyen tien",
            "transferType": "in", "transferAmount": 12000, "accumulated": 19077000,
            "subAccount": None, "referenceCode": "MBVCB.3278907687"}
    assert client.post("/api/v1/payments/sepay", json=body,
                       headers={"Authorization": "Bearer x"}).status_code == 401
    ok = client.post("/api/v1/payments/sepay", json=body,
                     headers={"Authorization": f"Apikey {SEPAY_KEY}"})
    assert ok.status_code == 200 and ok.json["success"] is True
    out = dict(body, id=92705, transferType="out")
    response = client.post("/api/v1/payments/sepay", json=out,
                           headers={"Authorization": f"Apikey {SEPAY_KEY}"})
    assert response.json["status"] == "ignored"
    assert payment(app, code) == {**payment(app, code), "paid": 12000, "status": "paid"}
