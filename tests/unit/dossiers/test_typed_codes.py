"""What citizens type for a dossier code, and the masked name of the status page."""

from __future__ import annotations

import pytest

from app.dossiers.codes import canonical_code
from app.dossiers.status import mask_name

AGENCIES = ["000.31.12.H26", "000.31.13.H26", "H26", "000.25.28.H34",
            # Two codes with the same letters and digits: only the exact form finds them.
            "001.2.34.H01", "001.23.4.H01"]

TYPED = [
    ("000.31.12.H26-260301-0001", "000.31.12.H26-260301-0001"),
    ("  000.31.12.h26-260301-0001 ", "000.31.12.H26-260301-0001"),
    ("000 31 12 H26 260301 0001", "000.31.12.H26-260301-0001"),
    ("000 31 12 h26  260301  0001", "000.31.12.H26-260301-0001"),
    ("000-31-12-H26-260301-0001", "000.31.12.H26-260301-0001"),
    ("000,31,12,H26,260301,0001", "000.31.12.H26-260301-0001"),
    ("000_31_12_H26_260301_0001", "000.31.12.H26-260301-0001"),
    ("0003112H262603010001", "000.31.12.H26-260301-0001"),
    ("0003112h26 260301 0001", "000.31.12.H26-260301-0001"),
    ("000.31.12.H26 – 260301 – 0001", "000.31.12.H26-260301-0001"),
    ("000.31.12.H26.260301.0001", "000.31.12.H26-260301-0001"),
    ("000 31 13 H26-260301-0042", "000.31.13.H26-260301-0042"),
    ("000 25 28 H34 261122 0007", "000.25.28.H34-261122-0007"),
    ("h26 260301 0001", "H26-260301-0001"),
    ("0003112H2626030112345", "000.31.12.H26-260301-12345"),  # past 9999 in a day
    # Not a code of any agency, too few digits, ambiguous or empty: no answer.
    ("000 31 14 H26 260301 0001", None),
    ("000 31 12 H26 260301 001", None),
    ("000 31 12 260301 0001", None),
    ("2603010001", None),
    ("001 2 34 H01 260301 0001", None),
    ("", None),
    ("khong co ma nay", None),
]


@pytest.mark.parametrize(("typed", "code"), TYPED)
def test_typed_forms_give_the_one_real_code(typed: str, code: str | None) -> None:
    assert canonical_code(typed, AGENCIES) == code


NAMES = [
    ("Nguyễn Văn An", "N*** V*** A***"),
    ("  trần   thị bình ", "T*** T*** B***"),
    ("Đỗ Ánh", "Đ*** Á***"),
    ("Lò Văn Pằng", "L*** V*** P***"),
    ("Ka", "K***"),
    ("", ""),
]


@pytest.mark.parametrize(("name", "masked"), NAMES)
def test_the_status_page_masks_the_name_to_initials(name: str, masked: str) -> None:
    assert mask_name(name) == masked
