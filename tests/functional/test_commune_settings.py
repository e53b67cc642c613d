"""The commune settings page (/admin/commune/<slug>/settings): who may open it, what it
checks, what it audits, and that the public pages show the change."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.backoffice.models import AuditEntry
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure, ProvinceFeeRate
from tests.factories.officers import sign_in
from tests.factories.pages import csrf_token, is_vietnamese

URL = "/admin/commune/tanhong/settings"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _client(app: Flask, username: str) -> Any:
    client = app.test_client()
    sign_in(app, client, username)
    return client


def _form(client: Any, **changes: str) -> dict[str, str]:
    """What the page sends when nothing is touched, with `changes` on top."""
    html = client.get(URL).get_data(as_text=True)
    data = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(r'<input id="[^"]*" name="([^"]+)" type="[^"]+" value="([^"]*)"',
                                  html):
        data[name] = value
    for name, value in re.findall(r'<input type="time" id="[^"]*" name="([^"]+)" value="([^"]*)"',
                                  html):
        data[name] = value
    data.update(changes)
    return data


def _agency(app: Flask) -> Agency:
    with app.app_context():
        found = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        db.session.expunge(found)
        return found


def _audit(app: Flask) -> list[tuple[str, dict[str, Any] | None]]:
    with app.app_context():
        return [(e.what, e.changes) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.what.startswith("settings:"))
            .order_by(AuditEntry.id))]


def test_anonymous_is_sent_to_the_login_page(app: Flask, client, demo) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/officer/login")
    assert client.post(URL, data={"name": "Xã Đổi Tên"}).status_code in (302, 400)
    assert _agency(app).name == "Xã Tản Hồng"


@pytest.mark.parametrize(("username", "status"), [
    ("quantri.tanhong", 200),   # the commune's own admin
    ("hethong", 200),           # a system admin, any commune
    ("quantri.vanhung", 404),   # another commune's admin: the page does not exist for them
    ("tiepnhan.tanhong", 403),  # receiving officer
    ("chuyenvien.tanhong", 403),  # specialist
    ("lanhdao.tanhong", 403),   # leader
])
def test_who_may_open_and_save(app: Flask, demo, username: str, status: int) -> None:
    client = _client(app, username)
    assert client.get(URL).status_code == status
    if status != 200:
        # A token of the officer's own session (any staff form carries it).
        token = csrf_token(client.get("/officer/account").get_data(as_text=True))
        assert client.post(URL, data={"name": "Xã Đổi Tên", "csrf_token": token}
                           ).status_code == status
        assert _agency(app).name == "Xã Tản Hồng"


def test_unknown_commune_is_404(app: Flask, demo) -> None:
    client = _client(app, "hethong")
    assert client.get("/admin/commune/khong-co/settings").status_code == 404
    assert client.get("/admin/commune/hanoi/settings").status_code == 404  # a province


def test_the_nav_links_the_admin_to_the_page(app: Flask, demo) -> None:
    html = _client(app, "quantri.tanhong").get("/officer/inbox").get_data(as_text=True)
    assert f'href="{URL}"' in html
    assert URL not in _client(app, "tiepnhan.tanhong").get("/officer/inbox").get_data(as_text=True)


def test_a_change_is_saved_audited_and_shown_on_the_public_pages(app: Flask, demo) -> None:
    client = _client(app, "quantri.tanhong")
    hours = {}
    for day in WEEKDAYS:
        hours.update({f"hours-{day}-morning-start": "07:30", f"hours-{day}-morning-end": "11:30",
                      f"hours-{day}-afternoon-start": "13:30",
                      f"hours-{day}-afternoon-end": "17:00",
                      f"hours-{day}-extended-start": "17:00", f"hours-{day}-extended-end": "18:00"})
    hours.update({"hours-sat-morning-start": "7h30", "hours-sat-morning-end": "11:00"})
    response = client.post(URL, data=_form(client, hotline="024 3382 1234",
                                           latitude="21,0285", longitude="105.8542",
                                           receipt_series="bl/25e", **hours))
    assert response.status_code == 302
    saved = _agency(app)
    assert saved.hotline == "024 3382 1234"
    assert (saved.latitude, saved.longitude) == (21.0285, 105.8542)
    assert saved.receipt_series == "BL/25E"
    assert saved.opening_hours["sat"] == {"morning": ["07:30", "11:00"]}

    rows = dict(_audit(app))
    assert rows["settings:hotline"] == {"field": "hotline", "before": "024 0000 0126",
                                        "after": "024 3382 1234"}
    assert rows["settings:latitude"]["before"] == 21.2105  # the demo's pin
    assert rows["settings:latitude"]["after"] == 21.0285
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.what == "settings:hotline"))
        assert entry.officer_id is not None and entry.at is not None

    public = app.test_client()
    for path in ("/v/tanhong-lapham", "/procedures/1.001193?village=tanhong-lapham"):
        page = public.get(path).get_data(as_text=True)
        assert ("Thứ Hai – Thứ Sáu: sáng 7:30–11:30, chiều 13:30–17:00, giờ làm việc thứ 9 "
                "17:00–18:00") in page, path
        assert "Thứ Bảy: sáng 7:30–11:00" in page, path
        assert 'id="call-desk" href="tel:02433821234"' in page, path
        assert "query=21.028500,105.854200" in page, path


def test_clearing_the_hotline_and_position_hides_the_button_and_the_map(app: Flask,
                                                                       demo) -> None:
    client = _client(app, "quantri.tanhong")
    assert client.post(URL, data=_form(client, hotline="", latitude="", longitude="")
                       ).status_code == 302
    page = app.test_client().get("/v/tanhong-lapham").get_data(as_text=True)
    assert 'id="call-desk"' not in page and 'id="map-link"' not in page


# field → bad value → the field the message is shown at
BAD = [
    ({"name": ""}, "name"),
    ({"hotline": "12345"}, "hotline"),
    ({"email": "khong-phai-email"}, "email"),
    ({"latitude": "48.85", "longitude": "2.35"}, "latitude"),  # Paris: outside Vietnam
    ({"latitude": "21.02", "longitude": ""}, "latitude"),
    ({"latitude": "21.02", "longitude": "200"}, "longitude"),
    ({"hours-mon-morning-start": "11:30", "hours-mon-morning-end": "07:30"},
     "hours-mon-morning"),
    ({"hours-tue-morning-start": "07:30", "hours-tue-morning-end": ""}, "hours-tue-morning"),
    ({"hours-wed-afternoon-start": "11:00", "hours-wed-afternoon-end": "17:00"},
     "hours-wed-afternoon"),  # starts before the morning ends
    ({"hours-thu-extended-start": "16:00", "hours-thu-extended-end": "18:00"},
     "hours-thu-extended"),  # the 9th hour overlaps the afternoon
    ({"receipt_series": "ký hiệu"}, "receipt_series"),
]


@pytest.mark.parametrize(("changes", "where"), BAD)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(app: Flask, demo,
                                                                 changes, where) -> None:
    client = _client(app, "quantri.tanhong")
    before = _agency(app)
    form = _form(client, **{"address": "Địa chỉ mới, giữ lại khi có lỗi", **changes})
    response = client.post(URL, data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = re.search(rf'id="f-{re.escape(where)}-error">([^<]+)<', html)
    assert message and is_vietnamese(message.group(1)), html[:2000]
    assert "Địa chỉ mới, giữ lại khi có lỗi" in html  # nothing typed is lost
    after = _agency(app)
    assert (after.address, after.hotline, after.opening_hours) == (
        before.address, before.hotline, before.opening_hours)
    assert _audit(app) == []


def test_a_post_without_the_csrf_token_is_refused(app: Flask, demo) -> None:
    client = _client(app, "quantri.tanhong")
    form = _form(client, hotline="024 3382 1234")
    del form["csrf_token"]
    assert client.post(URL, data=form).status_code == 400
    assert _agency(app).hotline == "024 0000 0126"


def test_the_bank_account_is_shown_but_cannot_be_changed_here(app: Flask, demo) -> None:
    client = _client(app, "quantri.tanhong")
    html = client.get(URL).get_data(as_text=True)
    assert "9999000000126" in html and 'name="bank_account"' not in html
    client.post(URL, data=_form(client, bank_account="1111", bank_bin="970436"))
    saved = _agency(app)
    assert (saved.bank_account, saved.bank_bin) == ("9999000000126", "970405")


def test_a_province_fee_amount_is_recorded_audited_and_shown(app: Flask, demo) -> None:
    client = _client(app, "quantri.tanhong")
    with app.app_context():
        proc = db.session.scalar(select(Procedure).where(Procedure.code == "1.004873"))
        prefix = f"fee-{proc.id}-0"
    form = _form(client, **{f"{prefix}-amount": "10.000", f"{prefix}-per": "",
                            f"{prefix}-resolution": "Nghị quyết số 12/2024/NQ-HĐND"})
    assert client.post(URL, data=form).status_code == 302
    with app.app_context():
        rate = db.session.scalar(select(ProvinceFeeRate))
        assert (rate.amount, rate.resolution) == (10000, "Nghị quyết số 12/2024/NQ-HĐND")
    (what, detail), = [row for row in _audit(app) if row[0] == "settings:province_fee"]
    assert detail["before"] is None and detail["after"]["amount"] == 10000
    page = app.test_client().get("/procedures/1.004873?village=tanhong-lapham").get_data(
        as_text=True)
    assert "10.000 đồng (theo Nghị quyết số 12/2024/NQ-HĐND thành phố Hà Nội)" in page

    # An amount without its resolution is refused, and the stored one stays.
    form = _form(client, **{f"{prefix}-amount": "12.000", f"{prefix}-resolution": ""})
    response = client.post(URL, data=form)
    assert response.status_code == 422
    assert "Hãy ghi số, tên Nghị quyết" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ProvinceFeeRate)).amount == 10000
