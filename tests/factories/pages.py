"""Reading what a page gives a form: its CSRF token."""

from __future__ import annotations

import re


def csrf_token(html: str | bytes) -> str:
    if isinstance(html, bytes):
        html = html.decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


# Letters only Vietnamese writes: a message holding one is in Vietnamese, not a bare code.
VIETNAMESE_LETTERS = frozenset("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùý")


def is_vietnamese(text: str) -> bool:
    return bool(set(text.lower()) & VIETNAMESE_LETTERS)
