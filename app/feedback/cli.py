"""`flask stats rebuild|check`: recompute the statistics rollup after an import."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core import transaction
from app.extensions import db
from app.feedback import rollup

stats_cli = AppGroup("stats", help="Public statistics rollup.")


@stats_cli.command("rebuild")
def rebuild() -> None:
    """Recompute stats_daily from the dossiers, events and ratings."""
    rows = rollup.rebuild(db.session())
    transaction.commit()
    click.echo(f"stats_daily: {rows} rows")


@stats_cli.command("check")
def check() -> None:
    """Compare the kept rollup with a fresh rebuild (rolled back); exit 1 on a difference."""
    session = db.session()
    kept = rollup.snapshot(session)
    rollup.rebuild(session)
    fresh = rollup.snapshot(session)
    transaction.rollback(session)
    if kept != fresh:
        differing = sorted(set(kept) ^ set(fresh) | {k for k in kept if kept[k] != fresh.get(k)})
        click.echo(f"{len(differing)} rows differ, e.g. {differing[:5]}")
        raise SystemExit(1)
    click.echo(f"stats_daily matches: {len(kept)} rows")
