"""One url_for for a whole list of links (app/core/links.py): each link is the one url_for
would give, the language kept in the URL included. Expectations written by hand."""

from __future__ import annotations

import pytest
from flask import g

from app.core.links import link_builder


def test_each_link_is_the_route_with_its_segment_quoted(app) -> None:
    with app.test_request_context("/v/tanhong-vansa1"):
        detail = link_builder("procedures.detail", "code", village="tanhong-vansa1")
        assert detail("1.004884") == "/procedures/1.004884?village=tanhong-vansa1"
        assert detail("mã 1") == "/procedures/m%C3%A3%201?village=tanhong-vansa1"
        assert link_builder("procedures.detail", "code")("2.000986") == "/procedures/2.000986"


def test_an_english_page_links_to_english_pages(app) -> None:
    with app.test_request_context("/v/tanhong-vansa1?lang=en"):
        g.lang = "en"
        detail = link_builder("procedures.detail", "code", village="tanhong-vansa1")
        assert detail("1.004884") == "/procedures/1.004884?village=tanhong-vansa1&lang=en"


def test_a_query_argument_cannot_be_the_changing_part(app) -> None:
    with app.test_request_context("/"), pytest.raises(ValueError):
        link_builder("procedures.search", "q")
