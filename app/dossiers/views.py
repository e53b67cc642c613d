"""Citizen pages of a dossier: apply form, confirmation, tracking, the dossier page, the
phone's list, files, and the citizen's own actions (resubmit, withdraw)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from app.citizens import services as citizen_services
from app.core.dates import vietnamese_date
from app.core.identity import IdentityError, normalize_phone
from app.core.shared_limits import fails_closed
from app.core.vntime import to_vietnam_time
from app.dossiers import access, forms, policies, queries, services, workflow
from app.dossiers.downloads import send_stored
from app.dossiers.models import Dossier
from app.dossiers.status import corrected_labels, mask_name, public_timeline
from app.extensions import limiter
from app.procedures.models import Procedure
from app.pwa.cache_policy import keep_private

bp = Blueprint("dossiers", __name__)

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
               "application/pdf": "pdf"}


@bp.after_request
def _private(response: Response) -> Response:
    if request.endpoint == "dossiers.apply" and request.method == "GET":
        # The empty form holds nothing personal, and the service worker must be able to keep
        # it so a reload offline brings back the form and the draft saved on the phone.
        response.headers["Cache-Control"] = "no-cache"
    else:
        # Dossier pages carry personal data and one-time tokens: never cached, not even by
        # the phone's back button or the service worker.
        keep_private(response)
    return access.write_cookie(response)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"status_label": workflow.status_label, "action_label": workflow.action_label,
            "next_step": workflow.next_step, "citizen_notes": workflow.CITIZEN_NOTES,
            "corrected_labels": corrected_labels,
            "iso_day": lambda iso: vietnamese_date(date.fromisoformat(iso)),
            "upload_limits": forms.upload_limits_text,
            "vn_time": to_vietnam_time}


def _accessible(code: str) -> Dossier:
    return policies.load_for_citizen(code, request.args.get("t"))


# --- apply ------------------------------------------------------------------------------

def _apply_context(procedure: Procedure, values: dict[str, Any], errors: dict[str, str],
                   idempotency_key: str) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "agencies": queries.agencies_for(procedure),
        "slots": forms.upload_slots(procedure),
        "values": values,
        "errors": errors,
        "idempotency_key": idempotency_key,
        "expected_due": services.expected_due_date(procedure),
    }


@bp.route("/procedures/<code>/apply", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def apply(code: str):  # noqa: ANN201
    procedure = queries.procedure_for_apply(code)
    if procedure is None:
        abort(404)
    if request.method == "GET":
        values: dict[str, Any] = {}
        village_code = request.args.get("village", "")
        village = queries.village_by_code(village_code)
        agencies = queries.agencies_for(procedure)
        if village is not None and any(a.id == village.agency_id for a in agencies):
            values = {"village": village.code, "agency": village.agency.slug}
        elif len(agencies) == 1:
            values = {"agency": agencies[0].slug}
        values.update(citizen_services.prefill_values())  # signed in: details from the IdP
        return render_template("dossiers/apply.html", **_apply_context(
            procedure, values, {}, forms.new_idempotency_key()))

    form = request.form
    answers_raw = {spec["name"]: form.get(f"answer-{spec['name']}")
                   for spec in procedure.form_fields}
    submission, errors = forms.validate_submission(procedure, form, answers_raw)
    uploads, file_errors = forms.clean_document_uploads(
        procedure, request.files.getlist, forms.phone_of(submission, form.get("phone")))
    errors.update(file_errors)
    key = form.get("idempotency_key", "")
    if not forms.valid_idempotency_key(key):
        key = forms.new_idempotency_key()  # a crafted or truncated form: no retry protection
    if errors or submission is None:
        forms.discard_all(u for _r, u in uploads)
        # apply.js keeps the chosen photos on the page and sends them again; only a plain
        # form post loses them and must ask for them once more.
        if forms.upload_slots(procedure) and not request.headers.get("X-Motcua-Enhanced"):
            errors["documents"] = _("Các ảnh/tệp đã chọn chưa được gửi: vui lòng chọn lại "
                                    "giấy tờ trước khi gửi.")
        return render_template("dossiers/apply.html", **_apply_context(
            procedure, form.to_dict(), errors, key)), 422
    dossier, secret, created = services.submit_validated(procedure, submission, uploads, key)
    if created:
        citizen_services.claim_submitted(dossier)  # saved to the signed-in citizen's account
    access.grant(dossier)
    access.remember(dossier, secret)
    return redirect(url_for(".submitted", code=dossier.code, t=secret))


@bp.get("/d/<code>/submitted")
def submitted(code: str):  # noqa: ANN201
    dossier = _accessible(code)
    expected = dossier.due_date or services.expected_due_date(dossier.procedure)
    return render_template("dossiers/submitted.html", dossier=dossier, expected_due=expected,
                           secret=request.args.get("t", ""))


# --- tracking ---------------------------------------------------------------------------

@bp.route("/track", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@fails_closed
def track():  # noqa: ANN201
    if request.method == "GET":
        # The slip's QR opens /track?code=…: the code is filled, the citizen types the phone.
        code = queries.canonical_typed_code(request.args.get("code"))
        return render_template("dossiers/track.html", values={"code": code} if code else {},
                               errors={})
    code = request.form.get("code", "")
    phone_raw = request.form.get("phone", "")
    errors: dict[str, str] = {}
    if not code.strip():
        errors["code"] = _("Vui lòng nhập mã hồ sơ.")
    if not phone_raw.strip():
        errors["phone"] = _("Vui lòng nhập số điện thoại đã dùng khi nộp hồ sơ.")
    dossier = None
    if not errors:
        try:
            dossier = queries.dossier_for_tracking(code, normalize_phone(phone_raw))
        except IdentityError:
            dossier = None
        if dossier is None:
            # One message for every miss: it must not tell whether the code exists.
            errors["code"] = _("Không tìm thấy hồ sơ với mã và số điện thoại này")
    if dossier is None:
        return render_template("dossiers/track.html", values=request.form.to_dict(),
                               errors=errors), 422
    # Code + phone opens the status page only (access.py says why): not the personal data,
    # files, answers or the withdraw button, and not a place on this phone's list.
    access.grant_tracking(dossier)
    return redirect(url_for(".dossier_page", code=dossier.code))


@bp.get("/my")
def my_dossiers():  # noqa: ANN201
    pairs = access.remembered()
    found = queries.dossiers_by_codes(code for code, _s in pairs)
    items = [found[code] for code, secret in pairs
             if code in found and policies.can_view(found[code], secret)]
    return render_template("dossiers/my.html", dossiers=items)


@bp.post("/my/forget")
def forget():  # noqa: ANN201
    access.forget(request.form.get("code", ""))
    flash(_("Đã xoá hồ sơ khỏi danh sách trên điện thoại này."), "ok")
    return redirect(url_for(".my_dossiers"))


# --- the dossier page and its files ------------------------------------------------------

def _render_dossier(dossier: Dossier, errors: dict[str, str] | None = None,
                    values: dict[str, str] | None = None, status: int = 200):  # noqa: ANN202
    supplement_request = next((e for e in reversed(dossier.events)
                               if e.action == "request_supplement"), None)
    return render_template(
        "dossiers/dossier.html", dossier=dossier, errors=errors or {}, values=values or {},
        supplement_request=supplement_request,
        can_resubmit=policies.can_resubmit(dossier),
        can_withdraw=policies.can_withdraw(dossier),
        can_pay=policies.can_pay(dossier),
    ), status


@bp.get("/d/<code>")
def dossier_page(code: str):  # noqa: ANN201
    dossier, full = policies.load_for_status(code, request.args.get("t"))
    if full:
        return _render_dossier(dossier)
    return render_template("dossiers/status.html", dossier=dossier,
                           applicant=mask_name(dossier.applicant_name),
                           timeline=public_timeline(dossier))


@bp.get("/d/<code>/files/<int:file_id>")
def dossier_file(code: str, file_id: int):  # noqa: ANN201
    dossier = _accessible(code)
    stored = queries.file_of(dossier, file_id)
    if stored is None:
        abort(404)
    ext = _EXTENSIONS.get(stored.content_type, "bin")
    response = send_stored(stored.storage_key, mimetype=stored.content_type,
                           download_name=f"{dossier.code}-{stored.id}.{ext}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if stored.content_type == "application/pdf":
        # A PDF viewer runs scripts; sandboxed, it cannot reach this origin's cookies.
        response.headers["Content-Security-Policy"] = "sandbox"
    return response


@bp.post("/d/<code>/resubmit")
def resubmit(code: str):  # noqa: ANN201
    dossier = _accessible(code)
    if not policies.can_resubmit(dossier):
        raise workflow.IllegalTransition(
            _("Hồ sơ không ở trạng thái cần bổ sung, nên không thể nộp bổ sung."))
    note = request.form.get("note", "").strip()
    uploads, errors = forms.clean_supplement(dossier, request.files.getlist("files"))
    if not uploads and not note and not errors:
        errors["files"] = _("Vui lòng chụp ảnh hoặc chọn tệp giấy tờ bổ sung.")
    if len(note) > services.MAX_NOTE:
        errors["note"] = _("Ghi chú dài quá %(n)s ký tự.", n=services.MAX_NOTE)
    if errors:
        forms.discard_all(uploads)
        return _render_dossier(dossier, errors, {"note": note}, 422)
    services.resubmit_dossier(dossier, uploads, note)
    flash(_("Đã nộp bổ sung. Cán bộ sẽ xem lại hồ sơ của bạn."), "ok")
    return redirect(url_for(".dossier_page", code=dossier.code))


@bp.post("/d/<code>/withdraw")
def withdraw(code: str):  # noqa: ANN201
    dossier = _accessible(code)
    if not policies.can_withdraw(dossier):
        raise workflow.IllegalTransition(_("Hồ sơ đã kết thúc, không thể rút."))
    reason = request.form.get("reason", "").strip()
    missing = workflow.input_errors(dossier, "withdraw", note=reason)
    if missing:
        return _render_dossier(dossier, {"reason": missing["note"]}, {"reason": reason}, 422)
    services.withdraw_dossier(dossier, reason)
    flash(_("Đã rút hồ sơ."), "ok")
    return redirect(url_for(".dossier_page", code=dossier.code))
