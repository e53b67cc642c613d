"""The desk corrects what the citizen typed (applicant fields, the declaration's answers):
the correctable fields, their checks (the very ones of the citizen's form), and the change
each correction makes, before and after, field by field, for the append-only event.

Who may correct, in which statuses, and that a reason is required are the workflow's
`correct_details` rows (app/dossiers/workflow.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _

from app.core.identity import IdentityError, normalize_citizen_id, normalize_phone
from app.core.text import fold
from app.dossiers.forms import AnswerInvalid, clean_answer, is_answer
from app.dossiers.person import clean_address, clean_birth_date, clean_person_name

if TYPE_CHECKING:
    from app.dossiers.models import Dossier

# The form sends each field as `fix-<key>`; answers are `answer-<name>`, as on apply.
FORM_PREFIX = "fix-"
ANSWER_PREFIX = "answer-"


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ApplicantField:
    key: str
    label: Callable[[], str]
    attribute: str


APPLICANT_FIELDS: tuple[ApplicantField, ...] = (
    ApplicantField("applicant_name", lambda: _("Họ và tên"), "applicant_name"),
    ApplicantField("birth_date", lambda: _("Ngày sinh"), "applicant_birth_date"),
    ApplicantField("citizen_id", lambda: _("Số định danh cá nhân"), "citizen_id_number"),
    ApplicantField("phone", lambda: _("Số điện thoại"), "phone"),
    ApplicantField("address", lambda: _("Địa chỉ"), "address"),
)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _applicant_value(key: str, raw: Any, birth_date: date | None) -> Any:
    """The one check of each applicant field, as the citizen's form runs it."""
    if key == "applicant_name":
        return clean_person_name(raw)
    if key == "birth_date":
        return clean_birth_date(raw)
    if key == "citizen_id":
        return normalize_citizen_id(str(raw or ""), birth_date=birth_date)
    if key == "phone":
        return normalize_phone(str(raw or ""))
    return clean_address(raw)


def read_corrections(dossier: Dossier, fixes: Mapping[str, Any]
                     ) -> tuple[list[Change], dict[str, str]]:
    """The changes `fixes` ({key: typed value}; a key left out is not touched) make to the
    dossier, each value checked; errors are keyed `fix-<key>`. The ID number is checked
    against the birth date as it will stand after the correction."""
    changes: list[Change] = []
    errors: dict[str, str] = {}
    birth_date = dossier.applicant_birth_date
    if "birth_date" in fixes:
        try:
            birth_date = clean_birth_date(fixes["birth_date"])
        except IdentityError:
            birth_date = dossier.applicant_birth_date  # reported below, with its field
    for spec in APPLICANT_FIELDS:
        if spec.key not in fixes:
            continue
        try:
            value = _applicant_value(spec.key, fixes[spec.key], birth_date)
        except IdentityError as exc:
            errors[FORM_PREFIX + spec.key] = exc.message
            continue
        before = getattr(dossier, spec.attribute)
        if value != before:
            changes.append(Change(spec.key, spec.label(), _jsonable(before), _jsonable(value)))
    if "birth_date" in fixes and "citizen_id" not in fixes and not errors:
        # A new birth date must still agree with the ID number already on the dossier.
        try:
            normalize_citizen_id(dossier.citizen_id_number, birth_date=birth_date)
        except IdentityError as exc:
            errors[FORM_PREFIX + "birth_date"] = exc.message
    answers = dossier.answers or {}
    for field in dossier.procedure.form_fields:
        key = ANSWER_PREFIX + field["name"]
        if key not in fixes:
            continue
        try:
            value = clean_answer(field, fixes[key])
        except AnswerInvalid as exc:
            errors[FORM_PREFIX + key] = exc.message
            continue
        after = value if is_answer(value) else None
        before = answers.get(field["name"])
        if after != before:
            changes.append(Change(key, str(field.get("label", field["name"])), before, after))
    if not changes and not errors:
        errors["fixes"] = _("Chưa có thông tin nào được sửa. Hãy sửa ít nhất một ô.")
    return (changes if not errors else []), errors


def corrections_rule(dossier: Dossier, _note: str, data: dict[str, Any]) -> dict[str, str]:
    """The workflow input rule of `correct_details`."""
    fixes = data.get("fixes")
    if not isinstance(fixes, Mapping):
        return {"fixes": _("Chưa có thông tin nào được sửa. Hãy sửa ít nhất một ô.")}
    return read_corrections(dossier, fixes)[1]


def apply_corrections(dossier: Dossier, fixes: Mapping[str, Any]) -> dict[str, Any]:
    """Write the corrected values (the input rule has passed); what the event keeps:
    {key: {label, before, after}} in the form's order."""
    changes, _errors = read_corrections(dossier, fixes)
    answers = dict(dossier.answers or {})
    by_key = {spec.key: spec for spec in APPLICANT_FIELDS}
    for change in changes:
        if change.key in by_key:
            value = change.after
            if change.key == "birth_date" and value is not None:
                value = date.fromisoformat(value)
            setattr(dossier, by_key[change.key].attribute, value)
            if change.key == "applicant_name":
                dossier.applicant_name_folded = fold(value)
        else:
            name = change.key.removeprefix(ANSWER_PREFIX)
            if change.after is None:
                answers.pop(name, None)
            else:
                answers[name] = change.after
    dossier.answers = answers  # a new dict: the JSON column sees the change
    return {"changes": {c.key: {"label": c.label, "before": c.before, "after": c.after}
                        for c in changes}}


def fixes_from_form(dossier: Dossier, form: Mapping[str, Any]) -> dict[str, Any]:
    """The `fix-<key>` fields the form sent (an unsent field is not touched; a checkbox of
    the declaration is sent along with its `fix-<key>-shown` marker, since an unticked
    box sends nothing)."""
    keys = [spec.key for spec in APPLICANT_FIELDS]
    keys += [ANSWER_PREFIX + f["name"] for f in dossier.procedure.form_fields]
    out: dict[str, Any] = {}
    for key in keys:
        name = FORM_PREFIX + key
        if name in form:
            out[key] = form.get(name)
        elif f"{name}-shown" in form:
            out[key] = ""
    return out
