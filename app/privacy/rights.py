"""The citizen's rights over one dossier's data (Decree 13/2023 Art. 9): see it and why,
download it, ask for a correction or a deletion; and the desk's answers.

Deadlines (Decree 13/2023): a correction is made "as soon as possible", and when it cannot
be, the citizen is told within 72 hours of the request (Art. 15(2)); a deletion is done
within 72 hours of the request (Art. 16), unless a law keeps the data (Art. 16(2)). Both
are counted in clock hours, as the decree writes them, not in working days.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Officer
from app.core.vntime import to_vietnam_time
from app.dossiers import workflow
from app.dossiers.filestore import FileStore
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.queries import payment_for
from app.privacy import retention
from app.privacy.models import DataRequest, RequestKind, RequestStatus

ANSWER_WITHIN = timedelta(hours=72)
MAX_REASON = 2000
MAX_ANSWER = 4000
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


STATUS_LABELS = {"pending": _l("Chờ trả lời"), "done": _l("Đã thực hiện"),
                 "refused": _l("Không thực hiện"), "kept": _l("Giữ lại theo quy định")}
KIND_LABELS = {"correction": _l("Sửa thông tin sai"), "deletion": _l("Xoá dữ liệu")}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


class RequestError(ValueError):
    """A request or an answer the rules refuse; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def due_at_for(created_at: datetime) -> datetime:
    """When the answer to a request made at `created_at` is due: 72 clock hours later."""
    return created_at + ANSWER_WITHIN


def requests_of(dossier: Dossier) -> list[DataRequest]:
    return list(db.session.scalars(select(DataRequest).where(
        DataRequest.dossier_id == dossier.id).order_by(DataRequest.id)))


def file_request(dossier: Dossier, kind: str, reason: str, now: datetime) -> DataRequest:
    """Record a citizen's request; flush only."""
    if kind not in set(RequestKind):
        raise RequestError(_("Vui lòng chọn yêu cầu sửa hoặc xoá dữ liệu."))
    reason = reason.strip()
    if not reason:
        raise RequestError(_("Vui lòng ghi rõ thông tin cần sửa hoặc lý do xoá."))
    if len(reason) > MAX_REASON:
        raise RequestError(_("Nội dung dài quá %(n)s ký tự.", n=MAX_REASON))
    pending = db.session.scalar(select(DataRequest.id).where(
        DataRequest.dossier_id == dossier.id, DataRequest.kind == kind,
        DataRequest.status == RequestStatus.PENDING.value))
    if pending is not None:
        raise RequestError(_("Yêu cầu trước của bạn đang chờ trả lời."))
    request = DataRequest(dossier_id=dossier.id, agency_id=dossier.agency_id, kind=kind,
                          reason=reason, created_at=now, due_at=due_at_for(now))
    db.session.add(request)
    db.session.flush()
    return request


def answer_choices(request: DataRequest) -> list[str]:
    """The answers the desk may give now: a deletion the law forbids can only be "kept"."""
    if request.status != RequestStatus.PENDING:
        return []
    if request.kind == RequestKind.DELETION and retention.hold_reason(request.dossier):
        return [RequestStatus.KEPT.value]
    return [RequestStatus.DONE.value, RequestStatus.REFUSED.value]


def answer_request(request: DataRequest, officer: Officer, decision: str, answer: str,
                   now: datetime) -> DataRequest:
    """The desk's answer. An accepted deletion erases the dossier's files (results kept)
    and blanks its personal fields at once; a kept one says why. Flush only."""
    if decision not in answer_choices(request):
        raise RequestError(_("Không thể trả lời yêu cầu theo cách này."))
    answer = answer.strip()
    if len(answer) > MAX_ANSWER:
        raise RequestError(_("Nội dung trả lời dài quá %(n)s ký tự.", n=MAX_ANSWER))
    if decision == RequestStatus.KEPT:
        reason = retention.hold_reason(request.dossier) or ""
        answer = f"{_('Dữ liệu được giữ lại vì:')} {reason}" + (f"\n{answer}" if answer else "")
    elif decision == RequestStatus.REFUSED and not answer:
        raise RequestError(_("Vui lòng ghi lý do không thực hiện yêu cầu."))
    elif decision == RequestStatus.DONE and request.kind == RequestKind.DELETION:
        retention.erase_dossier(request.dossier, now)
        answer = answer or _("Đã xoá giấy tờ đã tải lên và ẩn thông tin cá nhân của hồ sơ.")
    elif decision == RequestStatus.DONE and not answer:
        raise RequestError(_("Vui lòng ghi rõ thông tin đã được sửa."))
    request.status = decision
    request.answer = answer
    request.answered_at = now
    request.answered_by_id = officer.id
    db.session.flush()
    return request


def _iso(moment: datetime | None) -> str | None:
    return to_vietnam_time(moment).isoformat(timespec="seconds") if moment else None


def _file_name(position: int, name: str, content_type: str) -> str:
    ext = content_type.split("/")[-1].replace("jpeg", "jpg")
    base = _SAFE_NAME.sub("-", name.rsplit(".", 1)[0]).strip("-")[:60] or "tep"
    return f"tep/{position:02d}-{base}.{ext}"


def export_data(dossier: Dossier) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """What Motcua holds about the applicant of this dossier, and nothing of any other:
    the JSON document and the (path in the ZIP, storage key) of each kept file."""
    files = []
    stored = []
    for position, item in enumerate(dossier.kept_files, start=1):
        path = _file_name(position, item.original_name, item.content_type)
        files.append({"giay_to": item.requirement.name if item.requirement else "",
                      "loai": item.kind, "dinh_dang": item.content_type,
                      "kich_thuoc": item.size, "tai_len_luc": _iso(item.created_at),
                      "tep_trong_goi": path})
        stored.append((path, item.storage_key))
    payment = payment_for(dossier)
    data: dict[str, Any] = {
        "ma_ho_so": dossier.code,
        "thu_tuc": dossier.procedure.name,
        "co_quan": dossier.agency.name,
        "trang_thai": dossier.status,
        "nop_luc": _iso(dossier.submitted_at),
        "nguoi_nop": {
            "ho_ten": dossier.applicant_name,
            "so_dinh_danh": dossier.citizen_id_number,
            "ngay_sinh": (dossier.applicant_birth_date.isoformat()
                          if dossier.applicant_birth_date else None),
            "so_dien_thoai": dossier.phone,
            "dia_chi": dossier.address,
        },
        "to_khai": dict(dossier.answers or {}),
        "giay_to": files,
        # Only what the citizen's own page shows of each step: no officers, no internal notes.
        "qua_trinh": [{"luc": _iso(e.at), "buoc": e.action, "trang_thai": e.to_status,
                       "ghi_chu": e.note if e.action in workflow.CITIZEN_NOTES else ""}
                      for e in dossier.events],
        "phi": ({"so_tien": payment.amount, "da_nop": payment.paid_amount,
                 "ma_chuyen_khoan": payment.reference, "trang_thai": payment.status}
                if payment else None),
        "yeu_cau_ve_du_lieu": [{"loai": r.kind, "noi_dung": r.reason, "trang_thai": r.status,
                                "tra_loi": r.answer, "gui_luc": _iso(r.created_at)}
                               for r in requests_of(dossier)],
        "an_danh_luc": _iso(dossier.anonymised_at),
    }
    return data, stored


def export_zip(dossier: Dossier, store: FileStore) -> bytes:
    """The download: du-lieu.json and the dossier's kept files."""
    data, stored = export_data(dossier)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu.json", json.dumps(data, ensure_ascii=False, indent=2))
        for path, key in stored:
            try:
                with store.open(key) as blob:
                    archive.writestr(path, blob.read())
            except (FileNotFoundError, ValueError):
                continue  # listed in the JSON; the content is gone
    return out.getvalue()
