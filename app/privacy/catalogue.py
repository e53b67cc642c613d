"""The kinds of personal data Motcua holds: what each is, why, who sees it, how long it is
kept. One list for the citizen's page, the incident form and the retention sweep."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class DataKind:
    key: str  # a key of the retention schedule (app/config.py DEFAULT_RETENTION)
    label: object
    purpose: object
    who_sees: object
    # From when the period runs.
    counted_from: object


_DESK = _l("Cán bộ tiếp nhận, chuyên môn, lãnh đạo và quản trị của xã nhận hồ sơ; không "
           "ai của xã khác. Mỗi lần cán bộ mở hồ sơ hoặc tệp đều được ghi nhật ký.")
_CLOSED = _l("ngày hồ sơ kết thúc (trả kết quả, từ chối hoặc rút)")

KINDS: tuple[DataKind, ...] = (
    DataKind("personal_fields", _l("Thông tin người nộp và tờ khai"),
             _l("Họ tên, số định danh, ngày sinh, số điện thoại, địa chỉ và các câu trả lời "
                "của tờ khai: để giải quyết thủ tục, liên hệ và trả kết quả cho bạn."),
             _DESK, _CLOSED),
    DataKind("id_photos", _l("Ảnh căn cước"),
             _l("Để cán bộ đối chiếu danh tính người nộp khi tiếp nhận hồ sơ."),
             _DESK, _CLOSED),
    DataKind("dossier_files", _l("Giấy tờ đã tải lên"),
             _l("Thành phần hồ sơ theo quy định của thủ tục, để cán bộ xem xét giải quyết. "
                "Giấy tờ kết quả do xã cấp được lưu theo quy định về lưu trữ."),
             _DESK, _CLOSED),
    DataKind("payment_records", _l("Thông tin nộp phí, lệ phí"),
             _l("Số tiền, mã giao dịch và thông tin người chuyển khoản mà ngân hàng gửi: để "
                "đối soát và làm chứng từ kế toán."),
             _l("Cán bộ của xã nhận hồ sơ."), _l("ngày ngân hàng báo giao dịch")),
    DataKind("push_subscriptions", _l("Đăng ký nhận thông báo trên điện thoại"),
             _l("Địa chỉ nhận thông báo của trình duyệt, để báo cho bạn khi hồ sơ thay đổi."),
             _l("Chỉ máy chủ gửi thông báo; cán bộ không xem được."),
             _l("ngày đăng ký, khi không còn hồ sơ nào đang giải quyết")),
    DataKind("audit_events", _l("Nhật ký truy cập"),
             _l("Ghi lại cán bộ nào đã xem hoặc xử lý hồ sơ của bạn, khi nào: để bảo vệ dữ "
                "liệu và điều tra khi có sự cố."),
             _l("Quản trị của xã."), _l("ngày ghi nhật ký")),
    DataKind("login_records", _l("Nhật ký đăng nhập của cán bộ"),
             _l("Số lần đăng nhập sai và phiên làm việc của cán bộ, để chống dò mật khẩu."),
             _l("Hệ thống; không chứa dữ liệu của người nộp hồ sơ."),
             _l("lần đăng nhập sai gần nhất hoặc ngày mở phiên")),
)
BY_KEY = {k.key: k for k in KINDS}


def retention_days(key: str) -> int:
    """The configured period for a kind (needs an app context)."""
    return int(current_app.config["MOTCUA"].retention[key])
