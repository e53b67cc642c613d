"""Static asset URLs carrying a content hash, so phones cache them for a year safely."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, has_request_context, request, url_for


def asset_url(filename: str) -> str:
    """url_for('static') plus ?v=<hash of the file>, computed once per process per file (and
    per mount point: behind a proxy the app may answer under a path prefix)."""
    cache: dict[tuple[str, str], str] = current_app.extensions.setdefault(
        "motcua_asset_urls", {})
    key = (request.script_root if has_request_context() else "", filename)
    url = cache.get(key)
    if url is None:
        path = Path(current_app.static_folder or "") / filename
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"
        url = cache[key] = url_for("static", filename=filename, v=digest)
    return url


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset_url"] = asset_url
    # Hashed URLs never change content, so they may be cached for a long time. (Flask
    # defines the key as None, so setdefault would do nothing.)
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 86400

    @app.after_request
    def _immutable(response: Response) -> Response:
        # A hashed URL (?v=<hash>) is a new URL for new content: the browser need not even
        # revalidate it when the citizen reloads a page.
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.immutable = True
        return response
