"""Reads of the feedback feature: a dossier's rating, feedback lists, counters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Officer
from app.extensions import db
from app.feedback.models import Counter, Feedback, Rating
from app.places.models import Agency
from app.places.queries import select_communes
from app.procedures.models import Procedure

PUBLIC_ANSWERS_SHOWN = 5


def rating_of(dossier_id: int) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.dossier_id == dossier_id))


# `session`: where to read (app/core/replica.py's public_session for public figures); the
# primary's db.session when not given.

def agency_by_slug(slug: str, session: Session | None = None) -> Agency | None:
    return (session or db.session).scalar(
        select(Agency).where(Agency.slug == slug.strip().lower()))


def provinces(session: Session | None = None) -> list[Agency]:
    return list((session or db.session).scalars(select(Agency).where(Agency.is_province)
                                                .order_by(Agency.name)))


def communes(session: Session | None = None) -> list[Agency]:
    return list((session or db.session).scalars(select_communes().order_by(Agency.name)))


def public_answers(agency_id: int, limit: int = PUBLIC_ANSWERS_SHOWN) -> list[Feedback]:
    return list(db.session.scalars(
        select(Feedback).where(Feedback.agency_id == agency_id, Feedback.public.is_(True),
                               Feedback.answered_at.is_not(None))
        .order_by(Feedback.answered_at.desc()).limit(limit)))


def feedback_of(agency_id: int) -> list[Feedback]:
    """Unanswered first, then the newest."""
    return list(db.session.scalars(
        select(Feedback).where(Feedback.agency_id == agency_id)
        .order_by(Feedback.answered_at.is_not(None), Feedback.created_at.desc()).limit(200)))


def feedback_by_id(feedback_id: int) -> Feedback | None:
    return db.session.get(Feedback, feedback_id)


def counters_of(agency_id: int) -> list[Counter]:
    return list(db.session.scalars(select(Counter).where(Counter.agency_id == agency_id)
                                   .order_by(Counter.name)))


def counter_by_id(counter_id: int) -> Counter | None:
    return db.session.get(Counter, counter_id)


def officers_of(agency_id: int) -> list[Officer]:
    return list(db.session.scalars(
        select(Officer).where(Officer.agency_id == agency_id, Officer.active.is_(True))
        .order_by(Officer.full_name)))


def procedures_of(agency: Agency) -> list[Procedure]:
    return sorted(agency.procedures, key=lambda p: p.name)
