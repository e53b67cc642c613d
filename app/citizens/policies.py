"""What a signed-in citizen may do; shared by views and templates."""

from __future__ import annotations

from typing import Any

from app.citizens.models import Citizen
from app.dossiers.models import Dossier


def is_citizen(user: Any) -> bool:
    return isinstance(user, Citizen) and user.is_authenticated


def owns(user: Any, dossier: Dossier) -> bool:
    """The dossier is saved to this signed-in citizen's account."""
    return is_citizen(user) and dossier.citizen_account_id == user.id
