"""Officer pages of personal-data duties (/officer/privacy/…), nested in the staff area:
the desk's queue of citizens' requests, breaches, and the report of views.

Each route checks the role (403), then the object's commune (404)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import Officer
from app.core import exports
from app.core.models import utcnow
from app.core.parsing import ParseError, parse_date, parse_timestamp
from app.core.vntime import VIETNAM, to_vietnam_time, vietnam_day_start, vietnam_today
from app.dossiers import workflow
from app.dossiers.queries import dossier_by_code
from app.extensions import db
from app.privacy import catalogue, incidents, policies, rights, view_report
from app.privacy.models import DataRequest, Incident, RequestStatus

bp = Blueprint("privacy_office", __name__, url_prefix="/officer/privacy")

REPORT_DEFAULT_DAYS = 30


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"privacy_policies": policies, "vn_time": to_vietnam_time,
            "request_status_label": rights.status_label, "request_kind_label": rights.kind_label,
            "status_label": workflow.status_label, "kinds": catalogue.KINDS,
            "kind_label": lambda k: (catalogue.BY_KEY[k].label if k in catalogue.BY_KEY
                                     else k)}


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


# --- the desk's queue of requests ----------------------------------------------------------

@bp.get("/requests")
def requests_queue() -> Any:
    _require(policies.can_answer_requests(current_user))
    rows = list(db.session.scalars(select(DataRequest).where(
        DataRequest.agency_id == current_user.agency_id)
        .order_by(DataRequest.status != RequestStatus.PENDING.value, DataRequest.due_at)))
    return render_template("privacy/requests.html", rows=rows, now=to_vietnam_time(utcnow()))


def _load(model: type[Any], object_id: int, allowed: bool) -> Any:
    """The role first (403), then the object of the officer's own commune (404)."""
    _require(allowed)
    found = db.session.get(model, object_id)
    if not policies.same_commune(current_user, found):
        abort(404)
    return found


def _load_request(request_id: int) -> DataRequest:
    found: DataRequest = _load(DataRequest, request_id,
                               policies.can_answer_requests(current_user))
    return found


def _render_request(found: DataRequest, errors: dict[str, str] | None = None,
                    values: dict[str, str] | None = None, status: int = 200) -> Any:
    from app.privacy.retention import hold_reason

    return render_template("privacy/request.html", item=found,
                           choices=rights.answer_choices(found),
                           hold=hold_reason(found.dossier), errors=errors or {},
                           values=values or {}, now=to_vietnam_time(utcnow())), status


@bp.get("/requests/<int:request_id>")
def request_page(request_id: int) -> Any:
    return _render_request(_load_request(request_id))


@bp.post("/requests/<int:request_id>")
def answer(request_id: int) -> Any:
    found = _load_request(request_id)
    decision = request.form.get("decision", "")
    text = request.form.get("answer", "")
    try:
        rights.answer_request(found, current_user, decision, text, utcnow())
    except rights.RequestError as exc:
        return _render_request(found, {"answer": exc.message},
                               {"answer": text[:rights.MAX_ANSWER], "decision": decision}, 422)
    flash(_("Đã trả lời yêu cầu."), "info")
    return redirect(url_for(".requests_queue"))


# --- breaches -------------------------------------------------------------------------------

@bp.get("/incidents")
def incidents_list() -> Any:
    _require(policies.can_manage_privacy(current_user))
    now = utcnow()
    rows = [(i, incidents.clock(i, now)) for i in incidents.incidents_of(current_user.agency_id)]
    return render_template("privacy/incidents.html", rows=rows)


def _officers() -> list[Officer]:
    return list(db.session.scalars(select(Officer).where(
        Officer.agency_id == current_user.agency_id).order_by(Officer.username)))


def _moment(form: Any, name: str, label: str, errors: dict[str, str],
            required: bool = True) -> datetime | None:
    raw = form.get(name, "").strip()
    if not raw:
        if required:
            errors[name] = _("Vui lòng nhập %(field)s.", field=label)
        return None
    try:
        return parse_timestamp(raw, default_tz=VIETNAM, field=label)
    except ParseError as exc:
        errors[name] = exc.message
        return None


@bp.route("/incidents/new", methods=["GET", "POST"])
def incident_new() -> Any:
    _require(policies.can_manage_privacy(current_user))
    officers = _officers()
    if request.method == "GET":
        return render_template("privacy/incident_new.html", officers=officers, errors={},
                               form={}, chosen=[])
    form = request.form
    errors: dict[str, str] = {}
    started = _moment(form, "started_at", _("thời điểm xảy ra"), errors)
    discovered = _moment(form, "discovered_at", _("thời điểm phát hiện"), errors)
    window_start = _moment(form, "window_start", _("đầu khoảng thời gian"), errors, False)
    window_end = _moment(form, "window_end", _("cuối khoảng thời gian"), errors, False)
    scope_officer = None
    if form.get("scope_officer"):
        scope_officer = next((o for o in officers if str(o.id) == form["scope_officer"]), None)
        if scope_officer is None:
            errors["scope_officer"] = _("Vui lòng chọn tài khoản trong danh sách.")
    codes = [c for c in (dossier_by_code(t) for t in form.get("scope_codes", "").split())
             if c is not None and c.agency_id == current_user.agency_id]
    chosen = form.getlist("data_kinds")
    if not errors and started and discovered:
        try:
            found = incidents.record_incident(
                current_user, summary=form.get("summary", ""), started_at=started,
                discovered_at=discovered, data_kinds=chosen, scope_officer=scope_officer,
                window_start=window_start, window_end=window_end,
                scope_codes=[c.code for c in codes], consequences=form.get("consequences", ""),
                measures=form.get("measures", ""), late_reason=form.get("late_reason", ""))
        except incidents.IncidentError as exc:
            errors[exc.field] = exc.message
        else:
            flash(_("Đã ghi nhận sự cố."), "info")
            return redirect(url_for(".incident", incident_id=found.id))
    return render_template("privacy/incident_new.html", officers=officers, errors=errors,
                           form=form, chosen=chosen), 422


def _load_incident(incident_id: int) -> Incident:
    found: Incident = _load(Incident, incident_id, policies.can_manage_privacy(current_user))
    return found


@bp.get("/incidents/<int:incident_id>")
def incident(incident_id: int) -> Any:
    found = _load_incident(incident_id)
    affected = incidents.affected_dossiers(found)
    return render_template("privacy/incident.html", item=found, affected=affected,
                           people=incidents.people_of(affected),
                           clock=incidents.clock(found, utcnow()))


@bp.get("/incidents/<int:incident_id>/authority.txt")
def authority_notice(incident_id: int) -> Any:
    found = _load_incident(incident_id)
    text = incidents.authority_notice(found, incidents.affected_dossiers(found), utcnow())
    return Response(text, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="thong-bao-a05-su-co-{found.id}.txt"'})


@bp.get("/incidents/<int:incident_id>/people.csv")
def people_notice(incident_id: int) -> Any:
    found = _load_incident(incident_id)
    # Built before answering: the stream runs after the request's commit expired the rows.
    rows = [[d.code, d.applicant_name, d.phone, incidents.person_notice(found, d)]
            for d in incidents.affected_dossiers(found)]
    return exports.csv_response(
        itertools.chain([["ma_ho_so", "ho_ten", "so_dien_thoai", "noi_dung_thong_bao"]], rows),
        f"thong-bao-nguoi-bi-anh-huong-su-co-{found.id}.csv")


@bp.post("/incidents/<int:incident_id>/notified")
def notified(incident_id: int) -> Any:
    found = _load_incident(incident_id)
    whom = request.form.get("whom", "")
    if whom not in ("authority", "people"):
        abort(400, _("Không rõ đã thông báo cho ai."))
    incidents.mark_notified(found, whom, utcnow())
    flash(_("Đã ghi nhận việc thông báo."), "info")
    return redirect(url_for(".incident", incident_id=found.id))


# --- the report of views --------------------------------------------------------------------

def _report_filter() -> dict[str, Any]:
    today = vietnam_today()
    end = parse_date(request.args["to"], field=_("Đến ngày")) if request.args.get("to") \
        else today
    start = (parse_date(request.args["from"], field=_("Từ ngày"))
             if request.args.get("from") else end - timedelta(days=REPORT_DEFAULT_DAYS))
    if end < start:
        abort(400, _("Ngày bắt đầu phải trước ngày kết thúc."))
    dossier_id = officer_id = None
    code = request.args.get("dossier", "").strip()
    if code:
        found = dossier_by_code(code)
        # Another commune's code filters to nothing, like a code that does not exist.
        dossier_id = found.id if found and found.agency_id == current_user.agency_id else -1
    username = request.args.get("officer", "").strip().lower()
    if username:
        officer = db.session.scalar(select(Officer).where(
            Officer.username == username, Officer.agency_id == current_user.agency_id))
        officer_id = officer.id if officer else -1
    return {"start": start, "end": end, "dossier_id": dossier_id, "officer_id": officer_id,
            "dossier": code, "officer": username}


def _rows(flt: dict[str, Any], limit: int | None = None) -> Any:
    return view_report.file_views(
        current_user.agency_id, vietnam_day_start(flt["start"]),
        vietnam_day_start(flt["end"] + timedelta(days=1)), dossier_id=flt["dossier_id"],
        officer_id=flt["officer_id"], limit=limit)


@bp.get("/views")
def views_report() -> Any:
    _require(policies.can_manage_privacy(current_user))
    flt = _report_filter()
    rows = list(_rows(flt, view_report.PAGE_LIMIT))
    return render_template("privacy/views.html", flt=flt, rows=rows,
                           limit=view_report.PAGE_LIMIT)


@bp.get("/views.csv")
def views_csv() -> Any:
    _require(policies.can_manage_privacy(current_user))
    flt = _report_filter()
    lines = ((to_vietnam_time(at).isoformat(timespec="seconds"), *rest)
             for at, *rest in _rows(flt))
    return exports.csv_response(itertools.chain([view_report.HEADER], lines),
                                f"luot-xem-tep-{flt['start']:%Y%m%d}-{flt['end']:%Y%m%d}.csv")
