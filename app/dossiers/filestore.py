"""Where dossier files live: a small interface, a local-disk store (the embedded default) and
an S3 one (app/dossiers/s3store.py), chosen by FILE_STORE_URL."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.core.storage_url import LocalTarget, parse_file_store_url

# token_urlsafe(24) gives 32 characters of [A-Za-z0-9_-]; the extension is ours, never the
# client's. Anything else (separators, "..", NUL) cannot name a stored file.
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}\.[a-z0-9]{1,8}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")
CHUNK = 64 * 1024


class FileStoreUnavailable(DomainError):
    """The store did not answer or refused: the request fails cleanly (503), nothing kept."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__(_("Kho lưu trữ tệp đang tạm thời gián đoạn nên chưa thực hiện được. "
                           "Vui lòng thử lại sau ít phút; thông tin chưa được lưu sẽ không "
                           "bị tính là đã gửi."), code="file_store_unavailable")


@dataclass
class StoredBlob:
    """A stored file being read: its bytes in chunks, for a streamed response."""

    chunks: Iterator[bytes]
    size: int
    modified: float  # seconds since the epoch
    close: Callable[[], None] = field(default=lambda: None)


@dataclass(frozen=True)
class StoredEntry:
    """Something the store holds, as the orphan sweep sees it."""

    key: str  # what a row would reference
    modified: float  # seconds since the epoch
    label: str  # where it is, for the sweep's report
    upload_id: str | None = None  # an unfinished S3 multipart upload


class FileStore(Protocol):
    """Stores opaque blobs under random keys. Keys are safe to keep in the database.

    A write either stores the whole file under a new key or raises and stores nothing.
    Missing keys raise FileNotFoundError; keys that are not ours raise ValueError; a store
    that cannot be reached raises FileStoreUnavailable.
    """

    def put_file(self, src_path: Path, ext: str) -> str: ...

    def put_bytes(self, data: bytes, ext: str) -> str: ...

    def put_stream(self, src: BinaryIO, ext: str) -> str: ...

    def put_as(self, key: str, src: BinaryIO) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def read(self, key: str) -> StoredBlob: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def entries(self) -> Iterator[StoredEntry]: ...

    def remove_entry(self, entry: StoredEntry) -> None: ...


def _check_ext(ext: str) -> str:
    ext = ext.lower().lstrip(".")
    if not _EXT.match(ext):
        raise ValueError(f"unsafe file extension {ext!r}")
    return ext


def new_key(ext: str) -> str:
    return f"{secrets.token_urlsafe(24)}.{_check_ext(ext)}"


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError("not a storage key")
    return key


class LocalFileStore:
    """Files under `root`, fanned out by the key's first two characters.

    Writes are atomic: a reader or a crash sees the whole file or no file.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / check_key(key)

    def put_file(self, src_path: Path, ext: str) -> str:
        with open(src_path, "rb") as src:
            return self.put_stream(src, ext)

    def put_bytes(self, data: bytes, ext: str) -> str:
        key = new_key(ext)
        self._write_to(key, lambda out: out.write(data))
        return key

    def put_stream(self, src: BinaryIO, ext: str) -> str:
        key = new_key(ext)
        self.put_as(key, src)
        return key

    def put_as(self, key: str, src: BinaryIO) -> None:
        """Store `src` under a key it already had elsewhere (a restore from a backup)."""
        self._write_to(check_key(key), lambda out: shutil.copyfileobj(src, out, 1024 * 1024))

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

    def read(self, key: str) -> StoredBlob:
        fh = self.open(key)
        stat = os.fstat(fh.fileno())

        def chunks() -> Iterator[bytes]:
            try:
                while block := fh.read(CHUNK):
                    yield block
            finally:
                fh.close()

        return StoredBlob(chunks(), stat.st_size, stat.st_mtime, fh.close)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def entries(self) -> Iterator[StoredEntry]:
        """Every file under the root, unfinished ".part" files of a crashed write too."""
        for path in self.root.rglob("*"):
            try:
                if path.is_file():
                    yield StoredEntry(path.name, path.stat().st_mtime, str(path))
            except FileNotFoundError:
                continue  # deleted meanwhile by the request that owned it

    def remove_entry(self, entry: StoredEntry) -> None:
        path = Path(entry.label)
        if not path.is_relative_to(self.root) or ".." in path.parts:
            raise ValueError("not an entry of this store")
        path.unlink(missing_ok=True)


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
    """The store FILE_STORE_URL names (needs an app context), made once per app and setting:
    an S3 client is costly to build and safe to share between threads. Its failures are
    counted for /metrics."""
    settings = current_app.config["MOTCUA"]
    made: dict[tuple[str, str], FileStore] = current_app.extensions.setdefault(
        "motcua.file_stores", {})
    cache_key = (settings.file_store_url, settings.upload_dir)
    store = made.get(cache_key)
    if store is None:
        target = parse_file_store_url(settings.file_store_url)
        if isinstance(target, LocalTarget):
            store = LocalFileStore(Path(target.root or Path(settings.upload_dir) / "files"))
        else:
            from app.dossiers.s3store import S3FileStore  # boto3 only when it is used

            store = S3FileStore(target)
        from app.core.metrics import CountedStore

        store = CountedStore(store)
        made[cache_key] = store
    return store
