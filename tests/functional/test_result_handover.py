"""The desk records who collected the result at the counter: name, CCCD number, relation to
the applicant; refused without it, with a wrong number, by a wrong role or from another
commune, and nothing changes when refused."""

from __future__ import annotations

import pytest

from tests import factories as f

# Hand-written: the applicant's number in the factory is 001190012345.
RELATIVE = {"handover": "counter", "collector_name": "  Trần   Văn Nhận ",
            "collector_id_number": "0011 8501 2345", "collector_relation": "family"}


@pytest.fixture
def ready(app):
    with app.app_context():
        found = f.desk_and_neighbour(("result_ready",))
    return {**found, "code": found["codes"]["result_ready"]}


def _return(client, code, **fields):
    form = f.action_form(client, code)
    return client.post(f"/officer/dossiers/{code}/actions/return_result",
                       data={**form, **fields})



def test_a_counter_return_records_the_collector_on_the_dossier_and_in_the_audit(app, ready):
    code = ready["code"]
    desk = f.signed_in(app, ready["desk"])
    page = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Người nhận kết quả tại quầy" in page and "Chính người nộp hồ sơ" in page
    assert _return(desk, code, **RELATIVE).status_code == 302
    d, events = f.stored_dossier(app, code)
    assert d.status == "returned"
    assert (d.return_channel, d.collector_name, d.collector_id_number,
            d.collector_relation) == ("counter", "Trần Văn Nhận", "001185012345", "family")
    assert events[-1].action == "return_result"
    assert events[-1].data["handover"] == "counter"
    assert events[-1].data["collector"] == {"name": "Trần Văn Nhận",
                                            "id_number": "001185012345",
                                            "relation": "family"}
    # The raw form values are not kept a second time in the event.
    assert "collector_id_number" not in events[-1].data
    page = desk.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Trần Văn Nhận" in page and "001185012345" in page
    assert "Người thân trong gia đình" in page
    slip = desk.get(f"/officer/dossiers/{code}/slips/control").get_data(as_text=True)
    assert "Trần Văn Nhận" in slip and "001185012345" in slip


@pytest.mark.parametrize(("fields", "message"), [
    ({**RELATIVE, "collector_id_number": "00118501234"},
     "Số định danh cá nhân phải gồm đúng 12 chữ số."),
    ({**RELATIVE, "collector_id_number": "999185012345"},
     "Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không đúng."),
    ({"handover": "counter"}, "Vui lòng nhập họ và tên người nhận kết quả."),
    ({**RELATIVE, "collector_relation": ""},
     "Vui lòng chọn quan hệ của người nhận với người nộp hồ sơ."),
    ({**RELATIVE, "collector_relation": "self"},
     "Số định danh không khớp với người nộp hồ sơ."),
    ({**RELATIVE, "collector_relation": "authorised"},
     "Vui lòng kiểm tra giấy ủy quyền của người nhận"),
    ({}, "Vui lòng chọn cách trả kết quả."),
])
def test_a_return_without_a_proper_collector_is_refused_and_changes_nothing(app, ready,
                                                                          fields, message):
    code = ready["code"]
    desk = f.signed_in(app, ready["desk"])
    refused = _return(desk, code, **fields)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert message in body
    if fields.get("collector_name"):
        assert 'value="  Trần   Văn Nhận "' in body  # what was typed is kept
    d, events = f.stored_dossier(app, code)
    assert d.status == "result_ready" and d.returned_at is None
    assert d.collector_name is None and d.return_channel is None
    assert [e.action for e in events] == ["submit"]


def test_the_applicant_themself_and_a_postal_return(app, ready):
    code = ready["code"]
    desk = f.signed_in(app, ready["desk"])
    assert _return(desk, code, handover="counter", collector_name="Nguyễn Thị Hoà",
                   collector_id_number="001190012345",
                   collector_relation="self").status_code == 302
    d, _events = f.stored_dossier(app, code)
    assert (d.collector_relation, d.collector_id_number) == ("self", "001190012345")


def test_a_return_by_post_names_no_collector(app, ready):
    code = ready["code"]
    desk = f.signed_in(app, ready["desk"])
    assert _return(desk, code, handover="post").status_code == 302
    d, events = f.stored_dossier(app, code)
    assert d.status == "returned" and d.return_channel == "post"
    assert d.collector_name is None and "collector" not in events[-1].data


def _post_from_account_page(client, code):
    # Their dossier page offers no form to take a token from: the account page has one.
    token = f.csrf_token(client.get("/officer/account").data)
    return client.post(f"/officer/dossiers/{code}/actions/return_result",
                       data={"csrf_token": token, "version": "1", **RELATIVE})


def test_wrong_role_is_403_and_another_commune_is_404(app, ready):
    code = ready["code"]
    assert _post_from_account_page(f.signed_in(app, ready["specialist"]), code).status_code == 403
    assert _post_from_account_page(f.signed_in(app, ready["outsider"]), code).status_code == 404
    d, events = f.stored_dossier(app, code)
    assert d.status == "result_ready" and len(events) == 1
