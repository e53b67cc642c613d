"""The state machine against the hand-written spec (tests/spec/workflow.toml): every
(status, action) allowed or refused, who may move, where each move goes, and what each move
stamps on the dossier. Expectations come from the spec, never from TRANSITIONS itself."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import Officer, Role
from app.core.errors import DomainError
from app.dossiers import workflow
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.workflow import (
    STATUS_LABELS,
    STATUS_NEXT_STEP,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    MoveInputInvalid,
    Target,
    TransitionForbidden,
    allowed_actions,
    apply,
)
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure
from tests import spec
from tests.factories.dossiers import COLLECTED_BY_RELATIVE
from tests.factories.results import issued_result

S = DossierStatus
STATUSES: list[DossierStatus | None] = [None, *DossierStatus]
SPEC_ACTIONS = sorted({m.action for m in spec.MOVES})
REFUSED = sorted((pair for pair in itertools.product(STATUSES, SPEC_ACTIONS)
                  if pair not in spec.PAIRS), key=str)
OFFICER_MOVES = [m for m in spec.MOVES if not m.by_citizen]
_SERIAL = itertools.count(1)
# A Tuesday 09:00 in Vietnam, far from any holiday.
TUESDAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TUESDAY_VN = date(2026, 3, 10)
_RECEIVED = {S.RECEIVED, S.IN_PROGRESS, S.AWAITING_APPROVAL, S.RESULT_READY, S.RETURNED}


@pytest.fixture
def ctx(app: Flask) -> Iterator[dict[str, Officer]]:
    """An app context with a commune, a 3-working-day procedure and one officer per role."""
    with app.app_context():
        commune = Agency(code="000.31.12.H26", slug="xa-a", name="Xã A", kind="commune")
        other = Agency(code="000.31.13.H26", slug="xa-b", name="Xã B", kind="commune")
        db.session.add_all([commune, other,
                            Procedure(code="T.1", name="Thử", field="Hộ tịch",
                                      time_limit_days=3)])
        db.session.flush()
        officers = {role.value: Officer(username=role.value, full_name=role.value,
                                        password_hash="x", role=role.value,
                                        agency_id=commune.id)
                    for role in Role}
        officers["outsider"] = Officer(username="outsider", full_name="outsider",
                                       password_hash="x", role=Role.COMMUNE_ADMIN.value,
                                       agency_id=other.id)
        db.session.add_all(officers.values())
        db.session.flush()
        yield officers
        db.session.rollback()


def _dossier(status: DossierStatus | None = None, when: str | None = None,
             **fields: object) -> Dossier:
    """A dossier put straight into `status`, with the stamps the workflow would have left
    (the database checks them). `when="received_before"`: a supplement asked for during
    processing."""
    commune = db.session.scalar(select(Agency).where(Agency.slug == "xa-a"))
    procedure = db.session.scalar(select(Procedure))
    if status in _RECEIVED or when == "received_before":
        fields.setdefault("received_at", TUESDAY - timedelta(days=1))
        fields.setdefault("due_date", date(2026, 3, 13))
    if status in (S.RESULT_READY, S.RETURNED):
        fields.setdefault("finished_at", TUESDAY)
    if status == S.RETURNED:
        fields.setdefault("returned_at", TUESDAY)
    dossier = Dossier(code=f"X-{next(_SERIAL)}", procedure=procedure, agency=commune,
                      applicant_name="A", applicant_name_folded="a",
                      citizen_id_number="001090123456", phone="0912345678",
                      tracking_secret_hash="0" * 64, **fields)
    if status is not None:
        dossier.status = status.value
        db.session.add(dossier)
        db.session.flush()
    return dossier


def _actor(role: str, officers: dict[str, Officer]) -> Actor:
    return Actor.citizen() if role == spec.CITIZEN else Actor.for_officer(officers[role])


def _data(action: str, officers: dict[str, Officer]) -> dict[str, object]:
    """What the back office's form sends with the move."""
    if action == "apologize":
        return {"new_due_date": date(2030, 1, 1)}
    if action == "assign":
        return {"officer_id": officers["specialist"].id}
    if action == "return_result":
        return dict(COLLECTED_BY_RELATIVE)
    if action == "correct_details":
        return {"fixes": {"phone": "0987 654 321"}}
    return {}


@pytest.mark.parametrize("move", spec.MOVES, ids=str)
def test_allowed_move(ctx: dict[str, Officer], move: spec.Move) -> None:
    """Every role the spec names may make the move, and it lands where the spec says."""
    for role in sorted(move.roles):
        dossier = _dossier(move.status, move.when)
        if move.action == "confirm_receipt":  # the electronic result the citizen takes
            issued_result(dossier, ctx["specialist"])
        actor = _actor(role, ctx)
        assert move.action in allowed_actions(dossier, actor, TUESDAY_VN), role
        event = apply(dossier, move.action, actor, note="ghi chú", at=TUESDAY,
                      **_data(move.action, ctx))
        db.session.add(dossier)
        db.session.flush()
        assert dossier.status == move.to.value, role
        assert dossier.events[-1] is event
        assert (event.from_status, event.to_status) == (
            move.status.value if move.status else None, move.to.value)
        assert event.actor_kind == ("citizen" if role == spec.CITIZEN else "officer")
        assert event.note == "ghi chú"


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=str)
def test_refused_move(ctx: dict[str, Officer], status: DossierStatus | None,
                      action: str) -> None:
    dossier = _dossier(status)
    events_before = len(dossier.events)
    for actor in [Actor.citizen(), *(Actor.for_officer(o) for o in ctx.values())]:
        with pytest.raises(IllegalTransition) as caught:
            apply(dossier, action, actor, note="ghi chú", **_data(action, ctx))
        assert not isinstance(caught.value, TransitionForbidden)
        assert caught.value.status_code == 409
        assert "Không thể" in caught.value.message
    assert dossier.status == (status.value if status else None)
    assert len(dossier.events) == events_before


@pytest.mark.parametrize("move", spec.MOVES, ids=str)
def test_nobody_else_may_make_the_move(ctx: dict[str, Officer], move: spec.Move) -> None:
    """Every role the spec does not name, and an officer of another commune, is refused."""
    dossier = _dossier(move.status, move.when)
    wrong = [_actor(role, ctx) for role in spec.ROLES if role not in move.roles]
    if not move.by_citizen:
        wrong.append(Actor.for_officer(ctx["outsider"]))
    for actor in wrong:
        assert move.action not in allowed_actions(dossier, actor, TUESDAY_VN)
        with pytest.raises(TransitionForbidden):
            apply(dossier, move.action, actor, note="ghi chú", at=TUESDAY,
                  **_data(move.action, ctx))
    assert dossier.status == (move.status.value if move.status else None)
    assert dossier.events == []


@pytest.mark.parametrize("status", STATUSES, ids=str)
def test_allowed_actions_are_the_specs_for_every_role(ctx: dict[str, Officer],
                                                     status: DossierStatus | None) -> None:
    """The buttons: exactly the spec's actions for each role, in each status."""
    for role in spec.ROLES:
        for when in ("never_received", "received_before"):
            dossier = _dossier(status, when if status == S.NEEDS_SUPPLEMENT else None)
            got = set(allowed_actions(dossier, _actor(role, ctx), TUESDAY_VN))
            assert got == spec.actions_for(status, role), (status, role)


def test_the_table_is_the_spec_exactly() -> None:
    assert spec.differences(TRANSITIONS) == []


def _with_target(move: workflow.Transition, status: DossierStatus) -> workflow.Transition:
    first, *rest = move.targets
    return dataclasses.replace(move, targets=(dataclasses.replace(first, to=status), *rest))


def _with_one_role_changed(move: workflow.Transition) -> workflow.Transition:
    if move.actor == "citizen":
        return dataclasses.replace(move, actor="officer", roles=frozenset({Role.RECEIVING}))
    roles = set(move.roles)
    # Take one away; a move open to a single role gets one more instead.
    if len(roles) > 1:
        roles.discard(sorted(roles)[0])
    else:
        roles.add(next(r for r in (Role.LEADER, Role.SPECIALIST) if r not in roles))
    return dataclasses.replace(move, roles=frozenset(roles))


@pytest.mark.parametrize("pair", list(TRANSITIONS), ids=str)
def test_probe_any_single_change_to_the_table_is_caught(monkeypatch: pytest.MonkeyPatch,
                                                       pair: tuple) -> None:
    """A wrong role or a wrong target in any row makes the spec check fail (the check
    does not read its expectations from the table it checks)."""
    move = TRANSITIONS[pair]
    for changed in (_with_one_role_changed(move),
                    _with_target(move, next(s for s in DossierStatus
                                            if s != move.targets[0].to))):
        monkeypatch.setitem(TRANSITIONS, pair, changed)
        assert spec.differences(TRANSITIONS), f"{pair}: {changed} went unnoticed"
    monkeypatch.undo()
    assert spec.differences(TRANSITIONS) == []


def test_resubmit_target_is_chosen_by_its_guard(ctx: dict[str, Officer]) -> None:
    move = TRANSITIONS[(S.NEEDS_SUPPLEMENT, "resubmit")]
    assert [t.when.name for t in move.targets if t.when] == ["never_received",
                                                             "received_before"]
    assert move.target_for(_dossier(S.NEEDS_SUPPLEMENT)) == Target(
        S.SUBMITTED, workflow.NEVER_RECEIVED)
    later = move.target_for(_dossier(S.NEEDS_SUPPLEMENT, "received_before"))
    assert later.to == S.IN_PROGRESS and later.restarts_clock


def test_table_covers_the_lifecycle() -> None:
    assert set(STATUS_LABELS) == set(DossierStatus) == set(STATUS_NEXT_STEP)
    reachable = {m.to for m in spec.code_moves(TRANSITIONS)}
    assert reachable == set(DossierStatus)
    # Every open status can be withdrawn, no closed one can.
    for status in DossierStatus:
        open_ = status not in (DossierStatus.REJECTED, DossierStatus.RESULT_READY,
                               DossierStatus.RETURNED, DossierStatus.WITHDRAWN)
        assert ((status, "withdraw") in TRANSITIONS) == open_


def test_receive_stamps_receipt_and_working_day_due_date(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    assert dossier.received_at == TUESDAY
    assert dossier.due_date == date(2026, 3, 13)  # Tue + 3 working days = Friday
    assert dossier.receiving_officer_id == ctx["receiving"].id
    assert dossier.events[-1].data["due_date"] == "2026-03-13"


def test_supplement_during_processing_restarts_the_clock(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    apply(dossier, "assign", Actor.for_officer(ctx["leader"]),
          officer_id=ctx["specialist"].id)
    assert dossier.assigned_officer_id == ctx["specialist"].id
    apply(dossier, "request_supplement", Actor.for_officer(ctx["specialist"]),
          note="Thiếu giấy chứng sinh")
    back = datetime(2026, 3, 17, 2, 0, tzinfo=UTC)  # the next Tuesday
    apply(dossier, "resubmit", Actor.citizen(), at=back)
    assert dossier.status == DossierStatus.IN_PROGRESS.value
    assert dossier.due_date == date(2026, 3, 20)
    assert dossier.events[-1].data["previous_due_date"] == "2026-03-13"


def test_supplement_before_receipt_goes_back_to_the_desk(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "request_supplement", Actor.for_officer(ctx["receiving"]),
          note="Thiếu bản sao căn cước")
    apply(dossier, "resubmit", Actor.citizen())
    assert dossier.status == DossierStatus.SUBMITTED.value
    assert dossier.due_date is None


def test_result_and_return_stamp_times_and_timeliness(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    apply(dossier, "assign", Actor.for_officer(ctx["receiving"]),
          officer_id=ctx["specialist"].id)
    apply(dossier, "submit_for_approval", Actor.for_officer(ctx["specialist"]))
    apply(dossier, "send_back", Actor.for_officer(ctx["leader"]), note="Sửa lại tên")
    apply(dossier, "submit_for_approval", Actor.for_officer(ctx["specialist"]))
    finished = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    apply(dossier, "approve", Actor.for_officer(ctx["leader"]), at=finished)
    assert dossier.finished_at == finished
    assert dossier.events[-1].data["timeliness"] == "early"
    apply(dossier, "return_result", Actor.for_officer(ctx["receiving"]), at=finished,
          handover="online")
    assert dossier.returned_at == finished
    assert dossier.status == DossierStatus.RETURNED.value
    assert [e.action for e in dossier.events] == [
        "receive", "assign", "submit_for_approval", "send_back", "submit_for_approval",
        "approve", "return_result"]


def test_apology_needs_a_later_date(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    officer = Actor.for_officer(ctx["specialist"])
    with pytest.raises(MoveInputInvalid) as caught:
        apply(dossier, "apologize", officer, new_due_date=date(2026, 3, 13), note="Xin lỗi",
              at=TUESDAY)
    assert caught.value.errors == {"new_due_date": "Ngày hẹn mới phải sau ngày hẹn cũ "
                                                   "(13/03/2026)."}
    apply(dossier, "apologize", officer, new_due_date=date(2026, 3, 18), note="Xin lỗi",
          at=TUESDAY)
    assert dossier.due_date == date(2026, 3, 18)
    assert dossier.status == DossierStatus.RECEIVED.value


def test_apology_is_refused_on_the_due_date_itself(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    due = dossier.due_date
    on_due_day = datetime.combine(due, time(9, 0), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with pytest.raises(DomainError, match="chậm nhất một ngày"):
        apply(dossier, "apologize", Actor.for_officer(ctx["specialist"]),
              new_due_date=due + timedelta(days=7), note="Xin lỗi", at=on_due_day)
    assert dossier.due_date == due


@pytest.mark.committed  # a second connection commits in between
def test_two_officers_deciding_at_once_do_not_both_win(app: Flask,
                                                       ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    db.session.commit()
    assert dossier.status == "submitted"  # this officer's page has loaded the dossier
    with Session(db.engine) as other:
        same = other.get(Dossier, dossier.id)
        officer = other.get(Officer, ctx["receiving"].id)
        apply(same, "reject", Actor.for_officer(officer), note="Không thuộc thẩm quyền")
        other.commit()
    # The stale write is refused when it reaches the database (here: the autoflush before
    # reading the calendar, or the flush at the latest).
    with pytest.raises(StaleDataError):
        apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
        db.session.flush()


def test_the_workflow_imports_no_feature_module() -> None:
    """Payments, statistics and the push outbox take part through the registries only."""
    import ast
    from pathlib import Path

    source = Path(workflow.__file__).read_text(encoding="utf-8")
    imported = {node.module for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.ImportFrom) and node.module}
    features = {"app.payments", "app.feedback", "app.notifications", "app.backoffice"}
    assert not {m for m in imported if ".".join(m.split(".")[:2]) in features}, imported


def test_create_app_wires_the_fee_precondition_and_the_listeners(app: Flask) -> None:
    from app.feedback import rollup
    from app.notifications import outbox
    from app.payments import hooks
    from app.results import hooks as results

    hooked = workflow.registry(app)
    assert hooked.preconditions == [hooks.before_move, results.before_move]
    assert hooked.listeners == [rollup.record_move, hooks.after_move, outbox.enqueue_for_move]


@pytest.mark.parametrize("move", [m for m in spec.MOVES if m.needs], ids=str)
def test_a_move_refuses_to_go_without_the_input_the_spec_names(ctx: dict[str, Officer],
                                                              move: spec.Move) -> None:
    dossier = _dossier(move.status, move.when)
    actor = Actor.for_officer(ctx[sorted(move.roles)[0]])
    assert set(workflow.input_errors(dossier, move.action, note="ghi chú")) == move.needs
    if move.needs_at_counter:
        at_counter = workflow.input_errors(dossier, move.action, note="ghi chú",
                                           handover="counter")
        assert set(at_counter) == move.needs_at_counter
    with pytest.raises(MoveInputInvalid):
        apply(dossier, move.action, actor, note="ghi chú")
    assert dossier.status == move.status.value and len(dossier.events) == 0


def test_a_precondition_refuses_before_anything_changes(app: Flask, ctx: dict[str, Officer],
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    heard: list[str] = []

    def owed(dossier: Dossier, action: str) -> None:
        if action == "return_result":
            raise DomainError("còn nợ phí", code="fee_unpaid")

    monkeypatch.setattr(workflow.registry(app), "preconditions", [owed])
    monkeypatch.setattr(workflow.registry(app), "listeners",
                        [lambda d, e: heard.append(e.action)])
    dossier = _dossier(S.RESULT_READY)
    with pytest.raises(DomainError, match="còn nợ phí"):
        apply(dossier, "return_result", Actor.for_officer(ctx["receiving"]), handover="post")
    assert dossier.status == "result_ready" and dossier.returned_at is None and heard == []
    other = _dossier(S.SUBMITTED)
    apply(other, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    assert heard == ["receive"]


@pytest.mark.parametrize("role", ["receiving", "leader", "commune_admin", "outsider"])
def test_only_an_active_specialist_of_the_commune_can_be_assigned(ctx: dict[str, Officer],
                                                                  role: str) -> None:
    dossier = _dossier(S.RECEIVED)
    with pytest.raises(MoveInputInvalid) as caught:
        apply(dossier, "assign", Actor.for_officer(ctx["leader"]), officer_id=ctx[role].id)
    assert caught.value.errors == {"officer_id": "Vui lòng chọn cán bộ chuyên môn của cơ "
                                                 "quan."}
    ctx["specialist"].active = False
    with pytest.raises(MoveInputInvalid):
        apply(dossier, "assign", Actor.for_officer(ctx["leader"]),
              officer_id=ctx["specialist"].id)
    assert dossier.status == "received" and dossier.assigned_officer_id is None


@pytest.mark.parametrize("move", [m for m in spec.MOVES if m.reason], ids=str)
def test_moves_the_law_wants_a_reason_for_refuse_an_empty_note(ctx: dict[str, Officer],
                                                               move: spec.Move) -> None:
    dossier = _dossier(move.status, move.when)
    actor = _actor(sorted(move.roles)[0], ctx)
    with pytest.raises(MoveInputInvalid) as caught:
        apply(dossier, move.action, actor, note="  ", at=TUESDAY, **_data(move.action, ctx))
    assert set(caught.value.errors) == {"note"}
    assert dossier.status == move.status.value and dossier.events == []


def test_events_cannot_be_changed_or_deleted_through_the_orm(ctx: dict[str, Officer]) -> None:
    from app.dossiers.models import EventIsAppendOnly

    dossier = _dossier(S.SUBMITTED)
    event = apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    db.session.flush()
    with pytest.raises(EventIsAppendOnly), db.session.begin_nested():
        event.note = "sửa lại"
        db.session.flush()
    with pytest.raises(EventIsAppendOnly), db.session.begin_nested():
        db.session.delete(event)
        db.session.flush()
    # Appending more events to the dossier is what the log is for.
    apply(dossier, "assign", Actor.for_officer(ctx["leader"]), officer_id=ctx["specialist"].id)
    db.session.flush()
    assert [e.action for e in dossier.events] == ["receive", "assign"]


@pytest.mark.parametrize(("status", "stamps"), [
    (S.RECEIVED, {}),
    (S.IN_PROGRESS, {"received_at": TUESDAY}),
    (S.SUBMITTED, {"received_at": TUESDAY}),
    (S.REJECTED, {"received_at": TUESDAY}),
    (S.RESULT_READY, {"received_at": TUESDAY, "due_date": date(2026, 3, 13)}),
    (S.RETURNED, {"received_at": TUESDAY, "due_date": date(2026, 3, 13),
                  "finished_at": TUESDAY}),
    (S.IN_PROGRESS, {"received_at": TUESDAY, "due_date": date(2026, 3, 13),
                     "finished_at": TUESDAY}),
    (S.WITHDRAWN, {"returned_at": TUESDAY}),
], ids=str)
def test_the_database_refuses_a_status_without_its_stamps(ctx: dict[str, Officer],
                                                          status: DossierStatus,
                                                          stamps: dict[str, object]) -> None:
    from sqlalchemy.exc import IntegrityError

    commune = db.session.scalar(select(Agency).where(Agency.slug == "xa-a"))
    dossier = Dossier(code=f"X-{next(_SERIAL)}", procedure=db.session.scalar(select(Procedure)),
                      agency=commune, applicant_name="A", applicant_name_folded="a",
                      citizen_id_number="001090123456", phone="0912345678",
                      tracking_secret_hash="0" * 64, status=status.value, **stamps)
    db.session.add(dossier)
    with pytest.raises(IntegrityError, match="ck_dossiers_"):
        db.session.flush()
    db.session.rollback()


def test_the_migration_copies_the_models_checks() -> None:
    import importlib.util
    from pathlib import Path

    from app.dossiers.models import STATUS_STAMP_CHECKS

    path = Path(__file__).parents[3] / "migrations/versions/0002_dossier_status_stamps.py"
    loaded = importlib.util.spec_from_file_location("rev0002", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    assert module.CHECKS == STATUS_STAMP_CHECKS
