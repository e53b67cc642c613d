"""What each role does, in the words the admin pages show (DOMAIN.md "The dossier's life";
the permissions themselves are app/dossiers/workflow.py's)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role

LABELS = {
    Role.RECEIVING: _l("Cán bộ tiếp nhận (bộ phận một cửa)"),
    Role.SPECIALIST: _l("Công chức chuyên môn"),
    Role.LEADER: _l("Lãnh đạo UBND"),
    Role.COMMUNE_ADMIN: _l("Quản trị viên của xã"),
    Role.SYSTEM_ADMIN: _l("Quản trị hệ thống"),
}

DUTIES = {
    Role.RECEIVING: _l("Tiếp nhận hồ sơ tại quầy và trực tuyến, yêu cầu bổ sung hoặc từ chối "
                       "tiếp nhận, thu phí, trả kết quả cho công dân."),
    Role.SPECIALIST: _l("Xử lý hồ sơ được giao, trình lãnh đạo ký duyệt."),
    Role.LEADER: _l("Phê duyệt, ký kết quả hoặc trả lại hồ sơ để xử lý tiếp."),
    Role.COMMUNE_ADMIN: _l("Quản lý cán bộ, tài khoản nhận phí và áp phích mã QR của xã; "
                           "làm được mọi việc của bộ phận một cửa."),
    Role.SYSTEM_ADMIN: _l("Quản trị mọi xã trên hệ thống: cán bộ, tài khoản nhận phí."),
}


def label(role: str) -> str:
    try:
        return str(LABELS[Role(role)])
    except ValueError:
        return role
