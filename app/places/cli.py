"""`flask seed-demo` and `flask posters export`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core import transaction
from app.core.qr import qr_png, qr_svg_document
from app.extensions import db
from app.places.demo import DemoRefused, load_demo
from app.places.models import Agency
from app.places.posters import village_url
from app.places.queries import agency_by_slug, villages_of


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when any agency exists (used by `make run`).")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Load the demo communes, villages, procedures and officers (idempotent)."""
    if if_empty and db.session.scalar(select(Agency.id).limit(1)) is not None:
        click.echo("Database already has agencies: demo not loaded.")
        return
    try:
        result = load_demo()
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    transaction.commit()
    click.echo(f"Demo loaded: {result.agencies_created} agencies, {result.villages_created} "
               f"villages, {result.officers_created} officers created.")
    if result.procedures is None:
        click.echo("Procedure catalogue not available: no procedures imported.")
    else:
        click.echo(f"Procedures: {result.procedures}")
    click.echo("\nVillage pages (what the QR posters open):")
    for village in result.villages:
        click.echo(f"  {village_url(village)}  {village.name}, {village.agency.name}")
    click.echo(f"\nOfficer logins at /officer/login (password: {result.password}):")
    for login in result.logins:
        click.echo(f"  {login.username:<24} {login.role:<14} {login.agency}")
    admins = [login for login in result.logins if login.totp_secret]
    if admins:
        click.echo("\nAdmins sign in with a TOTP code: add these secrets to an authenticator app")
        click.echo("(or run: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"):")
        for login in admins:
            click.echo(f"  {login.username:<24} {login.totp_secret}")


@click.group("posters")
def posters_cli() -> None:
    """QR posters."""


@posters_cli.command("export")
@click.option("--agency", "slug", required=True, help="agency slug, e.g. tanhong")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export(slug: str, out_dir: Path) -> None:
    """Write <village>.png and <village>.svg for every village of a commune."""
    agency = agency_by_slug(slug)
    if agency is None:
        raise click.ClickException(f"no agency with slug {slug!r}")
    villages = villages_of(agency.id)
    if not villages:
        raise click.ClickException(f"{agency.name} has no villages")
    out_dir.mkdir(parents=True, exist_ok=True)
    for village in villages:
        url = village_url(village)
        (out_dir / f"{village.code}.png").write_bytes(qr_png(url))
        (out_dir / f"{village.code}.svg").write_text(qr_svg_document(url), encoding="utf-8")
        click.echo(f"{village.code}: {url}")
    click.echo(f"{len(villages)} posters written to {out_dir}")
