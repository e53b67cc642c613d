"""OpenID Connect sign-in through Authlib: the citizens' provider (VNeID or a province's) and,
optionally, a staff provider; authorization code with PKCE, and our own id_token checks."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from app.config import Settings

CITIZEN = "citizen"
STAFF = "staff"
PENDING_KEY = "oidc_pending"
# A sign-in left unfinished this long is dropped: the provider's code lives far less.
PENDING_SECONDS = 600
LEEWAY_SECONDS = 60
# Asymmetric algorithms only: "none" and HMAC (keyed with a secret we share) never pass.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]
EXTENSION = "motcua.oidc"

# One message per way a sign-in can fail: the citizen learns what to do, not a stack trace.
MESSAGES: dict[str, Any] = {
    "state": _l("Yêu cầu đăng nhập không khớp với phiên làm việc trên trình duyệt này (có thể "
                "đã hết hạn hoặc được mở từ nơi khác). Vui lòng đăng nhập lại."),
    "code": _l("Mã xác nhận đăng nhập không hợp lệ, đã được dùng hoặc đã hết hạn. "
               "Vui lòng đăng nhập lại."),
    "issuer": _l("Thông tin đăng nhập không do nhà cung cấp định danh đã cấu hình phát hành, "
                 "nên đã bị từ chối."),
    "expired": _l("Thông tin đăng nhập đã hết hạn. Vui lòng đăng nhập lại."),
    "signature": _l("Chữ ký của thông tin đăng nhập không hợp lệ, nên đã bị từ chối."),
    "audience": _l("Thông tin đăng nhập không dành cho dịch vụ này, nên đã bị từ chối."),
    "nonce": _l("Thông tin đăng nhập không thuộc lần đăng nhập này. Vui lòng đăng nhập lại."),
    "invalid": _l("Thông tin đăng nhập không hợp lệ. Vui lòng đăng nhập lại."),
    "denied": _l("Bạn đã huỷ đăng nhập."),
    "unavailable": _l("Chưa kết nối được với nhà cung cấp định danh. Vui lòng thử lại sau, "
                      "hoặc tiếp tục nộp và tra cứu hồ sơ không cần đăng nhập."),
    "disabled": _l("Đăng nhập bằng tài khoản định danh chưa được bật trên hệ thống này."),
}


class OidcError(Exception):
    """A sign-in refused; `code` names the reason, `message` is for the person."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(MESSAGES.get(self.code, MESSAGES["invalid"]))


@dataclass(frozen=True)
class ProviderConfig:
    kind: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    button_text: str


@dataclass(frozen=True)
class SignIn:
    """A completed, verified sign-in: who (issuer, subject) and what the provider shared."""

    kind: str
    issuer: str
    subject: str
    userinfo: dict[str, Any]
    next_url: str | None = None
    id_claims: dict[str, Any] = field(default_factory=dict)


def provider_config(settings: Settings, kind: str) -> ProviderConfig | None:
    """The provider of this kind, or None when its issuer or client is not configured."""
    if kind == CITIZEN:
        cfg = ProviderConfig(CITIZEN, settings.oidc_issuer, settings.oidc_client_id,
                             settings.oidc_client_secret, settings.oidc_scopes,
                             settings.oidc_button_text)
    else:
        cfg = ProviderConfig(STAFF, settings.oidc_staff_issuer, settings.oidc_staff_client_id,
                             settings.oidc_staff_client_secret, "openid profile",
                             settings.oidc_staff_button_text)
    return cfg if cfg.issuer and cfg.client_id else None


def init_oidc(app: Flask) -> None:
    """Register the configured providers on a per-app Authlib registry. No network here:
    the discovery document is fetched on the first sign-in."""
    settings: Settings = app.config["MOTCUA"]
    oauth = OAuth(app)
    configs = {}
    for kind in (CITIZEN, STAFF):
        cfg = provider_config(settings, kind)
        if cfg is None:
            continue
        configs[kind] = cfg
        oauth.register(
            name=kind, client_id=cfg.client_id, client_secret=cfg.client_secret,
            server_metadata_url=cfg.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": cfg.scopes, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "client_secret_basic",
                           "timeout": 10},
        )
    app.extensions[EXTENSION] = (oauth, configs)
    app.context_processor(lambda: {"oidc_button": button_text})


def enabled(kind: str = CITIZEN) -> bool:
    return kind in current_app.extensions[EXTENSION][1]


def button_text(kind: str = CITIZEN) -> str | None:
    """What the sign-in button says, or None when the provider is not configured."""
    configs = current_app.extensions[EXTENSION][1]
    if kind not in configs:
        return None
    if configs[kind].button_text:
        return configs[kind].button_text
    return _("Đăng nhập bằng tài khoản định danh") if kind == CITIZEN else \
        _("Đăng nhập bằng tài khoản công vụ")


def _client(kind: str) -> Any:
    oauth, configs = current_app.extensions[EXTENSION]
    if kind not in configs:
        raise OidcError("disabled")
    return oauth.create_client(kind)


def authorization_url(kind: str, redirect_uri: str, next_url: str | None) -> str:
    """Where to send the browser to sign in; remembers state, nonce and the PKCE verifier in
    this browser's session (one sign-in at a time: a new one replaces an unfinished one)."""
    client = _client(kind)
    try:
        rv = client.create_authorization_url(redirect_uri)
    except (requests.RequestException, ValueError) as exc:
        raise OidcError("unavailable") from exc
    session[PENDING_KEY] = {"kind": kind, "state": rv["state"], "nonce": rv["nonce"],
                            "verifier": rv["code_verifier"], "redirect_uri": redirect_uri,
                            "next": next_url, "at": time.time()}
    return rv["url"]


def _pending(state: str | None) -> dict[str, Any]:
    pending = session.pop(PENDING_KEY, None)  # one try: a second callback finds nothing
    fresh = pending and time.time() - pending.get("at", 0) <= PENDING_SECONDS
    if not fresh or not state or not _same(pending.get("state"), state):
        raise OidcError("state")
    return pending


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and hmac.compare_digest(a, b)


def complete(args: Mapping[str, str]) -> SignIn:
    """The callback: check state, trade the code (with the PKCE verifier) for tokens, verify
    the id_token, then read the claims from userinfo. Raises OidcError."""
    if args.get("error"):
        session.pop(PENDING_KEY, None)
        raise OidcError("denied" if args.get("error") == "access_denied" else "invalid")
    pending = _pending(args.get("state"))
    client = _client(pending["kind"])
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise OidcError("unavailable") from exc
    issuer = metadata.get("issuer", "")
    # RFC 9207: a provider that names itself in the response must name the one we asked.
    if "iss" in args and args["iss"] != issuer:
        raise OidcError("issuer")
    if not args.get("code"):
        raise OidcError("code")
    try:
        token = client.fetch_access_token(redirect_uri=pending["redirect_uri"],
                                          code=args["code"], code_verifier=pending["verifier"])
    except OAuthError as exc:
        raise OidcError("code" if exc.error == "invalid_grant" else "invalid") from exc
    except (requests.RequestException, ValueError) as exc:
        raise OidcError("unavailable") from exc
    raw = token.get("id_token")
    if not raw:
        raise OidcError("invalid")
    claims = verify_id_token(raw, issuer=issuer, client_id=client.client_id,
                             nonce=pending["nonce"], keys=client.fetch_jwk_set,
                             algorithms=metadata.get("id_token_signing_alg_values_supported"))
    try:
        userinfo = dict(client.userinfo(token=token))
    except (OAuthError, requests.RequestException, ValueError) as exc:
        raise OidcError("unavailable") from exc
    # OIDC Core 5.3.2: userinfo about someone else must not be used.
    if userinfo.get("sub") != claims["sub"]:
        raise OidcError("invalid")
    return SignIn(pending["kind"], issuer, claims["sub"], userinfo, pending.get("next"), claims)


def verify_id_token(raw: str, *, issuer: str, client_id: str, nonce: str,
                    keys: KeySet | dict[str, Any] | Callable[..., Any],
                    algorithms: list[str] | None = None, now: int | None = None) -> dict[str, Any]:
    """The id_token's claims once its signature (provider's JWKS), issuer, audience, expiry
    and nonce are all right; otherwise OidcError naming what was wrong.

    `keys` is a key set, a JWKS dict, or a callable `(force=False) -> JWKS dict` that is
    called again with force=True when the token names a key we have not seen (rotation).
    """
    allowed = [a for a in (algorithms or ALGORITHMS) if a in ALGORITHMS] or ALGORITHMS

    def key_set(force: bool = False) -> KeySet:
        if isinstance(keys, KeySet):
            return keys
        # A JWKS document as the provider serves it: joserfc checks its shape on import.
        return KeySet.import_key_set(keys(force=force) if callable(keys) else keys)  # type: ignore[arg-type]

    try:
        try:
            token = jwt.decode(raw, key_set(), algorithms=allowed)
        except InvalidKeyIdError:
            if not callable(keys):
                raise
            token = jwt.decode(raw, key_set(force=True), algorithms=allowed)
    except (BadSignatureError, InvalidKeyIdError) as exc:
        raise OidcError("signature") from exc
    except (JoseError, ValueError) as exc:
        raise OidcError("invalid") from exc
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now, leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise OidcError("expired") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        name = getattr(exc, "claim", "")
        raise OidcError({"iss": "issuer", "aud": "audience", "exp": "expired",
                         "nonce": "nonce"}.get(name, "invalid")) from exc
    except JoseError as exc:
        raise OidcError("invalid") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # OIDC Core 3.1.3.7: a token for several audiences must say it was issued to us.
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError("audience")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError("invalid")
    return claims
