"""Public pages a proxy or CDN can share between every anonymous visitor: no cookie set,
the language in the URL, a stated freshness and revalidation by ETag."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency
from tests.factories.officers import sign_in

SHARED = "public, max-age=60, stale-while-revalidate=30"  # an edit shows within 90 s
PUBLIC = ["/", "/v/tanhong-lapham", "/v/tanhong-lapham?lang=en", "/procedures",
          "/procedures?q=khai+sinh", "/procedures/1.001193", "/stats"]


@pytest.mark.parametrize("path", PUBLIC)
def test_an_anonymous_public_page_is_shareable(client: Any, demo: Any, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == SHARED
    assert "Cookie" not in first.headers.get("Vary", "")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(path, headers={"If-None-Match": 'W/"old"'}).status_code == 200


def test_an_edit_changes_the_etag(app: Any, client: Any, demo: Any) -> None:
    before = client.get("/v/tanhong-lapham").headers["ETag"]
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        agency.hotline = "0243 999 888"
        db.session.commit()
    after = client.get("/v/tanhong-lapham", headers={"If-None-Match": before})
    assert after.status_code == 200 and "0243 999 888" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before


def test_the_languages_have_their_own_copies(client: Any, demo: Any) -> None:
    vi = client.get("/v/tanhong-lapham")
    en = client.get("/v/tanhong-lapham?lang=en")
    assert vi.headers["ETag"] != en.headers["ETag"]
    # The Vietnamese copy is never answered "not modified" for the English one.
    assert client.get("/v/tanhong-lapham",
                      headers={"If-None-Match": en.headers["ETag"]}).status_code == 200


def test_a_signed_in_officer_never_gets_a_shared_copy(app: Any, client: Any,
                                                      demo: Any) -> None:
    sign_in(app, client, "quantri.tanhong")
    page = client.get("/v/tanhong-lapham")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in page.headers
