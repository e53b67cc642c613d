"""Reconciliation under any interleaving of fees, bank notices (exact, short, over, junk,
mangled), duplicates, late notices after payment or withdrawal, refunds, hand matches and
officer decisions. After every step: paid totals equal the credits matched to them, nothing
is counted twice, and every credit is either matched or waiting in the queue."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from app.accounts.models import Officer
from app.core.errors import DomainError
from app.dossiers.models import Dossier
from app.dossiers.workflow import Actor, apply
from app.extensions import db
from app.payments import reconcile, services
from app.payments.models import (
    BankTransaction,
    CreditState,
    EntryKind,
    Payment,
    PaymentEntry,
    PaymentStatus,
)
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import factories as f

ACCOUNT = "9999000000126"
FEES = [{"label": "Phí chứng thực", "kind": "per_page",
         "tiers": [{"from_page": 1, "amount": 2000}, {"from_page": 3, "amount": 1000}],
         "cap": 200000, "quantity_field": "pages", "copies_field": "copies"}]
_ids = itertools.count(1)


def _mangle(reference: str, how: int) -> str:
    date, seq = reference[2:8], reference[8:]
    return [reference, f"mc {date} {seq} chuyen tien", f"FT123.MC{date}.BK{seq} CT",
            f"Nộp phí MC-{date}-{seq}"][how]


class Reconciliation(RuleBasedStateMachine):
    world: dict[str, int] = {}

    def __init__(self) -> None:
        super().__init__()
        self.sent_ids: list[str] = []
        self.codes: list[str] = []
        # Examples share the database; each counts only the notices it sent itself.
        self.stored_before = db.session.scalar(select(func.count()).select_from(BankTransaction))

    # --- helpers --------------------------------------------------------------------------
    def _dossier(self, index: int) -> Dossier | None:
        if not self.codes:
            return None
        code = self.codes[index % len(self.codes)]
        return db.session.scalar(select(Dossier).where(Dossier.code == code))

    def _desk(self) -> Officer:
        return db.session.get(Officer, self.world["desk"])

    # --- rules ----------------------------------------------------------------------------
    @rule(pages=st.integers(0, 12), copies=st.integers(0, 3), receive=st.booleans())
    def new_dossier(self, pages: int, copies: int, receive: bool) -> None:
        dossier = f.dossier(db.session.get(Agency, self.world["agency"]),
                            db.session.get(Procedure, self.world["procedure"]), "submitted")
        dossier.answers = {"pages": pages, "copies": copies}
        if receive:
            apply(dossier, "receive", Actor.for_officer(self._desk()))
        db.session.commit()
        self.codes.append(dossier.code)

    @rule(index=st.integers(0, 50), delta=st.sampled_from([0, 0, -1000, 1000, -2000, 5000]),
          how=st.integers(0, 3), account=st.sampled_from([ACCOUNT, ACCOUNT, "", "123"]))
    def notice_for_a_dossier(self, index: int, delta: int, how: int, account: str) -> None:
        dossier = self._dossier(index)
        payment = services.payment_of(dossier) if dossier is not None else None
        if payment is None:
            content, amount = "chuyen tien khong ro noi dung", 5000
        else:
            content, amount = _mangle(payment.reference, how), max(payment.outstanding + delta,
                                                                    1000)
        self._send(f"tx{next(_ids)}", amount, content, account)

    @rule(amount=st.integers(-5000, 50000), junk=st.text(max_size=30))
    def junk_notice(self, amount: int, junk: str) -> None:
        self._send(f"tx{next(_ids)}", amount, junk, ACCOUNT)

    @precondition(lambda self: self.sent_ids)
    @rule(pick=st.integers(0, 1000))
    def duplicate_notice(self, pick: int) -> None:
        ident = self.sent_ids[pick % len(self.sent_ids)]
        before = db.session.scalar(select(func.count()).select_from(BankTransaction))
        outcome = self._send(ident, 12345, "MC0000000000 replay", ACCOUNT)
        assert outcome.outcome == "duplicate"
        assert db.session.scalar(select(func.count()).select_from(BankTransaction)) == before

    def _send(self, ident: str, amount: int, content: str, account: str
              ) -> reconcile.CreditOutcome:
        outcome = reconcile.record_credit(reconcile.BankNotice(
            provider="generic", provider_id=ident, amount=amount, content=content,
            account_number=account))
        db.session.commit()
        if ident not in self.sent_ids:
            self.sent_ids.append(ident)
        return outcome

    @rule(index=st.integers(0, 50), part=st.integers(1, 3))
    def refund(self, index: int, part: int) -> None:
        dossier = self._dossier(index)
        payment = services.payment_of(dossier) if dossier is not None else None
        if payment is None or payment.refund_due <= 0:
            return
        services.record_refund(dossier, max(payment.refund_due // part, 1), "hoàn", self._desk())
        db.session.commit()

    @rule(index=st.integers(0, 50))
    def officer_decides(self, index: int) -> None:
        """Refuse a waiting dossier at the desk, or (once received) the citizen withdraws."""
        dossier = self._dossier(index)
        if dossier is None:
            return
        if dossier.status == "submitted":
            apply(dossier, "reject", Actor.for_officer(self._desk()), note="thiếu giấy tờ")
        elif dossier.status == "received":
            apply(dossier, "withdraw", Actor.citizen(), note="không cần nữa")
        db.session.commit()

    @rule(index=st.integers(0, 50), amount=st.integers(0, 30000))
    def officer_adjusts(self, index: int, amount: int) -> None:
        dossier = self._dossier(index)
        if dossier is None or dossier.status != "received":
            return
        services.set_amount(dossier, amount, "điều chỉnh", self._desk())
        db.session.commit()

    @rule(index=st.integers(0, 50), pick=st.integers(0, 1000))
    def hand_match(self, index: int, pick: int) -> None:
        queued = list(db.session.scalars(select(BankTransaction).where(
            BankTransaction.state == CreditState.UNMATCHED.value).order_by(BankTransaction.id)))
        dossier = self._dossier(index)
        payment = services.payment_of(dossier) if dossier is not None else None
        if not queued or payment is None:
            return
        reconcile.match_by_hand(queued[pick % len(queued)], payment, self._desk())
        db.session.commit()

    @rule(index=st.integers(0, 50))
    def cash_then_return_guard(self, index: int) -> None:
        dossier = self._dossier(index)
        payment = services.payment_of(dossier) if dossier is not None else None
        if payment is None or payment.outstanding <= 0:
            return
        try:
            services.ensure_result_can_be_returned(dossier)
            raise AssertionError("an unpaid fee must block the result")
        except DomainError:
            pass
        services.record_cash(dossier, payment.outstanding, f"BL{next(_ids)}", self._desk())
        db.session.commit()
        services.ensure_result_can_be_returned(dossier)

    # --- invariants -----------------------------------------------------------------------
    @invariant()
    def sums_equal_the_ledger_and_the_matched_credits(self) -> None:
        db.session.expire_all()
        for payment in db.session.scalars(select(Payment)):
            entries = payment.entries
            received = sum(e.amount for e in entries if e.kind != EntryKind.REFUND)
            refunded = sum(e.amount for e in entries if e.kind == EntryKind.REFUND)
            assert payment.paid_amount == received
            assert payment.refunded_amount == refunded <= payment.paid_amount
            bank = sum(e.amount for e in entries if e.kind == EntryKind.BANK)
            matched = db.session.scalar(select(func.coalesce(func.sum(BankTransaction.amount), 0))
                                        .where(BankTransaction.payment_id == payment.id))
            assert bank == matched
            if payment.status != PaymentStatus.CANCELLED:
                assert (payment.status == PaymentStatus.PAID) == (
                    payment.paid_amount >= payment.amount)

    @invariant()
    def every_credit_is_matched_once_or_queued(self) -> None:
        for txn in db.session.scalars(select(BankTransaction)):
            uses = db.session.scalar(select(func.count()).select_from(PaymentEntry)
                                     .where(PaymentEntry.bank_transaction_id == txn.id))
            if txn.state == CreditState.MATCHED:
                assert uses == 1 and txn.payment_id is not None
            else:
                assert uses == 0 and txn.payment_id is None
                assert txn.state == (CreditState.IGNORED if txn.amount <= 0
                                     else CreditState.UNMATCHED)
        stored = db.session.scalar(select(func.count()).select_from(BankTransaction))
        assert stored == self.stored_before + len(self.sent_ids)


def test_reconciliation_state_machine(app):
    with app.app_context():
        home = f.agency("tanhong", "Xã Tản Hồng", "000.31.12.H26")
        home.bank_bin, home.bank_account = "970405", ACCOUNT
        proc = f.procedure([home], code="2.000815", days=0)
        proc.fees = FEES
        desk = f.officer(home, "receiving")
        db.session.commit()
        Reconciliation.world = {"agency": home.id, "procedure": proc.id, "desk": desk.id}
        machine = Reconciliation.TestCase
        machine.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
        try:
            machine().runTest()
        finally:
            db.session.rollback()
