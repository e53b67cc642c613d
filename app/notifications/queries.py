"""Reads: a dossier's notifications for the citizen's inbox and the officer's list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.dossiers.models import Dossier
from app.extensions import db
from app.notifications.models import Notification


def for_dossier(dossier: Dossier, *, with_deliveries: bool = False) -> list[Notification]:
    """Newest first."""
    if dossier.id is None:
        return []
    query = (select(Notification).where(Notification.dossier_id == dossier.id)
             .order_by(Notification.id.desc()))
    if with_deliveries:
        query = query.options(selectinload(Notification.deliveries))
    return list(db.session.scalars(query))
