"""The counter's queue page (/officer/queue): call the next number, recall, skip, transfer,
serve, and take a number for someone without a phone. In the staff area (deny by default);
each route then checks the counter, queue or ticket against the officer's commune."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.backoffice import policies as backoffice_policies
from app.core.vntime import vietnam_today
from app.core.workdays import load_calendar
from app.extensions import db
from app.feedback.models import Counter
from app.feedback.queries import counters_of
from app.queues import policies, queries, rules, services
from app.queues.models import Channel, Lane, ServiceQueue, Ticket
from app.queues.views import ticket_view

bp = Blueprint("queue_desk", __name__, url_prefix="/officer/queue")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    # The back office's menu (backoffice/_nav.html) asks its policies what to show.
    return {"policies": backoffice_policies}


def _int(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else 0


def _counter(raw: str | None) -> Counter:
    counter = db.session.get(Counter, _int(raw))
    if counter is None or counter.agency_id != current_user.agency_id:
        abort(404)
    return counter


def _queue(raw: str | None) -> ServiceQueue:
    queue = db.session.get(ServiceQueue, _int(raw))
    if queue is None or queue.agency_id != current_user.agency_id:
        abort(404)
    return queue


def _back(counter_id: int | None) -> Any:
    return redirect(url_for(".desk", counter=counter_id) if counter_id else url_for(".desk"),
                    303)


@bp.get("")
def desk() -> Any:
    if not policies.can_work_queue(current_user):
        abort(403)
    counters = counters_of(current_user.agency_id)
    counter = next((c for c in counters if str(c.id) == request.args.get("counter")), None)
    today = vietnam_today()
    at_counter = [t for t in queries.now_calling(current_user.agency_id, today)
                  if counter is not None and t.counter_id == counter.id]
    return render_template(
        "queues/desk.html", counters=counters, counter=counter, at_counter=at_counter,
        queues=queries.queues_of(current_user.agency_id),
        waiting=queries.waiting_counts(current_user.agency_id, today),
        reasons=rules.PRIORITY_REASONS, calls_before_no_show=rules.CALLS_BEFORE_NO_SHOW,
        may_skip=rules.may_skip_as_no_show,
        can_manage_queues=policies.can_manage_queues(current_user),
        figures=queries.day_figures(current_user.agency_id, today, rules.opening_moment(
            today, current_user.agency.opening_hours or {})))


@bp.post("/call")
def call_next() -> Any:
    counter, queue = _counter(request.form.get("counter")), _queue(request.form.get("queue"))
    if not policies.can_call_at(current_user, counter, queue):
        abort(403)
    ticket = services.call_next(queue, counter, officer_id=current_user.id)
    if ticket is None:
        flash(_("Không còn ai chờ ở hàng %(queue)s.", queue=queue.name), "info")
    else:
        flash(_("Đã gọi số %(label)s đến %(counter)s.", label=ticket.label,
                counter=counter.name), "info")
    return _back(counter.id)


@bp.post("/take")
def take_for_someone() -> Any:
    """A number for someone without a phone: the desk prints it (the browser's print)."""
    queue = _queue(request.form.get("queue"))
    if not policies.can_work_queue(current_user):
        abort(403)
    reason = request.form.get("priority_reason") or None
    ticket = services.take_ticket(queue, load_calendar(),
                                  lane=Lane.PRIORITY if reason else Lane.NORMAL,
                                  priority_reason=reason, channel=Channel.DESK)
    return redirect(url_for(".printout", ticket_id=ticket.id), 303)


def _ticket(ticket_id: int) -> Ticket:
    ticket = db.session.get(Ticket, ticket_id)
    if not policies.can_move_ticket(current_user, ticket):
        abort(404)  # another commune's ticket looks like none
    assert ticket is not None  # noqa: S101 (checked by the policy)
    return ticket


@bp.get("/tickets/<int:ticket_id>/print")
def printout(ticket_id: int) -> Any:
    return render_template("queues/printout.html", **ticket_view(_ticket(ticket_id)))


@bp.post("/tickets/<int:ticket_id>/<move>")
def move(ticket_id: int, move: str) -> Any:
    ticket = _ticket(ticket_id)
    counter_id = ticket.counter_id
    if move == "recall":
        services.recall(ticket)
    elif move == "no-show":
        services.skip_no_show(ticket)
    elif move == "to-counter":
        target = _counter(request.form.get("target"))
        services.transfer_to_counter(ticket, target)
    elif move == "to-queue":
        services.transfer_to_queue(ticket, _queue(request.form.get("target")))
    elif move == "served":
        services.mark_served(ticket)
        # Straight on to receiving the dossier, which links it to this ticket.
        return redirect(url_for("staff.backoffice.counter", ticket=ticket.id), 303)
    else:
        abort(404)
    return _back(counter_id)


@bp.route("/lines", methods=["GET", "POST"])
def lines() -> Any:
    """The commune's queues: add one, rename, turn the priority lane on or off, pause."""
    if not policies.can_manage_queues(current_user):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _queue_made, errors = services.save_queue(
            current_user.agency_id, request.form.get("prefix", ""),
            request.form.get("name", ""), priority_lane="priority_lane" in request.form,
            active=True)
        if not errors:
            flash(_("Đã thêm hàng chờ."), "info")
            return redirect(url_for(".lines"), 303)
    return render_template("queues/lines.html", errors=errors, form=request.form,
                           queues=queries.queues_of(current_user.agency_id, active_only=False)
                           ), (422 if errors else 200)


@bp.post("/lines/<int:queue_id>")
def line(queue_id: int) -> Any:
    if not policies.can_manage_queues(current_user):
        abort(403)
    queue = _queue(str(queue_id))
    _saved, errors = services.save_queue(
        current_user.agency_id, request.form.get("prefix", ""), request.form.get("name", ""),
        priority_lane="priority_lane" in request.form, active="active" in request.form,
        queue=queue)
    if errors:  # nothing was changed: the first problem is said on the list
        flash(next(iter(errors.values())), "error")
    else:
        flash(_("Đã lưu hàng chờ %(name)s.", name=queue.name), "info")
    return redirect(url_for(".lines"), 303)
