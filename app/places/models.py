"""Agencies (province, commune, ward...) as a tree, and the villages of a commune."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin

if TYPE_CHECKING:
    from app.procedures.models import Procedure

PROVINCE = "province"
# What "a commune" means everywhere (lists, statistics, the catalogue's default agencies): the
# commune-level People's Committees since the 2025 reform. Older district rows still load but
# are none of these.
COMMUNE_KINDS = ("commune", "ward", "special_zone")
AGENCY_KINDS = (PROVINCE, *COMMUNE_KINDS, "district")

agency_procedures = Table(
    "agency_procedures",
    Base.metadata,
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
)


class Agency(TimestampMixin, Base):
    """A People's Committee or provincial body. `kind` is free so older district data loads."""

    __tablename__ = "agencies"
    __table_args__ = (
        CheckConstraint(f"kind IN ({','.join(repr(k) for k in AGENCY_KINDS)})", name="kind"),
        # Both or neither: a pin needs two numbers. Ranges are the settings form's job.
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="position_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Electronic identifier code, used as the prefix of dossier codes (e.g. 000.31.12.H26).
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # Short public slug used in URLs (/display/<slug>, poster pages).
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    hotline: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    # Free text from older data; `opening_hours` (structured, app/places/hours.py) wins when
    # the commune has set it on its settings page.
    working_hours: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, server_default=text("'{}'"))
    # The commune hall on a map (WGS 84 degrees), for the "Chỉ đường" link.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # Ký hiệu biên lai: the series printed on the desk's cash receipts (biên lai thu phí,
    # lệ phí), shown next to the receipt number the officer types.
    receipt_series: Mapped[str] = mapped_column(String(20), default="", server_default="")
    bank_bin: Mapped[str] = mapped_column(String(6), default="")
    bank_name: Mapped[str] = mapped_column(String(120), default="")
    bank_account: Mapped[str] = mapped_column(String(30), default="")
    bank_account_name: Mapped[str] = mapped_column(String(200), default="")

    parent: Mapped[Agency | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    villages: Mapped[list[Village]] = relationship(
        back_populates="agency", order_by="Village.position"
    )
    procedures: Mapped[list[Procedure]] = relationship(
        secondary=agency_procedures, back_populates="agencies"
    )

    COMMUNE_KINDS: ClassVar[tuple[str, ...]] = COMMUNE_KINDS

    @hybrid_property
    def is_commune(self) -> bool:
        """A commune-level agency; `select(Agency).where(Agency.is_commune)` in SQL."""
        return self.kind in COMMUNE_KINDS

    @is_commune.inplace.expression
    @classmethod
    def _is_commune_expression(cls) -> Any:
        return cls.kind.in_(COMMUNE_KINDS)

    @hybrid_property
    def is_province(self) -> bool:
        return self.kind == PROVINCE

    @is_province.inplace.expression
    @classmethod
    def _is_province_expression(cls) -> Any:
        return cls.kind == PROVINCE

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.parent.name}" if self.parent else self.name


class Village(TimestampMixin, Base):
    """A thôn / ấp / bản / tổ dân phố. `code` is what the QR poster URL carries."""

    __tablename__ = "villages"
    __table_args__ = (
        CheckConstraint("code = lower(code)", name="code_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    hall_name: Mapped[str] = mapped_column(String(200), default="")
    hall_address: Mapped[str] = mapped_column(String(300), default="")

    agency: Mapped[Agency] = relationship(back_populates="villages")


class VillageScan(Base):
    """QR poster scans per village per day: a count only, nothing about who scanned."""

    __tablename__ = "village_scans"
    __table_args__ = (UniqueConstraint("village_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="CASCADE"))
    day: Mapped[date]
    count: Mapped[int] = mapped_column(default=0)

