"""What a citizen may do with a dossier; used by the views and the templates alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import abort
from flask_login import current_user

from app.citizens.policies import owns
from app.dossiers import access, queries
from app.dossiers.models import Dossier, DossierStatus
from app.dossiers.workflow import TRANSITIONS
from app.results.policies import can_download_result

if TYPE_CHECKING:
    from app.results.models import ResultDocument


def can_view(dossier: Dossier, secret: str | None = None) -> bool:
    """Everything of the dossier: personal data, files, answers, withdraw. Needs the
    phone's own tracking link (its secret) or the signed-in citizen who owns it."""
    return access.has_access(dossier, secret) or owns(current_user, dossier)


def can_view_status(dossier: Dossier) -> bool:
    """The limited status page: code + phone given on /track during this visit."""
    return access.is_tracked(dossier)


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


def load_for_status(code: str, secret: str | None) -> tuple[Dossier, bool]:
    """(dossier, full): the full page if this browser may see everything, else the status
    page if it tracked the dossier by code + phone, else the 404 of an unknown code."""
    dossier = queries.dossier_by_code(code)
    if dossier is None:
        abort(404)
    if can_view(dossier, secret):
        if secret:
            access.grant(dossier)
            access.remember(dossier, secret)
        return dossier, True
    if can_view_status(dossier):
        return dossier, False
    abort(404)


def can_resubmit(dossier: Dossier) -> bool:
    return (DossierStatus(dossier.status), "resubmit") in TRANSITIONS


def can_withdraw(dossier: Dossier) -> bool:
    return (DossierStatus(dossier.status), "withdraw") in TRANSITIONS


def can_confirm_receipt(dossier: Dossier, results: Sequence[ResultDocument]) -> bool:
    """"Tôi đã nhận kết quả" is offered once an electronic result can be taken."""
    return ((DossierStatus(dossier.status), "confirm_receipt") in TRANSITIONS
            and any(can_download_result(dossier, r) for r in results))


def can_pay(dossier: Dossier) -> bool:
    """Fees are paid once received; the payment itself comes with the payments feature."""
    return (not dossier.procedure.is_free
            and dossier.status in (DossierStatus.RECEIVED, DossierStatus.IN_PROGRESS,
                                   DossierStatus.AWAITING_APPROVAL,
                                   DossierStatus.RESULT_READY))
