"""What a citizen may do with a dossier; used by the views and the templates alike."""

from __future__ import annotations

from app.dossiers import access
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.workflow import TRANSITIONS


def can_view(dossier: Dossier, secret: str | None = None) -> bool:
    return access.has_access(dossier, secret)


def can_resubmit(dossier: Dossier) -> bool:
    return (DossierStatus(dossier.status), "resubmit") in TRANSITIONS


def can_withdraw(dossier: Dossier) -> bool:
    return (DossierStatus(dossier.status), "withdraw") in TRANSITIONS


def can_pay(dossier: Dossier) -> bool:
    """Fees are paid once received; the payment itself comes with the payments feature."""
    return (not dossier.procedure.is_free
            and dossier.status in (DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS,
                                   DossierStatus.AWAITING_APPROVAL,
                                   DossierStatus.RESULT_READY))
