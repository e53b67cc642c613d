"""The production check: settings that are fine on a laptop and unsafe on a server.

`create_app` runs it when MOTCUA_ENV=production and refuses to start on any refusal;
`flask doctor` runs it on demand, whatever MOTCUA_ENV says, so a configuration can be
checked before it is switched on. Every refusal names the setting and says what to set.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.config import ConfigError, Settings

MIN_SECRET_CHARS = 32
MIN_TOKEN_CHARS = 32
# Placeholders people paste from examples; a random secret never contains them.
_PLACEHOLDERS = ("change", "secret", "example", "password", "motcua", "xxxx", "1234")
HOW_TO_GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


@dataclass(frozen=True)
class Refusal:
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def _weak(value: str, minimum: int) -> bool:
    folded = value.lower()
    return (len(value) < minimum or len(set(value)) < 12
            or any(p in folded for p in _PLACEHOLDERS))


def check(settings: Settings, config: Mapping[str, Any]) -> list[Refusal]:
    """Everything unsafe for production in these settings and Flask config; [] when clean."""
    found: list[Refusal] = []

    def refuse(setting: str, message: str) -> None:
        found.append(Refusal(setting, message))

    if settings.database_url.startswith("sqlite"):
        refuse("DATABASE_URL", "SQLite is the embedded mode's database; set DATABASE_URL="
               "postgresql://USER@HOST/DBNAME (PostgreSQL 15 or later)")
    replica = settings.database_replica_url
    if replica and not replica.startswith("postgresql+psycopg://"):
        refuse("DATABASE_REPLICA_URL", "a replica is a PostgreSQL streaming standby of "
               "DATABASE_URL; set DATABASE_REPLICA_URL=postgresql://USER@REPLICA-HOST/DBNAME, "
               "or unset it to read everything from DATABASE_URL")
    elif replica and replica == settings.database_url:
        refuse("DATABASE_REPLICA_URL", "names the same server as DATABASE_URL, so public "
               "figures would not be read elsewhere; set it to the standby's address, or "
               "unset it")
    if not settings.secret_key:
        refuse("SECRET_KEY", f"missing; set SECRET_KEY to {MIN_SECRET_CHARS}+ random "
               f"characters, e.g. the output of {HOW_TO_GENERATE}")
    elif _weak(settings.secret_key, MIN_SECRET_CHARS):
        refuse("SECRET_KEY", f"too weak (shorter than {MIN_SECRET_CHARS} characters, too few "
               f"different ones, or a placeholder); set it to the output of {HOW_TO_GENERATE}")
    hosts = len(settings.app_hosts)
    if hosts > 1 and not settings.file_store_url.strip().startswith("s3://"):
        refuse("FILE_STORE_URL", f"APP_HOSTS declares {hosts} hosts but dossier files are "
               "kept on this host's disk, which the others cannot read; set the shared object "
               "store (FILE_STORE_URL=s3://BUCKET/PREFIX?endpoint=…&sse=AES256), or declare "
               "one host in APP_HOSTS")
    if hosts > 1 and not settings.vapid_private_key:
        refuse("VAPID_PRIVATE_KEY", f"APP_HOSTS declares {hosts} hosts, and without this "
               "setting each host generates its own web push key, so phones subscribed on one "
               "host are refused by the others; set VAPID_PRIVATE_KEY (the same on every host)")
    if hosts > 1 and not settings.trusted_proxy_hops:
        refuse("TRUSTED_PROXY_HOPS", f"APP_HOSTS declares {hosts} hosts, so requests reach "
               "the app through a proxy, and without this setting every citizen is counted "
               "as the proxy's address: one shared rate limit for the whole province; set "
               "TRUSTED_PROXY_HOPS=1 (nginx in front) or the number of proxies that append to "
               "X-Forwarded-For")
    if settings.ratelimit_storage_uri.startswith("memory://"):
        refuse("RATELIMIT_STORAGE_URI", "rate limits are counted in each process's memory, "
               "so every gunicorn worker allows the full limit again; set "
               "RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (Debian's redis-server)")
    if settings.push_test_hosts:
        refuse("PUSH_TEST_HOSTS", "test-only: it lets web pushes go over plain HTTP to "
               "loopback; unset PUSH_TEST_HOSTS")
    for key, unsafe, what in (("TESTING", True, "the test mode"),
                              ("RATELIMIT_ENABLED", False, "rate limits switched off"),
                              ("WTF_CSRF_ENABLED", False, "CSRF protection switched off")):
        if key in config and config[key] == unsafe:
            refuse(key, f"{what} is for the tests only; remove {key} from the configuration")
    if not settings.public_base_url.startswith("https://"):
        refuse("PUBLIC_BASE_URL", "QR posters, links and cookies need HTTPS; set "
               "PUBLIC_BASE_URL=https://YOUR.DOMAIN (as citizens reach the site)")
    if settings.metrics_token and _weak(settings.metrics_token, MIN_TOKEN_CHARS):
        refuse("METRICS_TOKEN", f"too weak; set it to the output of {HOW_TO_GENERATE}, or unset it "
               "to turn /metrics off")
    return found


def enforce(app: Flask) -> None:
    """At start in production: refuse to run with anything `check` finds."""
    refusals = check(app.config["MOTCUA"], app.config)
    if refusals:
        lines = "\n".join(f"  - {r}" for r in refusals)
        raise ConfigError(f"production check failed (MOTCUA_ENV=production):\n{lines}")


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the configuration as production would, whatever MOTCUA_ENV says."""
    refusals = check(current_app.config["MOTCUA"], current_app.config)
    for refusal in refusals:
        click.echo(f"refused  {refusal}")
    if refusals:
        click.echo(f"{len(refusals)} setting(s) unsafe for production", err=True)
        sys.exit(1)
    click.echo("production check passed")
