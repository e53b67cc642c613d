"""The short-lived public page cache: shared pages for anonymous visitors only."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.places.models import Agency, Village, VillageScan


def _set_hotline(app, value: str) -> None:
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        agency.hotline = value
        db.session.commit()


def test_village_page_is_rendered_once_per_ttl_and_scans_still_count(app, client, demo):
    app.config["PAGE_CACHE_SECONDS"] = 30
    _set_hotline(app, "0243 111 222")
    first = client.get("/v/tanhong-lapham?src=qr", follow_redirects=True).get_data(as_text=True)
    assert "0243 111 222" in first
    _set_hotline(app, "0243 999 888")
    second = client.get("/v/TANHONG-LAPHAM?src=qr", follow_redirects=True).get_data(as_text=True)
    assert second == first  # served from the cache: the edit shows when the entry expires
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.code == "tanhong-lapham"))
        scans = db.session.scalar(select(VillageScan.count)
                                  .where(VillageScan.village_id == village.id))
    assert scans == 2  # every visit from the poster is counted, cached or not
    app.config["PAGE_CACHE_SECONDS"] = 0  # no cache: the edit shows at once
    assert "0243 999 888" in client.get("/v/tanhong-lapham").get_data(as_text=True)


def test_languages_are_cached_apart_and_unknown_villages_are_not_cached(app, client, demo):
    app.config["PAGE_CACHE_SECONDS"] = 30
    vi = client.get("/v/tanhong-lapham").get_data(as_text=True)
    en = client.get("/v/tanhong-lapham?lang=en").get_data(as_text=True)
    assert 'lang="vi"' in vi and 'lang="en"' in en
    assert client.get("/v/khong-co").status_code == 404
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == "tanhong"))
        db.session.add(Village(agency_id=agency.id, code="khong-co", name="Thôn Mới"))
        db.session.commit()
    assert client.get("/v/khong-co").status_code == 200


def test_a_session_with_pending_messages_is_not_served_a_shared_page(app, client, demo):
    app.config["PAGE_CACHE_SECONDS"] = 30
    client.get("/v/tanhong-lapham")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Bạn đã đăng xuất.")]
    assert "Bạn đã đăng xuất." in client.get("/v/tanhong-lapham").get_data(as_text=True)


def test_search_answers_are_shared_but_echo_what_each_person_typed(app, client, demo):
    app.config["PAGE_CACHE_SECONDS"] = 30
    accented = client.get("/procedures?q=Đăng+ký+khai+sinh").get_data(as_text=True)
    plain = client.get("/procedures?q=dang+ky+khai+sinh").get_data(as_text=True)
    assert 'value="Đăng ký khai sinh"' in accented
    assert 'value="dang ky khai sinh"' in plain
    assert client.get("/procedures/9.999999").status_code == 404
