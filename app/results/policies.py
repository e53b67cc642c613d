"""Who may take an electronic result; used by the views and the templates alike."""

from __future__ import annotations

from app.dossiers.models import Dossier, DossierStatus
from app.payments.queries import fee_settled
from app.results.models import ResultDocument

_ISSUED_STATUSES = (DossierStatus.RESULT_READY, DossierStatus.RETURNED)


def can_download(dossier: Dossier) -> bool:
    """For the citizen who may see the dossier (checked before): the result comes once it is
    ready and nothing is owed, the same rule the desk applies to the paper one."""
    return dossier.status in _ISSUED_STATUSES and fee_settled(dossier)


def can_download_result(dossier: Dossier, result: ResultDocument) -> bool:
    """A revoked result is no longer handed out; the verification page still names it."""
    return not result.revoked and can_download(dossier)
