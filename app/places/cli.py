"""STUB (owned by the places helper): seed-demo and posters commands."""

from __future__ import annotations

import click


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo communes (idempotent)."""


@click.group("posters")
def posters_cli() -> None:
    """QR posters."""
