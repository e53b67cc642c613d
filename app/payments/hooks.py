"""The two points where payments enter the dossier workflow (wired by create_app)."""

from __future__ import annotations

from app.dossiers.models import Dossier, DossierEvent
from app.payments import services


def before_move(dossier: Dossier, action: str) -> None:
    """Refuses to hand over a result while a fee is unpaid (raises DomainError)."""
    if action == "return_result":
        services.ensure_result_can_be_returned(dossier)


def after_move(dossier: Dossier, event: DossierEvent) -> None:
    """Creates the payment on receipt; cancels it when the dossier is refused or withdrawn."""
    services.after_move(dossier, event.action)
