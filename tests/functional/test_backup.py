"""`flask backup` / `flask restore` on the embedded deployment (SQLite, files on disk): a
round trip serves the same dossiers with the same bytes; an incomplete backup or a used
target is refused before anything is written. The PostgreSQL + S3 round trip under load is
drill 8 (tests/drills/test_backup_restore.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Flask
from sqlalchemy import inspect, select

from app.dossiers.models import Dossier, DossierFile
from app.extensions import db
from tests.factories.apps import make_app
from tests.factories.files import jpeg, pdf
from tests.factories.world import make_world, submit


def _embedded(root: Path, *, schema: bool = True) -> Flask:
    root.mkdir(parents=True, exist_ok=True)
    app = make_app(f"sqlite:///{root / 'motcua.db'}", root / "uploads",
                   SETTINGS={"file_store_url": f"file://{root / 'files'}"})
    if schema:
        with app.app_context():
            db.create_all()
            db.session.commit()
    return app


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def _with_two_dossiers(tmp_path: Path) -> tuple[Flask, list[tuple[str, str]]]:
    source = _embedded(tmp_path / "source")
    world = make_world(source)
    client = source.test_client()
    made = [submit(client, world),
            submit(client, world, files={f"doc-{world.required_doc}": [(pdf(), "giay.pdf")],
                                        f"doc-{world.optional_doc}": [(jpeg(), "a.jpg")]})]
    return source, made


def _files(app: Flask) -> dict[str, str]:
    """storage key → sha256 of the bytes on disk, read by the test."""
    with app.app_context():
        root = Path(app.config["MOTCUA"].file_store_url.removeprefix("file://"))
        return {key: hashlib.sha256((root / key[:2] / key).read_bytes()).hexdigest()
                for key in db.session.scalars(select(DossierFile.storage_key))}


def test_a_restored_backup_serves_the_same_dossiers_and_files(tmp_path: Path) -> None:
    source, made = _with_two_dossiers(tmp_path)
    code, output = _run(source, "backup", str(tmp_path / "backup"))
    assert code == 0, output
    assert "3 files" in output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["counts"]["dossiers"] == 2 and manifest["counts"]["dossier_files"] == 3

    target = _embedded(tmp_path / "target", schema=False)
    code, output = _run(target, "restore", str(tmp_path / "backup"))
    assert code == 0, output
    assert "3 files; 0 unreferenced file(s) swept" in output
    assert _files(target) == _files(source)
    client = target.test_client()
    for dossier_code, secret in made:
        page = client.get(f"/d/{dossier_code}?t={secret}")
        assert page.status_code == 200 and dossier_code in page.get_data(as_text=True)


def test_an_incomplete_backup_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source, _made = _with_two_dossiers(tmp_path)
    folder = tmp_path / "backup"
    assert _run(source, "backup", str(folder))[0] == 0
    lost = sorted((folder / "objects").iterdir())[0]
    lost.unlink()

    target = _embedded(tmp_path / "target", schema=False)
    code, output = _run(target, "restore", str(folder))
    assert code == 1
    assert f"restore refused: the backup is incomplete, nothing was restored; 1 object(s) " \
           f"missing: {lost.name}" in output
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []
    assert not (tmp_path / "target" / "files").exists()


def test_a_changed_object_is_refused(tmp_path: Path) -> None:
    source, _made = _with_two_dossiers(tmp_path)
    folder = tmp_path / "backup"
    assert _run(source, "backup", str(folder))[0] == 0
    changed = sorted((folder / "objects").iterdir())[1]
    changed.write_bytes(changed.read_bytes() + b"x")
    code, output = _run(_embedded(tmp_path / "target", schema=False), "restore", str(folder))
    assert code == 1 and f"1 object(s) whose sha256 differs: {changed.name}" in output


def test_restore_refuses_a_database_in_use(tmp_path: Path) -> None:
    source, _made = _with_two_dossiers(tmp_path)
    assert _run(source, "backup", str(tmp_path / "backup"))[0] == 0
    code, output = _run(source, "restore", str(tmp_path / "backup"))
    assert code == 1
    assert "restore refused: the database is not empty: restore into a new database" in output
    with source.app_context():
        assert len(db.session.scalars(select(Dossier)).all()) == 2


def test_objects_no_restored_row_references_are_swept(tmp_path: Path) -> None:
    source, _made = _with_two_dossiers(tmp_path)
    folder = tmp_path / "backup"
    assert _run(source, "backup", str(folder))[0] == 0
    # An object the manifest lists but no row references (e.g. a hand-made backup).
    stray = "A" * 32 + ".jpg"
    (folder / "objects" / stray).write_bytes(b"stray")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["objects"][stray] = {"sha256": hashlib.sha256(b"stray").hexdigest(), "size": 5}
    (folder / "manifest.json").write_text(json.dumps(manifest))

    target = _embedded(tmp_path / "target", schema=False)
    code, output = _run(target, "restore", str(folder))
    assert code == 0, output
    assert "1 unreferenced file(s) swept" in output
    assert not (tmp_path / "target" / "files" / "AA" / stray).exists()
    assert len(_files(target)) == 3


def test_backup_refuses_when_a_referenced_file_is_gone(tmp_path: Path) -> None:
    source, _made = _with_two_dossiers(tmp_path)
    with source.app_context():
        key = db.session.scalars(select(DossierFile.storage_key)).first()
    assert key
    (tmp_path / "source" / "files" / key[:2] / key).unlink()
    code, output = _run(source, "backup", str(tmp_path / "backup"))
    assert code == 1
    assert f"backup failed: 1 object(s) referenced by the database are missing from the " \
           f"file store: {key}" in output
