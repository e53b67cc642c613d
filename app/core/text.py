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
    return _SPACES.sub(" ", strip_marks(text).casefold()).strip()


def strip_marks(text: str) -> str:
    """The text without its accents and with đ/Đ as d/D, case and spacing kept (for a font
    that has no Vietnamese letters)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold_words(text: str) -> list[str]:
    """The folded words of a text, punctuation removed (for search tokens)."""
    return [w for w in _NON_WORD.sub(" ", fold(text)).replace("_", " ").split() if w]
