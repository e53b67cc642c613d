"""Validation of a submission (applicant, procedure answers, uploads), shared by the HTML
form and the JSON API; every message is Vietnamese and names the field it is about."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.core import parsing
from app.core.identity import IdentityError, normalize_citizen_id, normalize_phone
from app.dossiers import queries
from app.dossiers.person import clean_address, clean_birth_date, clean_person_name
from app.dossiers.uploads import (
    MAX_FULL_DECODE_PIXELS,
    MAX_PDF_PAGES,
    CleanUpload,
    UploadBudget,
    UploadRejected,
    inspect_upload,
)
from app.places.models import Agency, Village

if TYPE_CHECKING:
    from app.dossiers.models import Dossier
    from app.procedures.models import Procedure, ProcedureDocument

MAX_TEXT = 500
MiB = 1024 * 1024
APPLICANT_FIELDS = ("applicant_name", "citizen_id", "birth_date", "phone", "address")


@dataclass(frozen=True)
class Applicant:
    name: str
    citizen_id: str
    phone: str
    address: str
    birth_date: date | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return out


@dataclass
class Submission:
    """A validated submission, ready for services.submit_dossier."""

    applicant: Applicant
    agency: Agency
    village: Village | None
    answers: dict[str, Any]


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def valid_idempotency_key(value: str | None) -> bool:
    """Client keys: 8–80 characters of letters, digits, '-' and '_' (a uuid4 fits)."""
    if not value or not 8 <= len(value) <= 80:
        return False
    return all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value)


def parse_date(value: Any, *, minimum: date = parsing.MIN_BIRTH_DATE,
               maximum: date = parsing.MAX_DATE) -> date | None:
    """ISO (what <input type=date> sends) or dd/mm/yyyy (what people type), within the
    bounds; None if neither (the form then says which field is wrong)."""
    try:
        return parsing.parse_date(value, minimum=minimum, maximum=maximum)
    except parsing.ParseError:
        return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "on", "true", "yes", "có")


class AnswerInvalid(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_NO_ANSWER = object()


def clean_answer(spec: Mapping[str, Any], value: Any) -> Any:
    """One field of the procedure's form (text, date, choice, number, checkbox), checked:
    its stored value, `_NO_ANSWER` when blank and optional; raises AnswerInvalid."""
    label, kind = spec.get("label", spec["name"]), spec.get("type")
    if kind == "checkbox":
        checked = _truthy(value)
        if spec.get("required") and not checked:
            raise AnswerInvalid(_("Vui lòng đánh dấu “%(label)s”.", label=label))
        return checked
    if _blank(value):
        if spec.get("required"):
            raise AnswerInvalid(_("Vui lòng chọn %(label)s.", label=label.lower())
                                if kind == "choice"
                                else _("Vui lòng nhập %(label)s.", label=label.lower()))
        return _NO_ANSWER
    text = str(value).strip()
    if kind == "date":
        parsed = parse_date(text)
        if parsed is None:
            raise AnswerInvalid(_("%(label)s chưa đúng, hãy nhập theo dạng ngày/tháng/năm.",
                                  label=label))
        return parsed.isoformat()
    if kind == "number":
        try:
            number = int(text)
        except ValueError:
            raise AnswerInvalid(_("%(label)s phải là một số nguyên.", label=label)) from None
        low, high = spec.get("min"), spec.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            raise AnswerInvalid(_("%(label)s phải từ %(low)s đến %(high)s.", label=label,
                                  low=low if low is not None else "…",
                                  high=high if high is not None else "…"))
        return number
    if kind == "choice":
        if text not in spec.get("choices", []):
            raise AnswerInvalid(_("Vui lòng chọn %(label)s trong danh sách.",
                                  label=label.lower()))
        return text
    if len(text) > MAX_TEXT:
        raise AnswerInvalid(_("%(label)s dài quá %(n)s ký tự.", label=label, n=MAX_TEXT))
    return text


def is_answer(value: Any) -> bool:
    """False for what clean_answer returns for a blank optional field."""
    return value is not _NO_ANSWER


def clean_answers(procedure: Procedure, raw: Mapping[str, Any]
                  ) -> tuple[dict[str, Any], dict[str, str]]:
    """The procedure's own fields, checked one by one (clean_answer).

    Errors are keyed `answer-<name>`, the form's field names.
    """
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in procedure.form_fields:
        try:
            value = clean_answer(spec, raw.get(spec["name"]))
        except AnswerInvalid as exc:
            errors[f"answer-{spec['name']}"] = exc.message
            continue
        if is_answer(value):
            answers[spec["name"]] = value
    return answers, errors


def clean_applicant(raw: Mapping[str, Any]) -> tuple[Applicant | None, dict[str, str]]:
    """The applicant's fields, each through its one check (app/dossiers/person.py and
    app/core/identity.py); the ID number is checked against the birth date when given."""
    errors: dict[str, str] = {}
    name = address = citizen_id = phone = ""
    birth_date = None
    try:
        name = clean_person_name(raw.get("applicant_name"))
    except IdentityError as exc:
        errors["applicant_name"] = exc.message
    try:
        birth_date = clean_birth_date(raw.get("birth_date"))
    except IdentityError as exc:
        errors["birth_date"] = exc.message
    try:
        citizen_id = normalize_citizen_id(str(raw.get("citizen_id") or ""),
                                          birth_date=birth_date)
    except IdentityError as exc:
        errors["citizen_id"] = str(exc)
    try:
        phone = normalize_phone(str(raw.get("phone") or ""))
    except IdentityError as exc:
        errors["phone"] = str(exc)
    try:
        address = clean_address(raw.get("address"))
    except IdentityError as exc:
        errors["address"] = exc.message
    if errors:
        return None, errors
    return Applicant(name, citizen_id, phone, address, birth_date), {}


def clean_place(procedure: Procedure, agency_slug: str | None, village_code: str | None
                ) -> tuple[Agency | None, Village | None, dict[str, str]]:
    """The receiving commune and, optionally, the village the citizen came from."""
    choices = queries.agencies_for(procedure)
    village = None
    if village_code:
        village = queries.village_by_code(village_code)
        if village is None:
            return None, None, {"village": _("Không tìm thấy thôn, tổ dân phố đã chọn.")}
    agency = next((a for a in choices if a.slug == agency_slug), None)
    if agency is None and not agency_slug and village is not None:
        agency = next((a for a in choices if a.id == village.agency_id), None)
    if agency is None:
        return None, None, {"agency": _("Vui lòng chọn xã, phường nhận hồ sơ.")}
    if village is not None and village.agency_id != agency.id:
        return None, None, {"village": _("Thôn, tổ dân phố đã chọn không thuộc %(agency)s.",
                                         agency=agency.name)}
    return agency, village, {}


def validate_submission(procedure: Procedure, raw: Mapping[str, Any],
                        answers_raw: Mapping[str, Any]
                        ) -> tuple[Submission | None, dict[str, str]]:
    """Everything but the files. `raw` holds the applicant fields, agency, village, consent."""
    applicant, errors = clean_applicant(raw)
    agency, village, place_errors = clean_place(
        procedure, str(raw.get("agency") or "").strip() or None,
        str(raw.get("village") or "").strip() or None)
    errors.update(place_errors)
    answers, answer_errors = clean_answers(procedure, answers_raw)
    errors.update(answer_errors)
    if not _truthy(raw.get("consent")):
        errors["consent"] = _("Vui lòng đồng ý cho cơ quan xử lý thông tin cá nhân để giải "
                              "quyết hồ sơ.")
    if errors or applicant is None or agency is None:
        return None, errors
    return Submission(applicant, agency, village, answers), {}


def upload_slots(procedure: Procedure) -> list[ProcedureDocument]:
    """The documents to photograph; a declaration the online form fills is not one."""
    return [doc for doc in procedure.documents if doc.uploadable and not doc.filled_online]


def upload_tmp_dir() -> Path:
    path = Path(current_app.config["MOTCUA"].upload_dir) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def chosen(files: Iterable[FileStorage]) -> list[FileStorage]:
    """Browsers send an empty part for an input left empty."""
    return [f for f in files if f and f.filename]


def phone_of(submission: Submission | None, raw_phone: Any) -> str | None:
    """The applicant's phone, for the daily storage allowance (also when other fields
    are wrong: the files are checked all the same)."""
    if submission is not None:
        return submission.applicant.phone
    try:
        return normalize_phone(str(raw_phone or ""))
    except IdentityError:
        return None


def upload_budget(phone: str | None = None, *, files_already: int = 0) -> UploadBudget:
    """The bounds of one request's uploads: files per dossier (`files_already` stored),
    bytes per dossier or what is left of the phone's daily allowance, and the decoding work
    (pixels, PDF pages) of all the files together."""
    settings = current_app.config["MOTCUA"]
    max_bytes = settings.max_dossier_mb * MiB
    daily = False
    if phone:
        left = settings.max_phone_mb_per_day * MiB - queries.bytes_stored_today(phone)
        if left < max_bytes:
            max_bytes, daily = max(0, left), True
    return UploadBudget(max_files=max(0, settings.max_files_per_dossier - files_already),
                        max_bytes=max_bytes, bytes_are_daily=daily,
                        daily_mb=settings.max_phone_mb_per_day)


def upload_limits_text() -> str:
    """The limits, said before anything is sent (apply and resubmit forms)."""
    settings = current_app.config["MOTCUA"]
    return _("Mỗi giấy tờ tối đa %(per_doc)s tệp, cả hồ sơ tối đa %(per_dossier)s tệp và "
             "%(dossier_mb)s MB; mỗi tệp tối đa %(file_mb)s MB, ảnh tối đa %(mp)s triệu điểm "
             "ảnh, PDF tối đa %(pages)s trang, không chứa mã chạy hay tệp đính kèm. Mỗi số "
             "điện thoại gửi tối đa %(day_mb)s MB mỗi ngày.",
             per_doc=settings.max_files_per_document,
             per_dossier=settings.max_files_per_dossier, dossier_mb=settings.max_dossier_mb,
             file_mb=settings.max_upload_mb, mp=MAX_FULL_DECODE_PIXELS // 1_000_000,
             pages=MAX_PDF_PAGES, day_mb=settings.max_phone_mb_per_day)


def clean_files(files: Iterable[FileStorage], error_key: str, *,
                budget: UploadBudget | None = None, citizen: bool = True
                ) -> tuple[list[CleanUpload], dict[str, str]]:
    """Inspect each file within the per-file caps and the request's `budget`. On any error
    every file cleaned so far is discarded: nothing is kept from a refused request.
    `citizen=False` only for an officer's result file (see uploads.inspect_upload)."""
    settings = current_app.config["MOTCUA"]
    budget = budget or upload_budget()
    cleaned: list[CleanUpload] = []
    for item in chosen(files):
        try:
            clean = inspect_upload(item.stream, item.filename or "",
                                   max_bytes=settings.max_upload_mb * MiB,
                                   tmp_dir=upload_tmp_dir(), budget=budget, citizen=citizen)
        except UploadRejected as exc:
            discard_all(cleaned)
            return [], {error_key: exc.message}
        except BaseException:
            discard_all(cleaned)  # a full disk or a crash: nothing is kept either
            raise
        cleaned.append(clean)
    return cleaned, {}


def clean_supplement(dossier: Dossier, files: Iterable[FileStorage], error_key: str = "files"
                     ) -> tuple[list[CleanUpload], dict[str, str]]:
    """A resubmission's files: one document's worth, within what the dossier still holds."""
    settings = current_app.config["MOTCUA"]
    budget = upload_budget(dossier.phone, files_already=queries.file_count(dossier))
    files = chosen(files)
    most = min(settings.max_files_per_document, budget.max_files)
    if len(files) > most:
        return [], {error_key: _("Lần nộp bổ sung này nhận tối đa %(n)s tệp. Vui lòng bớt "
                                 "tệp hoặc gộp nhiều trang vào một tệp PDF.", n=most)}
    return clean_files(files, error_key, budget=budget)


def clean_document_uploads(procedure: Procedure, files_for: Callable[[str], list[FileStorage]],
                           phone: str | None = None
                           ) -> tuple[list[tuple[int | None, CleanUpload]], dict[str, str]]:
    """One slot per uploadable document, `doc-<requirement id>`; mandatory ones required.
    At most max_files_per_document files a slot; the request's budget covers them all."""
    settings = current_app.config["MOTCUA"]
    budget = upload_budget(phone)
    result: list[tuple[int | None, CleanUpload]] = []
    errors: dict[str, str] = {}
    slots = [(doc, f"doc-{doc.id}") for doc in upload_slots(procedure)]
    picked = {key: chosen(files_for(key)) for _doc, key in slots}
    if sum(len(files) for files in picked.values()) > budget.max_files:
        return [], {"documents": _(
            "Cả hồ sơ nhận tối đa %(n)s tệp. Vui lòng bớt tệp hoặc gộp nhiều trang vào một "
            "tệp PDF.", n=budget.max_files)}
    for doc, key in slots:
        files = picked[key]
        if not files:
            if doc.mandatory:
                errors[key] = _("Vui lòng chụp ảnh hoặc chọn tệp: %(name)s.", name=doc.name)
            continue
        if len(files) > settings.max_files_per_document:
            errors[key] = _("Mỗi giấy tờ nhận tối đa %(n)s tệp. Vui lòng bớt tệp hoặc gộp "
                            "nhiều trang vào một tệp PDF.", n=settings.max_files_per_document)
            continue
        try:
            cleaned, file_errors = clean_files(files, key, budget=budget)
        except BaseException:
            discard_all(c for _id, c in result)
            raise
        if file_errors:
            errors.update(file_errors)
            continue
        result.extend((doc.id, c) for c in cleaned)
    if errors:
        discard_all(c for _id, c in result)
        return [], errors
    return result, {}


def discard_all(uploads: Iterable[CleanUpload]) -> None:
    for upload in uploads:
        upload.discard()
