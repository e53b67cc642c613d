"""The request commits once: no module of the app but the transaction helper commits."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app"
HELPER = APP / "core" / "transaction.py"


def _commit_calls(path: Path) -> list[int]:
    """Lines calling `<anything>.commit(...)` other than the helper's `transaction.commit`."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
                and not (isinstance(node.func.value, ast.Name)
                         and node.func.value.id == "transaction")):
            lines.append(node.lineno)
    return lines


def test_only_the_transaction_helper_commits() -> None:
    offenders = [f"{path.relative_to(APP.parent)}:{n}"
                 for path in sorted(APP.rglob("*.py")) if path != HELPER
                 for n in _commit_calls(path)]
    assert offenders == []


def test_the_probe_sees_a_commit(tmp_path: Path) -> None:
    sample = tmp_path / "view.py"
    sample.write_text("from app.extensions import db\n\ndef v():\n    db.session.commit()\n")
    assert _commit_calls(sample) == [4]
