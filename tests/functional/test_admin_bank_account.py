"""The two-person rule for the commune's bank account, and payments in progress keeping the
account they were issued for. Accounts and expectations are written out by hand."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from app.accounts.models import Officer
from app.admin import bank
from app.admin.models import BankAccountChange
from app.backoffice.models import AuditEntry
from app.core.models import utcnow
from app.extensions import db
from app.payments.models import BankTransaction
from app.payments.vietqr import parse_payload
from app.places.models import Agency
from tests import factories as f
from tests.factories import payments as pf

NEW = {"bank_bin": "970436", "bank_account": "0011 0012 3456 7",
       "bank_account_name": "Ủy ban nhân dân xã Tản Hồng"}
# What the rule stores from NEW: the bank named from its BIN, the number without spaces,
# the holder as banks print it.
NEW_STORED = {"bank_bin": "970436", "bank_name": "Vietcombank",
              "bank_account": "0011001234567", "bank_account_name": "UY BAN NHAN DAN XA TAN HONG"}
OLD_STORED = {"bank_bin": pf.BIN, "bank_name": "Agribank", "bank_account": pf.ACCOUNT,
              "bank_account_name": "UBND XA TAN HONG"}


@pytest.fixture
def admins(app, pay_world):
    with app.app_context():
        home = db.session.get(Agency, pay_world.agency_id)
        other = db.session.scalar(select(Agency).where(Agency.slug == "vanhung"))
        made = {"first": f.officer(home, "commune_admin", username="quantri1"),
                "second": f.officer(home, "commune_admin", username="quantri2"),
                "outsider": f.officer(other, "commune_admin", username="quantri.vanhung"),
                "system": f.officer(other, "system_admin", username="hethong")}
        db.session.commit()
        return {k: (o.username, o.totp_secret) for k, o in made.items()}


def _post(client, url, **data):
    page = client.get("/officer/account")
    return client.post(url, data={"csrf_token": f.csrf_token(page.data), **data})


def _account(app, agency_id):
    with app.app_context():
        return bank.current_account(db.session.get(Agency, agency_id))


def _propose(app, admins, client=None):
    # One sign-in per admin and test: a TOTP code is good once (app/accounts/login.py).
    client = client or f.signed_in(app, *admins["first"])
    response = _post(client, "/admin/commune/bank-account", **NEW)
    assert response.status_code == 302, response.get_data(as_text=True)[:600]
    return client, int(response.headers["Location"].rsplit("/", 1)[1])


def test_one_admin_alone_cannot_change_the_account(app, pay_world, admins):
    first, change_id = _propose(app, admins)
    assert _account(app, pay_world.agency_id) == OLD_STORED  # nothing changed yet
    review = first.get(f"/admin/commune/bank-account/changes/{change_id}")
    html = review.get_data(as_text=True)
    assert "0011001234567" in html and pf.ACCOUNT in html  # old and new side by side
    assert "Duyệt tài khoản mới" not in html
    refused = _post(first, f"/admin/commune/bank-account/changes/{change_id}/approve")
    assert refused.status_code == 409
    assert "Người đề nghị không thể tự duyệt" in refused.get_data(as_text=True)
    assert _account(app, pay_world.agency_id) == OLD_STORED
    # A second proposal while one is open: refused.
    again = _post(first, "/admin/commune/bank-account", **{**NEW, "bank_account": "99887766"})
    assert again.status_code == 409
    # Every admin of the commune sees the notice on the officer pages; another commune's not.
    second = f.signed_in(app, *admins["second"])
    assert "đang chờ một quản trị viên khác duyệt" in second.get("/officer/account").get_data(
        as_text=True)
    outsider = f.signed_in(app, *admins["outsider"])
    assert "đang chờ" not in outsider.get("/officer/account").get_data(as_text=True)
    assert outsider.get(f"/admin/commune/bank-account/changes/{change_id}").status_code == 404


def test_a_second_admin_approves_and_the_audit_keeps_both(app, pay_world, admins):
    _first, change_id = _propose(app, admins)
    second = f.signed_in(app, *admins["second"])
    page = second.get(f"/admin/commune/bank-account/changes/{change_id}")
    assert "Duyệt tài khoản mới" in page.get_data(as_text=True)
    assert _post(second, f"/admin/commune/bank-account/changes/{change_id}/approve"
                 ).status_code == 302
    assert _account(app, pay_world.agency_id) == NEW_STORED
    with app.app_context():
        rows = {e.what: e for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.what.like("bank_account:%")))}
        first_id = db.session.scalar(select(Officer.id).where(Officer.username == "quantri1"))
        second_id = db.session.scalar(select(Officer.id).where(Officer.username == "quantri2"))
        assert rows["bank_account:propose"].officer_id == first_id
        approved = rows["bank_account:approve"]
        assert approved.officer_id == second_id
        assert approved.agency_id == pay_world.agency_id
        assert approved.changes["proposed_by"] == "quantri1"
        assert approved.changes["approved_by"] == "quantri2"
        assert approved.changes["before"] == OLD_STORED
        assert approved.changes["after"] == NEW_STORED
        change = db.session.get(BankAccountChange, change_id)
        assert (change.status, change.proposed_by_id, change.decided_by_id) == (
            "approved", first_id, second_id)
    notice = second.get("/officer/account").get_data(as_text=True)
    assert "đã được đổi lúc" in notice


def test_a_system_admin_approves_and_an_admin_of_another_commune_cannot(app, pay_world,
                                                                        admins):
    _first, change_id = _propose(app, admins)
    outsider = f.signed_in(app, *admins["outsider"])
    assert _post(outsider, f"/admin/commune/bank-account/changes/{change_id}/approve"
                 ).status_code == 404
    system = f.signed_in(app, *admins["system"])
    assert _post(system, f"/admin/commune/bank-account/changes/{change_id}/approve"
                 ).status_code == 302
    assert _account(app, pay_world.agency_id) == NEW_STORED


def test_refuse_withdraw_and_expiry_leave_the_account_alone(app, pay_world, admins):
    first, change_id = _propose(app, admins)
    second = f.signed_in(app, *admins["second"])
    # Only the proposer withdraws; the proposer does not refuse.
    assert _post(second, f"/admin/commune/bank-account/changes/{change_id}/withdraw"
                 ).status_code == 409
    assert _post(first, f"/admin/commune/bank-account/changes/{change_id}/refuse"
                 ).status_code == 409
    assert _post(second, f"/admin/commune/bank-account/changes/{change_id}/refuse"
                 ).status_code == 302
    assert _post(second, f"/admin/commune/bank-account/changes/{change_id}/approve"
                 ).status_code == 409  # decided already
    _first, withdrawn = _propose(app, admins, first)
    assert _post(first, f"/admin/commune/bank-account/changes/{withdrawn}/withdraw"
                 ).status_code == 302
    _first, lapsing = _propose(app, admins, first)
    with app.app_context():
        db.session.get(BankAccountChange, lapsing).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    late = _post(second, f"/admin/commune/bank-account/changes/{lapsing}/approve")
    assert late.status_code == 409 and "hết hạn" in late.get_data(as_text=True)
    assert _account(app, pay_world.agency_id) == OLD_STORED
    # A lapsed proposal does not block the next one.
    _propose(app, admins, first)
    with app.app_context():
        statuses = [c.status for c in db.session.scalars(
            select(BankAccountChange).order_by(BankAccountChange.id))]
    assert statuses == ["refused", "withdrawn", "expired", "pending"]


def test_bad_account_input_is_refused_with_the_values_kept(app, pay_world, admins):
    client = f.signed_in(app, *admins["first"])
    for field, value, message in (("bank_bin", "123456", "Vui lòng chọn ngân hàng"),
                                  ("bank_account", "12-AB", "Số tài khoản gồm 6–19 chữ số"),
                                  ("bank_account_name", "  ", "Vui lòng nhập tên chủ")):
        response = _post(client, "/admin/commune/bank-account", **{**NEW, field: value})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in html
        assert 'value="Ủy ban nhân dân xã Tản Hồng"' in html or field == "bank_account_name"
    same = _post(client, "/admin/commune/bank-account", bank_bin=pf.BIN,
                 bank_account=pf.ACCOUNT, bank_account_name="UBND xã Tản Hồng")
    assert same.status_code == 422 and "tài khoản hiện tại" in same.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(BankAccountChange)) is None


def test_the_database_keeps_one_open_proposal_per_commune(app, pay_world, admins):
    with app.app_context():
        home = db.session.get(Agency, pay_world.agency_id)
        first = db.session.scalar(select(Officer).where(Officer.username == "quantri1"))
        bank.propose(first, home, bank.clean_account(**NEW))
        # Another open row slipped past the check (two requests at once): the index refuses.
        db.session.add(BankAccountChange(
            agency_id=home.id, status="pending", new_bank_bin="970418", new_bank_name="BIDV",
            new_bank_account="12345678", new_bank_account_name="X", proposed_by_id=first.id,
            expires_at=utcnow() + timedelta(days=1)))
        with pytest.raises(Exception, match="(?i)unique"):
            db.session.flush()
        db.session.rollback()


def _qr_account(client, code):
    """The account the citizen's QR code pays into, read off the PNG as a banking app would."""
    assert client.get(f"/d/{code}?t={f.SECRET}").status_code == 200
    response = client.get(f"/d/{code}/pay/qr.png")
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    return parse_payload(result.text)


def test_payments_in_progress_keep_the_old_account_and_still_reconcile(app, pay_world,
                                                                       admins):
    # 4 pages × 2 copies: (2,000 + 2,000 + 1,000 + 1,000) × 2 = 12,000 đồng.
    before = pf.new_dossier(app, pay_world)
    owed = pf.payment(app, before)
    assert owed["amount"] == 12000
    _first, change_id = _propose(app, admins)
    second = f.signed_in(app, *admins["second"])
    assert _post(second, f"/admin/commune/bank-account/changes/{change_id}/approve"
                 ).status_code == 302
    after = pf.new_dossier(app, pay_world, pages=1, copies=1)  # 2,000 đồng
    citizen = app.test_client()
    old_qr = _qr_account(citizen, before)
    assert (old_qr.bank_bin, old_qr.account) == (pf.BIN, pf.ACCOUNT)
    old_page = citizen.get(f"/d/{before}/pay").get_data(as_text=True)
    assert pf.ACCOUNT in old_page and "Agribank" in old_page and "0011001234567" not in old_page
    citizen = app.test_client()
    new_qr = _qr_account(citizen, after)
    assert (new_qr.bank_bin, new_qr.account) == ("970436", "0011001234567")
    new_page = citizen.get(f"/d/{after}/pay").get_data(as_text=True)
    assert "Vietcombank" in new_page and "UY BAN NHAN DAN XA TAN HONG" in new_page
    # The bank tells of the old QR being paid, into the old account, after the change.
    response = pf.pay(citizen, "old-account-1", 12000, f"{owed['reference']} chuyen tien",
                      account=pf.ACCOUNT)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert pf.payment(app, before)["status"] == "paid"
    new_ref = pf.payment(app, after)["reference"]
    pf.pay(citizen, "new-account-1", 2000, new_ref, account="0011001234567")
    assert pf.payment(app, after)["status"] == "paid"
    with app.app_context():
        credited = {t.provider_id: t.agency_id for t in db.session.scalars(
            select(BankTransaction))}
    assert credited == {"old-account-1": pay_world.agency_id,
                        "new-account-1": pay_world.agency_id}
