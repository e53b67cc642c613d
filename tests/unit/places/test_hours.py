"""Opening hours: the form's sessions checked, and written out in Vietnamese; the hotline
as a tel: link. Expectations written by hand."""

from __future__ import annotations

import pytest

from app.places.contact import tel_href
from app.places.hours import describe_hours, parse_hours

BA_VI = {"morning": ["07:30", "11:30"], "afternoon": ["13:30", "17:00"],
         "extended": ["17:00", "18:00"]}


def test_runs_of_equal_days_become_one_line(app) -> None:
    hours = {d: BA_VI for d in ("mon", "tue", "wed", "thu", "fri")}
    hours["sat"] = {"morning": ["07:30", "11:00"]}
    with app.test_request_context():
        assert describe_hours(hours) == [
            "Thứ Hai – Thứ Sáu: sáng 7:30–11:30, chiều 13:30–17:00, "
            "giờ làm việc thứ 9 17:00–18:00",
            "Thứ Bảy: sáng 7:30–11:00",
        ]
        # A gap (Wednesday closed) splits the run even when the days are alike.
        split = {"mon": BA_VI, "tue": BA_VI, "thu": BA_VI}
        assert [line.split(":")[0] for line in describe_hours(split)] == [
            "Thứ Hai – Thứ Ba", "Thứ Năm"]
        assert describe_hours({}) == []


def test_the_form_reads_typed_times_the_way_people_write_them(app) -> None:
    form = {"hours-mon-morning-start": "7h30", "hours-mon-morning-end": "11:30",
            "hours-sat-morning-start": "7.30", "hours-sat-morning-end": "11:00"}
    with app.test_request_context():
        hours, errors = parse_hours(form.get)
    assert errors == {}
    assert hours == {"mon": {"morning": ["07:30", "11:30"]},
                     "sat": {"morning": ["07:30", "11:00"]}}


@pytest.mark.parametrize(("hotline", "href"), [
    ("024 0000 0126", "tel:02400000126"),
    ("0258.000.0128", "tel:02580000128"),
    ("+84 912 345 678", "tel:+84912345678"),
    ("", ""),
    ("không có", ""),
])
def test_tel_href(hotline: str, href: str) -> None:
    assert tel_href(hotline) == href
