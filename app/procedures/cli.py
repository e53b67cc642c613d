"""STUB (owned by the procedures helper): procedures import/export."""

from __future__ import annotations

import click


@click.group("procedures")
def procedures_cli() -> None:
    """Procedure catalogue."""
