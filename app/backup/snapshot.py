"""The database half of a backup: a consistent snapshot written to a file, read back into an
empty database, and what that snapshot counts and references.

PostgreSQL: one REPEATABLE READ transaction exports its snapshot; `pg_dump --snapshot` dumps
exactly that state while the same transaction reads the row counts and the storage keys, so
the objects copied afterwards are the ones the dump references. SQLite: the backup API copies
the file consistently, and the counts and keys are read from the copy.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.dossiers.queries import referenced_storage_keys
from app.extensions import db

PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"


class SnapshotError(RuntimeError):
    """The snapshot could not be taken or loaded; the message says why, for the operator."""


@dataclass(frozen=True)
class Snapshot:
    dialect: str
    file: str  # inside the backup folder
    counts: dict[str, int]  # rows per table
    keys: set[str]  # storage keys whose objects must be in the backup


def table_counts(session: Session) -> dict[str, int]:
    """Rows of every table the app maps, in the session's snapshot."""
    return {table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in db.metadata.sorted_tables}


def _read(session: Session) -> tuple[dict[str, int], set[str]]:
    return table_counts(session), referenced_storage_keys(session, erased=False)


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database URL as pg_dump/pg_restore take it, and the environment with its password
    (kept off the command line, where `ps` would show it)."""
    url = make_url(engine.url)
    secret = {"PGPASSWORD": str(url.password)} if url.password else {}
    env = {**os.environ, **secret}
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        # Our own fixed argument lists (pg_dump/pg_restore), never a shell.
        done = subprocess.run(command, capture_output=True, text=True, env=env,  # noqa: S603
                              check=False)
    except FileNotFoundError as exc:
        raise SnapshotError(f"{command[0]} is not installed (Debian: postgresql-client)") from exc
    if done.returncode != 0:
        raise SnapshotError(f"{command[0]} failed: {done.stderr.strip()[-600:]}")


def take(folder: Path) -> Snapshot:
    """Write the database into `folder` and return what the written state holds."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return _take_postgresql(engine, folder)
    if engine.dialect.name == "sqlite":
        return _take_sqlite(engine, folder)
    raise SnapshotError(f"no backup for {engine.dialect.name} databases")


def _take_postgresql(engine: Engine, folder: Path) -> Snapshot:
    url, env = _libpq(engine)
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as conn, conn.begin():
        snapshot_id = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        # The snapshot lives as long as this transaction: dump it before reading on.
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", "--no-owner",
              "--file", str(folder / PG_DUMP), url], env)
        counts, keys = _read(Session(bind=conn))
    return Snapshot("postgresql", PG_DUMP, counts, keys)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


def _take_sqlite(engine: Engine, folder: Path) -> Snapshot:
    copy = folder / SQLITE_COPY
    raw = engine.raw_connection()
    try:
        with _sqlite(copy) as target:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
    finally:
        raw.close()
    copied = create_engine(f"sqlite:///{copy}")
    try:
        with Session(copied) as session:
            counts, keys = _read(session)
    finally:
        copied.dispose()
    return Snapshot("sqlite", SQLITE_COPY, counts, keys)


def is_empty() -> bool:
    """True when the app's database has no tables yet (a restore writes only into that)."""
    return not inspect(db.engine).get_table_names()


def load(folder: Path, dialect: str) -> None:
    """Load the snapshot in `folder` into the app's (empty) database."""
    engine = db.engine
    if engine.dialect.name != dialect:
        raise SnapshotError(f"the backup holds a {dialect} database; DATABASE_URL names a "
                            f"{engine.dialect.name} one")
    engine.dispose()  # nothing of ours holds the database while it is written
    if dialect == "postgresql":
        url, env = _libpq(engine)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--dbname", url, str(folder / PG_DUMP)], env)
        return
    target = make_url(engine.url).database
    if not target:
        raise SnapshotError("restoring into an in-memory SQLite database keeps nothing")
    with _sqlite(folder / SQLITE_COPY) as source, _sqlite(Path(target)) as dest:
        source.backup(dest)


def restored_state() -> tuple[dict[str, int], set[str]]:
    """Counts and referenced keys of the app's database, as a restore checks them."""
    with Session(db.engine) as session:
        return _read(session)
