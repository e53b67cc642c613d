"""Vietnamese text folding: one key for every spelling a villager might type."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced. đ/Đ do not decompose under NFD, so map first.

    'Hoà'/'Hòa' and 'Ủy'/'Uỷ' give one key because all marks are dropped.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_words(text: str) -> list[str]:
    """The folded words of a text, punctuation removed (for search tokens)."""
    return [w for w in _NON_WORD.sub(" ", fold(text)).replace("_", " ").split() if w]
