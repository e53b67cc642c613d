"""Ten identical notices at once over real HTTP: one stored credit, one payment, on PostgreSQL
(where concurrent transactions really overlap)."""

from __future__ import annotations

import threading
import urllib.request

import pytest

from app.payments.webhook import sign
from tests.factories.payments import SECRET, notice_body, payment
from tests.factories.payments import new_dossier as dossier_for


def _post(url: str, body: bytes, header: str, results: list[int], gate: threading.Barrier
          ) -> None:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Motcua-Signature": header})
    gate.wait()
    with urllib.request.urlopen(request, timeout=60) as response:
        results.append(response.status)


def test_ten_identical_notices_at_once_make_one_payment(app, live_server, pay_world, backend):
    if backend != "postgresql":
        pytest.skip("concurrent transactions are meaningful on PostgreSQL (--db=postgresql)")
    code = dossier_for(app, pay_world)
    body = notice_body("tx-concurrent", 12000, payment(app, code)["reference"])
    header = sign(SECRET, body)
    results: list[int] = []
    gate = threading.Barrier(10)
    threads = [threading.Thread(target=_post, args=(f"{live_server}/api/v1/payments/webhook",
                                                    body, header, results, gate))
               for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert results == [200] * 10
    found = payment(app, code)
    assert found["paid"] == 12000 and found["status"] == "paid"
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.payments.models import BankTransaction, PaymentEntry

        assert db.session.scalar(select(func.count()).select_from(BankTransaction)) == 1
        assert db.session.scalar(select(func.count()).select_from(PaymentEntry)) == 1
