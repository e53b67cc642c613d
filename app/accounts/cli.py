"""`flask create-officer`: the same service as the admin pages (app/admin/officers_services.py),
audited as done from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.accounts.models import Role
from app.admin.officers_services import create_officer as create_officer_account
from app.core import transaction
from app.core.errors import DomainError
from app.extensions import db
from app.places.models import Agency


@click.command("create-officer")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_slug", required=True, help="agency slug, e.g. tanhong")
@click.password_option()
@with_appcontext
def create_officer(username: str, full_name: str, role: str, agency_slug: str,
                   password: str) -> None:
    """Create an officer account bound to an agency."""
    agency = db.session.scalar(select(Agency).where(Agency.slug == agency_slug))
    if agency is None:
        raise click.ClickException(f"no agency with slug {agency_slug!r}")
    try:
        officer = create_officer_account(None, username=username, full_name=full_name,
                                         role=role, agency=agency, password=password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    transaction.commit()
    click.echo(f"created officer {officer.username} ({role}) at {agency.name}")
