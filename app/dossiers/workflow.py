"""The dossier state machine: one table of moves, one `apply` that makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.vntime import vietnam_day
from app.core.workdays import due_date_for, judge_timeliness, load_calendar
from app.dossiers.models import Dossier, DossierEvent, DossierStatus
from app.feedback import rollup as stats_rollup
from app.notifications import outbox as push_outbox
from app.payments import hooks as payment_hooks

if TYPE_CHECKING:
    from app.accounts.models import Officer

S = DossierStatus
ActorKind = Literal["citizen", "officer"]


class IllegalTransition(DomainError):
    """The move does not exist from the dossier's current status."""

    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="illegal_transition")


class TransitionForbidden(IllegalTransition):
    """The move exists, but this actor may not make it."""

    status_code = 403


@dataclass(frozen=True)
class Transition:
    to: DossierStatus
    actor: ActorKind
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    officer: Officer | None = None

    @classmethod
    def citizen(cls) -> Actor:
        return cls("citizen")

    @classmethod
    def for_officer(cls, officer: Officer) -> Actor:
        return cls("officer", officer)


_DESK = frozenset({Role.RECEIVING, Role.COMMUNE_ADMIN})
_SPECIALIST = frozenset({Role.SPECIALIST, Role.COMMUNE_ADMIN})
_LEADER = frozenset({Role.LEADER, Role.COMMUNE_ADMIN})
_ANY_OFFICER = frozenset({Role.RECEIVING, Role.SPECIALIST, Role.LEADER, Role.COMMUNE_ADMIN})

# Statuses the citizen may still withdraw from. A ready result is no longer "open": the work
# is done and only collecting it remains.
OPEN_STATUSES = (S.SUBMITTED, S.RECEIVED, S.NEEDS_SUPPLEMENT, S.IN_PROGRESS,
                 S.AWAITING_APPROVAL)
CLOSED_STATUSES = (S.REJECTED, S.RETURNED, S.WITHDRAWN)

# (status, action) -> move. `None` is "not yet created": the citizen's submission.
# The back office builds its buttons from this same table.
TRANSITIONS: dict[tuple[DossierStatus | None, str], Transition] = {
    (None, "submit"): Transition(S.SUBMITTED, "citizen"),
    (S.NEEDS_SUPPLEMENT, "resubmit"): Transition(S.SUBMITTED, "citizen"),
    **{(s, "withdraw"): Transition(S.WITHDRAWN, "citizen") for s in OPEN_STATUSES},
    (S.SUBMITTED, "receive"): Transition(S.RECEIVED, "officer", _DESK),
    (S.SUBMITTED, "request_supplement"): Transition(S.NEEDS_SUPPLEMENT, "officer", _DESK),
    # DOMAIN.md: papers found missing during processing; the clock restarts on return.
    (S.IN_PROGRESS, "request_supplement"): Transition(S.NEEDS_SUPPLEMENT, "officer",
                                                      _SPECIALIST),
    (S.SUBMITTED, "reject"): Transition(S.REJECTED, "officer", _DESK),
    (S.RECEIVED, "assign"): Transition(S.IN_PROGRESS, "officer", _DESK | _LEADER),
    (S.IN_PROGRESS, "assign"): Transition(S.IN_PROGRESS, "officer", _DESK | _LEADER),
    (S.IN_PROGRESS, "submit_for_approval"): Transition(S.AWAITING_APPROVAL, "officer",
                                                       _SPECIALIST),
    (S.AWAITING_APPROVAL, "approve"): Transition(S.RESULT_READY, "officer", _LEADER),
    (S.AWAITING_APPROVAL, "send_back"): Transition(S.IN_PROGRESS, "officer", _LEADER),
    # Procedures a specialist settles without a leader's signature.
    (S.IN_PROGRESS, "mark_result_ready"): Transition(S.RESULT_READY, "officer", _SPECIALIST),
    (S.RESULT_READY, "return_result"): Transition(S.RETURNED, "officer", _DESK),
    # The apology slip sets a new appointment date; the status stays.
    **{(s, "apologize"): Transition(s, "officer", _ANY_OFFICER)
       for s in (S.RECEIVED, S.IN_PROGRESS, S.AWAITING_APPROVAL)},
}

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(action for _s, action in TRANSITIONS))

STATUS_LABELS: dict[str, Any] = {
    S.SUBMITTED: _l("Đã nộp – chờ tiếp nhận"),
    S.RECEIVED: _l("Đã tiếp nhận"),
    S.NEEDS_SUPPLEMENT: _l("Cần bổ sung giấy tờ"),
    S.REJECTED: _l("Bị từ chối tiếp nhận"),
    S.IN_PROGRESS: _l("Đang giải quyết"),
    S.AWAITING_APPROVAL: _l("Chờ lãnh đạo ký duyệt"),
    S.RESULT_READY: _l("Đã có kết quả"),
    S.RETURNED: _l("Đã trả kết quả"),
    S.WITHDRAWN: _l("Đã rút hồ sơ"),
}

# What the citizen is asked to do now, in the status's own words.
STATUS_NEXT_STEP: dict[str, Any] = {
    S.SUBMITTED: _l("Bạn chưa cần làm gì. Cán bộ một cửa sẽ kiểm tra hồ sơ và báo cho bạn "
                    "nếu còn thiếu giấy tờ."),
    S.RECEIVED: _l("Hồ sơ đã đủ và đang chờ giải quyết. Bạn chưa cần làm gì; hãy nhớ ngày hẹn "
                   "trả kết quả."),
    S.NEEDS_SUPPLEMENT: _l("Hãy nộp bổ sung giấy tờ còn thiếu theo yêu cầu của cán bộ."),
    S.REJECTED: _l("Hồ sơ không được tiếp nhận. Xem lý do bên dưới; bạn có thể nộp hồ sơ mới "
                   "hoặc hỏi bộ phận một cửa."),
    S.IN_PROGRESS: _l("Hồ sơ đang được cán bộ chuyên môn giải quyết. Bạn chưa cần làm gì."),
    S.AWAITING_APPROVAL: _l("Hồ sơ đang chờ lãnh đạo ký. Bạn chưa cần làm gì."),
    S.RESULT_READY: _l("Kết quả đã có. Mời bạn đến bộ phận một cửa để nhận, nhớ mang theo "
                       "căn cước."),
    S.RETURNED: _l("Bạn đã nhận kết quả. Hồ sơ đã kết thúc."),
    S.WITHDRAWN: _l("Bạn đã rút hồ sơ. Hồ sơ đã kết thúc."),
}

ACTION_LABELS: dict[str, Any] = {
    "submit": _l("Nộp hồ sơ trực tuyến"),
    "resubmit": _l("Nộp bổ sung giấy tờ"),
    "withdraw": _l("Rút hồ sơ"),
    "receive": _l("Tiếp nhận hồ sơ"),
    "request_supplement": _l("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "reject": _l("Từ chối tiếp nhận"),
    "assign": _l("Chuyển cán bộ giải quyết"),
    "submit_for_approval": _l("Trình lãnh đạo ký duyệt"),
    "approve": _l("Lãnh đạo phê duyệt"),
    "send_back": _l("Lãnh đạo trả lại để xử lý tiếp"),
    "mark_result_ready": _l("Có kết quả"),
    "return_result": _l("Trả kết quả"),
    "apologize": _l("Xin lỗi và hẹn lại ngày trả kết quả"),
    # Payment entries on the timeline (app/payments): no status change.
    "payment_confirmed": _l("Đã thanh toán phí, lệ phí"),
    "payment_adjusted": _l("Điều chỉnh số tiền phí, lệ phí"),
    "payment_refunded": _l("Hoàn trả tiền phí, lệ phí"),
}


# Notes the citizen reads on the timeline; others (assign, send back) are internal to the office.
CITIZEN_NOTES = frozenset({"submit", "resubmit", "withdraw", "request_supplement", "reject",
                           "apologize", "return_result"})


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or "", status or ""))


def next_step(status: str | None) -> str:
    return str(STATUS_NEXT_STEP.get(status or "", ""))


def action_label(action: str, data: dict[str, Any] | None = None) -> str:
    if action == "submit" and (data or {}).get("channel") == "counter":
        return _("Nộp hồ sơ tại bộ phận một cửa")
    return str(ACTION_LABELS.get(action, action))


def allowed_actions(dossier: Dossier, actor: Actor) -> list[str]:
    """The actions this actor may take now (for buttons; `apply` checks again)."""
    status = _status(dossier)
    return [action for (s, action), move in TRANSITIONS.items()
            if s == status and _permitted(move, dossier, actor)]


def _status(dossier: Dossier) -> DossierStatus | None:
    # A dossier not yet flushed has no status: that is the "submit" row.
    return DossierStatus(dossier.status) if dossier.status else None


def _permitted(move: Transition, dossier: Dossier, actor: Actor) -> bool:
    if actor.kind != move.actor:
        return False
    if actor.kind == "citizen":
        return True
    officer = actor.officer
    return (officer is not None and officer.is_active and officer.role in move.roles
            and officer.agency_id == dossier.agency_id)


def apply(dossier: Dossier, action: str, actor: Actor, *, note: str = "",
          at: datetime | None = None, **data: Any) -> DossierEvent:
    """Make one move: check it, set the status, stamp the times, append the event.

    The version column bumps itself on flush, so two officers deciding the same dossier at
    once get a StaleDataError for the second one instead of a double move.
    """
    status = _status(dossier)
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise IllegalTransition(
            _("Không thể “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.",
              action=action_label(action),
              status=status_label(status) if status else _("chưa nộp")))
    if not _permitted(move, dossier, actor):
        raise TransitionForbidden(
            _("Bạn không có quyền “%(action)s” đối với hồ sơ này.", action=action_label(action)))
    payment_hooks.before_move(dossier, action)  # no result handed over while a fee is unpaid
    now = at or utcnow()
    to = move.to
    event_data: dict[str, Any] = {}
    if action == "submit":
        dossier.submitted_at = now
        event_data["channel"] = dossier.channel
    elif action == "receive":
        dossier.received_at = now
        dossier.due_date = _due_date(dossier, now)
        dossier.receiving_officer_id = actor.officer.id if actor.officer else None
        event_data["due_date"] = dossier.due_date.isoformat()
    elif action == "resubmit" and dossier.received_at is not None:
        # Asked for during processing: back to the specialist, and the time limit counts
        # again from the day the complete dossier comes back (DOMAIN.md).
        to = S.IN_PROGRESS
        event_data["previous_due_date"] = _iso(dossier.due_date)
        dossier.due_date = _due_date(dossier, now)
        event_data["due_date"] = dossier.due_date.isoformat()
    elif action == "assign":
        officer_id = data.get("officer_id") or (actor.officer.id if actor.officer else None)
        dossier.assigned_officer_id = officer_id
        event_data["officer_id"] = officer_id
    elif action in ("approve", "mark_result_ready"):
        dossier.finished_at = now
        if dossier.due_date is not None:
            event_data["timeliness"] = judge_timeliness(now, dossier.due_date)
    elif action == "return_result":
        dossier.returned_at = now
    elif action == "apologize":
        if not apology_allowed(dossier, vietnam_day(now)):
            raise DomainError(_("Phiếu xin lỗi phải lập chậm nhất một ngày trước ngày hẹn trả."),
                              code="apology_too_late")
        new_date = data.get("new_due_date")
        if not isinstance(new_date, date) or (dossier.due_date and new_date <= dossier.due_date):
            raise DomainError(_("Phiếu xin lỗi cần một ngày hẹn mới sau ngày hẹn cũ."),
                              code="new_due_date")
        event_data["previous_due_date"] = _iso(dossier.due_date)
        dossier.due_date = new_date
        event_data["due_date"] = new_date.isoformat()
    event_data.update({k: _jsonable(v) for k, v in data.items() if k not in event_data})
    event = DossierEvent(
        action=action,
        at=now,
        from_status=status.value if status else None,
        to_status=to.value,
        actor_kind=actor.kind,
        officer_id=actor.officer.id if actor.officer else None,
        note=note.strip(),
        data=event_data,
    )
    dossier.status = to.value
    dossier.events.append(event)
    stats_rollup.record_move(dossier, event)  # public figures, written with this commit
    payment_hooks.after_move(dossier, action)  # fee created on receipt, cancelled on refusal
    push_outbox.enqueue_for_event(event, dossier)  # the citizen's notification, same commit
    return event


def apology_allowed(dossier: Dossier, today: date) -> bool:
    """DOMAIN.md: the apology slip goes out at the latest one day before the due date."""
    return dossier.due_date is not None and today < dossier.due_date


def _due_date(dossier: Dossier, start: datetime) -> date:
    procedure = dossier.procedure
    return due_date_for(start, procedure.time_limit_days, unit=procedure.time_limit_unit,
                        calendar=load_calendar())


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "id"):
        return value.id
    return value
