"""Test apps: the real `create_app` on a given database and upload folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app


def make_app(database_url: str, upload_dir: Path, **config: Any) -> Flask:
    settings = {"database_url": database_url, "upload_dir": str(upload_dir),
                "public_base_url": "http://127.0.0.1:5000"}
    settings.update(config.pop("SETTINGS", {}))
    # Pages are rendered afresh in tests unless a test turns the public page cache on.
    config.setdefault("PAGE_CACHE_SECONDS", 0)
    return create_app({"TESTING": True, "SETTINGS": settings, **config})


def use_file_store(app: Flask, url: str) -> Flask:
    """The app keeps its files in the store FILE_STORE_URL `url` names from now on."""
    app.config["MOTCUA"] = dataclasses.replace(app.config["MOTCUA"], file_store_url=url)
    return app
