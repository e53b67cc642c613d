"""Citizen and hall pages (rating, kiosk, feedback, statistics, display) and the officer
pages under /officer (feedback answers, counters, monthly reports)."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import uuid as uuidlib
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.policies import no_store, officers_only
from app.core import parsing
from app.core.errors import DomainError, render_error
from app.core.identity import IdentityError, normalize_phone
from app.core.workdays import vietnam_today
from app.dossiers import access
from app.dossiers import queries as dossier_queries
from app.dossiers.filestore import get_file_store
from app.dossiers.forms import clean_files
from app.extensions import csrf, limiter
from app.feedback import charts, kiosk, policies, queries, reports, services, stats
from app.feedback.models import Counter, FeedbackAbout, Score

bp = Blueprint("feedback", __name__)
office = Blueprint("feedback_office", __name__, url_prefix="/officer")
office.before_request(officers_only)  # deny by default
office.after_request(no_store)

def about_labels() -> dict[str, str]:
    return {FeedbackAbout.PROCEDURE: _("Một thủ tục"),
            FeedbackAbout.OFFICER: _("Một cán bộ"),
            FeedbackAbout.HALL: _("Bộ phận một cửa, nơi làm việc"),
            FeedbackAbout.OTHER: _("Việc khác")}


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    # Used by the small includes other features' templates carry (dossier, village pages).
    return {"feedback_rating_of": lambda dossier: queries.rating_of(dossier.id),
            "feedback_public_answers": queries.public_answers,
            "feedback_score_label": lambda s: str(services.SCORE_LABELS.get(s, s))}


def _percent(value: float | None) -> str:
    if value is None:
        return _("chưa có dữ liệu")
    return f"{value * 100:.1f}".replace(".", ",") + " %"


@bp.app_template_filter("percent")
def _percent_filter(value: float | None) -> str:
    return _percent(value)


# --- rating a dossier ------------------------------------------------------------------

@bp.route("/d/<code>/rating", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def rate(code: str) -> Any:
    dossier = dossier_queries.dossier_by_code(code)
    secret = request.args.get("t")
    if dossier is None or not access.has_access(dossier, secret):
        abort(404)  # the same answer as an unknown code
    if not policies.can_rate(dossier, secret):
        abort(403)
    rating = queries.rating_of(dossier.id)
    editable = policies.rating_editable(rating)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            raise DomainError(_("Đã quá 7 ngày nên không thể sửa đánh giá này."),
                              code="rating_closed")
        values = request.form.to_dict()
        score = values.get("score", "")
        if score not in Score.__members__.values():
            errors["score"] = _("Vui lòng chọn mức độ hài lòng.")
        if len(values.get("comment", "")) > services.MAX_COMMENT:
            errors["comment"] = _("Ý kiến dài quá %(n)s ký tự.", n=services.MAX_COMMENT)
        if not errors:
            services.rate_dossier(dossier, score, services.clean_criteria(values),
                                  values.get("comment", ""))
            flash(_("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp xã phục vụ tốt hơn."), "ok")
            return redirect(url_for("dossiers.dossier_page", code=dossier.code))
    elif rating is not None:
        values = {"score": rating.score, "comment": rating.comment, **rating.criteria}
    response = render_template("feedback/rating.html", dossier=dossier, rating=rating,
                               editable=editable, values=values, errors=errors,
                               criteria=services.CRITERIA, scores=services.SCORE_LABELS)
    return response, 422 if errors else 200


@bp.after_app_request
def _dossier_pages_private(response: Response) -> Response:
    if request.blueprint == "feedback" and request.path.startswith("/d/"):
        response.headers["Cache-Control"] = "private, no-store"
    return response


# --- the counter kiosk -------------------------------------------------------------------

def _kiosk_counter(counter_id: int) -> Counter:
    counter = queries.counter_by_id(counter_id)
    if counter is None:
        abort(404)
    if not kiosk.unlocks(counter):
        abort(403)
    return counter


@bp.get("/kiosk/<int:counter_id>")
def kiosk_page(counter_id: int) -> Any:
    counter = queries.counter_by_id(counter_id)
    if counter is None:
        abort(404)
    if not kiosk.unlocks(counter):
        return render_error(403, _("Máy tính bảng chưa được mở cho quầy này"),
                            _("Cán bộ cần mở chế độ đánh giá từ trang cán bộ, mục Quầy "
                              "và máy đánh giá."))
    thanks = request.args.get("cam-on") == "1"
    return render_template("feedback/kiosk.html", counter=counter, thanks=thanks,
                           scores=services.SCORE_LABELS, visit=str(uuidlib.uuid4()))


@bp.get("/kiosk/<int:counter_id>/photo")
def kiosk_photo(counter_id: int) -> Any:
    counter = queries.counter_by_id(counter_id)
    if counter is None or not counter.photo_key:
        abort(404)
    if not (kiosk.unlocks(counter) or policies.same_agency(current_user, counter.agency_id)):
        abort(403)
    return send_file(get_file_store().open(counter.photo_key), mimetype="image/jpeg",
                     max_age=0, conditional=False, etag=False)


def _parse_moment(raw: Any) -> datetime | None:
    try:
        return parsing.parse_timestamp(raw)
    except parsing.ParseError:
        return None


@bp.post("/kiosk/<int:counter_id>/rate")
@csrf.exempt  # the kiosk cookie is SameSite=Strict: see feedback/kiosk.py
@limiter.limit("120 per minute")
def kiosk_rate(counter_id: int) -> Any:
    """The form without JavaScript: one tap, then the thanks screen."""
    counter = _kiosk_counter(counter_id)
    visit = request.form.get("visit", "")
    try:
        visit = str(uuidlib.UUID(visit))
    except ValueError:
        abort(400)
    services.record_kiosk_rating(counter, visit, request.form.get("score", ""),
                                 counter.officer_id, None)
    return redirect(url_for(".kiosk_page", counter_id=counter.id, **{"cam-on": "1"}))


@bp.post("/kiosk/<int:counter_id>/ratings")
@csrf.exempt  # the kiosk cookie is SameSite=Strict: see feedback/kiosk.py
@limiter.limit("60 per minute")
def kiosk_sync(counter_id: int) -> Any:
    """The tablet's queue: {"ratings": [{uuid, score, officer_id, at}]}. Answers the uuids
    it may forget (stored now or before); a malformed item is dropped, not retried."""
    counter = _kiosk_counter(counter_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("ratings"), list):
        return jsonify(error="expected {\"ratings\": [...]}"), 400
    done = []
    for item in payload["ratings"][:500]:
        if not isinstance(item, dict):
            continue
        try:
            key = str(uuidlib.UUID(str(item.get("uuid"))))
        except ValueError:
            continue
        officer_id = item.get("officer_id")
        # An unknown score: nothing to store, and nothing to send again.
        with contextlib.suppress(DomainError):
            services.record_kiosk_rating(
                counter, key, str(item.get("score")),
                officer_id if isinstance(officer_id, int) else None,
                _parse_moment(item.get("at")))
        done.append(key)
    return jsonify(done=done)


# --- feedback (phản ánh, kiến nghị) ------------------------------------------------------

@bp.route("/feedback/new", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def feedback_new() -> Any:
    agencies = queries.communes()
    values: dict[str, Any] = request.form.to_dict() if request.method == "POST" else {
        "agency": request.args.get("agency", "")}
    chosen = next((a for a in agencies if a.slug == values.get("agency")), None)
    errors: dict[str, str] = {}
    if request.method == "POST":
        about = values.get("about", "")
        message = values.get("message", "").strip()
        if chosen is None:
            errors["agency"] = _("Vui lòng chọn xã, phường nhận phản ánh.")
        if about not in FeedbackAbout.__members__.values():
            errors["about"] = _("Vui lòng chọn bạn phản ánh về việc gì.")
        if len(message) < 5:
            errors["message"] = _("Vui lòng viết nội dung phản ánh, kiến nghị.")
        elif len(message) > services.MAX_FEEDBACK:
            errors["message"] = _("Nội dung dài quá %(n)s ký tự.", n=services.MAX_FEEDBACK)
        phone = ""
        if values.get("phone", "").strip():
            try:
                phone = normalize_phone(values["phone"])
            except IdentityError:
                errors["phone"] = _("Số điện thoại chưa đúng (10 số, bắt đầu bằng 03, 05, "
                                    "07, 08 hoặc 09).")
        procedure = officer = None
        if chosen is not None and about == FeedbackAbout.PROCEDURE and values.get("procedure"):
            procedure = next((p for p in chosen.procedures
                              if p.code == values["procedure"]), None)
        if chosen is not None and about == FeedbackAbout.OFFICER and values.get("officer"):
            officer = next((o for o in queries.officers_of(chosen.id)
                            if str(o.id) == values["officer"]), None)
        uploads: list[Any] = []
        if not errors:
            files = [f for f in request.files.getlist("photo") if f and f.filename]
            uploads, upload_errors = clean_files(files[:1], "photo")
            errors.update(upload_errors)
        if not errors and chosen is not None:
            try:
                services.submit_feedback(
                    chosen, about, message, procedure=procedure, officer=officer,
                    sender_name=values.get("name", "").strip(), sender_phone=phone,
                    photo=uploads[0] if uploads else None)
            finally:
                for upload in uploads:
                    upload.discard()
            return render_template("feedback/feedback_sent.html", agency=chosen)
    return render_template("feedback/feedback_new.html", agencies=agencies, chosen=chosen,
                           values=values, errors=errors, about=about_labels(),
                           officers=queries.officers_of(chosen.id) if chosen else [],
                           procedures=queries.procedures_of(chosen) if chosen else []
                           ), 422 if errors else 200


# --- public statistics ---------------------------------------------------------------------

def _year() -> int:
    today = vietnam_today()
    year = parsing.parse_int(request.args.get("year", today.year), minimum=0, maximum=9999,
                             field=_("Năm"))
    if not 2000 <= year <= today.year:
        abort(404)
    return year


def _stats_for(slug: str) -> stats.Stats:
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    return stats.compute(agency, _year())


def _charts(data: stats.Stats) -> dict[str, Any]:
    months = data.months()
    labels = [f"{m.month}" for m, _f in months]
    return {
        "finished": charts.stacked_bars(
            _("Hồ sơ đã giải quyết theo tháng: trước hạn, đúng hạn, trễ hạn"), labels,
            [("b-early", [f.finished_early for _m, f in months]),
             ("b-ontime", [f.finished_on_time for _m, f in months]),
             ("b-late", [f.finished_late for _m, f in months])]),
        "satisfaction": charts.line(_("Tỷ lệ hài lòng theo tháng"), labels,
                                    [f.satisfaction for _m, f in months]),
    }


@bp.get("/stats")
def stats_province() -> Any:
    found = queries.provinces()
    if len(found) == 1:
        return stats_page(found[0].slug)
    return render_template("feedback/stats_index.html", provinces=found,
                           communes=queries.communes())


@bp.get("/stats/<slug>")
def stats_page(slug: str) -> Any:
    data = _stats_for(slug)
    return render_template("feedback/stats.html", s=data, charts=_charts(data),
                           components=stats.index_components(data),
                           field_label=lambda f: f or str(stats.COUNTER_FIELD_LABEL))


@bp.get("/stats/<slug>.csv")
def stats_csv(slug: str) -> Any:
    data = _stats_for(slug)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(stats.csv_rows(data))
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=thong-ke-{data.agency.slug}-"
                               f"{data.year}.csv"})


# --- the hall display ------------------------------------------------------------------------

@bp.get("/display/<slug>")
def display_page(slug: str) -> Any:
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    return render_template("feedback/display.html", agency=agency, d=stats.display(agency))


@bp.get("/display/<slug>/live.json")
def display_json(slug: str) -> Any:
    """The compact figures the TV polls. With the ETag, an unchanged answer is a 304 of a
    few header bytes: most polls in a quiet hour."""
    agency = queries.agency_by_slug(slug)
    if agency is None:
        abort(404)
    body = json.dumps(stats.display(agency), separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:16])
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


# --- officer pages ---------------------------------------------------------------------------





@office.get("/feedback")
def feedback_list() -> Any:
    return render_template("feedback/office_list.html",
                           items=queries.feedback_of(current_user.agency_id),
                           about=about_labels())


def _load_feedback(feedback_id: int) -> Any:
    found = queries.feedback_by_id(feedback_id)
    if found is None or not policies.can_read_feedback(current_user, found):
        abort(404)
    return found


@office.route("/feedback/<int:feedback_id>", methods=["GET", "POST"])
def feedback_item(feedback_id: int) -> Any:
    item = _load_feedback(feedback_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not policies.can_answer_feedback(current_user, item):
            abort(403)
        try:
            services.answer_feedback(item, current_user, request.form.get("answer", ""),
                                     request.form.get("public") == "1")
            flash(_("Đã lưu câu trả lời."), "ok")
            return redirect(url_for(".feedback_item", feedback_id=item.id))
        except DomainError as exc:
            errors["answer"] = exc.message
    return render_template("feedback/office_item.html", item=item, errors=errors,
                           about=about_labels(),
                           can_answer=policies.can_answer_feedback(current_user, item)
                           ), 422 if errors else 200


@office.get("/feedback/<int:feedback_id>/photo")
def feedback_photo(feedback_id: int) -> Any:
    item = _load_feedback(feedback_id)
    if not item.photo_key:
        abort(404)
    return send_file(get_file_store().open(item.photo_key), mimetype=item.photo_type,
                     max_age=0, conditional=False, etag=False)


@office.route("/counters", methods=["GET", "POST"])
def counters() -> Any:
    if not policies.can_manage_counters(current_user):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.create_counter(current_user.agency_id, request.form.get("name", ""))
            return redirect(url_for(".counters"))
        except DomainError as exc:
            errors["name"] = exc.message
    return render_template("feedback/counters.html",
                           counters=queries.counters_of(current_user.agency_id),
                           officers=queries.officers_of(current_user.agency_id),
                           errors=errors), 422 if errors else 200


def _load_counter(counter_id: int) -> Counter:
    counter = queries.counter_by_id(counter_id)
    if counter is None or counter.agency_id != current_user.agency_id:
        abort(404)
    if not policies.can_manage_counter(current_user, counter):
        abort(403)
    return counter


@office.post("/counters/<int:counter_id>")
def counter_duty(counter_id: int) -> Any:
    counter = _load_counter(counter_id)
    officer = next((o for o in queries.officers_of(counter.agency_id)
                    if str(o.id) == request.form.get("officer")), None)
    files = [f for f in request.files.getlist("photo") if f and f.filename]
    uploads, errors = clean_files(files[:1], "photo")
    if errors:
        flash(next(iter(errors.values())), "error")
        return redirect(url_for(".counters"))
    try:
        services.set_on_duty(counter, officer, uploads[0] if uploads else None)
    finally:
        for upload in uploads:
            upload.discard()
    flash(_("Đã cập nhật quầy."), "ok")
    return redirect(url_for(".counters"))


@office.post("/counters/<int:counter_id>/kiosk")
def counter_open_kiosk(counter_id: int) -> Any:
    """Lock this device to the counter's kiosk page."""
    counter = _load_counter(counter_id)
    return kiosk.lock_to(redirect(url_for("feedback.kiosk_page", counter_id=counter.id)),
                         counter)


@office.post("/counters/<int:counter_id>/lock-out")
def counter_lock_out(counter_id: int) -> Any:
    counter = _load_counter(counter_id)
    services.lock_out_tablets(counter)
    flash(_("Các máy tính bảng đã mở trước đây không còn gửi được đánh giá."), "ok")
    return redirect(url_for(".counters"))


@office.get("/reports/monthly")
def report_monthly() -> Any:
    officer = current_user
    month = reports.parse_month(request.args.get("month"), vietnam_today())
    data = reports.monthly(officer.agency_id, month)
    if not policies.can_read_full_report(officer):
        data.officers = [r for r in data.officers if r.officer_id == officer.id]
        data.commune.comments = []
    name = officer.agency.name
    filename = f"bao-cao-{officer.agency.slug}-{month:%Y-%m}"
    fmt = request.args.get("format", "")
    if fmt == "csv":
        return Response(reports.to_csv(data, name), mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename={filename}.csv"})
    if fmt == "xlsx":
        return send_file(io.BytesIO(reports.to_xlsx(data, name)), as_attachment=True,
                         download_name=f"{filename}.xlsx", mimetype="application/vnd."
                         "openxmlformats-officedocument.spreadsheetml.sheet")
    return render_template("feedback/report.html", r=data, agency=officer.agency,
                           full=policies.can_read_full_report(officer))
