"""A refusal tied to one field of an admin form: the view shows it beside the field."""

from __future__ import annotations

from app.core.errors import DomainError


class InvalidInput(DomainError):
    status_code = 422

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, code=f"invalid_{field}")
        self.field = field
