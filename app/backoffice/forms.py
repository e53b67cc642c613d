"""Parsing of back-office input: inbox filters and the fields of each dossier action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.core import parsing
from app.dossiers import corrections, workflow
from app.dossiers.forms import clean_files, parse_date
from app.dossiers.models import Channel, Dossier
from app.dossiers.uploads import CleanUpload
from app.results.services import MAX_REASON

MAX_NOTE = 2000
RESULT_MODES = ("online", "paper")


@dataclass
class InboxFilter:
    queue: str
    q: str = ""
    procedure_id: int | None = None
    field: str = ""
    village_id: int | None = None
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    mine: bool = False
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments that reproduce this filter (for queue tabs and page links)."""
        values = {
            "queue": self.queue, "q": self.q, "procedure": self.procedure_id,
            "field": self.field, "village": self.village_id, "channel": self.channel,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "mine": "1" if self.mine else None, "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def filter_date(value: Any, label: str) -> date | None:
    """A date an officer filters by: empty is no filter; out of 2000–2100 is a 400."""
    if not value:
        return None
    return parsing.parse_date(value, field=label)


def parse_inbox_filter(args: Mapping[str, Any], queues: tuple[str, ...],
                       default_queue: str) -> InboxFilter:
    """Unknown choices and ids are dropped: the inbox always opens. Dates go through the
    bounded parser, so a wrong or extreme one is a 400 that says which (app.core.parsing)."""
    q = " ".join(str(args.get("q") or "").split())[:100]
    queue = str(args.get("queue") or "")
    if queue not in queues:
        # A search looks through every dossier unless a queue was picked on purpose.
        queue = "all" if q else default_queue
    channel = str(args.get("channel") or "")
    return InboxFilter(
        queue=queue, q=q, procedure_id=_int(args.get("procedure")),
        field=str(args.get("field") or "").strip()[:100], village_id=_int(args.get("village")),
        channel=channel if channel in {c.value for c in Channel} else "",
        date_from=filter_date(args.get("from"), _("Từ ngày")),
        date_to=filter_date(args.get("to"), _("Đến ngày")),
        mine=str(args.get("mine") or "") == "1", page=max(1, _int(args.get("page")) or 1),
    )


def clean_result_files(files: list[Any], error_key: str = "result_file"
                       ) -> tuple[list[CleanUpload], dict[str, str]]:
    """An electronic result: PDF only (checked by its bytes, within the upload caps), since
    only a PDF carries the digital signature that gives it the paper's value."""
    uploads, errors = clean_files(files, error_key, citizen=False)
    if not uploads and not errors:
        return [], {error_key: _("Vui lòng chọn tệp kết quả để công dân tải về.")}
    if any(u.content_type != "application/pdf" for u in uploads):
        for upload in uploads:
            upload.discard()
        return [], {error_key: _("Kết quả điện tử phải là tệp PDF (bản có chữ ký số của "
                                 "cơ quan).")}
    return uploads, errors


@dataclass
class ResultReplacement:
    reason: str
    upload: CleanUpload


def parse_result_replacement(form: MultiDict[str, str], files: MultiDict[str, Any]
                             ) -> tuple[ResultReplacement | None, dict[str, str]]:
    """The new PDF and the reason that revokes the old result; (None, errors) otherwise."""
    errors: dict[str, str] = {}
    reason = " ".join(str(form.get("reason") or "").split())
    if not reason:
        errors["reason"] = _("Vui lòng ghi lý do thay thế kết quả.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Lý do dài quá %(n)s ký tự.", n=MAX_REASON)
    uploads, file_errors = ([], {}) if errors else clean_result_files(files.getlist("result_file"))
    errors.update(file_errors)
    if errors or len(uploads) != 1:
        for upload in uploads:
            upload.discard()
        return None, errors or {"result_file": _("Chỉ chọn một tệp kết quả thay thế.")}
    return ResultReplacement(reason, uploads[0]), {}


@dataclass
class ActionInput:
    """What the service needs for one action; `data` goes to workflow.apply as keywords."""

    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    uploads: list[CleanUpload] = field(default_factory=list)


def parse_action(action: str, dossier: Dossier, form: MultiDict[str, str],
                 files: MultiDict[str, Any]) -> tuple[ActionInput | None, dict[str, str]]:
    """Read the fields of one action, then ask the workflow whether they are enough for the
    move (reason given, officer assignable, new date later...). Returns (input, {}) or
    (None, {field: message})."""
    errors: dict[str, str] = {}
    note = str(form.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("Nội dung dài quá %(n)s ký tự.", n=MAX_NOTE)
    parsed = ActionInput(note=note)
    if action == "request_supplement":
        wanted = {v for v in form.getlist("missing") if v.isdigit()}
        missing = [d for d in dossier.procedure.documents if str(d.id) in wanted]
        # Names are copied: the slip must still read right if the catalogue changes later.
        parsed.data = {"missing": [d.name for d in missing],
                       "missing_ids": [d.id for d in missing], "comment": note}
        if missing:
            # The event's note is what the citizen reads on their dossier page: the whole
            # list at once (DOMAIN.md), then the officer's own words.
            parsed.note = "\n".join([_("Giấy tờ cần bổ sung:"),
                                      *(f"- {d.name}" for d in missing),
                                      *([note] if note else [])])
    elif action == "assign":
        parsed.data = {"officer_id": _int(form.get("officer_id"))}
    elif action == "apologize":
        parsed.data = {"new_due_date": parse_date(form.get("new_due_date"))}
    elif action in ("mark_result_ready", "approve"):
        # The specialist who settles the dossier, or the leader who approves it, says how
        # the result goes out and, online, attaches it.
        mode = str(form.get("result_mode") or "")
        if mode not in RESULT_MODES:
            errors["result_mode"] = _("Vui lòng chọn cách trả kết quả.")
        elif mode == "online" and not errors:
            uploads, file_errors = clean_result_files(files.getlist("result_file"))
            errors.update(file_errors)
            parsed.uploads = uploads
        parsed.data = {"result_mode": mode}
    elif action == "correct_details":
        parsed.data = {"fixes": corrections.fixes_from_form(dossier, form)}
    elif action == "return_result":
        # Checked by the move's own rule (app/dossiers/handover.py), like every move's input.
        parsed.data = {"handover": str(form.get("handover") or ""),
                       "collector_name": str(form.get("collector_name") or ""),
                       "collector_id_number": str(form.get("collector_id_number") or ""),
                       "collector_relation": str(form.get("collector_relation") or ""),
                       "authorisation_seen": form.get("authorisation_seen") == "1"}
    for name, message in workflow.input_errors(dossier, action, note=parsed.note,
                                               **parsed.data).items():
        errors.setdefault(name, message)
    if errors:
        for upload in parsed.uploads:
            upload.discard()
        return None, errors
    return parsed, {}
