"""deploy/motcua.env.example names every setting the app reads, and only its CHANGE-ME
placeholders stand between it and a configuration the production check accepts."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import Settings
from app.core import doctor

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "deploy" / "motcua.env.example"
# How the code reads a setting: env.get("X"), _int(env, "X", …), os.environ.get("X").
READS = re.compile(r'(?:env\.get\(|_int\(env, |environ\.get\(|env\[)"([A-Z][A-Z0-9_]+)"')


def _read_by(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in READS.findall(path.read_text())}


def _example() -> dict[str, str]:
    """The uncommented NAME=value lines, as systemd's EnvironmentFile reads them."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def _named() -> set[str]:
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.M))


def test_every_setting_the_app_reads_is_in_the_example() -> None:
    read = _read_by([REPO / "app" / "config.py"])
    # Hand-written floor: the scan itself must keep finding the settings it is meant to.
    assert {"SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "APP_HOSTS",
            "METRICS_TOKEN", "PUSH_TEST_HOSTS"} <= read
    elsewhere = _read_by([*(REPO / "app").rglob("*.py"), REPO / "wsgi.py",
                          REPO / "deploy" / "gunicorn.conf.py"])
    assert {"MOTCUA_PUSH_WORKER", "DEMO_PASSWORD", "GUNICORN_BIND"} <= elsewhere
    missing = (read | elsewhere) - _named()
    assert not missing, f"add to deploy/motcua.env.example: {sorted(missing)}"


def test_the_example_passes_once_its_placeholders_are_replaced(tmp_path: Path) -> None:
    env = _example()
    assert env["MOTCUA_ENV"] == "production"
    settings = Settings.from_env(tmp_path, env)
    assert [r.setting for r in doctor.check(settings, {})] == ["SECRET_KEY", "METRICS_TOKEN"]
    filled = {k: ("Zq8-vN3xLr7TbW1mKc5YhJ2sPd9FgA4eUo6iRtE0" if v == "CHANGE-ME" else v)
              for k, v in env.items()}
    assert doctor.check(Settings.from_env(tmp_path, filled), {}) == []
