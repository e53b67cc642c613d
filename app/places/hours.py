"""A commune's opening hours as data: sessions per weekday, read from the settings form and
written out in Vietnamese for the public pages.

Stored on Agency.opening_hours as {"mon": {"morning": ["07:30", "11:30"], "afternoon": [...],
"extended": [...]}, ...}; a day without sessions is left out, {} means "not set" (the old
free-text `working_hours` shows instead). "extended" is an hour added after the afternoon
session, like the "giờ làm việc thứ 9" Ba Vì district's communes opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SESSIONS = ("morning", "afternoon", "extended")
DAY_NAMES = {"mon": _l("Thứ Hai"), "tue": _l("Thứ Ba"), "wed": _l("Thứ Tư"),
             "thu": _l("Thứ Năm"), "fri": _l("Thứ Sáu"), "sat": _l("Thứ Bảy"),
             "sun": _l("Chủ Nhật")}
SESSION_NAMES = {"morning": _l("sáng"), "afternoon": _l("chiều"),
                 "extended": _l("giờ làm việc thứ 9")}
# 07:30 from <input type="time">; 7:30 and 7h30 as people type them.
_TIME = re.compile(r"([01]?[0-9]|2[0-3])\s*[:hH.]\s*([0-5][0-9])")

Hours = dict[str, dict[str, list[str]]]


def field_name(day: str, session: str, end: str) -> str:
    """The form input of one session's start or end: hours-mon-morning-start."""
    return f"hours-{day}-{session}-{end}"


def _clock(text: str) -> str | None:
    match = _TIME.fullmatch(text.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def parse_hours(get: Callable[[str], str | None]) -> tuple[Hours, dict[str, str]]:
    """The sessions of the form (`get` reads one input), and errors by `hours-<day>-<session>`.

    A session is both times or neither; each ends after it starts; the afternoon starts once
    the morning is over, and the extra hour comes after the afternoon.
    """
    hours: Hours = {}
    errors: dict[str, str] = {}
    for day in DAYS:
        sessions: dict[str, list[str]] = {}
        for session in SESSIONS:
            key = f"hours-{day}-{session}"
            start_raw = (get(field_name(day, session, "start")) or "").strip()
            end_raw = (get(field_name(day, session, "end")) or "").strip()
            if not start_raw and not end_raw:
                continue
            if not start_raw or not end_raw:
                errors[key] = _("Hãy ghi cả giờ bắt đầu và giờ kết thúc, hoặc để trống cả hai.")
                continue
            start, end = _clock(start_raw), _clock(end_raw)
            if start is None or end is None:
                errors[key] = _("Giờ không hợp lệ: hãy ghi theo dạng 07:30.")
                continue
            if end <= start:
                errors[key] = _("Giờ kết thúc phải sau giờ bắt đầu.")
                continue
            sessions[session] = [start, end]
        morning, afternoon = sessions.get("morning"), sessions.get("afternoon")
        extended = sessions.get("extended")
        if morning and afternoon and afternoon[0] < morning[1]:
            errors[f"hours-{day}-afternoon"] = _(
                "Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc.")
        if extended and not afternoon:
            errors[f"hours-{day}-extended"] = _(
                "Giờ làm việc thứ 9 là giờ thêm sau buổi chiều: hãy ghi buổi chiều trước.")
        elif extended and afternoon and extended[0] < afternoon[1]:
            errors[f"hours-{day}-extended"] = _(
                "Giờ làm việc thứ 9 phải bắt đầu sau khi buổi chiều kết thúc.")
        if sessions:
            hours[day] = sessions
    return hours, errors


def _short(clock: str) -> str:
    """07:30 → 7:30, as the posters at the desk write it."""
    hour, minute = clock.split(":")
    return f"{int(hour)}:{minute}"


def _day_text(sessions: Mapping[str, list[str]]) -> str:
    return ", ".join(f"{SESSION_NAMES[s]} {_short(sessions[s][0])}–{_short(sessions[s][1])}"
                     for s in SESSIONS if s in sessions)


def describe_hours(hours: Mapping[str, Any] | None) -> list[str]:
    """One line per run of days with the same sessions, Monday first:
    ["Thứ Hai – Thứ Sáu: sáng 7:30–11:30, chiều 13:30–17:00", "Thứ Bảy: sáng 7:30–11:30"]."""
    hours = hours or {}
    runs: list[list[str]] = []
    for day in DAYS:
        if not hours.get(day):
            continue
        previous = runs[-1][-1] if runs else None
        if previous and DAYS.index(previous) == DAYS.index(day) - 1 \
                and hours[previous] == hours[day]:
            runs[-1].append(day)
        else:
            runs.append([day])
    lines = []
    for run in runs:
        days = (str(DAY_NAMES[run[0]]) if len(run) == 1
                else f"{DAY_NAMES[run[0]]} – {DAY_NAMES[run[-1]]}")
        lines.append(f"{days}: {_day_text(hours[run[0]])}")
    return lines


def form_values(hours: Mapping[str, Any] | None) -> dict[str, str]:
    """The settings form's inputs filled from stored hours."""
    values: dict[str, str] = {}
    for day, sessions in (hours or {}).items():
        for session, (start, end) in sessions.items():
            values[field_name(day, session, "start")] = start
            values[field_name(day, session, "end")] = end
    return values
