"""`flask dossiers …`: maintenance commands for dossier files."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.dossiers.filestore import FileStoreUnavailable
from app.dossiers.services import sweep_orphan_files

dossiers_cli = AppGroup("dossiers", help="Dossier maintenance.")


@dossiers_cli.command("sweep-files")
@click.option("--min-age-minutes", default=60, show_default=True,
              help="Only files older than this (younger ones may belong to a request in flight).")
def sweep_files(min_age_minutes: int) -> None:
    """Delete stored files that no dossier references (left by a crash before commit)."""
    try:
        removed = sweep_orphan_files(timedelta(minutes=min_age_minutes))
    except FileStoreUnavailable as exc:
        raise click.ClickException("the file store did not answer; nothing more was "
                                   "removed (see the log)") from exc
    for path in removed:
        click.echo(f"removed {path}")
    click.echo(f"{len(removed)} orphan file(s) removed")
