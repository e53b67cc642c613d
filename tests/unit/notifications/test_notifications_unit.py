"""Unit checks: retry delays, Retry-After parsing, subscription validation, VAPID keys, and
the exact payload of each kind."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.config import Settings
from app.core.errors import DomainError
from app.notifications import messages, services, vapid
from app.notifications.worker import Policy, _retry_after, backoff


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = Policy(base_delay=5, max_delay=60)
    for attempt, ceiling in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (9, 60)):
        delays = [backoff(attempt, policy) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len({round(d, 6) for d in delays}) > 150  # jittered, not one value


def test_retry_after_seconds_and_http_date() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    from datetime import timedelta
    from email.utils import format_datetime

    from app.core.models import utcnow

    later = format_datetime(utcnow() + timedelta(seconds=30), usegmt=True)
    assert 25 <= (_retry_after(later) or 0) <= 31


def _settings(**changes: object) -> Settings:
    fields: dict = {"database_url": "sqlite://", "secret_key": "x",
                    "upload_dir": "/nonexistent", "max_upload_mb": 10, "max_dossier_mb": 40,
                    "public_base_url": "https://x", "production": False,
                    "ratelimit_storage_uri": "memory://"}
    return Settings(**{**fields, **changes})


def _subscription(**keys: str) -> dict:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    return {"endpoint": "https://fcm.googleapis.com/fcm/send/abc",
            "keys": {"p256dh": _b64(point), "auth": _b64(os.urandom(16)), **keys}}


def test_subscription_validation() -> None:
    production = _settings(production=True)
    tests = _settings(push_test_hosts=("127.0.0.1",))
    good = _subscription()
    assert services.parse_subscription(good, production)["endpoint"] == good["endpoint"]
    for bad in (None, {}, _subscription(auth=_b64(b"short")), _subscription(p256dh="AAAA"),
                dict(_subscription(), endpoint="javascript:alert(1)"),
                dict(_subscription(), endpoint="ftp://fcm.googleapis.com/x")):
        with pytest.raises(DomainError):
            services.parse_subscription(bad, tests)
    local = dict(_subscription(), endpoint="http://127.0.0.1:9/push/x")
    assert services.parse_subscription(local, tests)
    with pytest.raises(DomainError):
        services.parse_subscription(local, _settings())  # not named by the test setting


def test_vapid_key_from_env_format_and_generated_once(tmp_path: Path) -> None:
    raw = vapid.generate_private_key()
    signer = vapid._load(raw)
    assert signer.private_key.private_numbers().private_value.to_bytes(32, "big") == \
        vapid.b64url_decode(raw)
    first = vapid._instance_key(tmp_path)
    assert vapid._instance_key(tmp_path) == first  # never regenerated
    assert (tmp_path / vapid.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert vapid._load(first).public_key


def _dossier(**extra: object) -> SimpleNamespace:  # what messages.build reads
    from datetime import date

    fields: dict[str, object] = {"code": "000.31.12.H26-260105-0007",
                                 "due_date": date(2026, 1, 9), "files": [], "status": "received",
                                 "agency": SimpleNamespace(name="Xã Tản Hồng")}
    return SimpleNamespace(**{**fields, **extra})


@pytest.mark.parametrize(("kind", "note", "data", "title", "body"), [
    ("received", "", {"due_date": "2026-01-09"},
     "Hồ sơ 000.31.12.H26-260105-0007 đã được tiếp nhận", "Ngày hẹn trả kết quả: 09/01/2026."),
    ("supplement_requested", "Sổ hộ khẩu  bản sao", {},
     "Hồ sơ 000.31.12.H26-260105-0007 cần bổ sung giấy tờ", "Cần bổ sung: Sổ hộ khẩu bản sao"),
    ("rejected", "Không thuộc thẩm quyền", {},
     "Hồ sơ 000.31.12.H26-260105-0007 không được tiếp nhận", "Lý do: Không thuộc thẩm quyền"),
    ("result_ready", "", {}, "Hồ sơ 000.31.12.H26-260105-0007 đã có kết quả",
     "Mời bạn đến bộ phận một cửa Xã Tản Hồng để nhận, nhớ mang theo căn cước."),
    ("apology", "", {"due_date": "2026-01-20"},
     "Xin lỗi: hồ sơ 000.31.12.H26-260105-0007 chậm so với ngày hẹn",
     "Ngày hẹn trả kết quả mới: 20/01/2026."),
    ("payment_confirmed", "", {"amount": 15000},
     "Đã nhận thanh toán cho hồ sơ 000.31.12.H26-260105-0007", "Số tiền: 15.000 đồng. Cảm ơn bạn."),
])
def test_payloads(app, kind: str, note: str, data: dict, title: str, body: str) -> None:
    with app.app_context():
        payload = messages.build(kind, _dossier(), note=note, data=data)
    assert payload == {"title": title, "body": body, "url": "/d/000.31.12.H26-260105-0007"}


def test_returned_result_asks_for_a_rating_and_opens_the_rating_page(app) -> None:
    with app.app_context():
        payload = messages.build("rating_requested", _dossier())
    assert payload == {
        "title": "Mời bạn đánh giá hồ sơ 000.31.12.H26-260105-0007",
        "body": "Hồ sơ đã trả kết quả. Bạn có hài lòng không? Một phút đánh giá giúp xã "
                "phục vụ tốt hơn.",
        "url": "/d/000.31.12.H26-260105-0007/rating"}
    assert messages.EVENT_KINDS["return_result"] == "rating_requested"


def test_long_notes_are_cut_and_an_electronic_result_is_announced(app) -> None:
    with app.app_context():
        long = messages.build("supplement_requested", _dossier(), note="x" * 500)
        # No payment row: nothing is owed, so the result can be downloaded now.
        ready = messages.build("result_ready", _dossier(id=0, status="result_ready"),
                               data={"result_mode": "online"})
    assert len(long["body"]) < 200 and long["body"].endswith("…")
    assert ready["title"] == "Kết quả điện tử đã sẵn sàng"
    assert ready["body"] == ("Hồ sơ 000.31.12.H26-260105-0007: mở trang hồ sơ để tải kết quả "
                             "về điện thoại.")
    assert messages.KINDS["result_ready"].urgency == "high"
