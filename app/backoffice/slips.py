"""The official slips (Circular 01/2018/TT-VPCP forms): which exist for a dossier, and what
each shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.qr import qr_svg
from app.dossiers.models import Dossier, DossierEvent

FORMATS = ("a4", "80mm")


@dataclass(frozen=True)
class SlipKind:
    key: str
    title: Any
    # The event the slip is about (the latest of these actions); None: the whole dossier.
    action: str | None


SLIPS: dict[str, SlipKind] = {s.key: s for s in (
    SlipKind("receipt", _l("Phiếu tiếp nhận hồ sơ và hẹn trả kết quả"), "receive"),
    SlipKind("supplement", _l("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
             "request_supplement"),
    SlipKind("rejection", _l("Phiếu từ chối tiếp nhận giải quyết hồ sơ"), "reject"),
    SlipKind("apology", _l("Phiếu xin lỗi và hẹn lại ngày trả kết quả"), "apologize"),
    SlipKind("control", _l("Phiếu kiểm soát quá trình giải quyết hồ sơ"), None),
)}
# Which slip to offer straight after an action.
SLIP_AFTER_ACTION = {s.action: s.key for s in SLIPS.values() if s.action}


def latest_event(dossier: Dossier, action: str) -> DossierEvent | None:
    return next((e for e in reversed(dossier.events) if e.action == action), None)


def available(dossier: Dossier) -> list[SlipKind]:
    """Slips that make sense now: each needs the event it records (the process control
    slip needs the dossier to have been received)."""
    out = []
    for slip in SLIPS.values():
        if slip.action is None:
            if dossier.received_at is not None:
                out.append(slip)
        elif latest_event(dossier, slip.action) is not None:
            out.append(slip)
    return out


def tracking_url(dossier: Dossier) -> str:
    """What the slip's QR code opens: the public tracking page for this code.

    The tracking secret is deliberately NOT printed, not even on the citizen's own copy:
    paper is photographed, left on the counter and thrown away, and the secret alone would
    open the applicant's personal data. The tracking page asks for the applicant's phone
    number as well, which the finder of a lost slip does not know.
    """
    base = current_app.config["MOTCUA"].public_base_url
    return f"{base}/track?{urlencode({'code': dossier.code})}"


def slip_context(dossier: Dossier, kind: SlipKind) -> dict[str, Any]:
    url = tracking_url(dossier)
    return {"slip": kind, "event": latest_event(dossier, kind.action) if kind.action else None,
            "tracking_url": url, "qr": qr_svg(url)}
