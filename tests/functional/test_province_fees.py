"""Fees "theo Nghị quyết HĐND tỉnh": once a commune has recorded the amount its province's
resolution set, the procedure page, the fee at filing, the payment (and its VietQR code)
and the API show it; without one, the general wording stays. Amounts written by hand."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.payments.models import Payment
from app.payments.vietqr import parse_payload
from app.payments.views import payload_for
from app.places.models import Agency
from app.procedures.models import Procedure, ProvinceFeeRate
from tests import factories as f
from tests.factories.payments import PayWorld, new_dossier, payment

FEES = [
    {"label": "Lệ phí xác nhận tình trạng hôn nhân", "kind": "set_by_province",
     "quantity_field": "copies"},
    {"label": "Lệ phí đăng ký quá hạn", "kind": "set_by_province", "conditional": True},
]
GENERAL = "Theo mức do Hội đồng nhân dân tỉnh, thành phố quy định"
RESOLUTION = "Nghị quyết số 12/2024/NQ-HĐND"


def _setup(app: Flask, world: PayWorld, *, rates: bool = True) -> str:
    """The pay world's procedure with province-set fees; Tản Hồng (province "Tỉnh Thử")
    recorded 8.000 đồng per copy for the first and 20.000 đồng for the conditional one."""
    with app.app_context():
        home = db.session.get(Agency, world.agency_id)
        home.parent = Agency(code="H99", slug="tinh-thu", name="Tỉnh Thử", kind="province")
        proc = db.session.get(Procedure, world.procedure_id)
        proc.fees = FEES
        if rates:
            db.session.add_all([
                ProvinceFeeRate(agency_id=home.id, procedure_id=proc.id, fee_label=FEES[0]["label"],
                                amount=8000, per="copy", resolution=RESOLUTION),
                ProvinceFeeRate(agency_id=home.id, procedure_id=proc.id, fee_label=FEES[1]["label"],
                                amount=20000, per="", resolution=RESOLUTION)])
        db.session.commit()
        return proc.code


def test_the_procedure_page_shows_the_communes_amount(app: Flask, pay_world: PayWorld) -> None:
    code = _setup(app, pay_world)
    client = app.test_client()
    page = client.get(f"/procedures/{code}?village=tanhong-thon1").get_data(as_text=True)
    assert ("Lệ phí xác nhận tình trạng hôn nhân: <strong>8.000 đồng/bản "
            "(theo Nghị quyết số 12/2024/NQ-HĐND tỉnh Thử)</strong>") in page
    assert "20.000 đồng (theo Nghị quyết số 12/2024/NQ-HĐND tỉnh Thử)" in page
    # Another commune of the catalogue, or no commune: today's wording.
    for other in (f"/procedures/{code}?village=vanhung-thon1", f"/procedures/{code}"):
        text = client.get(other).get_data(as_text=True)
        assert "8.000" not in text and GENERAL in text


def test_the_api_gives_the_amount_for_a_commune(app: Flask, pay_world: PayWorld) -> None:
    code = _setup(app, pay_world)
    client = app.test_client()
    fees = client.get(f"/api/v1/procedures/{code}?agency=tanhong").get_json()["fees"]
    assert fees[0]["amount"] == 8000 and fees[0]["per"] == "copy"
    assert fees[0]["resolution"] == RESOLUTION
    assert "amount" not in client.get(f"/api/v1/procedures/{code}").get_json()["fees"][0]
    assert "amount" not in client.get(
        f"/api/v1/procedures/{code}?agency=vanhung").get_json()["fees"][0]
    assert client.get(f"/api/v1/procedures/{code}?agency=khong-co").status_code == 404


def test_the_payment_and_its_vietqr_code_carry_the_amount(app: Flask,
                                                          pay_world: PayWorld) -> None:
    _setup(app, pay_world)
    code = new_dossier(app, pay_world, copies=2)
    # 2 copies × 8.000 đồng; the conditional late fee is the desk's call, never billed alone.
    assert payment(app, code)["amount"] == 16000
    with app.app_context():
        found = db.session.scalar(select(Payment).where(Payment.reference == payment(
            app, code)["reference"]))
        assert parse_payload(payload_for(found)).amount == 16000


def test_without_a_recorded_amount_nothing_is_billed(app: Flask, pay_world: PayWorld) -> None:
    _setup(app, pay_world, rates=False)
    code = new_dossier(app, pay_world, copies=2)
    assert payment(app, code) is None  # the desk sets the amount, as before


def test_the_fee_shown_at_filing(app: Flask, pay_world: PayWorld) -> None:
    _setup(app, pay_world)
    code = new_dossier(app, pay_world, receive=False)
    client = app.test_client()
    page = client.get(f"/d/{code}?t={f.SECRET}").get_data(as_text=True)
    assert "Lệ phí xác nhận tình trạng hôn nhân: 8.000 đồng/bản" in page
    desk = app.test_client()
    f.sign_in(app, desk, pay_world.desk)
    receive_form = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert 'id="fee-breakdown"' in receive_form and "8.000" in receive_form
