"""Vietnamese by default, English on request; the choice is kept in a cookie."""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context, request

LANGUAGES = ("vi", "en")
COOKIE = "lang"


def select_locale() -> str:
    if not has_request_context():  # CLI commands and workers speak the default language
        return "vi"
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "vi"


def _remember_choice(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
    return response


def init_app(app: Flask) -> None:
    from app.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path) + "/translations",
    )
    app.after_request(_remember_choice)

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()
