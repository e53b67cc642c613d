"""The desk corrects what the citizen typed: with a reason, checked by the citizen form's
own checks, before and after kept field by field in the append-only audit, the citizen
told which fields changed (never the values); refused to the wrong role (403), another
commune (404), a closed or approved dossier, and on a bad value with nothing changed."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.factories.pages import csrf_token

# The factory's dossier: Nguyễn Thị Hoà, 001190012345, 0912345678, Thôn Một,
# answers {"purpose": "Kết hôn", "married_before": False}.
FIXES = {"fix-applicant_name": "Nguyễn Thị Hòa  Bình", "fix-phone": "+84 987 654 321",
         "fix-citizen_id": "001190012345", "fix-address": "Thôn Một",
         "fix-answer-purpose": "Xuất khẩu lao động", "fix-answer-married_before-shown": "1",
         "note": "Theo căn cước công dân xuất trình tại quầy"}


@pytest.fixture
def desk(app):
    with app.app_context():
        return f.desk_and_neighbour(("received", "result_ready", "needs_supplement"))


def _correct(client, code, fields):
    form = {"csrf_token": csrf_token(client.get("/officer/account").data),
            "version": _version(client, code)}
    return client.post(f"/officer/dossiers/{code}/actions/correct_details",
                       data={**form, **fields})


def _version(client, code):
    html = client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    found = html.split('name="version" value="')
    return found[1].split('"')[0] if len(found) > 1 else "1"



def test_the_desk_corrects_typed_fields_and_the_audit_keeps_before_and_after(app, desk):
    code = desk["codes"]["received"]
    client = f.signed_in(app, desk["desk"])
    page = client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Bộ phận một cửa đính chính thông tin đã khai" in page
    assert 'name="fix-phone"' in page and 'value="0912345678"' in page
    assert _correct(client, code, FIXES).status_code == 302
    d, events = f.stored_dossier(app, code)
    assert (d.applicant_name, d.applicant_name_folded, d.phone) == (
        "Nguyễn Thị Hòa Bình", "nguyen thi hoa binh", "0987654321")
    assert d.answers == {"purpose": "Xuất khẩu lao động", "married_before": False}
    assert d.status == "received" and d.address == "Thôn Một"
    event = events[-1]
    assert (event.action, event.from_status, event.to_status) == (
        "correct_details", "received", "received")
    assert event.note == "Theo căn cước công dân xuất trình tại quầy"
    # Only what changed, in the form's order; the unchanged ID, address and box are not.
    assert event.data == {"changes": {
        "applicant_name": {"label": "Họ và tên", "before": "Nguyễn Thị Hoà",
                           "after": "Nguyễn Thị Hòa Bình"},
        "phone": {"label": "Số điện thoại", "before": "0912345678", "after": "0987654321"},
        "answer-purpose": {"label": "Mục đích sử dụng", "before": "Kết hôn",
                           "after": "Xuất khẩu lao động"},
    }}
    timeline = client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "<del>0912345678</del> → <ins>0987654321</ins>" in timeline

    # The citizen's status page (code + the phone as it now stands) says which fields,
    # never a value, old or new.
    citizen = app.test_client()
    token = csrf_token(citizen.get("/track").data)
    assert citizen.post("/track", data={"csrf_token": token, "code": code,
                                        "phone": "0987654321"}).status_code == 302
    status = citizen.get(f"/d/{code}").get_data(as_text=True)
    assert ("Thông tin được đính chính: Họ và tên, Số điện thoại, Mục đích sử dụng"
            in status)
    for value in ("0912345678", "0987654321", "Nguyễn Thị Hoà", "Kết hôn",
                  "Xuất khẩu lao động", "Theo căn cước"):
        assert value not in status
    own = app.test_client().get(f"/d/{code}?t={f.SECRET}").get_data(as_text=True)
    assert "Thông tin được đính chính: Họ và tên, Số điện thoại, Mục đích sử dụng" in own
    assert "0912345678" not in own


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"fix-citizen_id": "00119001234"}, "fix-citizen_id",
     "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    ({"fix-citizen_id": "999190012345"}, "fix-citizen_id",
     "Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không đúng."),
    # The ID number's year digits say 1990: a birth date in 1985 contradicts it.
    ({"fix-birth_date": "1985-06-01"}, "fix-birth_date",
     "Số định danh không khớp với năm sinh đã nhập."),
    ({"fix-phone": "0123 456 789"}, "fix-phone",
     "Số điện thoại di động không đúng. Ví dụ: 0912 345 678."),
    ({"fix-applicant_name": "   "}, "fix-applicant_name", "Vui lòng nhập họ và tên người nộp."),
    ({"fix-phone": "0912345678"}, "fixes", "Chưa có thông tin nào được sửa."),
])
def test_a_bad_value_is_refused_in_vietnamese_and_nothing_changes(app, desk, fields, field,
                                                                  message):
    code = desk["codes"]["received"]
    client = f.signed_in(app, desk["desk"])
    # A good change sent along is not made either: the correction is taken whole or not.
    good = {"fix-address": "Thôn Hai"} if field != "fixes" else {}
    refused = _correct(client, code, {**fields, **good, "note": "Theo căn cước"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert message in body
    assert f'id="f-{field}-error"' in body  # said by the field it is about
    if good:
        assert 'value="Thôn Hai"' in body  # what was typed is still in the form
    d, events = f.stored_dossier(app, code)
    assert (d.applicant_name, d.citizen_id_number, d.phone, d.address) == (
        "Nguyễn Thị Hoà", "001190012345", "0912345678", "Thôn Một")
    assert [e.action for e in events] == ["submit"]


def test_a_correction_needs_a_reason(app, desk):
    code = desk["codes"]["received"]
    refused = _correct(f.signed_in(app, desk["desk"]), code, {"fix-phone": "0987654321"})
    assert refused.status_code == 422
    assert "Vui lòng ghi lý do đính chính." in refused.get_data(as_text=True)
    assert f.stored_dossier(app, code)[0].phone == "0912345678"


def test_wrong_role_403_other_commune_404_and_no_correction_after_approval(app, desk):
    fields = {"fix-phone": "0987654321", "note": "Theo căn cước"}
    received = desk["codes"]["received"]
    specialist = f.signed_in(app, desk["specialist"])
    assert "correct_details" not in specialist.get(
        f"/officer/dossiers/{received}").get_data(as_text=True)
    assert _correct(specialist, received, fields).status_code == 403
    assert _correct(f.signed_in(app, desk["outsider"]), received, fields).status_code == 404
    client = f.signed_in(app, desk["desk"])
    for status in ("result_ready", "needs_supplement"):
        assert _correct(client, desk["codes"][status], fields).status_code == 403, status
    for code in (received, desk["codes"]["result_ready"]):
        d, events = f.stored_dossier(app, code)
        assert d.phone == "0912345678" and len(events) == 1
