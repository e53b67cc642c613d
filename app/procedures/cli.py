"""`flask procedures import FILE [--agency SLUG ...]` and `flask procedures export [FILE]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core import transaction
from app.extensions import db
from app.places.models import Agency
from app.procedures.catalogue import CatalogueError, export_catalogue, import_catalogue


@click.group("procedures")
def procedures_cli() -> None:
    """Procedure catalogue."""


@procedures_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "slugs", multiple=True, metavar="SLUG",
              help="Offer the procedures at this commune (repeatable). "
                   "Default: every commune, ward and special zone.")
@with_appcontext
def import_command(file: Path, slugs: tuple[str, ...]) -> None:
    """Load a catalogue JSON file: procedures are matched by code, so re-running is safe."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{file}: not a JSON file ({exc})") from exc
    agencies = None
    if slugs:
        agencies = list(db.session.scalars(select(Agency).where(Agency.slug.in_(slugs))))
        unknown = sorted(set(slugs) - {a.slug for a in agencies})
        if unknown:
            raise click.ClickException(f"unknown agency slug: {', '.join(unknown)}")
    try:
        report = import_catalogue(data, agencies=agencies)
    except CatalogueError as exc:
        transaction.rollback()
        raise click.ClickException(f"{file}: nothing imported.\n" + exc.message) from exc
    transaction.commit()
    click.echo(f"Procedures: {report.created} created, {report.updated} updated, "
               f"{report.unchanged} unchanged.")


@procedures_cli.command("export")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(file: Path | None) -> None:
    """Write the catalogue as JSON to FILE, or to standard output."""
    text = json.dumps(export_catalogue(), ensure_ascii=False, indent=2) + "\n"
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {file}", err=True)
