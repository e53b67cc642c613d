"""`flask privacy sweep`: apply the retention schedule and say what was done."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.models import utcnow
from app.core.parsing import ParseError, parse_timestamp
from app.core.transaction import commit
from app.core.vntime import VIETNAM
from app.privacy.retention import sweep

privacy_cli = AppGroup("privacy", help="Personal data duties (Decree 13/2023).")


@privacy_cli.command("sweep")
@click.option("--now", "now_text", default="",
              help="Sweep as of this moment (ISO, Vietnam time when no offset); default now.")
def sweep_command(now_text: str) -> None:
    """Delete or anonymise the personal data whose retention period has ended."""
    try:
        now = parse_timestamp(now_text, default_tz=VIETNAM) if now_text else utcnow()
    except ParseError as exc:
        raise click.BadParameter(exc.message) from exc
    report = sweep(now)
    commit()
    click.echo(f"privacy sweep as of {now.isoformat(timespec='seconds')}")
    for line in report.lines():
        click.echo(f"  {line}")
