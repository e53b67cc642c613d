"""Signing results through a PKCS#12 file and a SoftHSM2 token, and judging signatures:
valid for the commune; one changed byte; another commune's certificate; an untrusted CA;
an already signed PDF is never touched."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app.places.models import Agency
from app.results.signing import Pkcs11Signer, Pkcs12Signer, Stamp, already_signed, sign_pdf
from app.results.verification import SignatureStatus, check_signature, trust_roots
from tests.conftest import need
from tests.factories import certificates as certs
from tests.factories.files import pypdf_document

TAN_HONG = Agency(name="Xã Tản Hồng", slug="tanhong", code="000.31.12.H26")
STAMP = Stamp(("Ký bởi: UBND Xã Tản Hồng", "Kết quả 000.31.12.H26-260301-0001-KQ1"),
              "https://motcua.example.gov.vn/kq/abc")


@pytest.fixture(scope="module")
def home_chain():
    return certs.chain("UBND Xã Tản Hồng")


@pytest.fixture
def pkcs12_signer(tmp_path, home_chain):
    path = certs.write_pkcs12(tmp_path / "tanhong.p12", home_chain, b"mat-khau")
    return Pkcs12Signer(path, b"mat-khau")


@pytest.fixture
def roots(tmp_path, home_chain):
    return trust_roots(str(certs.write_roots(tmp_path / "roots.pem", home_chain.ca)))


def _font() -> str:
    found = shutil.which("fc-match")
    if found is None:
        return ""
    return subprocess.run([found, "-f", "%{file}", "DejaVu Sans"], capture_output=True,
                          text=True, check=False).stdout.strip()


def test_a_result_signed_with_the_communes_key_file_is_valid_for_it(pkcs12_signer, roots):
    original = pypdf_document(1)
    signed = sign_pdf(original, pkcs12_signer, STAMP, font_path=_font())
    assert signed.startswith(original)  # an incremental update: the upload is kept inside
    check = check_signature(signed, TAN_HONG, roots)
    assert check.status == SignatureStatus.VALID
    assert check.signer == "UBND Xã Tản Hồng"
    assert already_signed(signed) and not already_signed(original)


def test_one_changed_byte_is_seen(pkcs12_signer, roots):
    signed = bytearray(sign_pdf(pypdf_document(1), pkcs12_signer, STAMP))
    # A byte of the first page's content, inside the signed range.
    at = signed.index(b"/MediaBox") + 12
    signed[at] = ord("7") if signed[at] != ord("7") else ord("8")
    assert check_signature(bytes(signed), TAN_HONG, roots).status == SignatureStatus.CHANGED


def test_another_communes_certificate_is_not_valid_for_this_commune(tmp_path, home_chain,
                                                                    roots):
    neighbour = certs.chain("UBND Xã Vạn Hưng", ca=(home_chain.ca, home_chain.ca_key))
    signer = Pkcs12Signer(certs.write_pkcs12(tmp_path / "vanhung.p12", neighbour, b"x"), b"x")
    signed = sign_pdf(pypdf_document(1), signer, STAMP)
    assert check_signature(signed, TAN_HONG, roots).status == SignatureStatus.OTHER_AGENCY
    vanhung = Agency(name="Xã Vạn Hưng", slug="vanhung", code="000.31.13.H26")
    assert check_signature(signed, vanhung, roots).status == SignatureStatus.VALID


def test_a_certificate_from_an_untrusted_ca_and_an_unsigned_pdf(tmp_path, roots):
    stranger = certs.chain("UBND Xã Tản Hồng", ca_name="CA lạ")
    signer = Pkcs12Signer(certs.write_pkcs12(tmp_path / "la.p12", stranger, b"x"), b"x")
    signed = sign_pdf(pypdf_document(1), signer, STAMP)
    assert check_signature(signed, TAN_HONG, roots).status == SignatureStatus.UNTRUSTED
    assert check_signature(signed, TAN_HONG, []).status == SignatureStatus.UNTRUSTED
    assert check_signature(pypdf_document(1), TAN_HONG, roots).status \
        == SignatureStatus.UNSIGNED


def test_a_wrong_password_refuses_to_sign(tmp_path, home_chain):
    from app.results.signing import SignerUnavailable

    path = certs.write_pkcs12(tmp_path / "tanhong.p12", home_chain, b"mat-khau")
    with pytest.raises(SignerUnavailable):
        sign_pdf(pypdf_document(1), Pkcs12Signer(path, b"sai"), STAMP)


def test_a_result_signed_on_a_softhsm2_token_is_valid(tmp_path, home_chain, roots):
    if not certs.softhsm_available():
        need("softhsm2 (apt-get install softhsm2) for the PKCS#11 signer")
    certs.softhsm_token(tmp_path, "tanhong", home_chain)
    signer = Pkcs11Signer(certs.SOFTHSM_MODULE, "tanhong", certs.PIN, "ket-qua")
    signed = sign_pdf(pypdf_document(3), signer, STAMP, font_path=_font())
    assert check_signature(signed, TAN_HONG, roots).status == SignatureStatus.VALID
    from app.results.signing import SignerUnavailable

    with pytest.raises(SignerUnavailable):
        sign_pdf(pypdf_document(1), Pkcs11Signer(certs.SOFTHSM_MODULE, "tanhong", "000000",
                                                 "ket-qua"), STAMP)


def test_the_signer_settings_are_checked_at_start(tmp_path):
    from app.config import ConfigError, Settings

    with pytest.raises(ConfigError, match="RESULT_SIGNER must be"):
        Settings.from_env(tmp_path, {"RESULT_SIGNER": "usb"})
    with pytest.raises(ConfigError, match="needs RESULT_SIGNER_PKCS12"):
        Settings.from_env(tmp_path, {"RESULT_SIGNER": "pkcs12"})
    with pytest.raises(ConfigError, match="RESULT_SIGNER_TOKEN_LABEL"):
        Settings.from_env(tmp_path, {"RESULT_SIGNER": "pkcs11",
                                     "RESULT_SIGNER_PKCS11_MODULE": "mod.so"})
    settings = Settings.from_env(tmp_path, {"RESULT_SIGNER": "PKCS12",
                                            "RESULT_SIGNER_PKCS12": "k.p12",
                                            "RESULT_SIGNER_PASSWORD": "bi-mat"})
    assert settings.result_signer == "pkcs12"
    assert settings.describe()["result_signer_password"] == "***"
