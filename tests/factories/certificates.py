"""Certificate chains made by the test itself (a CA and a commune's signing certificate),
as a PKCS#12 file, a PEM bundle of roots, and on a SoftHSM2 token."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN = "123456"


@dataclass
class Chain:
    ca: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def chain(organisation: str, ca_name: str = "CA thử nghiệm Motcua",
          ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None) -> Chain:
    """A signing certificate for `organisation` ("UBND Xã Tản Hồng"), under a new CA or
    the given one."""
    now = datetime.now(UTC) - timedelta(minutes=5)
    if ca is None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_subject = _name(ca_name, ca_name)
        ca_cert = (x509.CertificateBuilder().subject_name(ca_subject).issuer_name(ca_subject)
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                                False, False), critical=True)
                   .sign(ca_key, hashes.SHA256()))
    else:
        ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(organisation, organisation))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False,
                                         False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return Chain(ca_cert, ca_key, cert, key)


def write_pkcs12(path: Path, found: Chain, password: bytes) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"ket-qua", found.key, found.cert, [found.ca],
        serialization.BestAvailableEncryption(password)))
    return path


def write_roots(path: Path, *cas: x509.Certificate) -> Path:
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in cas))
    return path


def softhsm_available() -> bool:
    return Path(SOFTHSM_MODULE).is_file() and shutil.which("softhsm2-util") is not None


def softhsm_token(folder: Path, label: str, found: Chain, key_label: str = "ket-qua") -> None:
    """A SoftHSM2 token `label` in `folder` holding the chain's key and certificate (both
    labelled `key_label`); sets SOFTHSM2_CONF for this process."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = {**os.environ}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", PIN,
                    "--so-pin", "654321"], check=True, capture_output=True, env=env)
    key_file = folder / "key.pem"
    key_file.write_bytes(found.key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(key_file), "--token", label, "--label",
                    key_label, "--id", "01", "--pin", PIN], check=True, capture_output=True,
                   env=env)
    key_file.unlink()
    lib = pkcs11.lib(SOFTHSM_MODULE)
    token = lib.get_token(token_label=label)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.VALUE: found.cert.public_bytes(serialization.Encoding.DER),
            Attribute.SUBJECT: found.cert.subject.public_bytes(),
            Attribute.LABEL: key_label, Attribute.ID: b"\x01", Attribute.TOKEN: True})
