"""What the status page shows to a browser that gave only the code and the phone.

Codes run in sequence each day and phone numbers are known in a village, so this page holds
nothing personal: the procedure, the status and a timeline of dates and public labels, the
appointment date, the next step, the fee due and the commune's contacts; the applicant's
name only masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.dossiers.models import Dossier

MASK = "***"


def mask_name(name: str | None) -> str:
    """The first letter of each word, then ***: 'Nguyễn Văn An' → 'N*** V*** A***'.

    Enough for the applicant to recognise the dossier, not for a neighbour to learn who
    applied; the stars do not tell the length of the words.
    """
    return " ".join(word[0].upper() + MASK for word in (name or "").split())


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    action: str
    data: dict[str, Any]
    from_status: str | None
    to_status: str | None
    due_date: date | None = None
    # The catalogue names of the papers a supplement request lists (never the officer's
    # free-text note, which may name people).
    missing: tuple[str, ...] = field(default_factory=tuple)
    # Which fields the desk corrected, by their labels: never the values, old or new.
    corrected: tuple[str, ...] = field(default_factory=tuple)


def public_timeline(dossier: Dossier) -> list[PublicEvent]:
    """The dossier's events without notes, officers or anything the citizen wrote."""
    out = []
    for event in dossier.events:
        data = event.data or {}
        due = None
        if data.get("due_date") and event.action in ("receive", "apologize", "resubmit"):
            due = date.fromisoformat(data["due_date"])
        missing: tuple[str, ...] = ()
        if event.action == "request_supplement":
            missing = tuple(str(name) for name in data.get("missing") or ())
        corrected: tuple[str, ...] = ()
        if event.action == "correct_details":
            corrected = corrected_labels(data)
        # Only the channel is public in the data (it picks the submit label).
        public_data = {"channel": data["channel"]} if "channel" in data else {}
        out.append(PublicEvent(event.at, event.action, public_data, event.from_status,
                               event.to_status, due, missing, corrected))
    return out


def corrected_labels(data: dict[str, Any]) -> tuple[str, ...]:
    """The labels of the fields a correction event changed, in its order."""
    changes = data.get("changes") or {}
    return tuple(str(c.get("label", key)) for key, c in changes.items() if isinstance(c, dict))
