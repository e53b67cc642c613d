"""The state machine: every (status, action) pair allowed or refused, who may move, and
what each move stamps on the dossier."""

from __future__ import annotations

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
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.workflow import (
    ACTIONS,
    STATUS_LABELS,
    STATUS_NEXT_STEP,
    TRANSITIONS,
    Actor,
    IllegalTransition,
    TransitionForbidden,
    allowed_actions,
    apply,
)
from app.extensions import db
from app.places.models import Agency
from app.procedures.models import Procedure

STATUSES: list[DossierStatus | None] = [None, *DossierStatus]
ALLOWED = sorted(TRANSITIONS, key=str)
REFUSED = sorted((pair for pair in itertools.product(STATUSES, ACTIONS)
                  if pair not in TRANSITIONS), key=str)
_SERIAL = itertools.count(1)
# A Tuesday 09:00 in Vietnam, far from any holiday.
TUESDAY = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


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


def _dossier(status: DossierStatus | None = None, **fields: object) -> Dossier:
    commune = db.session.scalar(select(Agency).where(Agency.slug == "xa-a"))
    procedure = db.session.scalar(select(Procedure))
    dossier = Dossier(code=f"X-{next(_SERIAL)}", procedure=procedure, agency=commune,
                      applicant_name="A", applicant_name_folded="a",
                      citizen_id_number="001090123456", phone="0912345678",
                      tracking_secret_hash="0" * 64, **fields)
    if status is not None:
        dossier.status = status.value
        db.session.add(dossier)
        db.session.flush()
    return dossier


def _actor_for(status: DossierStatus | None, action: str, officers: dict[str, Officer]
               ) -> Actor:
    move = TRANSITIONS[(status, action)]
    if move.actor == "citizen":
        return Actor.citizen()
    role = sorted(move.roles)[0]
    return Actor.for_officer(officers[role])


def _data(action: str) -> dict[str, object]:
    return {"new_due_date": date(2030, 1, 1)} if action == "apologize" else {}


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=str)
def test_allowed_move(ctx: dict[str, Officer], status: DossierStatus | None,
                      action: str) -> None:
    dossier = _dossier(status, due_date=date(2026, 3, 13) if status else None)
    actor = _actor_for(status, action, ctx)
    assert action in allowed_actions(dossier, actor)
    event = apply(dossier, action, actor, note="ghi chú", at=TUESDAY, **_data(action))
    db.session.add(dossier)
    db.session.flush()
    move = TRANSITIONS[(status, action)]
    expected = move.to
    if action == "resubmit" and dossier.received_at is not None:
        expected = DossierStatus.IN_PROGRESS
    assert dossier.status == expected.value
    assert dossier.events[-1] is event
    assert (event.from_status, event.to_status) == (status.value if status else None,
                                                    expected.value)
    assert event.actor_kind == move.actor
    assert event.note == "ghi chú"


@pytest.mark.parametrize(("status", "action"), REFUSED, ids=str)
def test_refused_move(ctx: dict[str, Officer], status: DossierStatus | None,
                      action: str) -> None:
    dossier = _dossier(status)
    events_before = len(dossier.events)
    for actor in [Actor.citizen(), *(Actor.for_officer(o) for o in ctx.values())]:
        with pytest.raises(IllegalTransition) as caught:
            apply(dossier, action, actor, **_data(action))
        assert not isinstance(caught.value, TransitionForbidden)
        assert caught.value.status_code == 409
        assert "Không thể" in caught.value.message
    assert dossier.status == (status.value if status else None)
    assert len(dossier.events) == events_before


@pytest.mark.parametrize(("status", "action"),
                         [p for p in ALLOWED if TRANSITIONS[p].actor == "officer"], ids=str)
def test_officer_moves_need_the_role_and_the_agency(ctx: dict[str, Officer],
                                                    status: DossierStatus, action: str) -> None:
    move = TRANSITIONS[(status, action)]
    dossier = _dossier(status)
    wrong = [Actor.for_officer(o) for key, o in ctx.items()
             if key == "outsider" or o.role not in move.roles]
    wrong.append(Actor.citizen())
    for actor in wrong:
        with pytest.raises(TransitionForbidden):
            apply(dossier, action, actor, **_data(action))
    assert dossier.status == status.value and dossier.events == []


@pytest.mark.parametrize(("status", "action"),
                         [p for p in ALLOWED if TRANSITIONS[p].actor == "citizen"], ids=str)
def test_citizen_moves_are_the_citizens_alone(ctx: dict[str, Officer],
                                              status: DossierStatus | None,
                                              action: str) -> None:
    for officer in ctx.values():
        with pytest.raises(TransitionForbidden):
            apply(_dossier(status), action, Actor.for_officer(officer))


def test_table_covers_the_lifecycle() -> None:
    assert set(STATUS_LABELS) == set(DossierStatus) == set(STATUS_NEXT_STEP)
    reachable = {move.to for move in TRANSITIONS.values()}
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
    apply(dossier, "request_supplement", Actor.for_officer(ctx["receiving"]))
    apply(dossier, "resubmit", Actor.citizen())
    assert dossier.status == DossierStatus.SUBMITTED.value
    assert dossier.due_date is None


def test_result_and_return_stamp_times_and_timeliness(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    apply(dossier, "assign", Actor.for_officer(ctx["receiving"]))
    apply(dossier, "submit_for_approval", Actor.for_officer(ctx["specialist"]))
    apply(dossier, "send_back", Actor.for_officer(ctx["leader"]), note="Sửa lại tên")
    apply(dossier, "submit_for_approval", Actor.for_officer(ctx["specialist"]))
    finished = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    apply(dossier, "approve", Actor.for_officer(ctx["leader"]), at=finished)
    assert dossier.finished_at == finished
    assert dossier.events[-1].data["timeliness"] == "early"
    apply(dossier, "return_result", Actor.for_officer(ctx["receiving"]), at=finished)
    assert dossier.returned_at == finished
    assert dossier.status == DossierStatus.RETURNED.value
    assert [e.action for e in dossier.events] == [
        "receive", "assign", "submit_for_approval", "send_back", "submit_for_approval",
        "approve", "return_result"]


def test_apology_needs_a_later_date(ctx: dict[str, Officer]) -> None:
    dossier = _dossier(DossierStatus.SUBMITTED)
    apply(dossier, "receive", Actor.for_officer(ctx["receiving"]), at=TUESDAY)
    officer = Actor.for_officer(ctx["specialist"])
    with pytest.raises(DomainError):
        apply(dossier, "apologize", officer, new_due_date=date(2026, 3, 13), at=TUESDAY)
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
              new_due_date=due + timedelta(days=7), at=on_due_day)
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
