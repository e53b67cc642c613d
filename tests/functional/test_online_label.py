"""One rule says whether a procedure can be filed online ("Nộp trực tuyến"): the village
page, the search results, the procedure page, the apply form and the API all agree.

Before, the village page tagged only "toàn trình" procedures while search tagged partial
ones too, so a partial procedure was online in one list and not in the other.
"""

from __future__ import annotations

import pytest
from flask import Flask

from app.extensions import db
from app.procedures.search import index_procedure
from tests import factories as f

# online level → can a citizen file it online? Written by hand from the one-stop rules: a
# partial online service takes the dossier online and returns the result at the desk.
SPEC = [
    ("full", True),
    ("partial", True),
    ("none", False),
]


def _commune(app: Flask) -> None:
    with app.app_context():
        home = f.agency("xa-thu", "Xã Thử", "000.99.01.H26")
        for i, (level, _online) in enumerate(SPEC):
            proc = f.procedure([home], code=f"9.00000{i}", name=f"Thủ tục mức {level}")
            proc.online_level = level
            index_procedure(proc)
        db.session.commit()


def _card(html: str, name: str) -> str:
    start = html.index(f"<strong>{name}</strong>")
    return html[start:html.index("</a>", start)]


@pytest.mark.parametrize(("level", "online"), SPEC)
def test_every_page_and_the_api_agree(app: Flask, level: str, online: bool) -> None:
    _commune(app)
    client = app.test_client()
    code = f"9.00000{[lv for lv, _o in SPEC].index(level)}"
    name = f"Thủ tục mức {level}"

    village = client.get("/v/xa-thu-thon1").get_data(as_text=True)
    search = client.get("/procedures?q=thu+tuc+muc&village=xa-thu-thon1").get_data(as_text=True)
    detail = client.get(f"/procedures/{code}?village=xa-thu-thon1").get_data(as_text=True)
    assert ("Nộp trực tuyến" in _card(village, name)) is online
    assert ("Nộp trực tuyến" in _card(search, name)) is online
    assert ("Nộp hồ sơ trực tuyến" in detail) is online
    assert (client.get(f"/procedures/{code}/apply").status_code == 200) is online

    summary = client.get("/api/v1/procedures?q=thu+tuc+muc").get_json()["items"]
    assert {p["code"]: p["accepts_online"] for p in summary}[code] is online
    assert client.get(f"/api/v1/procedures/{code}").get_json()["accepts_online"] is online
