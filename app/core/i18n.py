"""Vietnamese by default, English on request (`?lang=en`), carried in the URL.

Public pages take the language from the URL alone, so a proxy can cache each language under
its own URL and set no cookie; every link the app builds keeps `lang=en` (url_defaults).
Personal pages, never cached, also fall back to the cookie remembered there.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import Flask, Response, g, has_request_context, request
from flask_babel import get_locale, get_translations

LANGUAGES = ("vi", "en")
COOKIE = "lang"


def select_locale() -> str:
    if not has_request_context():  # CLI commands and workers speak the default language
        return "vi"
    chosen = request.args.get("lang")
    if not chosen and not _public():
        chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else "vi"


def _public() -> bool:
    from app.pwa.cache_policy import is_public_page

    return is_public_page(request.path)


def _remember_choice(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen and not _public():
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
    return response


def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    # Files with their own caching (hashed assets, icons, the PWA's) are the same in every
    # language: their URLs stay one.
    from app.pwa.cache_policy import OWN_POLICY

    if (has_request_context() and g.get("lang") == "en" and "lang" not in values
            and endpoint not in OWN_POLICY):
        values["lang"] = "en"


def translations() -> NullTranslations:
    """The request's catalogue, looked up once: flask_babel finds the locale and its catalogue
    again on every call, ~50 times per public page. Kept per locale, so force_locale() still
    switches it."""
    locale = get_locale()
    bound = g.get("_translations")
    if bound is None or bound[0] is not locale:
        bound = g._translations = (locale, get_translations())
    return bound[1]


def init_app(app: Flask) -> None:
    from app.extensions import babel

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path) + "/translations",
    )
    # The templates' _(), ngettext() and pgettext() through the request's bound catalogue
    # (same newstyle semantics as flask_babel's own callables: escaping, %(name)s variables).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.after_request(_remember_choice)
    app.url_defaults(_keep_language)

    @app.before_request
    def _lang() -> None:
        g.lang = select_locale()
