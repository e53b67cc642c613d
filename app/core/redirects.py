"""The one check for a redirect target that comes from input (`?next=`, a stored `next`).

An open redirect lends our domain to phishing links, and browsers are lenient: they drop
tabs and newlines inside a URL, read a backslash as a slash, and turn `/\\t/evil.example`
into `//evil.example`, another host. So only a plain local path is kept: printable ASCII
without spaces, a single leading "/", no scheme or host, and the same again once
percent-decoded. Anything else is refused as a whole (never repaired) and the caller falls
back to its default page; a lost `next` only costs the user one click.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2048


def _plain_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith(("//", "/\\")):
        return False
    if "\\" in text or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_local_target(value: object) -> str | None:
    """`value` if it is a plain path on this site, else None (the caller's default)."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    # The raw value is printable ASCII only: browsers percent-encode everything else, so a
    # raw control, space or look-alike character is someone crafting the link.
    if any(not 0x21 <= ord(ch) <= 0x7E for ch in value):
        return None
    if not _plain_path(value) or not _plain_path(unquote(value)):
        return None
    return value
