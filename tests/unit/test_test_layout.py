"""The suite's own layout: shared builders live in tests/factories, shared fixtures in
tests/conftest.py, and no test module imports another test module."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "node_modules" not in p.parts)


def _dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _imported(source: str, module: str) -> set[str]:
    """Every module name the source of `module` imports (anywhere, relative imports
    resolved); `from a import b` counts as both `a` and `a.b`, since b may be a module."""
    package = module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "tests" and parts[-1].startswith("test_") and \
        (ROOT.joinpath(*parts).with_suffix(".py")).is_file()


def test_no_test_module_imports_another_test_module() -> None:
    offences = [f"{path.relative_to(ROOT)} imports {name}"
                for path in _modules()
                for name in sorted(_imported(path.read_text(encoding="utf-8"), _dotted(path)))
                if _is_test_module(name)]
    assert not offences, ("shared builders belong in tests/factories and shared fixtures in "
                          "tests/conftest.py:\n" + "\n".join(offences))


def test_the_check_sees_every_kind_of_import() -> None:
    source = ("import tests.functional.test_submit\n"
              "from tests.functional.test_track import GENERIC\n"
              "from tests.functional import test_places\n"
              "from . import test_procedures\n"
              "from .test_core import something\n"
              "from tests.factories import world\n"
              "def later():\n    from tests.browser.test_pwa import VILLAGE\n")
    names = {name for name in _imported(source, "tests.functional.test_example")
             if _is_test_module(name)}
    assert names == {"tests.functional.test_submit", "tests.functional.test_track",
                     "tests.functional.test_places", "tests.functional.test_procedures",
                     "tests.functional.test_core", "tests.browser.test_pwa"}
