"""The local file store: random keys, fan-out folders, atomic writes, no path tricks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.dossiers.filestore import LocalFileStore, get_file_store
from tests.factories.apps import use_file_store

KEY = re.compile(r"^[A-Za-z0-9_-]{32}\.(jpg|pdf)$")


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_bytes_open_exists_delete(store: LocalFileStore) -> None:
    key = store.put_bytes(b"%PDF-1.7 hello", "pdf")
    assert KEY.match(key)
    assert store.exists(key)
    with store.open(key) as fh:
        assert fh.read() == b"%PDF-1.7 hello"
    # Fanned out by the key's first two characters, under the root.
    assert store.path(key) == store.root / key[:2] / key
    assert stored_files(store.root) == [store.path(key)]
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting a missing file is fine
    assert stored_files(store.root) == []


def test_put_file_copies_and_leaves_the_source(store: LocalFileStore, tmp_path: Path) -> None:
    src = tmp_path / "clean.jpg"
    src.write_bytes(b"\xff\xd8\xff" + b"x" * 3_000_000)
    key = store.put_file(src, ".JPG")
    assert key.endswith(".jpg")
    assert store.path(key).read_bytes() == src.read_bytes()
    assert src.exists()
    # No temporary ".part" file is left next to it.
    assert stored_files(store.root) == [store.path(key)]


def test_keys_are_random(store: LocalFileStore) -> None:
    keys = {store.put_bytes(b"x", "jpg") for _ in range(50)}
    assert len(keys) == 50


@pytest.mark.parametrize("key", [
    "../x.jpg", "..", "a/b.jpg", "a\\b.jpg", "/etc/passwd", "", "x.jpg",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg/../..", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.j pg",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00.jpg", "AAAAAAAAAAAAAAAA/../AAAAAAAAAAAAAA.jpg",
])
def test_keys_that_are_not_ours_are_refused(store: LocalFileStore, key: str) -> None:
    for action in (store.path, store.open, store.exists, store.delete):
        with pytest.raises(ValueError, match="storage key"):
            action(key)


@pytest.mark.parametrize("ext", ["", "../jpg", "j/pg", "php.jpg", "verylongext"])
def test_unsafe_extensions_are_refused(store: LocalFileStore, ext: str) -> None:
    with pytest.raises(ValueError, match="extension"):
        store.put_bytes(b"x", ext)
    assert stored_files(store.root) == []


def test_a_failed_write_leaves_nothing(store: LocalFileStore) -> None:
    with pytest.raises(TypeError):
        store.put_bytes("not bytes", "pdf")  # type: ignore[arg-type]
    assert stored_files(store.root) == []


def test_open_of_a_missing_file(store: LocalFileStore) -> None:
    with pytest.raises(FileNotFoundError):
        store.open("A" * 32 + ".pdf")


def test_the_configured_store_lives_in_the_upload_dir_outside_static(app) -> None:  # noqa: ANN001
    # FILE_STORE_URL unset (the embedded default), whatever store the test pass uses.
    with use_file_store(app, "").app_context():
        store = get_file_store()
        upload_dir = Path(app.config["MOTCUA"].upload_dir)
        key = store.put_bytes(b"data", "pdf")
        path = store.path(key)  # type: ignore[attr-defined]
        assert path.is_relative_to(upload_dir)
        assert not path.is_relative_to(Path(app.static_folder or "static"))
        store.delete(key)
