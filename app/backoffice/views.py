"""The officer back office (/officer/…): deny by default, then each object's own check."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.backoffice import forms, policies, queries, services, slips
from app.core import exports
from app.core.qr import qr_svg
from app.core.vntime import to_vietnam_time, vietnam_day_start, vietnam_today
from app.core.workdays import load_calendar
from app.dossiers import corrections, handover, workflow
from app.dossiers.downloads import send_stored
from app.dossiers.forms import (
    clean_applicant,
    new_idempotency_key,
    parse_date,
    valid_idempotency_key,
)
from app.dossiers.models import Dossier, FileKind
from app.dossiers.queries import file_of
from app.extensions import db
from app.payments.fees import quote_for
from app.queues import services as queue_services
from app.queues.queries import served_ticket_of
from app.results import queries as result_queries
from app.results.services import result_qr

# Nested in the staff area (app/core/staff_area.py): its guard denies anyone but an officer
# and marks every answer no-store; each route then checks its object.
bp = Blueprint("backoffice", __name__, url_prefix="/officer")

AUDIT_DEFAULT_DAYS = 30


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"policies": policies, "status_label": workflow.status_label,
            "handover_channels": handover.CHANNEL_LABELS,
            "correctable_fields": corrections.APPLICANT_FIELDS,
            "collector_relations": handover.RELATION_LABELS,
            "relation_label": handover.relation_label, "channel_label": handover.channel_label,
            "action_label": workflow.action_label, "vn_time": to_vietnam_time,
            "vn_date": _vn_date}


def _vn_date(value: Any) -> str:
    """dd/mm/yyyy from a date or the ISO text kept in an event's data; '–' when absent."""
    parsed = parse_date(value) if value else None
    return parsed.strftime("%d/%m/%Y") if parsed else "–"


def _load(code: str) -> Dossier:
    """The dossier, or 404 when it does not exist OR belongs to another agency: the answer
    must not tell an officer that a code exists elsewhere."""
    dossier = queries.dossier_by_code(code)
    if dossier is None or not policies.can_view_dossier(current_user, dossier):
        abort(404)
    return dossier


@bp.get("/inbox")
def inbox() -> Any:
    officer = current_user
    flt = forms.parse_inbox_filter(request.args, queries.QUEUE_KEYS,
                                   queries.DEFAULT_QUEUE.get(officer.role, "all"))
    window = queries.Window.for_today(vietnam_today(), load_calendar())
    return render_template(
        "backoffice/inbox.html", flt=flt, window=window, queues=queries.QUEUES,
        counts=queries.queue_counts(officer.agency_id, window),
        page=queries.inbox(officer.agency_id, flt, window, officer.id),
        choices=queries.filter_choices(officer.agency_id))


def _answers(dossier: Dossier, *, with_blanks: bool = False) -> list[tuple[str, Any]]:
    """The citizen's answers under the labels of the procedure's own form, in its order;
    `with_blanks`: every question of the form, an unanswered one as an empty value."""
    answers = dict(dossier.answers or {})
    specs = [s for s in dossier.procedure.form_fields
             if with_blanks or s.get("name") in answers]
    specs += [{"name": name} for name in answers if name not in {s["name"] for s in specs}]
    out = []
    for spec in specs:
        if spec["name"] not in answers:
            out.append((spec.get("label", spec["name"]), ""))
            continue
        value = answers[spec["name"]]
        parsed = parse_date(value) if spec.get("type") == "date" else None
        if spec.get("type") == "checkbox" or isinstance(value, bool):
            value = _("Có") if value else _("Không")
        elif parsed is not None:
            value = parsed.strftime("%d/%m/%Y")
        out.append((spec.get("label", spec["name"]), value))
    return out


def _render_dossier(dossier: Dossier, *, errors: dict[str, str] | None = None,
                    failed_action: str | None = None, status: int = 200) -> Any:
    results = result_queries.results_of(dossier)
    files = {kind.value: [f for f in dossier.kept_files if f.kind == kind.value]
             for kind in FileKind}
    actions = policies.allowed_actions(current_user, dossier)
    # Before receiving, the desk sees what the catalogue will bill from the answers.
    fee_quote = (quote_for(dossier.procedure, dossier.answers, dossier.agency)
                 if "receive" in actions and not dossier.procedure.is_free else None)
    return render_template(
        "backoffice/dossier.html", dossier=dossier, answers=_answers(dossier), files=files,
        actions=actions, fee_quote=fee_quote,
        officers=queries.officers_of(dossier.agency_id),
        specialists=queries.specialists_of(dossier.agency_id),
        slips=slips.available(dossier), fresh_slip=request.args.get("slip"),
        results=results, result_qrs={r.id: qr_svg(result_qr(r)) for r in results},
        can_replace_result=policies.can_replace_result(current_user, dossier),
        errors=errors or {}, failed_action=failed_action), status


@bp.get("/dossiers/<code>")
def dossier(code: str) -> Any:
    found = _load(code)
    services.record(current_user, "view_dossier", found)
    return _render_dossier(found)


@bp.get("/dossiers/<code>/files/<int:file_id>")
def dossier_file(code: str, file_id: int) -> Any:
    found = _load(code)
    stored = file_of(found, file_id)
    if stored is None:
        abort(404)
    services.record(current_user, "view_file", found, stored)
    # Images and PDFs open in the browser; anything else is downloaded, never rendered.
    is_pdf = stored.content_type == "application/pdf"
    inline = is_pdf or stored.content_type.startswith("image/")
    response = send_stored(stored.storage_key, mimetype=stored.content_type,
                           as_attachment=not inline,
                           download_name=stored.original_name or stored.storage_key)
    if is_pdf:
        # The browser's PDF viewer runs the file's scripts; sandboxed, they cannot reach
        # this origin or the officer's session.
        response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _conflict(code: str) -> Any:
    return render_template("backoffice/conflict.html", code=code,
                           message=_("Hồ sơ này vừa được người khác xử lý. Vui lòng xem "
                                     "lại trạng thái mới.")), 409


@bp.post("/dossiers/<code>/actions/<action>")
def act(code: str, action: str) -> Any:
    found = _load(code)
    if action not in workflow.ACTIONS:
        abort(404)
    # The page the officer acted on showed this version; anything else means someone
    # moved the dossier in between, and the officer must look again before deciding.
    if request.form.get("version", "") != str(found.version):
        return _conflict(found.code)
    if not policies.can_take(current_user, found, action):
        abort(403)
    given, errors = forms.parse_action(action, found, request.form, request.files)
    if given is None:
        return _render_dossier(found, errors=errors, failed_action=action, status=422)
    try:
        with db.session.begin_nested():
            services.take_action(found, action, current_user, given)
    except StaleDataError:
        return _conflict(code)
    flash(_("Đã thực hiện: %(action)s.", action=workflow.action_label(action)), "info")
    return redirect(url_for(".dossier", code=found.code,
                            slip=slips.SLIP_AFTER_ACTION.get(action)))


@bp.post("/dossiers/<code>/results/<int:number>/replace")
def replace_result(code: str, number: int) -> Any:
    found = _load(code)
    old = result_queries.result_by_number(found, number)
    if old is None or old.revoked:
        abort(404)
    if not policies.can_replace_result(current_user, found):
        abort(403)
    replacement, errors = forms.parse_result_replacement(request.form, request.files)
    if replacement is None:
        return _render_dossier(found, errors=errors, failed_action=f"replace-{number}",
                               status=422)
    new = services.replace_result(current_user, old, replacement)
    flash(_("Đã thu hồi kết quả %(old)s và cấp kết quả %(new)s.", old=old.code, new=new.code),
          "info")
    return redirect(url_for(".dossier", code=found.code))


@bp.get("/dossiers/<code>/slips/<kind>")
def slip(code: str, kind: str) -> Any:
    found = _load(code)
    wanted = slips.SLIPS.get(kind)
    if wanted is None or wanted not in slips.available(found):
        abort(404)
    fmt = request.args.get("format", "a4")
    services.record(current_user, f"view_slip:{kind}", found)
    return render_template("backoffice/slip.html", dossier=found,
                           fmt=fmt if fmt in slips.FORMATS else "a4",
                           officers=queries.officers_of(found.agency_id),
                           **slips.slip_context(found, wanted))


@bp.get("/dossiers/<code>/declaration")
def declaration(code: str) -> Any:
    """The declaration the citizen filled online ("tờ khai điện tử"), for the desk to print
    in place of the paper form the catalogue no longer asks a photo of."""
    found = _load(code)
    if not found.procedure.has_online_declaration:
        abort(404)
    services.record(current_user, "view_declaration", found)
    return render_template("backoffice/declaration.html", dossier=found,
                           answers=_answers(found, with_blanks=True),
                           declarations=[d for d in found.procedure.documents
                                         if d.filled_online])


@bp.route("/counter/new", methods=["GET", "POST"])
def counter() -> Any:
    officer = current_user
    if not policies.can_receive_at_counter(officer):
        abort(403)
    procedures = queries.counter_procedures(officer.agency_id)
    villages = queries.villages_of(officer.agency_id)
    errors: dict[str, str] = {}
    key = request.form.get("idempotency_key", "")
    # Opened from "served" on the queue page: the dossier is linked to that ticket.
    ticket = served_ticket_of(officer, request.values.get("ticket"))
    if request.method == "POST":
        applicant, errors = clean_applicant(request.form)
        procedure = next((p for p in procedures
                          if str(p.id) == request.form.get("procedure")), None)
        if procedure is None:
            errors["procedure"] = _("Vui lòng chọn thủ tục.")
        village_id = request.form.get("village", "")
        village = next((v for v in villages if str(v.id) == village_id), None)
        if village_id and village is None:
            errors["village"] = _("Vui lòng chọn thôn, tổ dân phố trong danh sách.")
        note = request.form.get("note", "").strip()[:forms.MAX_NOTE]
        if not valid_idempotency_key(key):
            errors["form"] = _("Biểu mẫu đã cũ. Vui lòng nhập lại.")
        if not errors and applicant is not None and procedure is not None:
            created = services.receive_at_counter(officer, procedure, village, applicant,
                                                  note, key)
            if ticket is not None:
                queue_services.link_dossier(ticket, created.id)
            flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=created.code), "info")
            return redirect(url_for(".dossier", code=created.code, slip="receipt"))
    if not valid_idempotency_key(key):
        key = new_idempotency_key()
    return render_template("backoffice/counter.html", procedures=procedures,
                           villages=villages, errors=errors, form=request.form,
                           idempotency_key=key, ticket=ticket), (422 if errors else 200)


@bp.get("/dashboard")
def dashboard() -> Any:
    officer = current_user
    if not policies.can_view_dashboard(officer):
        abort(403)
    data = queries.dashboard(officer.agency_id, vietnam_today())
    officers = queries.officers_of(officer.agency_id)
    named = [(officers[i].full_name if i in officers else "", f)
             for i, f in data.by_officer.items()]
    # Officers by name; the dossiers nobody answers for yet come last.
    rows = sorted(named, key=lambda r: (r[0] == "", r[0]))
    return render_template("backoffice/dashboard.html", data=data, rows=rows)


@bp.get("/audit.csv")
def audit_csv() -> Any:
    officer = current_user
    if not policies.can_export_audit(officer):
        abort(403)
    today = vietnam_today()
    end = forms.filter_date(request.args.get("to"), _("Đến ngày")) or today
    start = (forms.filter_date(request.args.get("from"), _("Từ ngày"))
             or end - timedelta(days=AUDIT_DEFAULT_DAYS))
    if end < start:
        abort(400, _("Ngày bắt đầu phải trước ngày kết thúc."))
    services.record(officer, "export_audit")
    rows = queries.audit_rows(officer.agency_id, vietnam_day_start(start),
                              vietnam_day_start(end + timedelta(days=1)))

    header = ["thoi_gian", "tai_khoan", "ho_ten", "vai_tro", "thao_tac", "ma_ho_so", "tep",
              "dia_chi_ip"]
    lines = ((to_vietnam_time(at).isoformat(timespec="seconds"), *rest) for at, *rest in rows)
    return exports.csv_response(itertools.chain([header], lines),
                                f"nhat-ky-truy-cap-{start:%Y%m%d}-{end:%Y%m%d}.csv")
