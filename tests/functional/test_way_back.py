"""Every citizen page leads back to tracking ("Tra cứu hồ sơ") and to the phone's own
dossiers ("Hồ sơ của tôi"); officer pages do not carry the citizen's links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency
from tests import factories as f

WAY_BACK = re.compile(r'<nav class="way-back"[^>]*>(.*?)</nav>', re.S)


@pytest.mark.parametrize("path", ["/", "/?agency=tanhong", "/v/tanhong-lapham",
                                  "/procedures", "/procedures?q=khai+sinh",
                                  "/procedures/1.001193", "/track", "/my",
                                  "/procedures/1.001193/apply"])
def test_citizen_pages_have_the_way_back(client, demo, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    nav = WAY_BACK.search(response.get_data(as_text=True))
    assert nav, path
    assert 'href="/track"' in nav.group(1) and "Tra cứu hồ sơ" in nav.group(1)
    assert 'href="/my"' in nav.group(1) and "Hồ sơ của tôi" in nav.group(1)


def test_an_unknown_page_has_the_way_back_too(client, demo) -> None:
    response = client.get("/v/khong-co-thon-nay")
    assert response.status_code == 404
    assert WAY_BACK.search(response.get_data(as_text=True))


def test_officer_pages_do_not(app, client, demo) -> None:
    with app.app_context():
        home = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        officer = f.officer(home, "receiving")
        db.session.commit()
        username = officer.username
    f.login(client, username)
    html = client.get("/officer/inbox").get_data(as_text=True)
    assert "Hồ sơ" in html
    assert not WAY_BACK.search(html)
