"""Ratings of dossiers and at the counter, counters, feedback, and the statistics rollup."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin, enum_check, utcnow

if TYPE_CHECKING:
    from app.accounts.models import Officer
    from app.dossiers.models import Dossier
    from app.places.models import Agency
    from app.procedures.models import Procedure


class Score(enum.StrEnum):
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    NOT_SATISFIED = "not_satisfied"


class FeedbackAbout(enum.StrEnum):
    PROCEDURE = "procedure"
    OFFICER = "officer"
    HALL = "hall"
    OTHER = "other"


class Rating(TimestampMixin, Base):
    """The citizen's rating of one dossier (one per dossier), editable for 7 days.

    `criteria` holds the SIPAS-style answers (see feedback/services.CRITERIA): trips to the
    desk, result on time, harassment or a request for extra money, told about a delay.
    """

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint(enum_check("score", Score), name="score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            unique=True)
    # Copied from the dossier so the officers' reports filter without joining dossiers.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    score: Mapped[str] = mapped_column(String(16))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship()
    officers: Mapped[list[RatingOfficer]] = relationship(
        back_populates="rating", cascade="all, delete-orphan")


class RatingOfficer(Base):
    """An officer who handled the rated dossier (from its events): the rating counts for them."""

    __tablename__ = "rating_officers"

    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"),
                                           primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True,
                                            index=True)

    rating: Mapped[Rating] = relationship(back_populates="officers")
    officer: Mapped[Officer] = relationship()


class Counter(TimestampMixin, Base):
    """A desk of the one-stop section, with the officer on duty and their photo."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    photo_key: Mapped[str | None] = mapped_column(String(80))
    # Bumped to lock out every tablet opened before (a lost tablet, a moved counter).
    kiosk_version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship()
    officer: Mapped[Officer | None] = relationship()


class KioskRating(Base):
    """One tap at a counter tablet. No personal data: who was on duty, the score, when.

    `uuid` is made by the tablet: a rating queued offline and sent twice is stored once.
    """

    __tablename__ = "kiosk_ratings"
    __table_args__ = (
        CheckConstraint(enum_check("score", Score), name="score"),
        Index("ix_kiosk_ratings_agency_rated", "agency_id", "rated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    score: Mapped[str] = mapped_column(String(16))
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(TimestampMixin, Base):
    """Phản ánh, kiến nghị: a suggestion or complaint, named or anonymous, and the answer."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(enum_check("about", FeedbackAbout), name="about"),
        Index("ix_feedback_agency_public", "agency_id", "public"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    about: Mapped[str] = mapped_column(String(12))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    message: Mapped[str] = mapped_column(Text)
    # Empty for an anonymous sender.
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    sender_phone: Mapped[str] = mapped_column(String(10), default="")
    photo_key: Mapped[str | None] = mapped_column(String(80))
    photo_type: Mapped[str | None] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    answered_at: Mapped[datetime | None]
    # Chosen by the commune: the question (without the sender) and answer go on its page.
    public: Mapped[bool] = mapped_column(default=False)

    agency: Mapped[Agency] = relationship()
    procedure: Mapped[Procedure | None] = relationship()
    officer: Mapped[Officer | None] = relationship(foreign_keys=[officer_id])
    answered_by: Mapped[Officer | None] = relationship(foreign_keys=[answered_by_id])


class StatsDaily(Base):
    """Counts per agency, Vietnamese calendar day and procedure field: the public figures
    read these few rows instead of a million dossiers. Kept by feedback/rollup.py in the
    same transaction as each workflow move and rating; `flask stats rebuild` recomputes it.
    """

    __tablename__ = "stats_daily"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"),
                                           primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    field: Mapped[str] = mapped_column(String(100), primary_key=True)
    month: Mapped[date] = mapped_column(index=True)  # the first of the day's month
    received: Mapped[int] = mapped_column(default=0)
    received_online: Mapped[int] = mapped_column(default=0)
    finished_early: Mapped[int] = mapped_column(default=0)
    finished_on_time: Mapped[int] = mapped_column(default=0)
    finished_late: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    rated_satisfied: Mapped[int] = mapped_column(default=0)
    rated_neutral: Mapped[int] = mapped_column(default=0)
    rated_not_satisfied: Mapped[int] = mapped_column(default=0)


COUNTS = ("received", "received_online", "finished_early", "finished_on_time",
          "finished_late", "returned", "rejected", "withdrawn", "rated_satisfied",
          "rated_neutral", "rated_not_satisfied")
