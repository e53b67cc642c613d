"""The id_token checks: signature against the provider's keys, issuer, audience, expiry and
nonce. Tokens are built here with joserfc and our own keys."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from app.accounts.oidc import OidcError, verify_id_token

ISSUER = "https://id.example.vn"
CLIENT = "motcua"
NONCE = "n-0S6_WzA2Mj"


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})


def jwks(key: RSAKey) -> dict[str, Any]:
    return KeySet([key]).as_dict(private=False)


def token(key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": CLIENT, "sub": "citizen-1", "iat": now, "exp": now + 300,
            "nonce": NONCE}
    body.update(claims)
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {k: v for k, v in body.items()
                                                         if v is not None}, key)


def check(raw: str, keys: Any) -> dict[str, Any]:
    return verify_id_token(raw, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, keys=keys)


def refusal(raw: str, keys: Any) -> str:
    with pytest.raises(OidcError) as caught:
        check(raw, keys)
    return caught.value.code


def test_a_good_token_gives_its_claims(key: RSAKey) -> None:
    assert check(token(key), jwks(key))["sub"] == "citizen-1"


def test_token_from_another_issuer_is_refused(key: RSAKey) -> None:
    assert refusal(token(key, iss="https://evil.example"), jwks(key)) == "issuer"


def test_expired_token_is_refused(key: RSAKey) -> None:
    old = int(time.time()) - 3600
    assert refusal(token(key, iat=old - 300, exp=old), jwks(key)) == "expired"


def test_tampered_signature_is_refused(key: RSAKey) -> None:
    header, payload, signature = token(key).split(".")
    flipped = ("A" if signature[10] != "A" else "B")
    assert refusal(f"{header}.{payload}.{signature[:10]}{flipped}{signature[11:]}",
                   jwks(key)) == "signature"
    # A payload swapped under the original signature fails the same way.
    _h, other_payload, _s = token(key, sub="someone-else").split(".")
    assert refusal(f"{header}.{other_payload}.{signature}", jwks(key)) == "signature"


def test_token_signed_by_another_key_with_the_same_kid_is_refused(key: RSAKey) -> None:
    impostor = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
    assert refusal(token(impostor), jwks(key)) == "signature"


def test_unsigned_and_hmac_tokens_are_refused(key: RSAKey) -> None:
    _header, payload, _sig = token(key).split(".")
    none_header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    assert refusal(f"{none_header.decode()}.{payload}.", jwks(key)) in ("invalid", "signature")


def test_wrong_audience_and_nonce_are_refused(key: RSAKey) -> None:
    assert refusal(token(key, aud="another-app"), jwks(key)) == "audience"
    assert refusal(token(key, aud=[CLIENT, "another-app"]), jwks(key)) == "audience"
    assert check(token(key, aud=[CLIENT, "x"], azp=CLIENT), jwks(key))["sub"] == "citizen-1"
    assert refusal(token(key, nonce="from-another-login"), jwks(key)) == "nonce"
    assert refusal(token(key, nonce=None), jwks(key)) == "nonce"


def test_rotated_key_is_fetched_again_once(key: RSAKey) -> None:
    new_key = RSAKey.generate_key(2048, parameters={"kid": "k2", "alg": "RS256"})
    calls: list[bool] = []

    def fetch(force: bool = False) -> dict[str, Any]:
        calls.append(force)
        return jwks(new_key) if force else jwks(key)

    assert check(token(new_key), fetch)["sub"] == "citizen-1"
    assert calls == [False, True]


def test_messages_are_vietnamese_and_clear(key: RSAKey) -> None:
    from app import create_app

    with create_app({"TESTING": True}).test_request_context():
        for code, words in (("issuer", "nhà cung cấp"), ("expired", "hết hạn"),
                            ("signature", "Chữ ký"), ("state", "phiên làm việc"),
                            ("code", "đã được dùng")):
            assert words in OidcError(code).message
