"""The templates' _() looks the request's catalogue up once (app/core/i18n.py), yet follows
the language the request asks for, and force_locale() inside a request still switches it.
Expectations written by hand."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

PAGE = '{{ _("Tìm") }} · {{ _("Trang chủ") }} · {{ _("Tìm %(q)s", q="<b>") }}'


def test_each_request_gets_its_language_and_force_locale_still_switches(app) -> None:
    with app.test_request_context("/procedures?lang=en"):
        assert render_template_string(PAGE).startswith("Search · Home · ")
        with force_locale("vi"):
            assert render_template_string(PAGE).startswith("Tìm · Trang chủ · ")
        assert render_template_string(PAGE).startswith("Search · Home · ")
    with app.test_request_context("/procedures"):
        # Variables are escaped as flask_babel's own newstyle gettext escapes them.
        assert render_template_string(PAGE) == "Tìm · Trang chủ · Tìm &lt;b&gt;"
