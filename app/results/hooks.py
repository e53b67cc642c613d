"""Results' say in the workflow (wired by create_app): the citizen's "Tôi đã nhận kết quả"
needs an electronic result they may take."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import DomainError
from app.dossiers.models import Dossier
from app.results import policies, queries


def before_move(dossier: Dossier, action: str) -> None:
    if action != "confirm_receipt":
        return
    if not queries.current_results(dossier):
        raise DomainError(_("Hồ sơ này chưa có kết quả điện tử để nhận. Mời bạn nhận kết "
                            "quả tại bộ phận một cửa."), code="no_electronic_result")
    if not policies.can_download(dossier):
        raise DomainError(_("Vui lòng nộp đủ phí, lệ phí trước khi nhận kết quả."),
                          code="fee_unpaid")
