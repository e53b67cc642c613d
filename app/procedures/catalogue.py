"""Import and export of the procedure catalogue as JSON (the bundled list or a commune's own).

Format (version 1): {"version": 1, "procedures": [{code, name, field, online_level,
time_limit_days, fees, documents, form_fields, ...}]}; see `_PROCEDURE_FIELDS` below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.errors import DomainError
from app.dossiers.models import DossierFile
from app.extensions import db
from app.places.models import Agency
from app.places.queries import select_communes
from app.procedures.fees import FEE_KINDS
from app.procedures.models import ONLINE_LEVELS, Procedure, ProcedureDocument
from app.procedures.search import index_procedure

FORMAT_VERSION = 1
TIME_LIMIT_UNITS = ("working_days", "calendar_days")
FIELD_TYPES = ("text", "date", "choice", "number", "checkbox")
MAX_ERRORS = 20


def bundled_catalogue_path() -> Path:
    """The catalogue shipped with Motcua (commune-level procedures)."""
    return Path(__file__).parent / "data" / "commune.json"


class CatalogueError(DomainError):
    """The file does not follow the catalogue format; nothing was imported."""

    status_code = 400

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors), code="catalogue_invalid")
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    codes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- validation -------------------------------------------------------------------------

def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _non_negative(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _problems() -> dict[str, str]:
    return {
        "text": _("phải là chuỗi chữ"),
        "required_text": _("phải có và không được để trống"),
        "int": _("phải là số nguyên không âm"),
        "bool": _("phải là true hoặc false"),
        "list_text": _("phải là danh sách chuỗi chữ"),
        "list": _("phải là danh sách"),
        "object": _("phải là một đối tượng {…}"),
        "popularity": _("phải là số nguyên từ 0 đến 100"),
        "online_level": _("phải là một trong: %(values)s", values=", ".join(ONLINE_LEVELS)),
        "unit": _("phải là một trong: %(values)s", values=", ".join(TIME_LIMIT_UNITS)),
        "fee_kind": _("phải là một trong: %(values)s", values=", ".join(FEE_KINDS)),
        "field_type": _("phải là một trong: %(values)s", values=", ".join(FIELD_TYPES)),
        "number": _("phải là một số"),
        "tiers": _("phải là danh sách các bậc {from_page, amount}, bậc đầu từ trang 1"),
    }


Check = Callable[[Any], bool]
# name → (required, check, problem key, default for export/import)
_PROCEDURE_FIELDS: dict[str, tuple[bool, Check, str, Any]] = {
    "code": (True, _non_empty, "required_text", None),
    "name": (True, _non_empty, "required_text", None),
    "name_en": (False, lambda v: isinstance(v, str), "text", ""),
    "field": (True, _non_empty, "required_text", None),
    "online_level": (True, lambda v: v in ONLINE_LEVELS, "online_level", None),
    "time_limit_days": (True, _non_negative, "int", None),
    "time_limit_unit": (False, lambda v: v in TIME_LIMIT_UNITS, "unit", "working_days"),
    "time_limit_text": (False, lambda v: isinstance(v, str), "text", ""),
    "fees": (False, lambda v: isinstance(v, list), "list", []),
    "documents": (True, lambda v: isinstance(v, list), "list", None),
    "form_fields": (False, lambda v: isinstance(v, list), "list", []),
    "steps": (False, _is_str_list, "list_text", []),
    "legal_basis": (False, _is_str_list, "list_text", []),
    "result": (False, lambda v: isinstance(v, str), "text", ""),
    "popularity": (False, lambda v: _is_int(v) and 0 <= v <= 100, "popularity", 0),
    "keywords": (False, _is_str_list, "list_text", []),
    "source": (False, lambda v: isinstance(v, str), "text", ""),
    "notes": (False, lambda v: isinstance(v, str), "text", ""),
}
_DOCUMENT_FIELDS: dict[str, tuple[bool, Check, str, Any]] = {
    "name": (True, _non_empty, "required_text", None),
    "copies": (False, _non_negative, "int", 1),
    "mandatory": (False, lambda v: isinstance(v, bool), "bool", True),
    "uploadable": (False, lambda v: isinstance(v, bool), "bool", True),
    "filled_online": (False, lambda v: isinstance(v, bool), "bool", False),
    "note": (False, lambda v: isinstance(v, str), "text", ""),
}


def _valid_tiers(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if not all(isinstance(t, dict) and set(t) == {"from_page", "amount"}
               and _is_int(t["from_page"]) and t["from_page"] >= 1
               and _non_negative(t["amount"]) for t in value):
        return False
    pages = [t["from_page"] for t in value]
    return pages[0] == 1 and pages == sorted(set(pages))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_FEE_FIELDS: dict[str, tuple[bool, Check, str, Any]] = {
    "label": (True, _non_empty, "required_text", None),
    "kind": (True, lambda v: v in FEE_KINDS, "fee_kind", None),
    "amount": (False, _non_negative, "int", None),
    "tiers": (False, _valid_tiers, "tiers", None),
    "cap": (False, _non_negative, "int", None),
    "quantity_field": (False, _non_empty, "required_text", None),
    "per": (False, _non_empty, "required_text", None),
    "copies_field": (False, _non_empty, "required_text", None),
    "text": (False, lambda v: isinstance(v, str), "text", None),
    # Owed only in some cases (a late registration): shown, never billed automatically.
    "conditional": (False, lambda v: isinstance(v, bool), "bool", None),
}
_FORM_FIELD_FIELDS: dict[str, tuple[bool, Check, str, Any]] = {
    "name": (True, lambda v: _non_empty(v) and v.isidentifier(), "required_text", None),
    "label": (True, _non_empty, "required_text", None),
    "type": (True, lambda v: v in FIELD_TYPES, "field_type", None),
    "required": (False, lambda v: isinstance(v, bool), "bool", None),
    "help": (False, lambda v: isinstance(v, str), "text", None),
    "choices": (False, lambda v: _is_str_list(v) and bool(v), "list_text", None),
    "min": (False, _is_number, "number", None),
    "max": (False, _is_number, "number", None),
}


class _Validator:
    """Collects every problem of a file, each naming the procedure and the field."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.problems = _problems()

    def add(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def fields(self, where: str, obj: Any, spec: dict[str, tuple[bool, Check, str, Any]]
               ) -> bool:
        if not isinstance(obj, dict):
            self.add(where, self.problems["object"])
            return False
        for key in obj.keys() - spec.keys():
            self.add(f'{where}, "{key}"', _("trường không có trong định dạng (gõ nhầm tên?)"))
        ok = True
        for key, (required, check, problem, _default) in spec.items():
            if key not in obj:
                if required:
                    self.add(f'{where}, "{key}"', self.problems["required_text"])
                    ok = False
            elif not check(obj[key]):
                self.add(f'{where}, "{key}"', self.problems[problem])
                ok = False
        return ok

    def fee(self, where: str, item: Any) -> None:
        if not self.fields(where, item, _FEE_FIELDS):
            return
        kind = item["kind"]
        if kind in ("fixed", "per_copy") and "amount" not in item:
            self.add(f'{where}, "amount"', _("bắt buộc với loại phí %(kind)s", kind=kind))
        if kind == "per_page" and "tiers" not in item and "amount" not in item:
            self.add(f'{where}, "tiers"', _("bắt buộc với loại phí per_page"))

    def form_field(self, where: str, item: Any) -> None:
        if not self.fields(where, item, _FORM_FIELD_FIELDS):
            return
        if item["type"] == "choice" and "choices" not in item:
            self.add(f'{where}, "choices"', _("bắt buộc với trường kiểu choice"))

    def procedure(self, index: int, proc: Any, seen: set[str]) -> None:
        where = _("Thủ tục thứ %(n)d", n=index + 1)
        if isinstance(proc, dict) and _non_empty(proc.get("code")):
            where = _("Thủ tục %(code)s", code=proc["code"])
            if _non_empty(proc.get("name")):
                where += f" ({proc['name']})"
            if proc["code"] in seen:
                self.add(f'{where}, "code"', _("mã bị trùng trong tệp"))
            seen.add(proc["code"])
        if not self.fields(where, proc, _PROCEDURE_FIELDS):
            return
        for i, item in enumerate(proc["documents"]):
            self.fields(_("%(where)s, giấy tờ số %(n)d", where=where, n=i + 1), item,
                        _DOCUMENT_FIELDS)
        for i, item in enumerate(proc.get("fees", [])):
            self.fee(_("%(where)s, khoản phí số %(n)d", where=where, n=i + 1), item)
        names: set[Any] = set()
        for i, item in enumerate(proc.get("form_fields", [])):
            label = _("%(where)s, trường nhập số %(n)d", where=where, n=i + 1)
            self.form_field(label, item)
            if isinstance(item, dict) and item.get("name") in names:
                self.add(f'{label}, "name"', _("tên trường bị trùng"))
            names.add(item.get("name") if isinstance(item, dict) else None)


def validate_catalogue(data: Any) -> None:
    """Raise CatalogueError listing every problem of the file (the first MAX_ERRORS)."""
    check = _Validator()
    if not isinstance(data, dict):
        check.add(_("Tệp"), _("phải là một đối tượng JSON {\"version\": 1, \"procedures\": [...]}"))
    else:
        if data.get("version") != FORMAT_VERSION:
            check.add('"version"', _("phải là %(v)d", v=FORMAT_VERSION))
        procedures = data.get("procedures")
        if not isinstance(procedures, list):
            check.add('"procedures"', check.problems["list"])
        else:
            seen: set[str] = set()
            for index, proc in enumerate(procedures):
                check.procedure(index, proc, seen)
    if check.errors:
        extra = len(check.errors) - MAX_ERRORS
        errors = check.errors[:MAX_ERRORS]
        if extra > 0:
            errors.append(_("… và %(n)d lỗi khác", n=extra))
        raise CatalogueError(errors)


# --- import -----------------------------------------------------------------------------

def _assign(obj: object, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when anything changed (so updated_at stays put
    when a re-import brings nothing new)."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _procedure_values(proc: dict[str, Any]) -> dict[str, Any]:
    return {key: proc.get(key, default) for key, (_r, _c, _p, default)
            in _PROCEDURE_FIELDS.items() if key != "documents"}


def _document_values(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: doc.get(key, default) for key, (_r, _c, _p, default)
            in _DOCUMENT_FIELDS.items()}


def _sync_documents(procedure: Procedure, docs: list[dict[str, Any]]) -> bool:
    """Update documents in place by position: dossier files point at their ids."""
    changed = False
    by_position = {d.position: d for d in procedure.documents}
    for position, doc in enumerate(docs):
        existing = by_position.pop(position, None)
        if existing is None:
            procedure.documents.append(ProcedureDocument(position=position,
                                                         **_document_values(doc)))
            changed = True
        else:
            changed |= _assign(existing, _document_values(doc))
    if by_position:
        _remove_documents(procedure, list(by_position.values()))
        changed = True
    return changed


def _remove_documents(procedure: Procedure, removed: list[ProcedureDocument]) -> None:
    used = db.session.scalar(
        select(func.count()).select_from(DossierFile)
        .where(DossierFile.requirement_id.in_([d.id for d in removed])))
    if used:
        names = "; ".join(d.name for d in removed)
        raise CatalogueError([_(
            'Thủ tục %(code)s (%(name)s): không thể bỏ giấy tờ "%(docs)s" vì đã có hồ sơ nộp '
            "giấy tờ này; hãy giữ nó trong danh sách (có thể đổi thành không bắt buộc)",
            code=procedure.code, name=procedure.name, docs=names)])
    for doc in removed:
        procedure.documents.remove(doc)


def _default_agencies() -> list[Agency]:
    # Every commune takes the commune-level procedures when the import names none.
    return list(db.session.scalars(select_communes()))


def import_catalogue(data: dict[str, Any], *, agencies: list[Agency] | None = None
                     ) -> ImportReport:
    """Validate, then upsert every procedure by code and offer it at `agencies` (default:
    every commune, ward and special zone). Flushes only; the caller commits, or rolls back
    on CatalogueError so nothing is half-imported."""
    validate_catalogue(data)
    targets = _default_agencies() if agencies is None else agencies
    procs: list[dict[str, Any]] = data["procedures"]
    existing = {p.code: p for p in db.session.scalars(
        select(Procedure).where(Procedure.code.in_([p["code"] for p in procs]))
        .options(selectinload(Procedure.documents), selectinload(Procedure.agencies)))}
    report = ImportReport()
    for proc in procs:
        procedure = existing.get(proc["code"])
        is_new = procedure is None
        if procedure is None:
            procedure = Procedure(code=proc["code"], documents=[], agencies=[])
            db.session.add(procedure)
        changed = _assign(procedure, _procedure_values(proc))
        changed |= _sync_documents(procedure, proc["documents"])
        for agency in targets:
            if agency not in procedure.agencies:
                procedure.agencies.append(agency)
        if is_new or changed or not procedure.search_name:
            index_procedure(procedure)
        if is_new:
            report.created += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
        report.codes.append(procedure.code)
    db.session.flush()
    return report


# --- export -----------------------------------------------------------------------------

def procedure_to_dict(procedure: Procedure) -> dict[str, Any]:
    """One procedure in the catalogue format (also the API's detail shape)."""
    out: dict[str, Any] = {key: getattr(procedure, key) for key in _PROCEDURE_FIELDS
                           if key != "documents"}
    out["documents"] = [{key: getattr(d, key) for key in _DOCUMENT_FIELDS}
                        for d in procedure.documents]
    if out["time_limit_unit"] == "working_days":
        del out["time_limit_unit"]  # the default: files stay as their authors wrote them
    return out


def export_catalogue() -> dict[str, Any]:
    """Every active procedure in the import format; importing it back changes nothing."""
    procedures = db.session.scalars(
        select(Procedure).where(Procedure.active.is_(True))
        .options(selectinload(Procedure.documents)).order_by(Procedure.code))
    return {"version": FORMAT_VERSION,
            "procedures": [procedure_to_dict(p) for p in procedures]}
