"""Where dossier files live: a small interface, local disk now, an S3-compatible store later."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

# token_urlsafe(24) gives 32 characters of [A-Za-z0-9_-]; the extension is ours, never the
# client's. Anything else (separators, "..", NUL) cannot name a stored file.
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}\.[a-z0-9]{1,8}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


class FileStore(Protocol):
    """Stores opaque blobs under random keys. Keys are safe to keep in the database."""

    def put_file(self, src_path: Path, ext: str) -> str: ...

    def put_bytes(self, data: bytes, ext: str) -> str: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def _check_ext(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    if not _EXT.match(ext):
        raise ValueError(f"unsafe file extension {ext!r}")
    return ext


def new_key(ext: str) -> str:
    return f"{secrets.token_urlsafe(24)}.{_check_ext(ext)}"


class LocalFileStore:
    """Files under `root`, fanned out by the key's first two characters.

    Writes are atomic: a reader or a crash sees the whole file or no file.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def put_file(self, src_path: Path, ext: str) -> str:
        with open(src_path, "rb") as src:
            return self._write(src, ext)

    def put_bytes(self, data: bytes, ext: str) -> str:
        key = new_key(ext)
        self._write_to(key, lambda out: out.write(data))
        return key

    def _write(self, src: BinaryIO, ext: str) -> str:
        key = new_key(ext)
        self._write_to(key, lambda out: shutil.copyfileobj(src, out, 1024 * 1024))
        return key

    def _write_to(self, key: str, fill: Callable[[BinaryIO], object]) -> None:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        # The temporary name lives in the same folder so os.replace is a rename, never a copy.
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(final.parent)

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")  # noqa: SIM115  (the caller closes it)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX only; Windows cannot open folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def get_file_store() -> FileStore:
    """The store the configuration names (needs an app context). Only "local" exists yet."""
    kind = current_app.config.get("MOTCUA_FILE_STORE", "local")
    if kind != "local":
        raise RuntimeError(f"unknown file store {kind!r}")
    from app.core.metrics import CountedStore  # failures show in /metrics

    return CountedStore(LocalFileStore(Path(current_app.config["MOTCUA"].upload_dir) / "files"))
