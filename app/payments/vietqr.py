"""VietQR payloads (NAPAS's EMV-QR profile): build one for a transfer, parse one back.

Format (DOMAIN.md "Payment by VietQR"): TLV fields `ID(2) LEN(2) VALUE`, the CRC-16/CCITT-FALSE
of everything up to and including `6304` as the last field's value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
MAX_PURPOSE = 25  # field 62/08 is at most 25 characters in the NAPAS profile

# NAPAS bank identification numbers of the banks a commune is likely to bank with.
BANK_BINS = {
    "970436": "Vietcombank", "970415": "VietinBank", "970418": "BIDV", "970405": "Agribank",
    "970407": "Techcombank", "970422": "MB", "970416": "ACB", "970432": "VPBank",
    "970403": "Sacombank", "970423": "TPBank",
}

_PURPOSE_UNSAFE = re.compile(r"[^A-Za-z0-9 .,\-_/]")


class VietQRError(ValueError):
    """A payload that is not well-formed VietQR (bad TLV, bad CRC, missing field)."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no xor-out."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQRError(f"field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def ascii_purpose(text: str) -> str:
    """Transfer content banks carry intact: accents stripped (case kept), unsafe signs
    dropped, at most 25 characters."""
    plain = text.replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in unicodedata.normalize("NFD", plain)
                    if unicodedata.category(ch) != "Mn")
    return _PURPOSE_UNSAFE.sub("", plain)[:MAX_PURPOSE].strip()


def build_payload(bank_bin: str, account: str, amount: int | None = None, purpose: str = "",
                  *, service: str = SERVICE_ACCOUNT) -> str:
    """The VietQR text for a transfer. With an amount it is dynamic (`01`=`12`: one payment,
    amount filled in); without, static (`11`). Field order is the profile's: 00 01 38 53 54
    58 62 63."""
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise VietQRError("bank BIN must be 6 digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account):
        raise VietQRError("account number must be 1-19 letters or digits")
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", GUID) + _tlv("01", beneficiary) + _tlv("02", service)
    parts = [_tlv("00", "01"), _tlv("01", "12" if amount else "11"), _tlv("38", merchant),
             _tlv("53", CURRENCY_VND)]
    if amount:
        if amount < 0:
            raise VietQRError("amount must be positive")
        parts.append(_tlv("54", str(int(amount))))
    parts.append(_tlv("58", "VN"))
    purpose = ascii_purpose(purpose) if purpose else ""
    if purpose:
        parts.append(_tlv("62", _tlv("08", purpose)))
    body = "".join(parts) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """Split a TLV string into (tag, value) pairs, in order; raises on a truncated field."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        head = text[i:i + 4]
        if len(head) < 4 or not head.isdigit():
            raise VietQRError(f"malformed field header at {i}")
        length = int(head[2:])
        value = text[i + 4:i + 4 + length]
        if len(value) != length:
            raise VietQRError(f"field {head[:2]} is truncated")
        out.append((head[:2], value))
        i += 4 + length
    return out


@dataclass(frozen=True)
class VietQR:
    dynamic: bool
    bank_bin: str
    account: str
    service: str
    amount: int | None
    purpose: str
    currency: str
    country: str


def parse_payload(text: str) -> VietQR:
    """Read a VietQR payload; raises VietQRError when the CRC or the structure is wrong."""
    text = text.strip()
    if len(text) < 8 or text[-8:-4] != "6304":
        raise VietQRError("the payload does not end with a CRC field")
    expected = f"{crc16_ccitt_false(text[:-4].encode('utf-8')):04X}"
    if text[-4:].upper() != expected:
        raise VietQRError(f"CRC mismatch: payload says {text[-4:]}, content gives {expected}")
    fields = dict(parse_tlv(text))
    if fields.get("00") != "01" or "38" not in fields:
        raise VietQRError("not an EMV-QR payload with a merchant account (field 38)")
    merchant = dict(parse_tlv(fields["38"]))
    if merchant.get("00") != GUID or "01" not in merchant:
        raise VietQRError("field 38 is not a NAPAS VietQR account")
    beneficiary = dict(parse_tlv(merchant["01"]))
    additional = dict(parse_tlv(fields["62"])) if "62" in fields else {}
    amount = fields.get("54")
    return VietQR(
        dynamic=fields.get("01") == "12",
        bank_bin=beneficiary.get("00", ""),
        account=beneficiary.get("01", ""),
        service=merchant.get("02", ""),
        amount=int(float(amount)) if amount else None,
        purpose=additional.get("08", ""),
        currency=fields.get("53", ""),
        country=fields.get("58", ""),
    )
