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
