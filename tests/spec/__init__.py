"""The hand-written workflow spec (workflow.toml) and its comparison with the code's table.

The tests take their expectations from here, never from TRANSITIONS itself: a wrong role
or target in the code then fails instead of being copied into the expectation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.accounts.models import Role
from app.dossiers.models import DossierStatus

SPEC_FILE = Path(__file__).with_name("workflow.toml")
CITIZEN = "citizen"
ROLES = (CITIZEN, *(role.value for role in Role))


@dataclass(frozen=True)
class Move:
    status: DossierStatus | None  # None: not yet created
    action: str
    when: str | None  # the guard that picks this target, where a move has two
    to: DossierStatus
    roles: frozenset[str]
    reason: bool
    # Input fields the move cannot go without; and those it also needs at the counter.
    needs: frozenset[str] = frozenset()
    needs_at_counter: frozenset[str] = frozenset()

    @property
    def pair(self) -> tuple[DossierStatus | None, str]:
        return (self.status, self.action)

    @property
    def by_citizen(self) -> bool:
        return self.roles == {CITIZEN}

    def __str__(self) -> str:
        when = f" [{self.when}]" if self.when else ""
        return f"{self.status.value if self.status else '∅'} → {self.action}{when}"


def load(path: Path = SPEC_FILE) -> list[Move]:
    rows = tomllib.loads(path.read_text(encoding="utf-8"))["move"]
    moves = []
    for row in rows:
        unknown = set(row["roles"]) - set(ROLES)
        assert not unknown, f"{row}: unknown roles {unknown}"
        moves.append(Move(status=DossierStatus(row["from"]) if row["from"] else None,
                          action=row["action"], when=row.get("when"),
                          to=DossierStatus(row["to"]), roles=frozenset(row["roles"]),
                          reason=bool(row.get("reason", False)),
                          needs=frozenset(row.get("needs", ())),
                          needs_at_counter=frozenset(row.get("needs_at_counter", ()))))
    keys = [(m.status, m.action, m.when) for m in moves]
    assert len(keys) == len(set(keys)), "the spec lists a move twice"
    return moves


MOVES = load()
PAIRS = list(dict.fromkeys(m.pair for m in MOVES))


def moves_for(status: DossierStatus | None, action: str) -> list[Move]:
    return [m for m in MOVES if m.pair == (status, action)]


def actions_for(status: DossierStatus | None, role: str) -> set[str]:
    """What the spec lets `role` do on a dossier in `status`."""
    return {m.action for m in MOVES if m.status == status and role in m.roles}


def code_moves(transitions: dict[Any, Any]) -> list[Move]:
    """The code's table in the spec's terms: one Move per target of each transition."""
    out = []
    for (status, action), move in transitions.items():
        roles = (frozenset({CITIZEN}) if move.actor == "citizen"
                 else frozenset(str(r) for r in move.roles))
        for target in move.targets:
            out.append(Move(status, action, target.when.name if target.when else None,
                            target.to, roles, move.note_required is not None))
    return out


def differences(transitions: dict[Any, Any], spec: list[Move] | None = None) -> list[str]:
    """Every way the code's table departs from the spec (empty when they agree exactly)."""
    wanted = {(m.status, m.action, m.when): m for m in (spec if spec is not None else MOVES)}
    found = {(m.status, m.action, m.when): m for m in code_moves(transitions)}
    out = [f"missing from the code: {wanted[k]}" for k in wanted.keys() - found.keys()]
    out += [f"not in the spec: {found[k]}" for k in found.keys() - wanted.keys()]
    for key in wanted.keys() & found.keys():
        w, f = wanted[key], found[key]
        if w.to != f.to:
            out.append(f"{w}: goes to {f.to.value}, the spec says {w.to.value}")
        if w.roles != f.roles:
            out.append(f"{w}: roles {sorted(f.roles)}, the spec says {sorted(w.roles)}")
        if w.reason != f.reason:
            out.append(f"{w}: reason required {f.reason}, the spec says {w.reason}")
    return sorted(out)
