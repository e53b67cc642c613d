"""The counter kiosk: a public tablet that the kiosk cookie (app/feedback/kiosk.py) locks
to one counter. Outside the staff area: its credential is the device's, not an officer's."""

from __future__ import annotations

import contextlib
import uuid as uuidlib
from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import DomainError, render_error
from app.dossiers.downloads import send_stored
from app.extensions import csrf, limiter
from app.feedback import forms, policies, queries, services
from app.feedback import kiosk as device
from app.feedback.models import Counter
from app.feedback.views.blueprint import bp


def _kiosk_counter(counter_id: int) -> Counter:
    counter = queries.counter_by_id(counter_id)
    if counter is None:
        abort(404)
    if not device.unlocks(counter):
        abort(403)
    return counter


@bp.get("/kiosk/<int:counter_id>")
def kiosk_page(counter_id: int) -> Any:
    counter = queries.counter_by_id(counter_id)
    if counter is None:
        abort(404)
    if not device.unlocks(counter):
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
    if not (device.unlocks(counter) or policies.same_agency(current_user, counter.agency_id)):
        abort(403)
    return send_stored(counter.photo_key, mimetype="image/jpeg")


@bp.post("/kiosk/<int:counter_id>/rate")
@csrf.exempt  # the kiosk cookie is SameSite=Strict: see feedback/kiosk.py
@limiter.limit("120 per minute")
def kiosk_rate(counter_id: int) -> Any:
    """The form without JavaScript: one tap, then the thanks screen."""
    counter = _kiosk_counter(counter_id)
    visit = forms.parse_visit(request.form.get("visit", ""))
    if visit is None:
        abort(400)
    services.record_kiosk_rating(counter, visit, request.form.get("score", ""),
                                 counter.officer_id, None)
    # "cam-on" is not a Python name, so the query arguments go in as a mapping.
    thanks: dict[str, Any] = {"counter_id": counter.id, "cam-on": "1"}
    return redirect(url_for(".kiosk_page", **thanks))


@bp.post("/kiosk/<int:counter_id>/ratings")
@csrf.exempt  # the kiosk cookie is SameSite=Strict: see feedback/kiosk.py
@limiter.limit("60 per minute")
def kiosk_sync(counter_id: int) -> Any:
    """The tablet's queue: {"ratings": [{uuid, score, officer_id, at}]}. Answers the uuids
    it may forget (stored now or before); a malformed item is dropped, not retried."""
    counter = _kiosk_counter(counter_id)
    taps = forms.parse_kiosk_queue(request.get_json(silent=True))
    if taps is None:
        return jsonify(error="expected {\"ratings\": [...]}"), 400
    for tap in taps:
        # An unknown score: nothing to store, and nothing to send again.
        with contextlib.suppress(DomainError):
            services.record_kiosk_rating(counter, tap.uuid, tap.score, tap.officer_id,
                                         tap.at)
    return jsonify(done=[tap.uuid for tap in taps])
