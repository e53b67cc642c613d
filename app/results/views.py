"""The public verification page a result's QR opens: what the paper says, checked.

Anyone may open it, so it shows no more than the paper: the document, the commune, when,
the signature's verdict, revocation, the applicant's name and citizen ID masked. Unknown
ids get the same 404 as any missing page, and the page is rate-limited so ids cannot be
guessed in bulk (they are random: 144 bits).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _

from app.dossiers.filestore import get_file_store
from app.dossiers.forms import clean_files, discard_all
from app.dossiers.status import mask_name
from app.extensions import limiter
from app.pwa.cache_policy import keep_private
from app.results import queries
from app.results.models import ResultDocument
from app.results.verification import SignatureCheck, check_signature, trust_roots

bp = Blueprint("results", __name__)

LIMIT = "30 per minute"


def mask_id_number(number: str) -> str:
    """'001190012345' → '001******345': the province code and the last digits, enough to
    tell one's own paper, not to learn the number."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 6) + number[-3:]


def _stored_check(result: ResultDocument) -> tuple[SignatureCheck, bool]:
    """The signature's verdict on the stored file, and whether the stored bytes are still
    the ones issued (their sha256 as recorded then)."""
    with get_file_store().open(result.file.storage_key) as fh:
        data = fh.read()
    check = check_signature(data, result.dossier.agency,
                            trust_roots(current_app.config["MOTCUA"].result_trust_roots))
    return check, hashlib.sha256(data).hexdigest() == result.file.sha256


def _page(result: ResultDocument, copy_matches: bool | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> Response:
    dossier = result.dossier
    check, stored_intact = _stored_check(result)
    response = make_response(render_template(
        "results/verify.html", result=result, dossier=dossier, check=check,
        stored_intact=stored_intact, applicant=mask_name(dossier.applicant_name),
        id_number=mask_id_number(dossier.citizen_id_number), copy_matches=copy_matches,
        errors=errors or {}), status)
    return keep_private(response)


@bp.get("/verify/<public_id>")
@limiter.limit(LIMIT)
def verify(public_id: str) -> Any:
    result = queries.result_by_public_id(public_id)
    if result is None:
        abort(404)
    return _page(result)


@bp.post("/verify/<public_id>")
@limiter.limit(LIMIT)
def verify_copy(public_id: str) -> Any:
    """Someone holding a copy checks it is the issued file: its sha256 against ours. The
    copy is inspected like any upload and never kept."""
    result = queries.result_by_public_id(public_id)
    if result is None:
        abort(404)
    uploads, errors = clean_files(request.files.getlist("copy"), "copy", citizen=False)
    try:
        if errors or not uploads:
            return _page(result, errors=errors or {
                "copy": _("Vui lòng chọn tệp cần kiểm tra.")}, status=422)
        matches = uploads[0].sha256 == result.file.sha256
    finally:
        discard_all(uploads)
    return _page(result, copy_matches=matches)
