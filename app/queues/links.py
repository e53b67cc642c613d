"""The signed link a ticket lives in: no account, the phone keeps the link (and the page)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.extensions import db
from app.queues.models import Ticket

_SALT = "motcua.queue-ticket"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def ticket_token(ticket: Ticket) -> str:
    """The part of the ticket's URL that proves it was given here: ids cannot be guessed
    into someone else's ticket (and its cancel button)."""
    return str(_serializer().dumps(ticket.id))


def ticket_from_token(token: str) -> Ticket | None:
    if len(token) > 100:
        return None
    try:
        ticket_id = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(ticket_id, int):
        return None
    return db.session.get(Ticket, ticket_id)
