"""The test-only Node tools (tests/oidc) install exactly as locked: axe-core, which judges
the accessibility test, is pinned to one version with its integrity hash, and the Makefile
reinstalls with `npm ci` whenever the lock file changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "tests" / "oidc"
EXACT = re.compile(r"\d+\.\d+\.\d+")  # no ^, ~, range or tag: one version only


def _json(name: str) -> dict:
    return json.loads((NODE / name).read_text(encoding="utf-8"))


def test_axe_core_is_pinned_to_one_version_in_package_json() -> None:
    wanted = _json("package.json")["dependencies"]["axe-core"]
    assert EXACT.fullmatch(wanted), f"axe-core {wanted!r} is a range: pin one version"


def test_the_lock_holds_that_version_with_its_integrity_hash() -> None:
    wanted = _json("package.json")["dependencies"]["axe-core"]
    lock = _json("package-lock.json")
    assert lock["packages"][""]["dependencies"]["axe-core"] == wanted, (
        "package-lock.json is stale: npm install --package-lock-only in tests/oidc")
    locked = lock["packages"]["node_modules/axe-core"]
    assert locked["version"] == wanted
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", locked.get("integrity", "")), locked


def test_make_reinstalls_with_npm_ci_when_the_lock_changes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^tests/oidc/node_modules:([^\n]*)\n((?:\t[^\n]*\n)+)", makefile,
                     re.MULTILINE)
    assert rule, "the Makefile has no tests/oidc/node_modules target"
    assert "tests/oidc/package-lock.json" in rule.group(1).split()
    recipe = rule.group(2)
    assert re.search(r"\bnpm ci\b", recipe) and "npm install" not in recipe, recipe
    # make compares the folder's time with the lock's: the recipe must renew it.
    assert re.search(r"touch \$@", recipe), recipe
