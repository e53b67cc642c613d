"""Procedure search: the folded search columns, the database's full-text index, and
`search_procedures`, whose matching and ranking live in search_index.py (in Python, the
same on SQLite and PostgreSQL, forgiving typos, joined words and i/y spellings).

The folded columns (search_name, search_keywords, search_body) feed the in-memory index.
`search_procedures` reads the database replica when there is one (app/core/replica.py):
a procedure added this second may be found a few seconds later.
The FTS5 table (SQLite) and the tsvector columns (PostgreSQL) that the migrations create
are still kept up to date here, but ranking no longer reads them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import defer

from app.core.replica import public_session
from app.core.text import fold_words
from app.extensions import db
from app.places.models import agency_procedures
from app.procedures.models import Procedure
from app.procedures.search_index import MAX_QUERY_CHARS, IndexEntry, catalogue_index

__all__ = ["MAX_QUERY_CHARS", "index_procedure", "search_procedures"]

FTS_TABLE = "procedure_search"
PG_INDEX = "ix_procedures_search"

# PostgreSQL keeps two tsvectors in stored generated columns: computing them per row at
# query time (an expression index still rechecks every candidate row) is far over the 20 ms
# budget at 2,000 procedures. `title` (name weighted A, keywords B) decides the tier; `all`
# (every column) decides whether a procedure matches at all, through the GIN index.
# (The names start with the FTS table's name, which Alembic's include_object skips.)
PG_TITLE = "procedure_search_title"
PG_ALL = "procedure_search_all"
_PG_COLUMNS = {
    PG_TITLE: ("setweight(to_tsvector('simple'::regconfig, search_name), 'A') || "
               "setweight(to_tsvector('simple'::regconfig, search_keywords), 'B')"),
    PG_ALL: ("to_tsvector('simple'::regconfig, search_name) || "
             "to_tsvector('simple'::regconfig, search_keywords) || "
             "to_tsvector('simple'::regconfig, search_body)"),
}


def search_index_ddl(dialect_name: str) -> list[str]:
    """The statements that create the search index for a database (used by the migration)."""
    if dialect_name == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "search_name, search_keywords, search_body, "
            "tokenize='unicode61', prefix='2 3')"
        ]
    if dialect_name == "postgresql":
        return [
            *(f"ALTER TABLE procedures ADD COLUMN IF NOT EXISTS {name} tsvector "
              f"GENERATED ALWAYS AS ({expression}) STORED"
              for name, expression in _PG_COLUMNS.items()),
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON procedures USING gin ({PG_ALL})",
        ]
    return []


def search_index_drop_ddl(dialect_name: str) -> list[str]:
    """The statements that remove the search index (the migration's downgrade)."""
    if dialect_name == "sqlite":
        return [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
    if dialect_name == "postgresql":
        return [f"DROP INDEX IF EXISTS {PG_INDEX}",
                *(f"ALTER TABLE procedures DROP COLUMN IF EXISTS {name}"
                  for name in _PG_COLUMNS)]
    return []


def create_search_index(connection: Connection) -> None:
    """Run search_index_ddl on a connection (procedures/models.py calls it after create_all)."""
    for statement in search_index_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def drop_search_index(connection: Connection) -> None:
    """The FTS5 table is not part of the metadata, so drop_all needs this to remove it."""
    if connection.dialect.name == "sqlite":  # the PostgreSQL index goes with its table
        for statement in search_index_drop_ddl("sqlite"):
            connection.exec_driver_sql(statement)


def _folded(parts: Iterable[str]) -> str:
    return " ".join(fold_words(" ; ".join(p for p in parts if p)))


def index_procedure(procedure: Procedure) -> None:
    """Recompute the folded search columns and, on SQLite, the procedure's FTS5 row.

    Call after any change to the name, keywords, documents, field or result (the importer
    does). Flushes, as the FTS row needs the procedure's id.
    """
    procedure.search_name = _folded([procedure.name, procedure.name_en])
    procedure.search_keywords = _folded(procedure.keywords or [])
    procedure.search_body = _folded([*(d.name for d in procedure.documents),
                                     procedure.field, procedure.result])
    db.session.flush()
    if db.session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL's generated columns follow the columns by themselves
    db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),  # noqa: S608
                       {"id": procedure.id})
    db.session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, search_name, search_keywords, search_body) "  # noqa: S608
             "VALUES (:id, :name, :keywords, :body)"),
        {"id": procedure.id, "name": procedure.search_name,
         "keywords": procedure.search_keywords, "body": procedure.search_body},
    )


# Result cards and the API list never show these; loading them would only cost time.
_NOT_FOR_LISTS = (Procedure.form_fields, Procedure.steps, Procedure.legal_basis,
                  Procedure.source, Procedure.notes, Procedure.search_keywords,
                  Procedure.search_body)


def search_procedures(q: str, *, field: str | None = None, agency_id: int | None = None,
                      limit: int = 50) -> list[Procedure]:
    """Active procedures matching `q`, best first; an empty `q` lists all by popularity.

    Matching and ranking are search_index's, in Python, so both databases give the same
    list; SQL only narrows to a commune's procedures and loads the chosen rows."""
    reads = public_session()
    index = catalogue_index(reads)
    offered: set[int] | None = None
    if agency_id is not None:
        offered = set(reads.scalars(select(agency_procedures.c.procedure_id)
                                    .where(agency_procedures.c.agency_id == agency_id)))

    def keep(entry: IndexEntry) -> bool:
        return (not field or entry.field == field) and (offered is None or entry.id in offered)

    chosen_keep = keep if field or offered is not None else None
    if q.strip():
        chosen = index.search(q, keep=chosen_keep, limit=limit)
    else:
        chosen = index.listing(keep=chosen_keep, limit=limit)
    if not chosen:
        return []
    rows = {p.id: p for p in reads.scalars(
        select(Procedure).where(Procedure.id.in_(chosen), Procedure.active.is_(True))
        .options(*(defer(attr) for attr in _NOT_FOR_LISTS)))}
    return [rows[i] for i in chosen if i in rows]
