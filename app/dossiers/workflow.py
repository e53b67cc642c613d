"""The dossier state machine: one table of moves, one `apply` that makes them.

Every rule about a move lives here: which status it leaves from and goes to (with the guard
that picks the target where there are two), who may make it, when it may be made, what input
it needs. Other features take part through two registries that `create_app` fills: the
preconditions that may still refuse a move, and the listeners that write their rows in the
same transaction. This module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import object_session

from app.accounts.models import Officer, Role
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.vntime import vietnam_day, vietnam_today
from app.core.workdays import due_date_for, judge_timeliness, load_calendar
from app.dossiers import corrections, handover
from app.dossiers.models import Dossier, DossierEvent, DossierStatus, ReturnChannel
from app.extensions import db

if TYPE_CHECKING:
    from app.procedures.models import Procedure

S = DossierStatus
ActorKind = Literal["citizen", "officer"]
# A feature's say before a move (raises DomainError to refuse it) and after it (same
# transaction, so its rows commit or roll back with the move).
Precondition = Callable[[Dossier, str], None]
Listener = Callable[[Dossier, DossierEvent], None]
# Checks of what came with a move: {field: message} for whatever is wrong.
InputRule = Callable[[Dossier, str, dict[str, Any]], dict[str, str]]


class IllegalTransition(DomainError):
    """The move does not exist from the dossier's current status."""

    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="illegal_transition")


class TransitionForbidden(IllegalTransition):
    """The move exists, but this actor may not make it."""

    status_code = 403


class MoveInputInvalid(DomainError):
    """The move exists and the actor may make it, but what came with it is not enough."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(next(iter(errors.values())), code="invalid_input")
        self.errors = errors


@dataclass(frozen=True)
class Guard:
    """A named condition on the dossier that picks one of a move's targets."""

    name: str
    holds: Callable[[Dossier], bool]


NEVER_RECEIVED = Guard("never_received", lambda d: d.received_at is None)
RECEIVED_BEFORE = Guard("received_before", lambda d: d.received_at is not None)


@dataclass(frozen=True)
class Target:
    to: DossierStatus
    when: Guard | None = None
    # DOMAIN.md: papers asked for during processing restart the time limit on their return.
    restarts_clock: bool = False


@dataclass(frozen=True)
class Window:
    """When a move may be made at all, beyond its status; the buttons hide it outside."""

    open_on: Callable[[Dossier, date], bool]
    message: Any
    code: str


@dataclass(frozen=True)
class Transition:
    targets: tuple[Target, ...]
    actor: ActorKind
    roles: frozenset[str] = field(default_factory=frozenset)
    # The message that asks for the reason when the law wants one written down.
    note_required: Any = None
    window: Window | None = None
    rules: tuple[InputRule, ...] = ()

    def target_for(self, dossier: Dossier) -> Target:
        for target in self.targets:
            if target.when is None or target.when.holds(dossier):
                return target
        raise AssertionError("the guards of a move must cover every dossier")


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


@dataclass
class Registry:
    """What other features hook into the workflow; one per app, filled by create_app."""

    preconditions: list[Precondition] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)


_REGISTRY_KEY = "motcua.workflow"


def registry(app: Flask | None = None) -> Registry:
    target = app if app is not None else current_app
    found: Registry = target.extensions.setdefault(_REGISTRY_KEY, Registry())
    return found


def register_precondition(app: Flask, check: Precondition) -> None:
    """`check(dossier, action)` runs before every move and raises DomainError to refuse it."""
    registry(app).preconditions.append(check)


def register_listener(app: Flask, listener: Listener) -> None:
    """`listener(dossier, event)` runs after every move, in the move's transaction."""
    registry(app).listeners.append(listener)


def apology_allowed(dossier: Dossier, today: date) -> bool:
    """DOMAIN.md: the apology slip goes out at the latest one day before the due date."""
    return dossier.due_date is not None and today < dossier.due_date


def is_assignable(candidate: Officer | None, dossier: Dossier) -> bool:
    """A dossier is handed to an active specialist of its own agency."""
    return (candidate is not None and candidate.active
            and candidate.agency_id == dossier.agency_id
            and candidate.role == Role.SPECIALIST)


def _assignable_officer(dossier: Dossier, _note: str, data: dict[str, Any]) -> dict[str, str]:
    officer_id = data.get("officer_id")
    candidate = db.session.get(Officer, officer_id) if isinstance(officer_id, int) else None
    if is_assignable(candidate, dossier):
        return {}
    return {"officer_id": _("Vui lòng chọn cán bộ chuyên môn của cơ quan.")}


def _later_appointment(dossier: Dossier, _note: str, data: dict[str, Any]) -> dict[str, str]:
    new_date = data.get("new_due_date")
    if not isinstance(new_date, date):
        return {"new_due_date": _("Vui lòng nhập ngày hẹn trả mới.")}
    if dossier.due_date is not None and new_date <= dossier.due_date:
        return {"new_due_date": _("Ngày hẹn mới phải sau ngày hẹn cũ (%(d)s).",
                                  d=dossier.due_date.strftime("%d/%m/%Y"))}
    return {}


def _says_what_is_missing(_dossier: Dossier, note: str, data: dict[str, Any]
                          ) -> dict[str, str]:
    # DOMAIN.md: everything missing is listed at once, by ticking it or in words.
    if data.get("missing") or note:
        return {}
    return {"missing": _("Vui lòng đánh dấu giấy tờ còn thiếu hoặc ghi rõ cần bổ sung gì.")}


APOLOGY_WINDOW = Window(apology_allowed,
                        _l("Phiếu xin lỗi phải lập chậm nhất một ngày trước ngày hẹn trả."),
                        "apology_too_late")
_REASON = _l("Vui lòng ghi lý do.")

_DESK = frozenset({Role.RECEIVING, Role.COMMUNE_ADMIN})
_SPECIALIST = frozenset({Role.SPECIALIST, Role.COMMUNE_ADMIN})
_LEADER = frozenset({Role.LEADER, Role.COMMUNE_ADMIN})
_ANY_OFFICER = frozenset({Role.RECEIVING, Role.SPECIALIST, Role.LEADER, Role.COMMUNE_ADMIN})

# The desk corrects what the citizen typed while the dossier is with the commune, up to the
# leader's decision: once the result is approved (or the dossier closed) the papers are
# signed on these values, and a change would need a new decision, not a correction. Not
# while a supplement is awaited either: the citizen is then the one changing the dossier.
CORRECTABLE_STATUSES = (S.SUBMITTED, S.RECEIVED, S.IN_PROGRESS, S.AWAITING_APPROVAL)

# Statuses the citizen may still withdraw from. A ready result is no longer "open": the work
# is done and only collecting it remains.
OPEN_STATUSES = (S.SUBMITTED, S.RECEIVED, S.NEEDS_SUPPLEMENT, S.IN_PROGRESS,
                 S.AWAITING_APPROVAL)
CLOSED_STATUSES = (S.REJECTED, S.RETURNED, S.WITHDRAWN)


def _to(status: DossierStatus, actor: ActorKind, roles: frozenset[str] = frozenset(),
        **rules: Any) -> Transition:
    return Transition((Target(status),), actor, roles, **rules)


# (status, action) -> move. `None` is "not yet created": the citizen's submission.
# The back office builds its buttons from this same table.
TRANSITIONS: dict[tuple[DossierStatus | None, str], Transition] = {
    (None, "submit"): _to(S.SUBMITTED, "citizen"),
    # Answered before receipt: back to the desk. Asked for during processing: back to the
    # specialist, and the time limit counts again from the day the papers come back.
    (S.NEEDS_SUPPLEMENT, "resubmit"): Transition(
        (Target(S.SUBMITTED, NEVER_RECEIVED),
         Target(S.IN_PROGRESS, RECEIVED_BEFORE, restarts_clock=True)), "citizen"),
    **{(s, "withdraw"): _to(S.WITHDRAWN, "citizen",
                            note_required=_l("Vui lòng ghi lý do rút hồ sơ."))
       for s in OPEN_STATUSES},
    (S.SUBMITTED, "receive"): _to(S.RECEIVED, "officer", _DESK),
    (S.SUBMITTED, "request_supplement"): _to(S.NEEDS_SUPPLEMENT, "officer", _DESK,
                                             rules=(_says_what_is_missing,)),
    # DOMAIN.md: papers found missing during processing; the clock restarts on return.
    (S.IN_PROGRESS, "request_supplement"): _to(S.NEEDS_SUPPLEMENT, "officer", _SPECIALIST,
                                               rules=(_says_what_is_missing,)),
    (S.SUBMITTED, "reject"): _to(S.REJECTED, "officer", _DESK, note_required=_REASON),
    (S.RECEIVED, "assign"): _to(S.IN_PROGRESS, "officer", _DESK | _LEADER,
                                rules=(_assignable_officer,)),
    (S.IN_PROGRESS, "assign"): _to(S.IN_PROGRESS, "officer", _DESK | _LEADER,
                                   rules=(_assignable_officer,)),
    (S.IN_PROGRESS, "submit_for_approval"): _to(S.AWAITING_APPROVAL, "officer", _SPECIALIST),
    (S.AWAITING_APPROVAL, "approve"): _to(S.RESULT_READY, "officer", _LEADER),
    (S.AWAITING_APPROVAL, "send_back"): _to(S.IN_PROGRESS, "officer", _LEADER,
                                            note_required=_REASON),
    # Procedures a specialist settles without a leader's signature.
    (S.IN_PROGRESS, "mark_result_ready"): _to(S.RESULT_READY, "officer", _SPECIALIST),
    # Payments add their "fee owed" precondition to this move (see create_app). How the
    # result went out is said; at the counter, who took it (name, CCCD, relation).
    (S.RESULT_READY, "return_result"): _to(S.RETURNED, "officer", _DESK,
                                           rules=(handover.handover_rule,)),
    # "Tôi đã nhận kết quả": the citizen took the electronic result, so it was returned
    # online. Results add their precondition (a current result, nothing owed).
    (S.RESULT_READY, "confirm_receipt"): _to(S.RETURNED, "citizen"),
    # The desk corrects a typed field, with the reason; the status stays.
    **{(s, "correct_details"): _to(s, "officer", _DESK,
                                   note_required=_l("Vui lòng ghi lý do đính chính."),
                                   rules=(corrections.corrections_rule,))
       for s in CORRECTABLE_STATUSES},
    # The apology slip sets a new appointment date; the status stays.
    **{(s, "apologize"): _to(s, "officer", _ANY_OFFICER, note_required=_REASON,
                             window=APOLOGY_WINDOW, rules=(_later_appointment,))
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
    "confirm_receipt": _l("Công dân xác nhận đã nhận kết quả điện tử"),
    "apologize": _l("Xin lỗi và hẹn lại ngày trả kết quả"),
    "correct_details": _l("Bộ phận một cửa đính chính thông tin đã khai"),
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


def allowed_actions(dossier: Dossier, actor: Actor, today: date | None = None) -> list[str]:
    """The actions this actor may take now, in table order (for buttons; `apply` checks
    again). A move outside its window (the apology after its deadline) is not offered."""
    status = _status(dossier)
    day = today or vietnam_today()
    return [action for (s, action), move in TRANSITIONS.items()
            if s == status and _permitted(move, dossier, actor)
            and (move.window is None or move.window.open_on(dossier, day))]


def input_errors(dossier: Dossier, action: str, *, note: str = "", **data: Any
                 ) -> dict[str, str]:
    """What is wrong with the input of this move, {field: message}; forms show it by the
    field, and `apply` refuses the move with it."""
    move = TRANSITIONS.get((_status(dossier), action))
    if move is None:
        return {}
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if move.note_required is not None and not note:
        errors["note"] = str(move.note_required)
    for rule in move.rules:
        for name, message in rule(dossier, note, data).items():
            errors.setdefault(name, message)
    return errors


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

    The checks, in order: the move exists from this status (409), this actor may make it
    (403), its window is open, its input is complete, and no registered precondition
    refuses it. The version column bumps itself on flush, so two officers deciding the same
    dossier at once get a StaleDataError for the second one instead of a double move.
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
    now = at or utcnow()
    if move.window is not None and not move.window.open_on(dossier,
                                                          vietnam_day(now)):
        raise DomainError(str(move.window.message), code=move.window.code)
    errors = input_errors(dossier, action, note=note, **data)
    if errors:
        raise MoveInputInvalid(errors)
    hooks = registry()
    for precondition in hooks.preconditions:
        precondition(dossier, action)
    target = move.target_for(dossier)
    session = object_session(dossier)
    if status is not None and session is not None:
        # Claim the row first: of two officers deciding at once, the second gets its
        # StaleDataError here, before this transaction reads anything more.
        dossier.updated_at = now
        session.flush()
    # Read (calendar, procedure) before writing the stamps: an autoflush in their middle
    # would send a row that the database's status checks refuse.
    clock = (due_date_from(dossier.procedure, now)
             if action == "receive" or target.restarts_clock else None)
    event_data: dict[str, Any] = {}
    if action == "submit":
        dossier.submitted_at = now
        event_data["channel"] = dossier.channel
    elif action == "receive":
        dossier.received_at = now
        dossier.due_date = clock
        dossier.receiving_officer_id = actor.officer.id if actor.officer else None
        event_data["due_date"] = _iso(clock)
    elif action == "assign":
        dossier.assigned_officer_id = data["officer_id"]
        event_data["officer_id"] = data["officer_id"]
    elif action in ("approve", "mark_result_ready"):
        dossier.finished_at = now
        if dossier.due_date is not None:
            event_data["timeliness"] = judge_timeliness(now, dossier.due_date)
    elif action == "return_result":
        dossier.returned_at = now
        event_data.update(handover.record_handover(dossier, data))
        # The raw form values stay out of the audit: the event keeps them as stored.
        data = {k: v for k, v in data.items() if not k.startswith("collector_")
                and k != "authorisation_seen"}
    elif action == "confirm_receipt":
        dossier.returned_at = now
        event_data.update(handover.record_handover(dossier,
                                                   {"handover": ReturnChannel.ONLINE.value}))
    elif action == "correct_details":
        event_data.update(corrections.apply_corrections(dossier, data["fixes"]))
        data = {}  # the event keeps the checked values (before/after), not the raw input
    elif action == "apologize":
        event_data["previous_due_date"] = _iso(dossier.due_date)
        dossier.due_date = data["new_due_date"]
        event_data["due_date"] = dossier.due_date.isoformat()
    if target.restarts_clock:
        event_data["previous_due_date"] = _iso(dossier.due_date)
        dossier.due_date = clock
        event_data["due_date"] = _iso(clock)
    event_data.update({k: _jsonable(v) for k, v in data.items() if k not in event_data})
    event = DossierEvent(
        action=action,
        at=now,
        from_status=status.value if status else None,
        to_status=target.to.value,
        actor_kind=actor.kind,
        officer_id=actor.officer.id if actor.officer else None,
        note=note.strip(),
        data=event_data,
    )
    dossier.status = target.to.value
    dossier.events.append(event)
    for listener in hooks.listeners:
        listener(dossier, event)
    return event


def due_date_from(procedure: Procedure, start: datetime) -> date:
    """The appointment date of a dossier of this procedure whose clock starts at `start`:
    on receipt, on the return of papers asked for during processing, and the "expected"
    date shown before receipt."""
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
