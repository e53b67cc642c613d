"""Fee items and time limits read as plain Vietnamese."""

from __future__ import annotations

import pytest

from app.procedures.fees import describe_fee, describe_time_limit, fee_summary

CERTIFIED_COPY = {"label": "Phí chứng thực", "kind": "per_page",
                  "tiers": [{"from_page": 1, "amount": 2000}, {"from_page": 3, "amount": 1000}],
                  "cap": 200000, "per": "copy"}


@pytest.mark.parametrize(("item", "text"), [
    ({"label": "x", "kind": "free"}, "Miễn lệ phí"),
    ({"label": "x", "kind": "per_copy", "amount": 8000}, "8.000 đồng/bản"),
    ({"label": "x", "kind": "fixed", "amount": 10000}, "10.000 đồng"),
    ({"label": "x", "kind": "fixed", "amount": 50000, "per": "case"}, "50.000 đồng/trường hợp"),
    (CERTIFIED_COPY,
     "2.000 đồng/trang; từ trang thứ 3 trở đi 1.000 đồng/trang, tối đa 200.000 đồng/bản"),
    ({"label": "x", "kind": "per_page", "amount": 1500}, "1.500 đồng/trang"),
    ({"label": "x", "kind": "set_by_province", "text": "Theo Nghị quyết"},
     "Theo mức do Hội đồng nhân dân tỉnh, thành phố quy định"),
    ({"label": "x", "kind": "by_value", "text": "0,1% giá trị hợp đồng"}, "0,1% giá trị hợp đồng"),
])
def test_each_fee_kind_reads_as_plain_vietnamese(app, item, text):
    with app.test_request_context():
        assert describe_fee(item) == text


def test_card_summary_is_the_first_item_or_free(app):
    with app.test_request_context():
        assert fee_summary([]) == "Miễn phí"
        assert fee_summary([{"label": "x", "kind": "free"},
                            {"label": "y", "kind": "per_copy", "amount": 8000}]) == "Miễn lệ phí"
        assert fee_summary([CERTIFIED_COPY]).startswith("2.000 đồng/trang")


def test_time_limits_say_working_days_unless_calendar_days(app):
    with app.test_request_context():
        assert describe_time_limit(0) == "Trong ngày"
        assert describe_time_limit(3) == "3 ngày làm việc"
        assert describe_time_limit(30, "calendar_days") == "30 ngày"
