"""Checks and normal forms for a citizen's identity data: the 12-digit ID and mobile phone."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

# Digits 1–3 of the personal identification number: the province where the birth was
# registered, as listed in Annex 1 of Circular 07/2016/TT-BCA (the General Statistics
# Office's 63 province codes with a leading 0). The 2025 merger into 34 provinces keeps
# one of these codes for each new province, so every number ever issued still uses one.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

# Mobile prefixes after the leading 0 (the 2018 renumbering left only these).
MOBILE_PREFIXES = frozenset("35789")
_PHONE_PUNCTUATION = re.compile(r"[\s.\-()]")


class IdentityError(ValueError):
    """The value is not a valid identity datum; str(error) is the message for the citizen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def birth_century(sex_century_digit: int) -> int:
    """The first year of the birth century the 4th digit encodes: 0/1 → 1900 … 8/9 → 2300."""
    return 1900 + (sex_century_digit // 2) * 100


def normalize_citizen_id(value: str, *, birth_date: date | None = None) -> str:
    """The 12-digit personal identification number (số định danh cá nhân), checked.

    Checks length, digits, the birth-registration province and, when the birth date is
    known, that the century digit and the two year digits agree with it.
    """
    number = "".join(value.split())
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        raise IdentityError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."))
    if number[:3] not in PROVINCE_CODES:
        raise IdentityError(_("Mã tỉnh nơi đăng ký khai sinh (3 số đầu) không đúng."))
    birth_year = birth_century(int(number[3])) + int(number[4:6])
    if birth_date is not None:
        if birth_year != birth_date.year:
            raise IdentityError(_("Số định danh không khớp với năm sinh đã nhập."))
    elif birth_year > date.today().year:
        # Nobody can hold a number whose birth year has not come yet.
        raise IdentityError(_("Số định danh cá nhân không đúng. Vui lòng kiểm tra lại "
                              "trên thẻ căn cước."))
    return number


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile number as 0 + 9 digits, from any usual spelling.

    Accepts spaces, dots, dashes, brackets and the +84 / 84 / 0084 country prefix.
    """
    digits = _PHONE_PUNCTUATION.sub("", value)
    if digits.startswith("+84"):
        digits = digits[3:]
    elif digits.startswith("0084"):
        digits = digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = digits[2:]
    if len(digits) == 9:
        # "+84 912…" and "912…" both drop the trunk 0.
        digits = "0" + digits
    valid = (len(digits) == 10 and digits.isascii() and digits.isdigit()
             and digits[0] == "0" and digits[1] in MOBILE_PREFIXES)
    if not valid:
        raise IdentityError(_("Số điện thoại di động không đúng. Ví dụ: 0912 345 678."))
    return digits
