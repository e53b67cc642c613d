"""`flask queues expire`: end the numbers of past days nobody served (run once a day)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core import transaction
from app.core.vntime import vietnam_today
from app.queues.services import expire_past

queues_cli = AppGroup("queues", help="Queue numbers at the one-stop desk.")


@queues_cli.command("expire")
def expire() -> None:
    """Mark as expired every number of a day before today (Vietnam) still waiting or called."""
    count = expire_past(vietnam_today())
    transaction.commit()
    click.echo(f"expired: {count} tickets")
