"""Gap-free counters kept in a table: one upsert both creates a key's row and bumps it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def upsert_insert() -> Any:
    """The INSERT construct with ON CONFLICT for the session's database (both dialects
    have one)."""
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def bump(model: Any, **keys: Any) -> int:
    """The next number for `keys` in `model` (a table with those unique columns and `last`).

    INSERT … ON CONFLICT DO UPDATE … RETURNING: concurrent callers queue on the row's lock,
    so no two ever read the same number, and no read-modify-write race exists."""
    stmt = upsert_insert()(model).values(**keys, last=1).on_conflict_do_update(
        index_elements=[getattr(model, name) for name in keys],
        set_={"last": model.last + 1},
    ).returning(model.last)
    return int(db.session.execute(stmt).scalar_one())
