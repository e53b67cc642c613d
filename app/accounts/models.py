"""Officers of an agency; each has one role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin

if TYPE_CHECKING:
    from app.places.models import Agency


class Role(enum.StrEnum):
    RECEIVING = "receiving"  # cán bộ tiếp nhận (one-stop desk)
    SPECIALIST = "specialist"  # công chức chuyên môn
    LEADER = "leader"  # lãnh đạo (signs)
    COMMUNE_ADMIN = "commune_admin"
    SYSTEM_ADMIN = "system_admin"


class Officer(UserMixin, TimestampMixin, Base):
    __tablename__ = "officers"
    __table_args__ = (
        CheckConstraint(
            "role IN ('receiving','specialist','leader','commune_admin','system_admin')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Failed sign-ins are counted in app/accounts/throttle.py, not here.
    # The last TOTP time step accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None]
    # Set when an admin resets the second factor: the officer enrols again at next sign-in,
    # whatever the role.
    totp_required: Mapped[bool] = mapped_column(default=False)
    # Set at each sign-in (app/accounts/officer_sessions.py), for the admins' officer list.
    last_sign_in_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship()

    def get_id(self) -> str:
        # Which session is live is kept on the server (app/accounts/officer_sessions.py).
        return f"officer:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.COMMUNE_ADMIN, Role.SYSTEM_ADMIN)

    @property
    def must_use_totp(self) -> bool:
        """Admins always need the second factor; others once they have enrolled, or once an
        admin reset it."""
        return self.is_admin or self.totp_required or bool(self.totp_secret)
