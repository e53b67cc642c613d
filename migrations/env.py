"""Alembic environment for Flask-Migrate: the app's metadata, batch mode on SQLite."""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name:
    # Keep the app's loggers (and their secret-redacting filters) working after a migration.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)

# The search index (an FTS5 table and its shadow tables on SQLite, an expression index on
# PostgreSQL) is created by hand in the migrations; autogenerate must not try to drop it.
SEARCH_OBJECTS = ("procedure_search", "ix_procedures_search")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    return not (reflected and compare_to is None and name and name.startswith(SEARCH_OBJECTS))


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_db.metadata,
        include_object=include_object,
        compare_type=True,
        render_as_batch=True,  # SQLite alters tables by copying them
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(ctx: Any, revision: Any, directives: list[Any]) -> None:
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    with target_db.engine.connect() as connection:
        _configure(connection=connection,
                   process_revision_directives=process_revision_directives)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
