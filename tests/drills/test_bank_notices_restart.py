"""Drill 5: the bank sends its payment notices while PostgreSQL restarts. Like a bank, the
client retries every notice until it gets a 2xx, and sends a few again after a 2xx (a bank
that lost our answer). Every payment is credited exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select

from app.extensions import db
from app.payments.models import BankTransaction, Payment, PaymentEntry
from tests.drills.clients import bank_notice
from tests.drills.deployment import Deployment, seed
from tests.factories.payments import SECRET, new_dossier, payment

DOSSIERS = 12
OUTAGE_SECONDS = 5


def test_bank_notices_during_a_database_restart_credit_each_payment_once(
        make_deployment: Callable[..., Deployment], figures: Callable[..., None]) -> None:
    deployment = make_deployment(extra_env={"PAYMENT_WEBHOOK_SECRET": SECRET})
    app = deployment.app()
    world = seed(app)
    codes = [new_dossier(app, world.pay, name=f"Người Nộp Phí {i}") for i in range(DOSSIERS)]
    owed = {c: payment(app, c) for c in codes}
    attempts: dict[str, list[int]] = {}
    with deployment.web(2) as urls:
        def bank() -> None:
            for i, dossier_code in enumerate(codes):
                due = owed[dossier_code]
                assert due is not None
                attempts[f"drill5-{i}"] = bank_notice(
                    urls[i % 2], f"drill5-{i}", due["amount"], due["reference"],
                    time.monotonic() + 60)
                time.sleep(0.4)
            for i in range(3):  # sent again after a 2xx, to the other server
                due = owed[codes[i]]
                assert due is not None
                attempts[f"drill5-{i} again"] = bank_notice(
                    urls[(i + 1) % 2], f"drill5-{i}", due["amount"], due["reference"],
                    time.monotonic() + 60)

        sender = threading.Thread(target=bank)
        sender.start()
        time.sleep(1.0)
        deployment.pg.stop_fast()
        time.sleep(OUTAGE_SECONDS)
        deployment.pg.start_again()
        sender.join(120)

    statuses = [s for tries in attempts.values() for s in tries]
    assert all(200 <= tries[-1] < 300 for tries in attempts.values()), attempts
    assert set(statuses) <= {200, 503}, attempts  # the gap answers 503, never 500
    assert 503 in statuses, "no notice met the outage"
    with app.app_context():
        for dossier_code in codes:
            due = owed[dossier_code]
            assert due is not None
            paid = db.session.scalar(select(Payment).where(
                Payment.reference == due["reference"]))
            assert paid is not None
            assert (paid.status, paid.paid_amount) == ("paid", due["amount"]), dossier_code
            credits = db.session.scalar(select(func.count()).select_from(PaymentEntry).where(
                PaymentEntry.payment_id == paid.id))
            assert credits == 1, dossier_code
        notices = db.session.scalar(select(func.count()).select_from(BankTransaction))
    assert notices == DOSSIERS
    figures(cut=f"PostgreSQL fast stop, {OUTAGE_SECONDS}s down, during bank notices",
            notices=DOSSIERS, resent_after_2xx=3, attempts=len(statuses),
            answers={s: statuses.count(s) for s in sorted(set(statuses))},
            retried_notices=sum(1 for t in attempts.values() if len(t) > 1),
            payments_credited_once=DOSSIERS, bank_transactions=notices)
