"""Fee amounts from the catalogue's fee items and the citizen's answers."""

from __future__ import annotations

from app.payments.fees import per_page_amount, quote

COPY_CERT = {"label": "Phí chứng thực", "kind": "per_page",
             "tiers": [{"from_page": 1, "amount": 2000}, {"from_page": 3, "amount": 1000}],
             "cap": 200000, "quantity_field": "pages", "per": "copy", "copies_field": "copies"}


def test_per_page_tiers_and_cap():
    assert per_page_amount(COPY_CERT, 1) == 2000
    assert per_page_amount(COPY_CERT, 2) == 4000
    assert per_page_amount(COPY_CERT, 5) == 7000
    assert per_page_amount(COPY_CERT, 1000) == 200000  # capped per copy


def test_quote_multiplies_by_copies_and_reads_text_answers(app):
    with app.test_request_context():
        result = quote([COPY_CERT], {"pages": "3", "copies": "2"})
        assert result.total == 10000 and result.complete
        assert quote([{"label": "Bản sao", "kind": "per_copy", "amount": 8000,
                       "quantity_field": "copies"}], {"copies": 3}).total == 24000
        assert quote([{"label": "Chữ ký", "kind": "fixed", "amount": 10000}], {}).total == 10000


def test_free_and_province_set_fees(app):
    with app.test_request_context():
        free = quote([{"label": "Lệ phí", "kind": "free"}], {})
        assert free.total == 0 and free.complete and free.lines == ()
        mixed = quote([{"label": "Đúng hạn", "kind": "free"},
                       {"label": "Quá hạn", "kind": "set_by_province"}], {})
        assert mixed.total == 0 and not mixed.complete


def test_a_quantity_the_form_asks_and_the_citizen_left_blank_is_zero(app):
    copy_fee = [{"label": "Bản sao", "kind": "per_copy", "amount": 8000,
                 "quantity_field": "copies"}]
    asks_copies = [{"name": "copies", "label": "Số bản sao", "type": "number"}]
    with app.test_request_context():
        for answers in ({}, {"copies": ""}, {"copies": "  "}, {"copies": None},
                        {"copies": 0}, {"copies": "0"}):
            assert quote(copy_fee, answers, asks_copies).total == 0, answers
        assert quote(copy_fee, {"copies": "1"}, asks_copies).total == 8000
        # A form that does not ask how many: one copy, as before.
        assert quote(copy_fee, {}, []).total == 8000
