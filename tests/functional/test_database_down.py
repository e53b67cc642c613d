"""With the database unreachable, pages answer 503 with a Vietnamese message and the API
its JSON error, both with Retry-After; nothing crashes into a 500."""

from __future__ import annotations

from pathlib import Path

from tests.factories.apps import make_app
from tests.pg_server import free_port


def _app_without_database(tmp_path: Path):  # noqa: ANN202
    # Nobody listens on the port: every connection is refused at once.
    return make_app(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/motcua",
                    tmp_path / "uploads")


def test_a_page_answers_503_in_vietnamese(tmp_path: Path) -> None:
    answer = _app_without_database(tmp_path).test_client().get("/procedures/1.001193")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "10"
    html = answer.get_data(as_text=True)
    assert "Hệ thống tạm gián đoạn" in html
    assert "Vui lòng thử lại sau ít phút; gửi lại hồ sơ sẽ không tạo hồ sơ trùng." in html


def test_the_api_answers_503_with_its_json_error(tmp_path: Path) -> None:
    answer = _app_without_database(tmp_path).test_client().get(
        "/api/v1/dossiers/000.31.12.H26-261122-0007?t=x")
    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "database_unavailable"
    assert answer.get_json()["error"]["title"] == "Hệ thống tạm gián đoạn"


def test_english_readers_get_it_in_english(tmp_path: Path) -> None:
    answer = _app_without_database(tmp_path).test_client().get(
        "/procedures/1.001193?lang=en")
    assert answer.status_code == 503
    assert "Service briefly interrupted" in answer.get_data(as_text=True)
