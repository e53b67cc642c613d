"""The slips' QR opens the public tracking page and never carries the tracking secret."""

from __future__ import annotations

from app import create_app
from app.backoffice import slips
from app.dossiers.models import Dossier


def test_tracking_url_has_the_code_only():
    app = create_app({"TESTING": True, "SETTINGS": {"public_base_url": "https://motcua.vn"}})
    with app.app_context():
        url = slips.tracking_url(Dossier(code="000.31.12.H26-260212-0007"))
    assert url == "https://motcua.vn/track?code=000.31.12.H26-260212-0007"


def test_every_official_slip_is_listed_once():
    titles = [str(s.title) for s in slips.SLIPS.values()]
    assert titles == ["Phiếu tiếp nhận hồ sơ và hẹn trả kết quả",
                      "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
                      "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
                      "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
                      "Phiếu kiểm soát quá trình giải quyết hồ sơ"]
    assert slips.SLIP_AFTER_ACTION == {"receive": "receipt", "request_supplement": "supplement",
                                       "reject": "rejection", "apologize": "apology"}
