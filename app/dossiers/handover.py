"""The hand-over of a result (trả kết quả): how it reached the citizen and, at the counter,
who collected it. The return move's input rule and what it records (workflow.apply)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.identity import IdentityError, normalize_citizen_id
from app.dossiers.models import CollectorRelation, ReturnChannel
from app.dossiers.person import clean_person_name

if TYPE_CHECKING:
    from app.dossiers.models import Dossier

CHANNEL_LABELS: dict[str, Any] = {
    ReturnChannel.COUNTER: _l("Tại bộ phận một cửa (nhận trực tiếp)"),
    ReturnChannel.POST: _l("Qua dịch vụ bưu chính"),
    ReturnChannel.ONLINE: _l("Bản điện tử (công dân tải về)"),
}
RELATION_LABELS: dict[str, Any] = {
    CollectorRelation.SELF: _l("Chính người nộp hồ sơ"),
    CollectorRelation.FAMILY: _l("Người thân trong gia đình (cha, mẹ, vợ, chồng, con, "
                                 "anh, chị, em)"),
    CollectorRelation.AUTHORISED: _l("Người được ủy quyền (có giấy ủy quyền)"),
}


@dataclass(frozen=True)
class Collector:
    name: str
    id_number: str
    relation: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "id_number": self.id_number, "relation": self.relation}


@dataclass(frozen=True)
class Handover:
    channel: str
    collector: Collector | None


def read_handover(dossier: Dossier, data: dict[str, Any]
                  ) -> tuple[Handover | None, dict[str, str]]:
    """The return move's input: `handover` (a ReturnChannel), and at the counter
    `collector_name`, `collector_id_number` (CCCD, the applicant form's own check),
    `collector_relation`, and for an authorised person `authorisation_seen`."""
    channel = str(data.get("handover") or "")
    if channel not in CHANNEL_LABELS:
        return None, {"handover": _("Vui lòng chọn cách trả kết quả.")}
    if channel != ReturnChannel.COUNTER:
        return Handover(channel, None), {}
    errors: dict[str, str] = {}
    name = id_number = ""
    try:
        name = clean_person_name(data.get("collector_name"),
                                 missing=_("Vui lòng nhập họ và tên người nhận kết quả."))
    except IdentityError as exc:
        errors["collector_name"] = exc.message
    try:
        id_number = normalize_citizen_id(str(data.get("collector_id_number") or ""))
    except IdentityError as exc:
        errors["collector_id_number"] = exc.message
    relation = str(data.get("collector_relation") or "")
    if relation not in RELATION_LABELS:
        errors["collector_relation"] = _("Vui lòng chọn quan hệ của người nhận với người "
                                         "nộp hồ sơ.")
    elif (relation == CollectorRelation.SELF and id_number
          and id_number != dossier.citizen_id_number):
        errors["collector_id_number"] = _("Số định danh không khớp với người nộp hồ sơ. "
                                          "Nếu người khác đến nhận, hãy chọn đúng quan hệ.")
    elif relation == CollectorRelation.AUTHORISED and not data.get("authorisation_seen"):
        errors["authorisation_seen"] = _("Vui lòng kiểm tra giấy ủy quyền của người nhận "
                                         "trước khi trả kết quả.")
    if errors:
        return None, errors
    return Handover(channel, Collector(name, id_number, relation)), {}


def handover_rule(dossier: Dossier, _note: str, data: dict[str, Any]) -> dict[str, str]:
    """The workflow input rule of the return move."""
    return read_handover(dossier, data)[1]


def record_handover(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    """Stamp the hand-over on the dossier (the input rule has passed); what the return
    event keeps of it, with the values as stored."""
    handover, _errors = read_handover(dossier, data)
    assert handover is not None, "apply checks the input rules first"
    collector = handover.collector
    dossier.return_channel = handover.channel
    dossier.collector_name = collector.name if collector else None
    dossier.collector_id_number = collector.id_number if collector else None
    dossier.collector_relation = collector.relation if collector else None
    out: dict[str, Any] = {"handover": handover.channel}
    if collector is not None:
        out["collector"] = collector.as_dict()
        out["authorisation_seen"] = collector.relation == CollectorRelation.AUTHORISED
    return out


def relation_label(value: str | None) -> str:
    return str(RELATION_LABELS.get(value or "", value or ""))


def channel_label(value: str | None) -> str:
    return str(CHANNEL_LABELS.get(value or "", value or ""))
