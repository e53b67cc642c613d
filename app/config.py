"""Typed settings read from environment variables and validated at start-up."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.storage_url import parse_file_store_url


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the app refuses to start."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _instance_secret(instance_path: Path, name: str) -> str:
    """A secret generated once into the instance folder for the embedded mode."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: two workers starting together must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


# Where web pushes may go: the browsers' push services (a leading "*." matches any
# subdomain). Citizens choose the endpoint URL, so nothing else is ever contacted.
DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com",
                      "*.push.services.mozilla.com", "*.push.apple.com",
                      "*.notify.windows.com")


def _hosts(raw: str | None, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    if raw is None or not raw.strip():
        return default
    return tuple(h.strip().lower().rstrip(".") for h in raw.split(",") if h.strip())


# A CDN, a province load balancer and nginx are three; more is a misconfiguration.
MAX_PROXY_HOPS = 5

# The Flask-SQLAlchemy bind of DATABASE_REPLICA_URL, and how long connecting to it may take.
REPLICA_BIND = "replica"
REPLICA_CONNECT_SECONDS = 2

CLAIM_FIELDS = ("name", "birth_date", "citizen_id", "phone")

# How long each kind of personal data is kept, in days (app/privacy/retention.py says from
# when; the README gives each figure's source, and which are the project's own choice).
# RETENTION='{"id_photos": 60}' changes some of them; the others keep these defaults.
DEFAULT_RETENTION: dict[str, int] = {
    "dossier_files": 365,       # uploaded papers of a closed dossier (results are kept)
    "id_photos": 90,            # photos of ID cards of a closed dossier
    "personal_fields": 5 * 365,  # typed applicant fields and declaration answers
    "audit_events": 2 * 365,    # who viewed or changed which dossier
    "push_subscriptions": 90,   # a phone's push address, once no dossier it follows is open
    "login_records": 30,        # sign-in throttle rows and ended officer sessions
    "payment_records": 10 * 365,  # payers' bank details in bank notices
}


def _retention(raw: str) -> dict[str, int]:
    """RETENTION: a JSON object of kind -> days, over DEFAULT_RETENTION."""
    out = dict(DEFAULT_RETENTION)
    if not raw.strip():
        return out
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError("RETENTION must be a JSON object of kind -> days") from exc
    if not isinstance(value, dict):
        raise ConfigError("RETENTION must be a JSON object of kind -> days")
    for kind, days in value.items():
        if kind not in DEFAULT_RETENTION:
            raise ConfigError(f"RETENTION: unknown kind {kind!r}; known: "
                              f"{', '.join(DEFAULT_RETENTION)}")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= 100 * 365:
            raise ConfigError(f"RETENTION: {kind} must be a whole number of days, "
                              "1 to 36500")
        out[kind] = days
    return out


def _claims_map(raw: str) -> dict[str, str]:
    """OIDC_CLAIMS_MAP: a JSON object from our applicant fields to the provider's claims."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ConfigError("OIDC_CLAIMS_MAP must be a JSON object") from exc
    if not isinstance(value, dict) or not all(
            k in CLAIM_FIELDS and isinstance(v, str) and v for k, v in value.items()):
        raise ConfigError(f"OIDC_CLAIMS_MAP keys must be among {', '.join(CLAIM_FIELDS)}, "
                          "each naming a claim")
    return value


def _psycopg(url: str) -> str:
    """A PostgreSQL URL as SQLAlchemy's psycopg (3) driver takes it; others unchanged."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    upload_dir: str
    max_upload_mb: int
    max_dossier_mb: int
    public_base_url: str
    production: bool
    ratelimit_storage_uri: str
    vapid_private_key: str = ""
    vapid_subject: str = "mailto:admin@motcua.local"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid profile phone"
    oidc_button_text: str = ""
    # Our applicant field -> the provider's userinfo claim (name, birth_date, citizen_id, phone).
    oidc_claims_map: dict[str, str] = field(default_factory=dict)
    oidc_staff_issuer: str = ""
    oidc_staff_client_id: str = ""
    oidc_staff_client_secret: str = ""
    oidc_staff_button_text: str = ""
    oidc_staff_username_claim: str = "preferred_username"
    payment_webhook_secrets: tuple[str, ...] = field(default_factory=tuple)
    page_cache_seconds: int = 30
    # Bank-notification services' own credentials (app/payments/webhook.py).
    casso_secure_token: str = ""
    sepay_api_key: str = ""
    # Upload bounds beyond the sizes (app/dossiers/uploads.py has the per-file ones).
    max_files_per_document: int = 10
    max_files_per_dossier: int = 20
    # What one phone number may store in a Vietnamese day, all its dossiers together.
    max_phone_mb_per_day: int = 100
    # Push services the worker may POST to (PUSH_HOSTS, comma-separated).
    push_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    # Test-only (PUSH_TEST_HOSTS): hosts on loopback, over plain HTTP, such as the tests'
    # local push service on 127.0.0.1. Refused when MOTCUA_ENV=production.
    push_test_hosts: tuple[str, ...] = ()
    # Days each kind of personal data is kept (RETENTION, over DEFAULT_RETENTION).
    retention: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION))
    # The hosts that run this deployment (APP_HOSTS, comma-separated): more than one needs
    # a shared file store and one VAPID key (the production check says so).
    app_hosts: tuple[str, ...] = ()
    # Bearer token of GET /metrics (METRICS_TOKEN); unset: the endpoint answers 404.
    metrics_token: str = ""
    # Where dossier files live (app/core/storage_url.py): empty is "files" under upload_dir.
    file_store_url: str = ""
    # Proxies in front of the app (TRUSTED_PROXY_HOPS): how many X-Forwarded-For/-Proto
    # entries, counted from the right, are believed. 0: none, the header is ignored.
    trusted_proxy_hops: int = 0
    # A streaming replica of the database (DATABASE_REPLICA_URL) that public statistics and
    # catalogue search read from (app/core/replica.py); empty: everything reads DATABASE_URL.
    database_replica_url: str = ""

    def __post_init__(self) -> None:
        try:
            parse_file_store_url(self.file_store_url)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        if not 0 < self.max_files_per_document <= self.max_files_per_dossier:
            raise ConfigError("MAX_FILES_PER_DOCUMENT must be > 0 and <= "
                              "MAX_FILES_PER_DOSSIER")
        if not 0 <= self.trusted_proxy_hops <= MAX_PROXY_HOPS:
            raise ConfigError(f"TRUSTED_PROXY_HOPS must be between 0 and {MAX_PROXY_HOPS}")
        if self.max_phone_mb_per_day < self.max_dossier_mb:
            raise ConfigError("MAX_PHONE_MB_PER_DAY must be >= MAX_DOSSIER_MB")
        if self.production and self.push_test_hosts:
            raise ConfigError("PUSH_TEST_HOSTS is for tests only and is refused when "
                              "MOTCUA_ENV=production")
        if not all(isinstance(h, str) and h for h in (*self.push_hosts, *self.push_test_hosts)):
            raise ConfigError("PUSH_HOSTS and PUSH_TEST_HOSTS must list host names")

    @classmethod
    def from_env(cls, instance_path: Path, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = env.get("MOTCUA_ENV", "development") == "production"
        secret = env.get("SECRET_KEY") or ""
        if not secret:
            if production:
                raise ConfigError("SECRET_KEY is required when MOTCUA_ENV=production")
            secret = _instance_secret(instance_path, "secret_key")
        db_url = _psycopg(env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'motcua.db'}")
        base_url = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError("PUBLIC_BASE_URL must start with http:// or https://")
        max_upload = _int(env, "MAX_UPLOAD_MB", 10)
        max_dossier = _int(env, "MAX_DOSSIER_MB", 40)
        if max_upload <= 0 or max_dossier < max_upload:
            raise ConfigError("MAX_UPLOAD_MB must be > 0 and MAX_DOSSIER_MB >= MAX_UPLOAD_MB")
        webhook = tuple(s for s in env.get("PAYMENT_WEBHOOK_SECRET", "").split(",") if s)
        return cls(
            database_url=db_url,
            secret_key=secret,
            upload_dir=env.get("UPLOAD_DIR") or str(instance_path / "uploads"),
            max_upload_mb=max_upload,
            max_dossier_mb=max_dossier,
            public_base_url=base_url,
            production=production,
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI", "memory://"),
            vapid_private_key=env.get("VAPID_PRIVATE_KEY", ""),
            vapid_subject=env.get("VAPID_SUBJECT", "mailto:admin@motcua.local"),
            oidc_issuer=env.get("OIDC_ISSUER", ""),
            oidc_client_id=env.get("OIDC_CLIENT_ID", ""),
            oidc_client_secret=env.get("OIDC_CLIENT_SECRET", ""),
            oidc_scopes=env.get("OIDC_SCOPES") or "openid profile phone",
            oidc_button_text=env.get("OIDC_BUTTON_TEXT", ""),
            oidc_claims_map=_claims_map(env.get("OIDC_CLAIMS_MAP", "")),
            oidc_staff_issuer=env.get("OIDC_STAFF_ISSUER", ""),
            oidc_staff_client_id=env.get("OIDC_STAFF_CLIENT_ID", ""),
            oidc_staff_client_secret=env.get("OIDC_STAFF_CLIENT_SECRET", ""),
            oidc_staff_button_text=env.get("OIDC_STAFF_BUTTON_TEXT", ""),
            oidc_staff_username_claim=(env.get("OIDC_STAFF_USERNAME_CLAIM")
                                       or "preferred_username"),
            payment_webhook_secrets=webhook,
            page_cache_seconds=_int(env, "PAGE_CACHE_SECONDS", 30),
            casso_secure_token=env.get("CASSO_SECURE_TOKEN", ""),
            sepay_api_key=env.get("SEPAY_API_KEY", ""),
            max_files_per_document=_int(env, "MAX_FILES_PER_DOCUMENT", 10),
            max_files_per_dossier=_int(env, "MAX_FILES_PER_DOSSIER", 20),
            max_phone_mb_per_day=_int(env, "MAX_PHONE_MB_PER_DAY", 100),
            push_hosts=_hosts(env.get("PUSH_HOSTS"), DEFAULT_PUSH_HOSTS),
            push_test_hosts=_hosts(env.get("PUSH_TEST_HOSTS")),
            retention=_retention(env.get("RETENTION", "")),
            app_hosts=_hosts(env.get("APP_HOSTS")),
            metrics_token=env.get("METRICS_TOKEN", ""),
            file_store_url=env.get("FILE_STORE_URL", ""),
            trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0),
            database_replica_url=_psycopg(env.get("DATABASE_REPLICA_URL", "").strip()),
        )

    def flask_config(self) -> dict[str, Any]:
        """The Flask/extension keys derived from these settings."""
        engine_options: dict[str, Any] = {"pool_pre_ping": True}
        if self.database_url.startswith("sqlite"):
            engine_options = {"connect_args": {"timeout": 30}}
        return {
            "MOTCUA": self,
            "PAGE_CACHE_SECONDS": self.page_cache_seconds,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
            "SQLALCHEMY_BINDS": self._replica_bind(),
            # Whole-request cap: every file of a dossier plus the form fields.
            "MAX_CONTENT_LENGTH": (self.max_dossier_mb + 1) * 1024 * 1024,
            "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.production,
            "REMEMBER_COOKIE_SECURE": self.production,
            "PERMANENT_SESSION_LIFETIME": 8 * 3600,
            "WTF_CSRF_TIME_LIMIT": None,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_uri,
            # Redis down: each process keeps limiting on its own instead of answering 500.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED":
                not self.ratelimit_storage_uri.startswith("memory://"),
            # A Redis that hangs (not only refuses) must not hang every limited request.
            "RATELIMIT_STORAGE_OPTIONS": (
                {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
                if self.ratelimit_storage_uri.startswith(("redis://", "rediss://")) else {}),
            "RATELIMIT_HEADERS_ENABLED": True,
            "BABEL_DEFAULT_LOCALE": "vi",
            "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
            "PREFERRED_URL_SCHEME": "https" if self.production else "http",
        }

    def _replica_bind(self) -> dict[str, Any]:
        if not self.database_replica_url:
            return {}
        # A stopped replica refuses at once; a vanished host must not hold a public page
        # for the driver's default of minutes before the primary answers instead.
        return {REPLICA_BIND: {"url": self.database_replica_url, "pool_pre_ping": True,
                               "connect_args": {"connect_timeout": REPLICA_CONNECT_SECONDS}}}

    def describe(self) -> dict[str, Any]:
        """Settings safe to print: secrets masked."""
        out = asdict(self)
        for key in ("secret_key", "vapid_private_key", "oidc_client_secret",
                    "oidc_staff_client_secret", "casso_secure_token", "sepay_api_key",
                    "metrics_token"):
            out[key] = "***" if out[key] else ""
        out["payment_webhook_secrets"] = len(self.payment_webhook_secrets)
        return out
