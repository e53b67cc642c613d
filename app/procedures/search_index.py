"""The catalogue's in-memory search index: forgiving matching and the ranking, in Python.

Why in Python: SQLite here has no trigrams (3.40) and FTS5 and PostgreSQL's tsvector know
nothing of typos, joined words or i/y spellings, so one ranking on both backends is only
possible outside SQL. The catalogue is small (tens to a few thousand procedures): the index
is built once per catalogue version and kept on the app. The version (count, newest
change and highest id of the procedures) is read on every search, so every process rebuilds
after an import and a test's rolled-back catalogue is never served to another.

A query goes through:
  1. folding (app.core.text) and i/y unification (ký = kí = ky = ki, quy = qui);
  2. each word against the vocabulary of the catalogue: known as is; the last word may be
     the start of a word; a joined word is split ("khaisinh" = khai sinh); otherwise the
     words one (long words: two) edits away ("kahi" → khai, "sinhh" → sinh). A word that
     matches none of these finds nothing, as before;
  3. filler words (cho, cháu, con, của, làm, xin, thủ tục, …) are not required, but a
     procedure whose name or keywords have them around the other words ranks first.

Ranking, first key first:
  fillers — how many of the query's fillers, next to the required words, make a phrase
         of the name or of one keyword with them ("nhan cha con", "lam giay khai sinh"):
         more first; scattered fillers say nothing;
  tier — of the required words: 0 in order and adjacent in the name, 1 … in one keyword,
         2 every word in the title (name + keywords), 3 every word somewhere (documents,
         field and result included);
  edits — how many letters were corrected;
  popularity (higher first), then the folded name, then the id.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.text import fold_words
from app.procedures.models import Procedure

EXTENSION = "motcua.search_index"
MAX_TOKENS = 8
MAX_QUERY_CHARS = 200

# Words villagers put around what they want (folded). Never required; see the ranking.
FILLER_WORDS = frozenset({"cho", "chau", "con", "cua", "lam", "xin", "toi", "minh", "muon",
                          "giup", "oi", "nhe", "a", "ong"})
FILLER_PHRASES = (("thu", "tuc"), ("the", "nao"), ("o", "dau"), ("lam", "sao"))

# "ký"/"kí", "lý"/"lí", "quy"/"qui": a final y right after the consonants is an i. Not after a
# vowel: "tay"/"tai" and "tuy"/"tui" are different words.
_FINAL_Y = re.compile(r"^(qu|[bcdghklmnprstvx]+)y$")
MIN_SPLIT_PART = 2  # one-letter words ("o", "y") would split almost anything
SPLIT_BEFORE_FUZZY_LEN = 6  # shorter unknown words are rather typos of one word


def unify_spelling(word: str) -> str:
    """One spelling for the i/y pairs of a folded word ("ky" → "ki", "quy" → "qui")."""
    return word[:-1] + "i" if _FINAL_Y.match(word) else word


def search_words(text: str) -> list[str]:
    """The folded, i/y-unified words of a text: what the index and the queries compare."""
    return [unify_spelling(w) for w in fold_words(text)]


def edit_distance(a: str, b: str, bound: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters is one edit), or bound + 1
    as soon as it must exceed `bound`."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass(frozen=True)
class IndexEntry:
    id: int
    popularity: int
    sort_name: str
    field: str
    name: tuple[str, ...]
    keywords: tuple[tuple[str, ...], ...]
    title: frozenset[str]
    words: frozenset[str]


# A filter on the procedures (field, commune) applied before ranking.
Keep = Callable[["IndexEntry"], bool]

# A term: the words of the catalogue a query word may stand for, with the edits each costs.
Term = dict[str, int]


@dataclass
class CatalogueIndex:
    """The active procedures' words, built by `build_index`; read-only once built."""

    version: tuple[Any, ...]
    entries: list[IndexEntry]
    postings: dict[str, list[int]] = field(default_factory=dict)
    vocabulary: list[str] = field(default_factory=list)
    near: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Kept in the last ranking keys' order (popularity, name, id): a position is a rank,
        # so candidates sorted by position are already in that order.
        self.entries.sort(key=_fallback_key)
        for position, entry in enumerate(self.entries):
            for word in entry.words:
                self.postings.setdefault(word, []).append(position)
        self.vocabulary = sorted(self.postings)
        for word in self.vocabulary:
            for key in {word} | _deletions(word):
                self.near.setdefault(key, set()).add(word)

    # --- one query word ----------------------------------------------------------------

    def completions(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.vocabulary, prefix)
        out = []
        for word in self.vocabulary[start:]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out

    def split(self, word: str) -> list[str] | None:
        """The fewest catalogue words that joined make `word`, or None."""
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(1, len(word) + 1):
            for start in range(max(0, end - 12), end - MIN_SPLIT_PART + 1):
                before = best[start]
                part = unify_spelling(word[start:end])
                if before is not None and part in self.postings:
                    candidate = [*before, part]
                    current = best[end]
                    if current is None or len(candidate) < len(current):
                        best[end] = candidate
        found = best[-1]
        return found if found and len(found) > 1 else None

    def neighbours(self, word: str) -> Term:
        """Catalogue words one edit away (two for long words), the fewest edits only."""
        if len(word) < 3:
            return {}
        candidates = set().union(*(self.near.get(k, ()) for k in {word} | _deletions(word)))
        close = {w: 1 for w in candidates if edit_distance(word, w, 1) <= 1}
        if close or len(word) < 7:
            return close
        return {w: 2 for w in self.vocabulary if edit_distance(word, w, 2) <= 2}

    def terms(self, word: str, *, last: bool) -> list[Term]:
        """What one query word stands for: usually one term; a joined word gives several."""
        if word in self.postings:
            term = {word: 0}
            if last:
                term.update((w, 0) for w in self.completions(word))
            return [term]
        if last and (started := self.completions(word)):
            return [dict.fromkeys(started, 0)]
        parts = self.split(word)
        close = self.neighbours(word)
        if parts and (not close or len(word) >= SPLIT_BEFORE_FUZZY_LEN):
            return [{part: 0} for part in parts]
        return [close] if close else []

    # --- a whole query -----------------------------------------------------------------

    def listing(self, keep: Keep | None = None, limit: int | None = None) -> list[int]:
        """Ids of every procedure (that `keep` keeps) by popularity: the empty query."""
        kept = (e.id for e in self.entries if keep is None or keep(e))
        return list(itertools.islice(kept, limit))

    def search(self, q: str, keep: Keep | None = None, limit: int | None = None) -> list[int]:
        """Ids of the procedures matching `q` (and kept by `keep`), best first (see the
        module's ranking), at most `limit`."""
        words = search_words(q[:MAX_QUERY_CHARS])[:MAX_TOKENS]
        fillers = _filler_positions(words)
        terms: list[Term] = []
        required: list[bool] = []
        for i, word in enumerate(words):
            if i in fillers:  # as typed only: a filler corrected into a real word misleads
                if word in self.postings:
                    terms.append({word: 0})
                    required.append(False)
                continue
            understood = self.terms(word, last=i == len(words) - 1)
            if not understood:
                return []  # a word that is nowhere: guessing around it finds nonsense
            terms.extend(understood)
            required.extend([True] * len(understood))
        if not terms:
            return []
        if not any(required):
            required = [True] * len(terms)
        needed = [t for t, r in zip(terms, required, strict=True) if r]
        found: set[int] | None = None
        for term in needed:
            having = set().union(*(self.postings[w] for w in term))
            found = having if found is None else found & having
            if not found:
                return []
        candidates = sorted(found or ())  # positions: best popularity first
        if keep is not None:
            candidates = [p for p in candidates if keep(self.entries[p])]
        needed_sets = [frozenset(t) for t in needed]
        costly = [t for t in terms if any(t.values())]
        if len(needed) == len(terms) and not costly:
            # Only the tier decides: bucket in popularity order, and stop once `limit`
            # procedures have the best tier (nothing after them can come before them).
            buckets: list[list[int]] = [[], [], [], []]
            for position in candidates:
                tier = _tier(self.entries[position], needed, needed_sets)
                buckets[tier].append(position)
                if tier == 0 and limit is not None and len(buckets[0]) >= limit:
                    break
            ordered = list(itertools.chain.from_iterable(buckets))
        else:
            keyed = []
            for position in candidates:
                entry = self.entries[position]
                absorbed = _fillers_in_phrase(entry, terms, required) \
                    if len(needed) < len(terms) else 0
                edits = sum(min((c for w, c in t.items() if w in entry.words), default=0)
                            for t in costly)
                keyed.append((-absorbed, _tier(entry, needed, needed_sets), edits, position))
            keyed.sort()
            ordered = [key[-1] for key in keyed]
        return [self.entries[p].id for p in ordered[:limit]]


def _fallback_key(entry: IndexEntry) -> tuple[int, str, int]:
    return (-entry.popularity, entry.sort_name, entry.id)


def _phrase_in(words: Sequence[str], terms: list[Term]) -> bool:
    """Whether the terms appear in order and adjacent in `words` (the hot loop: kept plain)."""
    first, rest = terms[0], terms[1:]
    for start in range(len(words) - len(terms) + 1):
        if words[start] in first:
            for offset, term in enumerate(rest, start + 1):
                if words[offset] not in term:
                    break
            else:
                return True
    return False


def _tier(entry: IndexEntry, terms: list[Term], term_sets: list[frozenset[str]]) -> int:
    if _phrase_in(entry.name, terms):
        return 0
    for keyword in entry.keywords:
        if _phrase_in(keyword, terms):
            return 1
    title = entry.title
    if all(not title.isdisjoint(t) for t in term_sets):
        return 2
    return 3


def _fillers_in_phrase(entry: IndexEntry, terms: list[Term], required: list[bool]) -> int:
    """The most fillers that, with every required word, make a phrase of the name or of a
    keyword ("lam giay khai sinh" is a keyword of Đăng ký khai sinh): 0 when none do."""
    wanted = [i for i, r in enumerate(required) if r]
    best = 0
    for start in range(wanted[0] + 1):
        for end in range(wanted[-1] + 1, len(terms) + 1):
            fillers = (end - start) - sum(required[start:end])
            if fillers <= best:
                continue
            window = terms[start:end]
            if _phrase_in(entry.name, window) or any(_phrase_in(k, window)
                                                    for k in entry.keywords):
                best = fillers
    return best


def _filler_positions(words: list[str]) -> set[int]:
    positions = {i for i, w in enumerate(words) if w in FILLER_WORDS}
    for phrase in FILLER_PHRASES:
        for s in range(len(words) - len(phrase) + 1):
            if tuple(words[s:s + len(phrase)]) == phrase:
                positions.update(range(s, s + len(phrase)))
    return positions


# --- building and keeping the index -----------------------------------------------------

def catalogue_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever a procedure is added, removed or changed (updated_at moves with any
    change of the search columns, which index_procedure recomputes)."""
    row = session.execute(select(func.count(Procedure.id), func.max(Procedure.updated_at),
                                    func.max(Procedure.id))).one()
    return tuple(row)


def _entry(row: Any) -> IndexEntry:
    name = tuple(search_words(f"{row.name} ; {row.name_en or ''}"))
    keywords = tuple(tuple(search_words(k)) for k in (row.keywords or []) if k)
    body = search_words(f"{row.search_body} {row.field}")
    title = frozenset(name).union(*keywords)
    return IndexEntry(id=row.id, popularity=row.popularity or 0, sort_name=row.search_name or "",
                  field=row.field, name=name, keywords=keywords, title=title,
                  words=title.union(body))


def build_index(version: tuple[Any, ...], session: Session) -> CatalogueIndex:
    rows = session.execute(
        select(Procedure.id, Procedure.name, Procedure.name_en, Procedure.keywords,
               Procedure.search_name, Procedure.search_body, Procedure.field,
               Procedure.popularity).where(Procedure.active.is_(True)))
    return CatalogueIndex(version=version, entries=[_entry(r) for r in rows])


def catalogue_index(session: Session) -> CatalogueIndex:
    """The app's index for the catalogue as `session` reads it now (the replica's may be
    seconds behind); rebuilt when the version moved.

    Replaced whole, never changed in place, so threads reading the old one are safe."""
    version = catalogue_version(session)
    held: CatalogueIndex | None = current_app.extensions.get(EXTENSION)
    if held is None or held.version != version:
        held = current_app.extensions[EXTENSION] = build_index(version, session)
    return held


