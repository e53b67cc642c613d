"""What the phone shows for each event that concerns the citizen: the exact Vietnamese title
and body, the dossier page to open, and how long and how urgently the push service keeps it.

Payloads carry nothing personal but the dossier code: no name, no phone, no citizen ID.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from app.dossiers.models import Dossier, DossierStatus
from app.payments.queries import fee_settled
from app.queues.links import ticket_token
from app.queues.models import Ticket
from app.results.queries import current_results

DAY = 86400
# Push services keep a message at most about four weeks; a note longer than this is cut (the
# dossier page has it in full) so the payload stays well under the 4 KB limit.
MAX_NOTE = 160


@dataclass(frozen=True)
class Kind:
    ttl: int
    urgency: str  # RFC 8030: very-low | low | normal | high


KINDS: dict[str, Kind] = {
    "received": Kind(3 * DAY, "normal"),
    "supplement_requested": Kind(14 * DAY, "high"),
    "rejected": Kind(14 * DAY, "normal"),
    "result_ready": Kind(28 * DAY, "high"),
    "apology": Kind(7 * DAY, "normal"),
    "payment_confirmed": Kind(2 * DAY, "low"),
    "rating_requested": Kind(7 * DAY, "low"),
    # A queue message is worth nothing after the day's wait: kept an hour, pushed at once.
    "queue_near": Kind(3600, "high"),
    "queue_called": Kind(3600, "high"),
}

# Workflow action -> notification kind. Moves internal to the office (assign, send back,
# submit for approval) and the citizen's own moves tell the citizen nothing new.
EVENT_KINDS: dict[str, str] = {
    "receive": "received",
    "request_supplement": "supplement_requested",
    "reject": "rejected",
    "approve": "result_ready",
    "mark_result_ready": "result_ready",
    "apologize": "apology",
    "payment_confirmed": "payment_confirmed",
    # The result is in the citizen's hands: ask how it went (issue: page, push and inbox).
    "return_result": "rating_requested",
    "confirm_receipt": "rating_requested",
}


def _day(value: Any) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d/%m/%Y") if value else ""


def _note(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_NOTE else text[:MAX_NOTE - 1].rstrip() + "…"


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _due(dossier: Dossier, data: dict[str, Any]) -> str:
    """The result date a message announces: the one the move set, else the dossier's."""
    return _day(data.get("due_date") or dossier.due_date)


def build(kind: str, dossier: Dossier, *, note: str = "", data: dict[str, Any] | None = None
          ) -> dict[str, str]:
    """{"title", "body", "url"} in Vietnamese, whatever language the officer's page is in."""
    data = data or {}
    code = dossier.code
    with force_locale("vi"):
        if kind == "received":
            title = _("Hồ sơ %(code)s đã được tiếp nhận", code=code)
            body = _("Ngày hẹn trả kết quả: %(day)s.", day=_due(dossier, data))
        elif kind == "supplement_requested":
            title = _("Hồ sơ %(code)s cần bổ sung giấy tờ", code=code)
            body = (_("Cần bổ sung: %(what)s", what=_note(note)) if note.strip() else
                    _("Mở hồ sơ để xem giấy tờ cần bổ sung."))
        elif kind == "rejected":
            title = _("Hồ sơ %(code)s không được tiếp nhận", code=code)
            body = (_("Lý do: %(why)s", why=_note(note)) if note.strip() else
                    _("Mở hồ sơ để xem lý do."))
        elif kind == "result_ready" and data.get("result_mode") == "online":
            # The electronic result is handed out once nothing is owed (the desk's rule);
            # a fee paid later brings this same news with its payment (below).
            if fee_settled(dossier):
                title = _("Kết quả điện tử đã sẵn sàng")
                body = _("Hồ sơ %(code)s: mở trang hồ sơ để tải kết quả về điện thoại.",
                         code=code)
            else:
                title = _("Hồ sơ %(code)s đã có kết quả", code=code)
                body = _("Nộp đủ phí, lệ phí để tải kết quả điện tử trên trang hồ sơ.")
        elif kind == "result_ready":
            title = _("Hồ sơ %(code)s đã có kết quả", code=code)
            body = _("Mời bạn đến bộ phận một cửa %(agency)s để nhận, nhớ mang theo căn cước.",
                     agency=dossier.agency.name)
        elif kind == "payment_confirmed" and dossier.status == DossierStatus.RESULT_READY \
                and current_results(dossier):
            title = _("Kết quả điện tử đã sẵn sàng")
            body = _("Đã nhận thanh toán cho hồ sơ %(code)s. Mở trang hồ sơ để tải kết quả.",
                     code=code)
        elif kind == "apology":
            title = _("Xin lỗi: hồ sơ %(code)s chậm so với ngày hẹn", code=code)
            body = _("Ngày hẹn trả kết quả mới: %(day)s.", day=_due(dossier, data))
        elif kind == "payment_confirmed":
            title = _("Đã nhận thanh toán cho hồ sơ %(code)s", code=code)
            amount = data.get("amount")
            body = (_("Số tiền: %(amount)s. Cảm ơn bạn.", amount=_money(int(amount)))
                    if amount else _("Phí, lệ phí của hồ sơ đã được thanh toán. Cảm ơn bạn."))
        elif kind == "rating_requested":
            title = _("Mời bạn đánh giá hồ sơ %(code)s", code=code)
            body = _("Hồ sơ đã trả kết quả. Bạn có hài lòng không? Một phút đánh giá giúp xã "
                     "phục vụ tốt hơn.")
            return {"title": str(title), "body": str(body), "url": f"/d/{code}/rating"}
        else:
            raise ValueError(f"unknown notification kind {kind!r}")
    return {"title": str(title), "body": str(body), "url": f"/d/{code}"}


def build_for_ticket(kind: str, ticket: Ticket, *, ahead: int = 0) -> dict[str, str]:
    """{"title", "body", "url"} for a queue ticket, in Vietnamese: the number and the counter,
    nothing about the person."""
    label = ticket.label
    with force_locale("vi"):
        if kind == "queue_near":
            title = _("Sắp đến lượt bạn: còn %(ahead)d người trước số %(label)s",
                      ahead=ahead, label=label)
            body = _("Hãy có mặt ở khu vực chờ của %(queue)s.", queue=ticket.queue.name)
        elif kind == "queue_called":
            counter = ticket.counter.name if ticket.counter else ""
            title = _("Mời số %(label)s đến %(counter)s", label=label, counter=counter)
            body = _("Cán bộ đang chờ bạn tại %(counter)s.", counter=counter)
        else:
            raise ValueError(f"unknown ticket notification kind {kind!r}")
    return {"title": str(title), "body": str(body), "url": f"/q/t/{ticket_token(ticket)}"}
