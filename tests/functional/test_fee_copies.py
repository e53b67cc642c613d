"""A blank copy count is no copy: nothing billed on the pay page; the desk sees the fee
breakdown on the receive form before receiving."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.accounts.models import Officer
from app.extensions import db
from app.procedures.models import Procedure
from tests import factories as f
from tests.factories.world import PROCEDURE, World, submit

# The birth registration's fee items (commune.json 1.001193).
BIRTH_FEES = [
    {"label": "Lệ phí đăng ký khai sinh đúng hạn", "kind": "free"},
    {"label": "Lệ phí đăng ký khai sinh quá hạn", "kind": "set_by_province"},
    {"label": "Phí cấp bản sao Giấy khai sinh (nếu xin thêm)", "kind": "per_copy",
     "amount": 8000, "quantity_field": "copies"},
]


def _with_copy_fee(app: Flask, world: World) -> Any:
    """The world's procedure billed like the birth registration, and a desk officer who can
    sign in (the world's officers have no usable password)."""
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        procedure.fees = BIRTH_FEES
        desk = db.session.get(Officer, world.officers["receiving"])
        desk.password_hash = f.password_hash()
        db.session.commit()
        client = app.test_client()
        f.login(client, desk.username)
        return client


def _receive(desk: Any, code: str) -> None:
    form = f.action_form(desk, code)
    response = desk.post(f"/officer/dossiers/{code}/actions/receive", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_blank_copy_count_bills_no_copy(app: Flask, world: World) -> None:
    desk = _with_copy_fee(app, world)
    citizen = app.test_client()
    code, secret = submit(citizen, world, **{"answer-copies": ""})
    receive_form = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert 'id="fee-breakdown"' in receive_form
    assert "Không có khoản phí nào theo tờ khai (0 đ)" in receive_form
    _receive(desk, code)
    page = citizen.get(f"/d/{code}?t={secret}").get_data(as_text=True)
    assert "8.000" not in page and "Bạn cần nộp" not in page
    assert citizen.get(f"/d/{code}/pay").status_code == 404  # nothing to pay


def test_copies_asked_for_are_billed_and_the_desk_sees_the_breakdown(app: Flask,
                                                                    world: World) -> None:
    desk = _with_copy_fee(app, world)
    citizen = app.test_client()
    code, secret = submit(citizen, world, **{"answer-copies": "2"})
    html = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    breakdown = html[html.index('id="fee-breakdown"'):]
    breakdown = breakdown[:breakdown.index("</div>")]
    assert "Phí cấp bản sao Giấy khai sinh (nếu xin thêm)" in breakdown
    assert "8.000 đồng/bản" in breakdown and "16.000 đ" in breakdown
    # The late fee has no amount in the catalogue: the desk is told it sets it.
    assert "xác định số tiền sau khi tiếp nhận" in breakdown
    _receive(desk, code)
    assert "Bạn cần nộp 16.000 đồng" in citizen.get(f"/d/{code}?t={secret}").get_data(
        as_text=True)
    pay = citizen.get(f"/d/{code}/pay")
    assert pay.status_code == 200 and "16.000 đ" in pay.get_data(as_text=True)
    # Once received, the receive form (and its breakdown) is gone.
    assert 'id="fee-breakdown"' not in desk.get(f"/officer/dossiers/{code}").get_data(
        as_text=True)
