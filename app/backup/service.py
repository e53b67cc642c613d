"""Take a backup (database snapshot, then the objects it references) and restore one into an
empty database and file store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from app.backup import snapshot
from app.backup.archive import OBJECTS, Manifest, copy_hashed, file_sha256
from app.dossiers.filestore import check_key, get_file_store
from app.dossiers.services import sweep_orphan_files


class BackupError(RuntimeError):
    """The backup or restore stopped; the message says why, for the operator."""


@dataclass
class RestoreReport:
    counts: dict[str, int]
    objects: int
    swept: list[str] = field(default_factory=list)


def _listed(keys: set[str] | list[str], limit: int = 5) -> str:
    shown = sorted(keys)[:limit]
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(shown) + more


def take_backup(folder: Path) -> Manifest:
    """Write a backup of the app's database and files into `folder` (new or empty).

    Objects are immutable under their keys, so copying them after the snapshot gives exactly
    the bytes the snapshot's rows reference, however many writes happen meanwhile."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    (folder / OBJECTS).mkdir(parents=True, exist_ok=True)
    try:
        taken = snapshot.take(folder)
    except snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from exc
    store = get_file_store()
    objects: dict[str, dict[str, object]] = {}
    missing: set[str] = set()
    for key in sorted(taken.keys):
        try:
            src = store.open(check_key(key))
        except FileNotFoundError:
            missing.add(key)
            continue
        try:
            with open(folder / OBJECTS / key, "wb") as dest:
                sha256, size = copy_hashed(src, dest)
        finally:
            src.close()
        objects[key] = {"sha256": sha256, "size": size}
    if missing:
        # Rows pointing at nothing: a restore of this backup would refuse; say so now.
        raise BackupError(f"{len(missing)} object(s) referenced by the database are missing "
                          f"from the file store: {_listed(missing)}")
    manifest = Manifest(taken.dialect, taken.file, taken.counts, objects)
    manifest.write(folder)
    return manifest


def check_backup(folder: Path) -> Manifest:
    """The backup's manifest, once every object it lists is there with its sha256."""
    try:
        manifest = Manifest.read(folder)
    except ValueError as exc:
        raise BackupError(str(exc)) from exc
    if not (folder / manifest.database_file).is_file():
        raise BackupError(f"the database snapshot {manifest.database_file} is missing")
    absent, damaged = set(), set()
    for key, meta in manifest.objects.items():
        path = folder / OBJECTS / check_key(key)
        if not path.is_file():
            absent.add(key)
        elif file_sha256(path) != meta["sha256"]:
            damaged.add(key)
    if absent or damaged:
        parts = []
        if absent:
            parts.append(f"{len(absent)} object(s) missing: {_listed(absent)}")
        if damaged:
            parts.append(f"{len(damaged)} object(s) whose sha256 differs: {_listed(damaged)}")
        raise BackupError("the backup is incomplete, nothing was restored; "
                          + "; ".join(parts))
    return manifest


def restore_backup(folder: Path) -> RestoreReport:
    """Restore `folder` into the app's database and file store, both empty.

    Everything is checked before anything is written: the manifest's objects and their
    sha256, and that the targets are empty. After loading, the restored rows must reference
    only objects of the backup and count what the manifest says; objects no row references
    are swept."""
    manifest = check_backup(folder)
    store = get_file_store()
    if not snapshot.is_empty():
        raise BackupError("the database is not empty: restore into a new database")
    if next(iter(store.entries()), None) is not None:
        raise BackupError("the file store is not empty: restore into a new bucket or prefix")
    try:
        snapshot.load(folder, manifest.dialect)
    except snapshot.SnapshotError as exc:
        raise BackupError(str(exc)) from exc
    counts, keys = snapshot.restored_state()
    unknown = keys - set(manifest.objects)
    if unknown:
        raise BackupError(f"the restored rows reference {len(unknown)} object(s) the backup "
                          f"does not hold: {_listed(unknown)}")
    for key in sorted(manifest.objects):
        with open(folder / OBJECTS / key, "rb") as src:
            store.put_as(key, src)
    if counts != manifest.counts:
        changed = {t for t in counts if counts[t] != manifest.counts.get(t)}
        raise BackupError(f"restored row counts differ from the manifest in {_listed(changed)}")
    # The targets were empty, so whatever no restored row references (an object listed by
    # the manifest but not by the rows) is ours to remove at once.
    swept = sweep_orphan_files(timedelta(0))
    return RestoreReport(counts=counts, objects=len(keys), swept=swept)

