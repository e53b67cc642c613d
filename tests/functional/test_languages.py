"""Vietnamese by default; English on request, carried in the URL of every link."""

from __future__ import annotations


def test_vietnamese_is_the_default_and_english_is_a_switch_away(client, demo):
    vi = client.get("/v/tanhong-lapham").get_data(as_text=True)
    assert 'lang="vi"' in vi and "Thủ tục của xã" in vi and "Tìm thủ tục" in vi
    en = client.get("/v/tanhong-lapham?lang=en")
    body = en.get_data(as_text=True)
    assert 'lang="en"' in body and "Commune procedures" in body and "Find a procedure" in body
    assert "Thủ tục của xã" not in body
    # No cookie: a shared cache keeps each language under its own URL.
    assert "Set-Cookie" not in en.headers
    # The choice sticks for the next pages: the links keep it.
    assert 'href="/procedures/1.001193?village=tanhong-lapham&amp;lang=en"' in body
    procedure = client.get("/procedures/1.001193?lang=en").get_data(as_text=True)
    assert "Documents to bring" in procedure and "Submit online" in procedure
    assert 'href="/?lang=en"' in procedure  # and on, page after page
    # The same URL without the parameter is the Vietnamese page, whatever came before.
    assert "Giấy tờ cần mang" in client.get("/procedures/1.001193").get_data(as_text=True)


def test_every_message_in_the_code_has_an_english_translation(tmp_path):
    # Extract afresh, so a string added without a translation fails here, not in front of
    # an English-speaking user.
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "--quiet", "extract",
                    "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=root, check=True)
    with pot.open("rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    with (root / "app/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string}
    assert sorted(str(m) for m in in_code - translated) == []
