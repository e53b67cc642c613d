"""The one check for redirect targets from input: attack inputs are refused, paths kept."""

from __future__ import annotations

import pytest

from app.core.redirects import MAX_LENGTH, safe_local_target

ATTACKS = [
    "/\t/evil.example",  # browsers drop tabs and newlines: "//evil.example"
    "/%09/evil.example",  # the same once Werkzeug decodes the query
    "/\n/evil",
    "/\r\n/evil",
    "/%0a/evil",
    "/%0d%0aSet-Cookie:x=1",
    "%0d%0aSet-Cookie:x",
    "/\x00",
    "\x00",
    "/x\x7f",
    "//evil",
    "//evil.example/officer",
    "/%2F/evil",  # decodes to "//evil"
    "/%2f%2fevil",
    "/\\evil",
    "/%5Cevil",
    "\\\\evil",
    "/a\\b",
    "https://evil",
    "http:/evil",
    "https:evil",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,x",
    "/ /evil",
    "/%20/evil",
    "/\u3000/evil",  # an ideographic space
    "/\u200b/evil",  # a zero-width space
    "/\uff0f/evil",  # a fullwidth solidus
    " /officer/",
    "/officer/ ",
    "evil.example",
    "officer/inbox",
    "?next=x",
    "#x",
    "",
    None,
    42,
    ["/officer/"],
    "/" + "a" * MAX_LENGTH,
]

KEPT = [
    "/",
    "/officer/",
    "/officer/inbox?queue=all",
    "/officer/inbox?queue=all&q=Nguy%E1%BB%85n+V%C4%83n",
    "/d/000.00.00.H01-261124-0001?t=abc_DEF-123",
    "/procedures/khai-sinh/apply#files",
    "/officer/audit.csv?from=2026-01-01",
]


@pytest.mark.parametrize("value", ATTACKS, ids=repr)
def test_attack_targets_are_refused(value):
    assert safe_local_target(value) is None


@pytest.mark.parametrize("value", KEPT)
def test_plain_local_paths_are_kept(value):
    assert safe_local_target(value) == value
