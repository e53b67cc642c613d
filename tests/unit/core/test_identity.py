"""Citizen ID (số định danh cá nhân) and mobile number checks."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.identity import (
    PROVINCE_CODES,
    IdentityError,
    birth_century,
    normalize_citizen_id,
    normalize_phone,
)

LENGTH = "Số định danh cá nhân phải gồm đúng 12 chữ số."
PROVINCE = "Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không đúng."
MISMATCH = "Số định danh không khớp với năm sinh đã nhập."
PHONE = "Số điện thoại di động không đúng. Ví dụ: 0912 345 678."


def test_the_63_birth_registration_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.startswith("0") for code in PROVINCE_CODES)


@pytest.mark.parametrize(("digit", "century"), [
    (0, 1900), (1, 1900), (2, 2000), (3, 2000), (4, 2100), (5, 2100), (6, 2200), (7, 2200),
    (8, 2300), (9, 2300),
])
def test_century_digit(digit: int, century: int) -> None:
    assert birth_century(digit) == century


@pytest.mark.parametrize(("raw", "birth", "expected"), [
    ("001085012345", None, "001085012345"),
    ("001 085 012 345", None, "001085012345"),
    (" 001085012345\t", None, "001085012345"),
    ("001085012345", date(1985, 6, 1), "001085012345"),  # man born 1985 in Hà Nội
    ("079305123456", date(2005, 2, 28), "079305123456"),  # woman born 2005 in HCMC
    ("096199000001", date(1999, 12, 31), "096199000001"),
    ("038200000002", date(2000, 1, 1), "038200000002"),
])
def test_valid_citizen_ids(raw: str, birth: date | None, expected: str) -> None:
    assert normalize_citizen_id(raw, birth_date=birth) == expected


@pytest.mark.parametrize("raw", [
    "", "00108501234", "0010850123456", "00108501234A", "O01085012345",
    "001-085-012-345", "００１０８５０１２３４５",  # full-width digits
    "001085012345.0",
])
def test_ids_of_the_wrong_shape(raw: str) -> None:
    with pytest.raises(IdentityError) as err:
        normalize_citizen_id(raw)
    assert str(err.value) == LENGTH


@pytest.mark.parametrize("raw", ["000085012345", "003085012345", "097085012345",
                                 "099085012345", "100085012345", "063085012345"])
def test_ids_with_an_unknown_province(raw: str) -> None:
    with pytest.raises(IdentityError) as err:
        normalize_citizen_id(raw)
    assert str(err.value) == PROVINCE


@pytest.mark.parametrize(("raw", "birth"), [
    ("001085012345", date(1986, 1, 1)),  # year digits differ
    ("001285012345", date(1985, 1, 1)),  # century digit says 2085
    ("001005012345", date(2005, 1, 1)),  # 1905, not 2005
    ("001305012345", date(1905, 1, 1)),
])
def test_ids_that_disagree_with_the_birth_date(raw: str, birth: date) -> None:
    with pytest.raises(IdentityError) as err:
        normalize_citizen_id(raw, birth_date=birth)
    assert str(err.value) == MISMATCH


@pytest.mark.parametrize("raw", ["001499012345", "001299012345", "001800000001"])
def test_ids_whose_birth_year_has_not_come(raw: str) -> None:
    with pytest.raises(IdentityError, match="Số định danh cá nhân không đúng"):
        normalize_citizen_id(raw)


def test_identity_error_is_a_value_error_with_the_message() -> None:
    with pytest.raises(ValueError) as err:
        normalize_citizen_id("123")
    assert isinstance(err.value, IdentityError)
    assert err.value.message == str(err.value) == LENGTH


@pytest.mark.parametrize("raw", [
    "0912345678", "0912 345 678", "0912.345.678", "0912-345-678", " 0912345678 ",
    "+84912345678", "+84 912 345 678", "+84-912-345-678", "(+84) 912 345 678",
    "84912345678", "84 912 345 678", "0084912345678", "+84 0912 345 678", "912345678",
])
def test_every_usual_spelling_of_a_mobile_number(raw: str) -> None:
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize(("raw", "expected"), [
    ("0321 234 567", "0321234567"), ("056 123 4567", "0561234567"),
    ("+84 789 123 456", "0789123456"), ("0868.123.456", "0868123456"),
    ("84 345 678 901", "0345678901"),
])
def test_every_mobile_prefix(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", "0212345678", "024 3825 1234", "0112345678", "0612345678", "0412345678",
    "091234567", "09123456789", "+85 912345678", "0912abc678", "+84 212 345 678",
    "1900 1234", "0912345678x", "09l2345678", "+840912345678999", "84012345678",
])
def test_not_a_mobile_number(raw: str) -> None:
    with pytest.raises(IdentityError) as err:
        normalize_phone(raw)
    assert str(err.value) == PHONE
