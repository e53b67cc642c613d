"""`flask backup DIR` and `flask restore DIR` (see app/backup/service.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.backup.service import BackupError, restore_backup, take_backup
from app.dossiers.filestore import FileStoreUnavailable


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(folder: Path) -> None:
    """Back up the database and every file its rows reference into FOLDER (new or empty)."""
    try:
        manifest = take_backup(folder)
    except (BackupError, FileStoreUnavailable) as exc:
        raise click.ClickException(f"backup failed: {exc}") from exc
    size = sum(int(meta["size"]) for meta in manifest.objects.values())
    click.echo(f"backup in {folder}: {sum(manifest.counts.values())} rows in "
               f"{len(manifest.counts)} tables, {len(manifest.objects)} files ({size} bytes)")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(folder: Path) -> None:
    """Restore a backup from FOLDER into an empty database and an empty file store."""
    try:
        report = restore_backup(folder)
    except (BackupError, FileStoreUnavailable) as exc:
        raise click.ClickException(f"restore refused: {exc}") from exc
    click.echo(f"restored {sum(report.counts.values())} rows and {report.objects} files; "
               f"{len(report.swept)} unreferenced file(s) swept")
