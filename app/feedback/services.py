"""Every write of the feedback feature: ratings, kiosk taps, feedback and answers, counters.

Flush only; the view commits once. Each rating also moves the public figures through
feedback/rollup.py, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import Officer
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.vntime import vietnam_day
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.uploads import CleanUpload
from app.extensions import db
from app.feedback import policies, rollup
from app.feedback.models import Counter, Feedback, KioskRating, Rating, RatingOfficer, Score
from app.places.models import Agency
from app.procedures.models import Procedure

MAX_COMMENT = 2000
MAX_FEEDBACK = 4000
# A tablet's clock may be wrong: a tap dated in the future or long ago is dated on arrival.
KIOSK_CLOCK_SLACK = timedelta(minutes=10)
KIOSK_MAX_QUEUE_AGE = timedelta(days=30)

SCORE_LABELS = {Score.SATISFIED: _l("Hài lòng"), Score.NEUTRAL: _l("Bình thường"),
                Score.NOT_SATISFIED: _l("Không hài lòng")}

# The SIPAS-style questions (DOMAIN.md "Quality indices"): name -> (question, answers).
CRITERIA: dict[str, tuple[Any, dict[str, Any]]] = {
    "trips": (_l("Bạn đã phải đến bộ phận một cửa bao nhiêu lần cho hồ sơ này?"),
              {"0": _l("Không lần nào (làm trực tuyến)"), "1": _l("1 lần"), "2": _l("2 lần"),
               "3": _l("3 lần trở lên")}),
    "on_time": (_l("Kết quả có được trả đúng hẹn không?"),
                {"yes": _l("Đúng hoặc sớm hơn hẹn"), "no": _l("Trễ hẹn"),
                 "na": _l("Không có kết quả (hồ sơ bị từ chối hoặc đã rút)")}),
    "harassment": (_l("Cán bộ có gây phiền hà, sách nhiễu hoặc đòi thêm tiền không?"),
                   {"no": _l("Không"), "yes": _l("Có")}),
    "informed_delay": (_l("Nếu bị trễ hẹn, bạn có được thông báo và xin lỗi không?"),
                       {"yes": _l("Có"), "no": _l("Không"), "na": _l("Không bị trễ hẹn")}),
}


def clean_criteria(raw: dict[str, str]) -> dict[str, str]:
    """Known questions with known answers; anything else is dropped, unanswered is fine."""
    return {name: raw[name] for name, (_q, answers) in CRITERIA.items()
            if raw.get(name) in answers}


def _field_of(dossier: Dossier) -> str:
    return dossier.procedure.field


def handling_officers(dossier: Dossier) -> list[int]:
    """Everyone who made a move on the dossier, in order of their first move."""
    ids = db.session.scalars(
        select(DossierEvent.officer_id).where(DossierEvent.dossier_id == dossier.id,
                                              DossierEvent.officer_id.is_not(None))
        .order_by(DossierEvent.id))
    return list(dict.fromkeys(i for i in ids if i is not None))


def rate_dossier(dossier: Dossier, score: str, criteria: dict[str, str], comment: str,
                 now: datetime | None = None) -> Rating:
    """Give or change the dossier's one rating. The caller checked the citizen's access."""
    if score not in Score.__members__.values():
        raise DomainError(_("Vui lòng chọn mức độ hài lòng."), code="score")
    if not policies.is_rateable(dossier):
        raise DomainError(_("Hồ sơ chưa kết thúc nên chưa thể đánh giá."), code="not_rateable")
    comment = comment.strip()[:MAX_COMMENT]
    rating = db.session.scalar(select(Rating).where(Rating.dossier_id == dossier.id))
    session = db.session()
    if rating is not None:
        if not policies.rating_editable(rating, now):
            raise DomainError(_("Đã quá 7 ngày nên không thể sửa đánh giá này."),
                              code="rating_closed")
        if rating.score != score:
            rollup.record_score(session, dossier.agency_id, _field_of(dossier),
                                vietnam_day(rating.created_at), rating.score, score)
        rating.score, rating.criteria, rating.comment = score, criteria, comment
        rating.updated_at = now or utcnow()
        db.session.flush()
        return rating
    created = now or utcnow()
    rating = Rating(dossier_id=dossier.id, agency_id=dossier.agency_id, score=score,
                    criteria=criteria, comment=comment, created_at=created, updated_at=created)
    rating.officers = [RatingOfficer(officer_id=i) for i in handling_officers(dossier)]
    db.session.add(rating)
    rollup.record_score(session, dossier.agency_id, _field_of(dossier),
                        vietnam_day(created), None, score)
    db.session.flush()
    return rating


# --- the counter kiosk -------------------------------------------------------------------

def record_kiosk_rating(counter: Counter, uuid: str, score: str, officer_id: int | None,
                        rated_at: datetime | None, now: datetime | None = None) -> bool:
    """Store one tap, once: the same uuid sent again (a retry after a lost answer, a queue
    flushed twice) is ignored. Returns True when this call stored it."""
    if score not in Score.__members__.values():
        raise DomainError(_("Mức đánh giá không hợp lệ."), code="score")
    now = now or utcnow()
    if rated_at is None or not (now - KIOSK_MAX_QUEUE_AGE <= rated_at <= now + KIOSK_CLOCK_SLACK):
        rated_at = now
    if officer_id is not None:
        officer = db.session.get(Officer, officer_id)
        if officer is None or officer.agency_id != counter.agency_id:
            officer_id = counter.officer_id
    session = db.session()
    table = cast(Table, KioskRating.__table__)
    make_insert = pg_insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite_insert
    # ON CONFLICT DO NOTHING: two copies arriving at once cannot both be stored, and the
    # loser's transaction is not broken by an integrity error.
    result = cast(CursorResult[Any], session.execute(
        make_insert(table).values(uuid=uuid, counter_id=counter.id, agency_id=counter.agency_id,
                                  officer_id=officer_id, score=score, rated_at=rated_at,
                                  received_at=now)
        .on_conflict_do_nothing(index_elements=["uuid"])))
    stored = bool(result.rowcount)
    if stored:
        rollup.record_score(session, counter.agency_id, "", vietnam_day(rated_at),
                            None, score)
    return stored


def create_counter(agency_id: int, name: str) -> Counter:
    name = name.strip()
    if not name:
        raise DomainError(_("Vui lòng nhập tên quầy."), code="name")
    counter = Counter(agency_id=agency_id, name=name[:120])
    db.session.add(counter)
    db.session.flush()
    return counter


def set_on_duty(counter: Counter, officer: Officer | None, photo: CleanUpload | None) -> None:
    """Who sits at the counter now, and their photo for the tablet."""
    if officer is not None and officer.agency_id != counter.agency_id:
        raise DomainError(_("Cán bộ không thuộc xã này."), code="officer")
    if counter.officer_id != (officer.id if officer else None):
        counter.photo_key = None  # the previous officer's photo must not stay on screen
    counter.officer_id = officer.id if officer else None
    if photo is not None:
        counter.photo_key = get_file_store().put_file(photo.path, photo.ext)
    db.session.flush()


def lock_out_tablets(counter: Counter) -> None:
    counter.kiosk_version += 1
    db.session.flush()


# --- feedback ----------------------------------------------------------------------------

def submit_feedback(agency: Agency, about: str, message: str, *, procedure: Procedure | None,
                    officer: Officer | None, sender_name: str, sender_phone: str,
                    photo: CleanUpload | None) -> Feedback:
    feedback = Feedback(agency_id=agency.id, about=about, message=message[:MAX_FEEDBACK],
                        procedure_id=procedure.id if procedure else None,
                        officer_id=officer.id if officer else None,
                        sender_name=sender_name[:200], sender_phone=sender_phone)
    if photo is not None:
        feedback.photo_key = get_file_store().put_file(photo.path, photo.ext)
        feedback.photo_type = photo.content_type
    db.session.add(feedback)
    db.session.flush()
    return feedback


def answer_feedback(feedback: Feedback, officer: Officer, answer: str, public: bool,
                    now: datetime | None = None) -> None:
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Vui lòng nhập câu trả lời."), code="answer")
    feedback.answer = answer[:MAX_FEEDBACK]
    feedback.answered_by_id = officer.id
    feedback.answered_at = now or utcnow()
    feedback.public = public
    db.session.flush()
