"""Accent- and case-insensitive procedure search, the same on SQLite (FTS5) and PostgreSQL.

Both engines index only folded words (app.core.text.fold_words joined by spaces), so their
tokenizers see the same plain a-z0-9 words and agree on what a "word" is; đ is folded by us,
not by the tokenizer. A query is folded the same way; every word must match a whole word and
the last may be a prefix ("dang ky kh" finds "Đăng ký khai sinh").

Ranking tiers, then popularity, then the folded name:
  0  the words, in order and adjacent, in the name ("trich luc" → Cấp bản sao trích lục...)
  1  the words, in order and adjacent, in the keywords ("doc than" → tình trạng hôn nhân)
  2  every word somewhere in the name or the keywords
  3  every word somewhere, the documents, field and result included
Tiers 0-2 are the spec's "name match"; splitting it keeps a keyword of one procedure from
outranking another procedure whose very name is the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    case,
    column,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import defer

from app.core.text import fold_words
from app.extensions import db
from app.places.models import agency_procedures
from app.procedures.models import Procedure

FTS_TABLE = "procedure_search"
PG_INDEX = "ix_procedures_search"
MAX_TOKENS = 8
MAX_QUERY_CHARS = 200

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


def query_tokens(q: str) -> list[str]:
    """The folded words of a query, capped so a pasted paragraph stays cheap."""
    return fold_words(q[:MAX_QUERY_CHARS])[:MAX_TOKENS]


def _fts5_queries(tokens: list[str]) -> list[str]:
    """FTS5 MATCH strings for tiers 0, 1, 2 and for "matches at all".

    Tokens are \\w-only words, and each is double-quoted, so no FTS5 syntax (AND, NEAR, -,
    column filters) can come from the user.
    """
    quoted = [f'"{t}"' for t in tokens]
    phrase = '"' + " ".join(tokens) + '"*'
    terms = " ".join(quoted[:-1] + [quoted[-1] + "*"])
    return [f"search_name : {phrase}", f"search_keywords : {phrase}",
            f"{{search_name search_keywords}} : ({terms})", terms]


def _tsqueries(tokens: list[str]) -> list[str]:
    """to_tsquery strings with the same meaning as _fts5_queries."""
    def lexeme(i: int, weights: str) -> str:
        return f"'{tokens[i]}':{'*' if i == len(tokens) - 1 else ''}{weights}"

    every = range(len(tokens))
    return [" <-> ".join(lexeme(i, "A") for i in every),
            " <-> ".join(lexeme(i, "B") for i in every),
            " & ".join(lexeme(i, "AB") for i in every),
            " & ".join(lexeme(i, "") for i in every)]


def _fts5_tiers(tokens: list[str]) -> tuple[ColumnElement[int], ColumnElement[bool]]:
    """(tier expression, "matches at all" condition) on SQLite."""
    ids = [text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :m{i}")  # noqa: S608
           .bindparams(**{f"m{i}": query}).columns(column("rowid", Integer))
           for i, query in enumerate(_fts5_queries(tokens))]
    tier = case((Procedure.id.in_(ids[0]), 0), (Procedure.id.in_(ids[1]), 1),
                (Procedure.id.in_(ids[2]), 2), else_=3)
    return tier, Procedure.id.in_(ids[3])


def _pg_match(column_name: str, query: str) -> ColumnElement[bool]:
    document: ColumnElement[Any] = literal_column(f"procedures.{column_name}")
    return document.op("@@", return_type=Boolean)(
        func.to_tsquery(literal_column("'simple'::regconfig"), literal(query, String)))


def _pg_tiers(tokens: list[str]) -> tuple[ColumnElement[int], ColumnElement[bool]]:
    """(tier expression, "matches at all" condition) on PostgreSQL."""
    q0, q1, q2, every = _tsqueries(tokens)
    tier = case((_pg_match(PG_TITLE, q0), 0), (_pg_match(PG_TITLE, q1), 1),
                (_pg_match(PG_TITLE, q2), 2), else_=3)
    return tier, _pg_match(PG_ALL, every)


# Result cards and the API list never show these; loading them would only cost time.
_NOT_FOR_LISTS = (Procedure.form_fields, Procedure.steps, Procedure.legal_basis,
                  Procedure.source, Procedure.notes, Procedure.search_keywords,
                  Procedure.search_body)


def search_procedures(q: str, *, field: str | None = None, agency_id: int | None = None,
                      limit: int = 50) -> list[Procedure]:
    """Active procedures matching `q`, best first; an empty `q` lists all by popularity."""
    stmt = (select(Procedure).where(Procedure.active.is_(True))
            .options(*(defer(attr) for attr in _NOT_FOR_LISTS)))
    if field:
        stmt = stmt.where(Procedure.field == field)
    if agency_id is not None:
        stmt = stmt.join(agency_procedures, agency_procedures.c.procedure_id == Procedure.id
                         ).where(agency_procedures.c.agency_id == agency_id)
    order: list[ColumnElement[Any]] = [Procedure.popularity.desc(), Procedure.search_name.asc(),
                                       Procedure.id.asc()]
    if q.strip():
        tokens = query_tokens(q)
        if not tokens:
            return []  # only punctuation: nothing a villager meant can match
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        tier, matches = (_fts5_tiers if sqlite else _pg_tiers)(tokens)
        stmt = stmt.where(matches)
        order.insert(0, tier)
    return list(db.session.scalars(stmt.order_by(*order).limit(limit)))
