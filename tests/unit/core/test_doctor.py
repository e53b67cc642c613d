"""The production check refuses each unsafe setting, naming it and what to set; a clean
production configuration passes, and the app refuses to start on a refusal."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from app.config import ConfigError, Settings
from app.core import doctor

STRONG = "q7Vx-2mRkT9pLw4ZsY8nHc3JfB6dGa1EuK0oWiNe5Ptr"

CLEAN = Settings(
    database_url="postgresql+psycopg://motcua@db.internal/motcua", secret_key=STRONG,
    upload_dir="/var/lib/motcua/uploads", max_upload_mb=10, max_dossier_mb=40,
    public_base_url="https://motcua.hanoi.gov.vn", production=True,
    ratelimit_storage_uri="redis://127.0.0.1:6379/0", app_hosts=("web1",))

# (what is wrong, Settings changes, Flask config, the setting named, a word of the fix)
UNSAFE: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
    ("SQLite", {"database_url": "sqlite:////var/lib/motcua/motcua.db"}, {},
     "DATABASE_URL", "postgresql://"),
    ("no secret", {"secret_key": ""}, {}, "SECRET_KEY", "token_urlsafe"),
    ("short secret", {"secret_key": "k8#Lm2!x"}, {}, "SECRET_KEY", "token_urlsafe"),
    ("placeholder secret", {"secret_key": "change-me-to-a-long-random-string-please-ok"}, {},
     "SECRET_KEY", "token_urlsafe"),
    ("repetitive secret", {"secret_key": "ab" * 30}, {}, "SECRET_KEY", "token_urlsafe"),
    ("local files on two hosts", {"app_hosts": ("web1", "web2"), "vapid_private_key": "k",
                                  "trusted_proxy_hops": 1},
     {}, "FILE_STORE_URL", "s3://"),
    ("a VAPID key per host", {"app_hosts": ("web1", "web2"), "trusted_proxy_hops": 1,
                              "file_store_url": "s3://motcua-files"},
     {}, "VAPID_PRIVATE_KEY", "same on every host"),
    ("two hosts, proxy addresses ignored", {"app_hosts": ("web1", "web2"),
                                            "vapid_private_key": "k",
                                            "file_store_url": "s3://motcua-files"},
     {}, "TRUSTED_PROXY_HOPS", "TRUSTED_PROXY_HOPS=1"),
    ("limits in memory", {"ratelimit_storage_uri": "memory://"}, {},
     "RATELIMIT_STORAGE_URI", "redis://"),
    ("the local push allowance", {"production": False, "push_test_hosts": ("127.0.0.1",)},
     {}, "PUSH_TEST_HOSTS", "unset"),
    ("test mode", {}, {"TESTING": True}, "TESTING", "remove"),
    ("rate limits off", {}, {"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED", "remove"),
    ("CSRF off", {}, {"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED", "remove"),
    ("plain http", {"public_base_url": "http://motcua.hanoi.gov.vn"}, {},
     "PUBLIC_BASE_URL", "https://"),
    ("weak metrics token", {"metrics_token": "prom"}, {}, "METRICS_TOKEN", "unset it"),
    ("a replica that is not PostgreSQL",
     {"database_replica_url": "sqlite:////var/lib/motcua/copy.db"}, {},
     "DATABASE_REPLICA_URL", "postgresql://"),
    ("the primary as its own replica",
     {"database_replica_url": "postgresql+psycopg://motcua@db.internal/motcua"}, {},
     "DATABASE_REPLICA_URL", "standby's address"),
]


def test_a_clean_production_configuration_passes() -> None:
    assert doctor.check(CLEAN, {}) == []
    replica = "postgresql+psycopg://motcua@db-replica.internal/motcua"
    assert doctor.check(dataclasses.replace(CLEAN, database_replica_url=replica), {}) == []
    assert doctor.check(dataclasses.replace(CLEAN, app_hosts=("web1", "web2"),
                                            vapid_private_key="key", trusted_proxy_hops=1,
                                            file_store_url="s3://motcua-files"),
                        {}) == []


@pytest.mark.parametrize(("changes", "config", "setting", "fix"),
                         [row[1:] for row in UNSAFE], ids=[row[0] for row in UNSAFE])
def test_each_unsafe_setting_is_refused_alone(changes: dict[str, Any], config: dict[str, Any],
                                              setting: str, fix: str) -> None:
    refusals = doctor.check(dataclasses.replace(CLEAN, **changes), config)
    assert [r.setting for r in refusals] == [setting]
    assert fix in refusals[0].message


def test_the_app_refuses_to_start_in_production_and_says_what_to_set(tmp_path: Path) -> None:
    settings = {**{f.name: getattr(CLEAN, f.name) for f in dataclasses.fields(CLEAN)},
                "database_url": f"sqlite:///{tmp_path / 'x.db'}",
                "ratelimit_storage_uri": "memory://"}
    with pytest.raises(ConfigError) as refused:
        create_app({"SETTINGS": settings})
    assert "DATABASE_URL" in str(refused.value)
    assert "RATELIMIT_STORAGE_URI=redis://" in str(refused.value)
    clean = {f.name: getattr(CLEAN, f.name) for f in dataclasses.fields(CLEAN)}
    assert create_app({"SETTINGS": clean}).config["SESSION_COOKIE_SECURE"] is True


def test_flask_doctor_lists_refusals_and_fails(tmp_path: Path) -> None:
    app = create_app({"SETTINGS": {"database_url": f"sqlite:///{tmp_path / 'x.db'}",
                                   "upload_dir": str(tmp_path), "secret_key": STRONG,
                                   "public_base_url": "http://127.0.0.1:5000"}})
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1
    refused = [line.split()[1] for line in result.output.splitlines()
               if line.startswith("refused")]
    assert refused == ["DATABASE_URL:", "RATELIMIT_STORAGE_URI:", "PUBLIC_BASE_URL:"]
    clean = {f.name: getattr(CLEAN, f.name) for f in dataclasses.fields(CLEAN)}
    passed = create_app({"SETTINGS": {**clean, "production": False}}).test_cli_runner().invoke(
        args=["doctor"])
    assert passed.exit_code == 0 and "production check passed" in passed.output


def test_settings_from_the_environment_are_checked_as_read(tmp_path: Path) -> None:
    env = {"MOTCUA_ENV": "production", "SECRET_KEY": STRONG,
           "DATABASE_URL": "postgresql://motcua@db/motcua",
           "PUBLIC_BASE_URL": "https://motcua.example.vn",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "APP_HOSTS": "web1, web2"}
    settings = Settings.from_env(tmp_path, env)
    assert settings.app_hosts == ("web1", "web2")
    assert [r.setting for r in doctor.check(settings, {})] == ["FILE_STORE_URL",
                                                                "VAPID_PRIVATE_KEY",
                                                                "TRUSTED_PROXY_HOPS"]


def test_the_replica_url_is_read_for_the_psycopg_driver_and_optional(tmp_path: Path) -> None:
    plain = Settings.from_env(tmp_path, {"DATABASE_URL": "postgresql://motcua@db/motcua"})
    assert plain.database_replica_url == ""
    assert plain.flask_config()["SQLALCHEMY_BINDS"] == {}
    given = Settings.from_env(tmp_path, {"DATABASE_URL": "postgresql://motcua@db/motcua",
                                         "DATABASE_REPLICA_URL": "postgres://motcua@copy/motcua"})
    assert given.database_replica_url == "postgresql+psycopg://motcua@copy/motcua"
    assert given.flask_config()["SQLALCHEMY_BINDS"]["replica"]["url"] == (
        "postgresql+psycopg://motcua@copy/motcua")
