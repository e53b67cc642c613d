"""What a citizen may do with a dossier; used by the views and the templates alike."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.citizens.policies import owns
from app.dossiers import access, queries
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.workflow import TRANSITIONS


def can_view(dossier: Dossier, secret: str | None = None) -> bool:
    # The signed-in citizen whose account the dossier is saved to needs no secret.
    return access.has_access(dossier, secret) or owns(current_user, dossier)


def load_for_citizen(code: str, secret: str | None) -> Dossier:
    """The dossier if this browser may see it, remembering a valid secret for later visits;
    otherwise the same 404 as an unknown code, so codes cannot be probed."""
    dossier = queries.dossier_by_code(code)
    if dossier is None or not can_view(dossier, secret):
        abort(404)
    if secret:
        access.grant(dossier)
        access.remember(dossier, secret)
    return dossier


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
