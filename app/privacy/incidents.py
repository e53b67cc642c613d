"""Personal-data breaches: who and what they touched (from the audit trail), the 72-hour
count and the notifications.

Decree 13/2023 Art. 23: the controller notifies the Ministry of Public Security (A05,
Department of Cybersecurity and High-Tech Crime Prevention) at the latest 72 hours after
the violation occurred, on Form 03 of the decree's annex, with the reason when later; the
notice describes the violation (time, place, act, who, kinds and amount of data), the
contact of the person in charge, the likely consequences and the measures taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import Officer
from app.backoffice.models import AuditEntry
from app.core.vntime import to_vietnam_time
from app.dossiers.models import Dossier
from app.extensions import db
from app.privacy.catalogue import BY_KEY
from app.privacy.models import Incident

NOTIFY_WITHIN = timedelta(hours=72)
MAX_TEXT = 4000
MAX_CODES = 500
# Which audit lines show an officer saw each kind of data.
_FILE_VIEWS = ("view_file",)
_PAGE_VIEWS = ("view_dossier", "view_declaration")
VIEWS_OF_KIND = {"dossier_files": _FILE_VIEWS, "id_photos": _FILE_VIEWS,
                 "personal_fields": _PAGE_VIEWS}


class IncidentError(ValueError):
    def __init__(self, message: str, field: str = "form") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Clock:
    deadline: datetime
    left: timedelta
    overdue: bool
    notified: bool


def _aware(moment: datetime) -> datetime:
    return to_vietnam_time(moment)  # SQLite gives naive UTC back; compare on one clock


def clock(incident: Incident, now: datetime) -> Clock:
    """The 72 hours, counted from when the violation occurred (Art. 23(1))."""
    deadline = _aware(incident.started_at) + NOTIFY_WITHIN
    notified_at = incident.authority_notified_at
    end = _aware(notified_at) if notified_at is not None else _aware(now)
    return Clock(deadline, deadline - _aware(now), end > deadline, notified_at is not None)


def record_incident(officer: Officer, *, summary: str, started_at: datetime,
                    discovered_at: datetime, data_kinds: list[str],
                    scope_officer: Officer | None, window_start: datetime | None,
                    window_end: datetime | None, scope_codes: list[str],
                    consequences: str = "", measures: str = "",
                    late_reason: str = "") -> Incident:
    """Record a breach of the officer's commune; flush only."""
    if not summary.strip():
        raise IncidentError(_("Vui lòng mô tả sự việc."), "summary")
    if any(len(t) > MAX_TEXT for t in (summary, consequences, measures, late_reason)):
        raise IncidentError(_("Nội dung dài quá %(n)s ký tự.", n=MAX_TEXT))
    if discovered_at < started_at:
        raise IncidentError(_("Thời điểm phát hiện không thể trước thời điểm xảy ra."),
                            "discovered_at")
    unknown = [k for k in data_kinds if k not in BY_KEY]
    if unknown or not data_kinds:
        raise IncidentError(_("Vui lòng chọn loại dữ liệu bị ảnh hưởng."), "data_kinds")
    if (window_start is None) != (window_end is None) or (
            window_start and window_end and window_end <= window_start):
        raise IncidentError(_("Khoảng thời gian phải có điểm đầu trước điểm cuối."),
                            "window")
    if scope_officer is not None and window_start is None:
        raise IncidentError(_("Vui lòng nhập khoảng thời gian cho tài khoản cán bộ."),
                            "window")
    if scope_officer is not None and scope_officer.agency_id != officer.agency_id:
        raise IncidentError(_("Tài khoản cán bộ không thuộc xã này."), "scope_officer")
    if len(scope_codes) > MAX_CODES:
        raise IncidentError(_("Tối đa %(n)s mã hồ sơ.", n=MAX_CODES), "scope_codes")
    incident = Incident(agency_id=officer.agency_id, recorded_by_id=officer.id,
                        summary=summary.strip(), started_at=started_at,
                        discovered_at=discovered_at, data_kinds=list(data_kinds),
                        scope_officer_id=scope_officer.id if scope_officer else None,
                        window_start=window_start, window_end=window_end,
                        scope_codes=list(scope_codes), consequences=consequences.strip(),
                        measures=measures.strip(), late_reason=late_reason.strip())
    db.session.add(incident)
    db.session.flush()
    return incident


def affected_dossiers(incident: Incident) -> list[Dossier]:
    """The commune's dossiers the breach touched: the codes named, and those whose data of
    the chosen kinds the officer account saw in the window, by the audit trail."""
    conditions: list[Any] = []
    if incident.scope_codes:
        conditions.append(Dossier.code.in_(incident.scope_codes))
    if incident.scope_officer_id is not None and incident.window_start is not None:
        kinds = incident.data_kinds or list(VIEWS_OF_KIND)
        actions = sorted({a for k in kinds for a in VIEWS_OF_KIND.get(k, ())})
        if actions:
            seen = select(AuditEntry.dossier_id).where(
                AuditEntry.agency_id == incident.agency_id,
                AuditEntry.officer_id == incident.scope_officer_id,
                AuditEntry.what.in_(actions),
                AuditEntry.at >= incident.window_start,
                AuditEntry.at < incident.window_end)
            conditions.append(Dossier.id.in_(seen))
    if not conditions:
        return []
    return list(db.session.scalars(select(Dossier).where(
        Dossier.agency_id == incident.agency_id, or_(*conditions)).order_by(Dossier.code)))


def people_of(dossiers: list[Dossier]) -> list[tuple[str, str]]:
    """(name, phone) of each person concerned, once each (by citizen ID, else by phone)."""
    seen: dict[str, tuple[str, str]] = {}
    for dossier in dossiers:
        key = dossier.citizen_id_number or dossier.phone or dossier.code
        seen.setdefault(key, (dossier.applicant_name, dossier.phone))
    return list(seen.values())


def _fmt(moment: datetime | None) -> str:
    return to_vietnam_time(moment).strftime("%H:%M %d/%m/%Y") if moment else "–"


def authority_notice(incident: Incident, affected: list[Dossier], now: datetime) -> str:
    """The Form 03 contents (Decree 13/2023 Art. 23(3)) filled in, for the admin to review,
    sign and send to A05."""
    agency = incident.recorded_by.agency
    kinds = ", ".join(str(BY_KEY[k].label) for k in incident.data_kinds if k in BY_KEY)
    officer = incident.scope_officer
    lines = [
        _("THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN"),
        _("(Mẫu số 03, Phụ lục Nghị định 13/2023/NĐ-CP)"),
        "",
        _("Kính gửi: Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), "
          "Bộ Công an"),
        "",
        _("1. Bên Kiểm soát dữ liệu cá nhân: %(name)s", name=agency.name),
        _("   Địa chỉ: %(address)s", address=agency.address or "–"),
        _("   Điện thoại: %(hotline)s", hotline=agency.hotline or "–"),
        "",
        _("2. Mô tả vi phạm"),
        _("   Thời gian xảy ra: %(at)s", at=_fmt(incident.started_at)),
        _("   Thời gian phát hiện: %(at)s", at=_fmt(incident.discovered_at)),
        _("   Nơi xảy ra: hệ thống Motcua của %(name)s", name=agency.name),
        _("   Hành vi: %(summary)s", summary=incident.summary),
    ]
    if officer is not None:
        lines.append(_("   Tài khoản liên quan: %(user)s (%(name)s), từ %(start)s đến %(end)s",
                       user=officer.username, name=officer.full_name,
                       start=_fmt(incident.window_start), end=_fmt(incident.window_end)))
    lines += [
        _("   Loại dữ liệu cá nhân: %(kinds)s", kinds=kinds),
        _("   Số hồ sơ bị ảnh hưởng: %(n)s; số người: %(p)s", n=len(affected),
          p=len(people_of(affected))),
        "",
        _("3. Người phụ trách bảo vệ dữ liệu cá nhân: %(name)s, tài khoản %(user)s",
          name=incident.recorded_by.full_name, user=incident.recorded_by.username),
        "",
        _("4. Hậu quả, thiệt hại có thể xảy ra: %(text)s", text=incident.consequences or "–"),
        "",
        _("5. Biện pháp đã thực hiện để giải quyết, giảm thiểu tác hại: %(text)s",
          text=incident.measures or "–"),
    ]
    state = clock(incident, now)
    if state.overdue:
        lines += ["", _("6. Lý do thông báo sau 72 giờ: %(text)s",
                        text=incident.late_reason or "–")]
    lines += ["", _("Lập lúc %(at)s", at=_fmt(now))]
    return "\n".join(lines) + "\n"


def person_notice(incident: Incident, dossier: Dossier) -> str:
    """The text sent to one person concerned."""
    kinds = ", ".join(str(BY_KEY[k].label) for k in incident.data_kinds if k in BY_KEY)
    return _("%(agency)s thông báo: dữ liệu cá nhân của ông/bà trong hồ sơ %(code)s (%(kinds)s) "
             "có thể đã bị truy cập trái phép từ %(at)s. Xã đã: %(measures)s. Mọi thắc mắc "
             "xin liên hệ %(hotline)s.", agency=dossier.agency.name, code=dossier.code,
             kinds=kinds, at=_fmt(incident.started_at),
             measures=incident.measures or _("khoá tài khoản liên quan và rà soát"),
             hotline=dossier.agency.hotline or _("bộ phận một cửa"))


def mark_notified(incident: Incident, whom: str, now: datetime) -> None:
    """Stamp that the authority or the people were notified (once); flush only."""
    if whom == "authority" and incident.authority_notified_at is None:
        incident.authority_notified_at = now
    elif whom == "people" and incident.people_notified_at is None:
        incident.people_notified_at = now
    db.session.flush()


def incidents_of(agency_id: int) -> list[Incident]:
    return list(db.session.scalars(select(Incident).where(Incident.agency_id == agency_id)
                                   .order_by(Incident.started_at.desc())))
