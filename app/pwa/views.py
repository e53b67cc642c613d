"""Serves the manifest, service worker, offline page and icons from the root scope."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_from_directory,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.core.assets import asset_url
from app.pwa import cache_policy

bp = Blueprint("pwa", __name__, template_folder="templates")
bp.after_app_request(cache_policy.apply)
bp.record_once(lambda state: cache_policy.init_app(cast(Flask, state.app)))

THEME_COLOR = "#b3261e"
ICONS = (  # (file, size, purpose)
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("icon-maskable-512.png", 512, "maskable"),
)


def pwa_dir() -> Path:
    """The top-level pwa/ folder: the service worker source and the icons."""
    return Path(current_app.root_path).parent / "pwa"


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "id": "/",
        "name": _("Motcua – Dịch vụ công một cửa"),
        "short_name": "Motcua",
        "description": _("Tra cứu thủ tục, nộp và theo dõi hồ sơ hành chính của xã ngay trên "
                         "điện thoại."),
        "lang": str(get_locale() or "vi"),
        "dir": "ltr",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "categories": ["government", "utilities"],
        "icons": [{"src": f"/icons/{name}", "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": purpose} for name, size, purpose in ICONS],
    }
    response = Response(json.dumps(body, ensure_ascii=False),
                        content_type="application/manifest+json; charset=utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.vary.add("Cookie")  # the name follows the language cookie
    return response


def precache_urls() -> list[str]:
    """What the service worker stores on install: the offline page and everything it loads."""
    return ["/offline", asset_url("app.css"), asset_url("app.js"), asset_url("js/offline.js"),
            "/icons/icon-192.png"]


def render_service_worker() -> str:
    """pwa/sw.js with its version, precache list and cache_policy's path lists filled in.

    The version hashes the source and everything filled in, so a changed asset or path list
    gives the browser a byte-different worker: it installs the new shell and drops the old
    cache.
    """
    cache: dict[str, str] = current_app.extensions.setdefault("motcua_sw", {})
    if "body" not in cache:
        source = (pwa_dir() / "sw.js").read_text(encoding="utf-8")
        lists = {"PRECACHE": precache_urls(), **cache_policy.worker_lists()}
        filled = {f'["__{name}__"]': json.dumps(values) for name, values in lists.items()}
        version = hashlib.sha256((source + "".join(filled.values())).encode()).hexdigest()[:12]
        body = source.replace('"__VERSION__"', json.dumps(version))
        for placeholder, values in filled.items():
            if placeholder not in body:
                raise RuntimeError(f"pwa/sw.js has no {placeholder} to fill in")
            body = body.replace(placeholder, values)
        cache["body"] = body
    return cache["body"]


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    response = Response(render_service_worker(), content_type="text/javascript; charset=utf-8")
    # no-cache, not no-store: the browser revalidates on every update check, and the ETag
    # makes an unchanged worker cost a 304.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/offline")
def offline() -> str:
    return render_template("pwa/offline.html")


@bp.get("/icons/<name>")
def icon(name: str) -> Response:
    if name not in {file for file, _size, _purpose in ICONS}:
        abort(404)
    return send_from_directory(pwa_dir() / "icons", name, max_age=86400)
