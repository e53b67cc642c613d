"""A result document: one issued PDF of a dossier, numbered `<dossier code>-KQ<n>`.

Decree 45/2020 art. 14 gives an electronic result the value of the paper one; like paper it
never changes once issued. A mistake is corrected by issuing a new number that revokes the
old one with a reason, so the row may change only once, from "valid" to "revoked".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, enum_check, utcnow
from app.results.verification import SignatureStatus

if TYPE_CHECKING:
    from app.accounts.models import Officer
    from app.dossiers.models import Dossier, DossierFile

# Revocation is one act: its time and reason come together; a replacement implies it.
REVOKED_CHECK = ("(revoked_at IS NULL AND revocation_reason IS NULL "
                 "AND replaced_by_id IS NULL) "
                 "OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)")
# The only columns a revocation writes; everything else is fixed at issue.
REVOCATION_COLUMNS = frozenset({"revoked_at", "revocation_reason", "replaced_by_id"})


class ResultDocument(Base):
    __tablename__ = "result_documents"
    __table_args__ = (
        UniqueConstraint("dossier_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(REVOKED_CHECK, name="revocation_complete"),
        CheckConstraint(enum_check("signature_status", SignatureStatus),
                        name="signature_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(70), unique=True)
    # What the QR and the verification page name: random, so results cannot be listed.
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    # The stored PDF (key, size, sha256 of the bytes as issued live on the file's row).
    file_id: Mapped[int] = mapped_column(ForeignKey("dossier_files.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("result_documents.id"))
    # What the file's own signature said when it was issued (app/results/verification.py);
    # the verification page checks the stored file again.
    signature_status: Mapped[str] = mapped_column(String(16))
    signer_name: Mapped[str] = mapped_column(String(300), default="")

    dossier: Mapped[Dossier] = relationship()
    file: Mapped[DossierFile] = relationship()
    issued_by: Mapped[Officer] = relationship()
    replaced_by: Mapped[ResultDocument | None] = relationship(remote_side=[id])

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def sha256(self) -> str:
        return self.file.sha256


class ResultIsImmutable(Exception):
    """Something tried to change an issued result other than by revoking it once."""


@event.listens_for(ResultDocument, "before_update")
def _refuse_change(_mapper: Any, _connection: Any, target: ResultDocument) -> None:
    state = inspect(target)
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        if attr.key not in REVOCATION_COLUMNS or before is not None:
            raise ResultIsImmutable(f"result {target.code} cannot change {attr.key}")


@event.listens_for(ResultDocument, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: ResultDocument) -> None:
    raise ResultIsImmutable(f"result {target.code} cannot be deleted")
