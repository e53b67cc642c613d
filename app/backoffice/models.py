"""The back-office audit log: who saw or changed which dossier, and when. Append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, utcnow


class AuditEntry(Base):
    """One officer touching one dossier's personal data (a page view, a file, an action), or
    an administrator changing an officer or the commune's bank account,
    or changing a commune's settings (one row per field changed).

    Rows are only ever inserted; the ORM refuses updates and deletes (see below), and the
    export reads them by agency and time.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_agency_at", "agency_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # view_dossier | view_file | action:<workflow action> | view_slip:<kind> | export_audit
    # | officer:<change> and bank_account:<step> (app/admin/audit.py)
    # | settings:<field> (a commune's settings page)
    what: Mapped[str] = mapped_column(String(60))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_files.id"))
    ip: Mapped[str] = mapped_column(String(45), default="")
    # Administration: the officer whose account changed, and what changed
    # ({"before": {...}, "after": {...}, ...}); never a password or a token.
    subject_officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AppendOnlyError(RuntimeError):
    """Someone tried to rewrite history."""


def _refuse(_mapper: Any, _conn: Any, target: AuditEntry) -> None:
    raise AppendOnlyError(f"audit entry {target.id} is append-only")


event.listen(AuditEntry, "before_update", _refuse)
event.listen(AuditEntry, "before_delete", _refuse)
