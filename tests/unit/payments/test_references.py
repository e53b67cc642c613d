"""Finding a payment reference in what banks make of the transfer text."""

from __future__ import annotations

import pytest

from app.payments.reconcile import compact, reference_candidates


@pytest.mark.parametrize("content", [
    "MC2611220007",
    "mc 261122 0007 chuyen tien",
    "MBVCB.3278907687.MC261122.FT0007.CT tu 0123456789",
    "Chuyển tiền lệ phí Mc-261122-0007",
    "IBFT 0123 MC2611220007 NGUYEN VAN AN chuyen khoan",
    "MC  261122\t0007",
])
def test_mangled_reference_found(content):
    assert reference_candidates(content)[0] == "MC2611220007"


def test_no_reference_no_candidate():
    assert reference_candidates("chuyen tien le phi ho so") == []
    assert reference_candidates("MC 1234") == []


def test_compact_folds_accents_and_drops_punctuation():
    assert compact("mc 261122-0007 chuyển tiền") == "MC2611220007CHUYENTIEN"
