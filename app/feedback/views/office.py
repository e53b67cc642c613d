"""Officer pages under /officer: answering feedback, the counters and their kiosk tablets,
the monthly report. Nested in the staff area (app/core/staff_area.py), whose guard denies
anyone but an officer; each page then checks the agency and the role."""

from __future__ import annotations

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

from app.core import exports
from app.core.errors import DomainError
from app.core.vntime import vietnam_today
from app.dossiers.downloads import send_stored
from app.dossiers.forms import clean_files
from app.feedback import forms, kiosk, policies, queries, reports, services
from app.feedback.models import Counter

office = Blueprint("feedback_office", __name__, url_prefix="/officer")


@office.get("/feedback")
def feedback_list() -> Any:
    return render_template("feedback/office_list.html",
                           items=queries.feedback_of(current_user.agency_id),
                           about=forms.about_labels())


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
                           about=forms.about_labels(),
                           can_answer=policies.can_answer_feedback(current_user, item)
                           ), 422 if errors else 200


@office.get("/feedback/<int:feedback_id>/photo")
def feedback_photo(feedback_id: int) -> Any:
    item = _load_feedback(feedback_id)
    if not item.photo_key:
        abort(404)
    return send_stored(item.photo_key, mimetype=item.photo_type)


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
    files = forms.chosen_files(request.files.getlist("photo"))
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
        return exports.csv_response(reports.table(data, name), f"{filename}.csv")
    if fmt == "xlsx":
        return exports.xlsx_response(reports.sheets(data, name), f"{filename}.xlsx")
    return render_template("feedback/report.html", r=data, agency=officer.agency,
                           full=policies.can_read_full_report(officer))
