"""VietQR payloads: independent vectors byte for byte, round trips, CRC errors caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.payments.vietqr import (
    VietQRError,
    build_payload,
    crc16_ccitt_false,
    parse_payload,
)

# From the README of github.com/subiz/vietqr (Go): vietqr.Generate(120000, "970415",
# "0011001932418", "ủng hộ lũ lụt").
SUBIZ = ("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061"
         "200005802VN62170813ung ho lu lut6304C15C")
# From github.com/giautm/emvqr-go, emvqr_test.go (Test_BuildPayload and Benchmark_BuildPayload):
# other field orders (62 before 38; 54 before 53, static with an amount), so parse-only here.
GIAUTM_DYNAMIC = ("00020101021262110807tien le38560010A0000007270126000697041501121133666688880"
                  "208QRIBFTTA5303704540460005802VN63046893")
GIAUTM_STATIC = ("00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA54057"
                 "000153037045802VN6304ED54")


def test_crc_check_value():
    assert f"{crc16_ccitt_false(b'123456789'):04X}" == "29B1"


def test_independent_vector_byte_for_byte():
    assert build_payload("970415", "0011001932418", 120000, "ủng hộ lũ lụt") == SUBIZ


@pytest.mark.parametrize(("payload", "expected"), [
    (SUBIZ, ("970415", "0011001932418", 120000, "ung ho lu lut", True)),
    (GIAUTM_DYNAMIC, ("970415", "113366668888", 6000, "tien le", True)),
    (GIAUTM_STATIC, ("970415", "113366668888", 70001, "", False)),
])
def test_independent_vectors_parse(payload, expected):
    parsed = parse_payload(payload)
    assert (parsed.bank_bin, parsed.account, parsed.amount, parsed.purpose,
            parsed.dynamic) == expected
    assert parsed.currency == "704" and parsed.country == "VN" and parsed.service == "QRIBFTTA"


def test_static_code_without_amount():
    payload = build_payload("970405", "9999000000126")
    assert payload.startswith("000201010211") and "53037045802VN" in payload
    assert parse_payload(payload).amount is None


@given(amount=st.integers(min_value=1, max_value=10**12),
       account=st.from_regex(r"[0-9]{6,19}", fullmatch=True),
       seq=st.integers(min_value=0, max_value=99999))
def test_generated_payloads_parse_back(amount, account, seq):
    reference = f"MC261122{seq:04d}"
    parsed = parse_payload(build_payload("970436", account, amount, reference))
    assert (parsed.bank_bin, parsed.account, parsed.amount, parsed.purpose) == (
        "970436", account, amount, reference)


@pytest.mark.parametrize("broken", [
    SUBIZ[:-1] + "D",                      # wrong CRC digit
    SUBIZ.replace("120000", "920000"),     # amount changed, CRC kept
    SUBIZ.replace("ung ho", "ung hO"),     # content changed
    SUBIZ[:-8],                            # CRC field gone
])
def test_parser_detects_crc_errors(broken):
    with pytest.raises(VietQRError):
        parse_payload(broken)


def test_purpose_is_ascii_and_short():
    payload = build_payload("970405", "123", 8000, "Lệ phí Đăng ký – hồ sơ số 000.31.12.H26-261122")
    purpose = parse_payload(payload).purpose
    assert purpose.isascii() and len(purpose) <= 25 and purpose.startswith("Le phi Dang ky")
