"""Parsing and checking what the feedback pages receive: a dossier's rating, a citizen's
feedback (phản ánh, kiến nghị), the kiosk's taps and queue, the statistics year."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.core import parsing
from app.core.identity import IdentityError, normalize_phone
from app.dossiers.forms import clean_files
from app.dossiers.uploads import CleanUpload
from app.feedback import queries, services
from app.feedback.models import FeedbackAbout, Score
from app.places.models import Agency

# The tablet sends its queue in batches; more than this in one request is not a tablet.
KIOSK_BATCH = 500


def about_labels() -> dict[str, str]:
    return {FeedbackAbout.PROCEDURE: _("Một thủ tục"),
            FeedbackAbout.OFFICER: _("Một cán bộ"),
            FeedbackAbout.HALL: _("Bộ phận một cửa, nơi làm việc"),
            FeedbackAbout.OTHER: _("Việc khác")}


# --- rating a dossier ----------------------------------------------------------------------

def rating_errors(values: Mapping[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get("score", "") not in Score.__members__.values():
        errors["score"] = _("Vui lòng chọn mức độ hài lòng.")
    if len(values.get("comment", "")) > services.MAX_COMMENT:
        errors["comment"] = _("Ý kiến dài quá %(n)s ký tự.", n=services.MAX_COMMENT)
    return errors


# --- feedback (phản ánh, kiến nghị) ---------------------------------------------------------

@dataclass
class FeedbackForm:
    """A checked feedback: what `services.submit_feedback` takes, or the errors to show."""

    about: str = ""
    message: str = ""
    phone: str = ""
    name: str = ""
    procedure: Any = None
    officer: Any = None
    uploads: list[CleanUpload] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def discard_uploads(self) -> None:
        for upload in self.uploads:
            upload.discard()


def clean_feedback(values: Mapping[str, str], agency: Agency | None,
                   photos: list[FileStorage]) -> FeedbackForm:
    """Check the fields; the photo is inspected only once everything else is right, so a
    refused form never stores a file. The caller discards the uploads when done."""
    form = FeedbackForm(about=values.get("about", ""),
                        message=values.get("message", "").strip(),
                        name=values.get("name", "").strip())
    errors = form.errors
    if agency is None:
        errors["agency"] = _("Vui lòng chọn xã, phường nhận phản ánh.")
    if form.about not in FeedbackAbout.__members__.values():
        errors["about"] = _("Vui lòng chọn bạn phản ánh về việc gì.")
    if len(form.message) < 5:
        errors["message"] = _("Vui lòng viết nội dung phản ánh, kiến nghị.")
    elif len(form.message) > services.MAX_FEEDBACK:
        errors["message"] = _("Nội dung dài quá %(n)s ký tự.", n=services.MAX_FEEDBACK)
    if values.get("phone", "").strip():
        try:
            form.phone = normalize_phone(values["phone"])
        except IdentityError:
            errors["phone"] = _("Số điện thoại chưa đúng (10 số, bắt đầu bằng 03, 05, "
                                "07, 08 hoặc 09).")
    if agency is not None and form.about == FeedbackAbout.PROCEDURE and values.get("procedure"):
        form.procedure = next((p for p in agency.procedures
                               if p.code == values["procedure"]), None)
    if agency is not None and form.about == FeedbackAbout.OFFICER and values.get("officer"):
        form.officer = next((o for o in queries.officers_of(agency.id)
                             if str(o.id) == values["officer"]), None)
    if not errors:
        form.uploads, upload_errors = clean_files(photos[:1], "photo")
        errors.update(upload_errors)
    return form


def chosen_files(files: list[FileStorage]) -> list[FileStorage]:
    """The file inputs the browser actually filled."""
    return [f for f in files if f and f.filename]


# --- the counter kiosk -----------------------------------------------------------------------

def parse_visit(raw: str) -> str | None:
    """The tap's visit id, a UUID the page made; None when it is not one."""
    try:
        return str(uuidlib.UUID(raw))
    except ValueError:
        return None


@dataclass(frozen=True)
class KioskTap:
    uuid: str
    score: str
    officer_id: int | None
    at: datetime | None


def parse_moment(raw: Any) -> datetime | None:
    try:
        return parsing.parse_timestamp(raw)
    except parsing.ParseError:
        return None


def parse_kiosk_queue(payload: Any) -> list[KioskTap] | None:
    """{"ratings": [{uuid, score, officer_id, at}]} → the taps with a valid uuid (a
    malformed item is dropped, not retried); None when the body is not that shape."""
    if not isinstance(payload, dict) or not isinstance(payload.get("ratings"), list):
        return None
    taps = []
    for item in payload["ratings"][:KIOSK_BATCH]:
        if not isinstance(item, dict):
            continue
        key = parse_visit(str(item.get("uuid")))
        if key is None:
            continue
        officer_id = item.get("officer_id")
        taps.append(KioskTap(key, str(item.get("score")),
                             officer_id if isinstance(officer_id, int) else None,
                             parse_moment(item.get("at"))))
    return taps


# --- public statistics -------------------------------------------------------------------------

def parse_year(raw: str | None, today: date) -> int:
    """The year asked for (this year when none); a bounded number or a 400."""
    if raw is None:
        return today.year
    return parsing.parse_int(raw, minimum=0, maximum=9999, field=_("Năm"))
