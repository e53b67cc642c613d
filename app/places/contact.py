"""How a citizen reaches the commune's desk: the hotline as a tel: link, the hall on a map,
the opening hours in Vietnamese. Shared by the village, procedure and status pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app.places.hours import describe_hours

if TYPE_CHECKING:
    from app.places.models import Agency


def tel_href(hotline: str) -> str:
    """'024 0000 0126' → 'tel:02400000126'; '' when no digits are left to dial."""
    digits = re.sub(r"[^0-9+]", "", hotline or "")
    digits = digits[:1] + digits[1:].replace("+", "")
    return f"tel:{digits}" if re.search(r"[0-9]", digits) else ""


def map_href(agency: Agency) -> str:
    """A map link to the commune hall, or '' without a position. An https link with the
    coordinates opens the maps app on Android (and a browser map anywhere else), where a
    geo: URI does nothing on a computer or an iPhone; nothing of a map is embedded."""
    if not agency.has_position:
        return ""
    return ("https://www.google.com/maps/search/?api=1&query="
            f"{agency.latitude:.6f},{agency.longitude:.6f}")


def hours_lines(agency: Agency) -> list[str]:
    """The opening hours, one line per run of days; the old free text when none is set."""
    if agency.opening_hours:
        return describe_hours(agency.opening_hours)
    return [agency.working_hours] if agency.working_hours else []
