"""Procedures and the documents each one asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin

if TYPE_CHECKING:
    from app.places.models import Agency

ONLINE_LEVELS = ("full", "partial", "none")
# "Toàn trình" and "một phần" both take the dossier online (a partial one returns the result
# or takes the fee at the desk); only "none" is filed at the counter.
ONLINE_FILING_LEVELS = frozenset({"full", "partial"})


def files_online(online_level: str) -> bool:
    """Whether a procedure at this online level can be filed online: the one rule behind
    the "Nộp trực tuyến" label of every list, the apply button and form, and the API."""
    return online_level in ONLINE_FILING_LEVELS


class Procedure(TimestampMixin, Base):
    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint("online_level IN ('full','partial','none')", name="online_level"),
        CheckConstraint("time_limit_days >= 0", name="time_limit_days"),
        CheckConstraint("time_limit_unit IN ('working_days','calendar_days')",
                        name="time_limit_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(100), index=True)
    online_level: Mapped[str] = mapped_column(String(10), default="partial")
    # Working days; 0 = same day (received after 15:00 → next working day).
    time_limit_days: Mapped[int] = mapped_column(default=0)
    # A few limits are set in calendar days by law (land dispute mediation: 30 days).
    time_limit_unit: Mapped[str] = mapped_column(String(14), default="working_days")
    time_limit_text: Mapped[str] = mapped_column(Text, default="")
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    form_fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[str] = mapped_column(Text, default="")
    popularity: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    # Folded copies for accent-insensitive search (see procedures/search.py): the name
    # (+ English name), the keywords, and the rest (documents, field, result), ranked so.
    search_name: Mapped[str] = mapped_column(Text, default="")
    search_keywords: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")

    documents: Mapped[list[ProcedureDocument]] = relationship(
        back_populates="procedure",
        order_by="ProcedureDocument.position",
        cascade="all, delete-orphan",
    )
    agencies: Mapped[list[Agency]] = relationship(
        secondary="agency_procedures", back_populates="procedures"
    )

    @property
    def is_free(self) -> bool:
        return all(item.get("kind") == "free" for item in self.fees)

    @property
    def accepts_online(self) -> bool:
        return files_online(self.online_level)

    @property
    def has_online_declaration(self) -> bool:
        return any(doc.filled_online for doc in self.documents)


class ProvinceFeeRate(TimestampMixin, Base):
    """What the province's People's Council resolution set for one `set_by_province` fee
    item of a procedure, as a commune recorded it (its settings page). The fee item is
    named by its label: a catalogue that renames the item drops back to the general
    wording rather than showing an amount under the wrong line."""

    __tablename__ = "province_fee_rates"
    __table_args__ = (
        UniqueConstraint("agency_id", "procedure_id", "fee_label"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    fee_label: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int]  # đồng
    per: Mapped[str] = mapped_column(String(20), default="")  # fees.PER_UNITS key or ""
    # "Nghị quyết số 12/2024/NQ-HĐND": the resolution the amount comes from.
    resolution: Mapped[str] = mapped_column(String(200))


class ProcedureDocument(Base):
    """One paper the citizen must bring or upload; dossier files point at it."""

    __tablename__ = "procedure_documents"
    __table_args__ = (UniqueConstraint("procedure_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(Text)
    copies: Mapped[int] = mapped_column(default=1)
    mandatory: Mapped[bool] = mapped_column(default=True)
    uploadable: Mapped[bool] = mapped_column(default=True)
    # A declaration (tờ khai) that the online form itself fills: its questions are the
    # procedure's form fields, so no photo of it is asked for; the desk prints the filled
    # declaration ("tờ khai điện tử") instead.
    filled_online: Mapped[bool] = mapped_column(default=False, server_default=false())
    note: Mapped[str] = mapped_column(Text, default="")

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


# The search index (FTS5 table / GIN expression index) is not a mapped object: build it with
# the table so db.create_all() gives a searchable database. Migrations call the same DDL.
def _create_search_index(_table: object, connection: Any, **_kw: Any) -> None:
    from app.procedures.search import create_search_index

    create_search_index(connection)


def _drop_search_index(_table: object, connection: Any, **_kw: Any) -> None:
    from app.procedures.search import drop_search_index

    drop_search_index(connection)


event.listen(Procedure.__table__, "after_create", _create_search_index)
event.listen(Procedure.__table__, "after_drop", _drop_search_index)
