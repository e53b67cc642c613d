"""Citizen pages of a dossier's personal data (beside the dossier page): what Motcua holds
and why, the download, and the requests to correct or delete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.core.models import utcnow
from app.dossiers import access
from app.dossiers.filestore import get_file_store
from app.dossiers.models import Dossier
from app.dossiers.policies import load_for_citizen
from app.extensions import limiter
from app.privacy import catalogue, retention, rights
from app.privacy.models import RequestKind
from app.pwa.cache_policy import keep_private

bp = Blueprint("privacy", __name__)


@bp.after_request
def _private(response: Response) -> Response:
    keep_private(response)
    return access.write_cookie(response)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    # The dossier page shows the state of the citizen's requests (privacy/_for_dossier.html).
    return {"privacy_requests_of": rights.requests_of,
            "privacy_status_label": rights.status_label,
            "privacy_kind_label": rights.kind_label}


def _render(dossier: Dossier, errors: dict[str, str] | None = None,
            values: dict[str, str] | None = None, status: int = 200) -> Any:
    settings = catalogue.retention_days
    return render_template(
        "privacy/citizen.html", dossier=dossier, kinds=catalogue.KINDS, days=settings,
        planned=retention.planned_dates(dossier, {k.key: settings(k.key)
                                                  for k in catalogue.KINDS}),
        requests=rights.requests_of(dossier), errors=errors or {}, values=values or {},
        request_kinds=list(RequestKind)), status


@bp.get("/d/<code>/privacy")
def overview(code: str) -> Any:
    # Only full access (the secret link, this phone, or the owner signed in): code + phone
    # tracking earns the status page only, never the personal data.
    return _render(load_for_citizen(code, request.args.get("t")))


@bp.get("/d/<code>/privacy/export.zip")
@limiter.limit("10 per minute")
def export(code: str) -> Any:
    dossier = load_for_citizen(code, request.args.get("t"))
    body = rights.export_zip(dossier, get_file_store())
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="du-lieu-{dossier.code}.zip"'})


@bp.post("/d/<code>/privacy/requests")
@limiter.limit("10 per minute")
def new_request(code: str) -> Any:
    dossier = load_for_citizen(code, None)
    kind = request.form.get("kind", "")
    reason = request.form.get("reason", "")
    try:
        rights.file_request(dossier, kind, reason, utcnow())
    except rights.RequestError as exc:
        return _render(dossier, {"reason": exc.message},
                       {"kind": kind, "reason": reason[:rights.MAX_REASON]}, 422)
    flash(_("Đã gửi yêu cầu. Bộ phận một cửa sẽ trả lời trong 72 giờ."), "ok")
    return redirect(url_for(".overview", code=dossier.code))
