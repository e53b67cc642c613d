"""Procedure search and procedure pages over HTTP, and the procedures CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.procedures.models import Procedure

SMALL = Path(__file__).parents[1] / "unit" / "procedures" / "small_catalogue.json"


def _text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_search_page_finds_without_accents_and_shows_card_facts(client, demo):
    body = _text(client.get("/procedures?q=dang+ky+kh"))
    assert body.count("<h1>") == 1
    first = re.search(r'<a class="card" href="([^"]+)"><strong>([^<]+)</strong>', body)
    assert first and first.group(2) == "Đăng ký khai sinh"
    assert first.group(1) == "/procedures/1.001193"
    assert "Trong ngày" in body and "Miễn lệ phí" in body
    assert 'value="dang ky kh"' in body
    assert '<label for="q">' in body


def test_field_filter_links_work_without_javascript(client, demo):
    body = _text(client.get("/procedures?village=tanhong-vansa1"))
    link = re.search(r'href="(/procedures\?[^"]*field=[^"]*)">Chứng thực</a>', body)
    assert link, "no link to the Chứng thực field"
    url = link.group(1).replace("&amp;", "&")
    assert "village=tanhong-vansa1" in url
    filtered = _text(client.get(url))
    cards = re.findall(r'<a class="card" href="[^"]+"><strong>([^<]+)</strong><span class="tag">'
                       r"([^<]+)</span>", filtered)
    assert cards and {f for _name, f in cards} == {"Chứng thực"}
    assert 'aria-current="true">Chứng thực</strong>' in filtered


def test_empty_result_explains_what_to_try(client, demo):
    body = _text(client.get("/procedures?q=xyzzy+tau+vu+tru&village=tanhong-vansa1"))
    assert "Không tìm thấy thủ tục nào" in body
    assert "Gõ ít từ hơn" in body
    assert "Không cần gõ dấu" in body
    assert "lĩnh vực" in body
    assert "024 0000 0126" in body  # Tản Hồng's hotline, as the citizen came from its village


def test_punctuation_query_is_an_empty_result_not_an_error(client, demo):
    response = client.get('/procedures?q="*()')
    assert response.status_code == 200
    assert "Không tìm thấy thủ tục nào" in _text(response)


def test_procedure_page_for_an_elderly_reader(client, demo):
    body = _text(client.get("/procedures/1.001193?village=tanhong-vansa1"))
    assert body.count("<h1>") == 1 and "<h1>Đăng ký khai sinh</h1>" in body
    assert "Giấy tờ cần mang" in body and 'class="checklist"' in body
    assert "Giấy chứng sinh do bệnh viện, trạm y tế cấp" in body
    assert "nếu có" in body  # the power of attorney is optional
    assert "Trong ngày" in body and "8.000 đồng/bản" in body and "Miễn lệ phí" in body
    assert "Xã Tản Hồng" in body and "024 0000 0126" in body
    assert "<details>" in body and "Luật Hộ tịch số 60/2014/QH13" in body
    apply = re.search(r'<a class="button" href="([^"]+)">Nộp hồ sơ trực tuyến</a>', body)
    assert apply and apply.group(1) == "/procedures/1.001193/apply?village=tanhong-vansa1"
    assert 'style="' not in body and "<style" not in body


def test_procedure_page_without_village_and_offline_only_procedure(client, demo):
    body = _text(client.get("/procedures/2.000815"))
    assert "Bộ phận một cửa UBND xã" in body
    assert "Nộp hồ sơ trực tuyến" not in body  # online_level none
    assert ("2.000 đồng/trang; từ trang thứ 3 trở đi 1.000 đồng/trang, tối đa 200.000 "
            "đồng/bản") in body


def test_calendar_day_limits_are_not_called_working_days(client, demo):
    assert "30 ngày</strong>" in _text(client.get("/procedures/1.012812"))
    assert "3 ngày làm việc</strong>" in _text(client.get("/procedures/1.001022"))


def test_unknown_procedure_is_a_friendly_404(client, demo):
    response = client.get("/procedures/0.000000?village=tanhong-vansa1")
    assert response.status_code == 404
    body = _text(response)
    assert "<h1>Không tìm thấy thủ tục</h1>" in body
    assert 'name="q"' in body and 'name="village" value="tanhong-vansa1"' in body


def test_cli_import_then_export(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["procedures", "import", str(SMALL)])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    again = runner.invoke(args=["procedures", "import", str(SMALL)])
    assert "0 created, 0 updated, 3 unchanged" in again.output

    out = tmp_path / "export.json"
    assert runner.invoke(args=["procedures", "export", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [p["code"] for p in exported["procedures"]] == ["9.000001", "9.000002", "9.000003"]
    stdout = runner.invoke(args=["procedures", "export"])
    assert json.loads(stdout.output) == exported


def test_cli_bad_file_reports_the_problem_and_imports_nothing(app, tmp_path):
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    data["procedures"][1]["documents"][0]["mandatory"] = "yes"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["procedures", "import", str(bad)])
    assert result.exit_code == 1
    assert 'Thủ tục 9.000002' in result.output and '"mandatory"' in result.output
    with app.app_context():
        assert db.session.scalar(select(Procedure.id)) is None

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["procedures", "import", str(broken)])
    assert result.exit_code == 1 and "not a JSON file" in result.output


def test_cli_import_for_named_agencies_only(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["procedures", "import", str(SMALL), "--agency", "vanhung"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        birth = db.session.scalar(select(Procedure).where(Procedure.code == "9.000001"))
        assert [a.slug for a in birth.agencies] == ["vanhung"]
    unknown = runner.invoke(args=["procedures", "import", str(SMALL), "--agency", "nowhere"])
    assert unknown.exit_code == 1 and "nowhere" in unknown.output


def test_long_result_lists_are_cut_with_a_hint(client, demo):
    body = _text(client.get("/procedures"))
    assert body.count('class="card"') == 20
    assert "Gõ thêm từ hoặc chọn lĩnh vực để thu hẹp" in body
