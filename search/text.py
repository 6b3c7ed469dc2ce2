"""Text analysis for the database search engine, done in Python so PostgreSQL and SQLite index
and search the same terms, and match what Elasticsearch's analyzers do (``search/analysis.py``).

English words are lowercased, stripped of accents, possessives and stop words and Porter-stemmed;
Chinese text is split into overlapping bigrams. Every term is letters and digits, ASCII but for
the rare letter with no ASCII base (ø, ß); a Chinese bigram is written as its characters' ranks
in base 36 (``zzb0ycna``), so neither database's own tokenizer, nor its locale, can split it.

A query is a list of clauses, each matched if any of its alternatives is (a clause is a word, or
a capability's name with its synonyms in both languages; an alternative is a phrase of terms).
"""

import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import snowballstemmer

# Lucene's English stop words (Elasticsearch's "stop" filter).
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Latin letters with their accented forms (not the signs × and ÷ that sit among them).
_LATIN = "a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_WORDS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[{_LATIN}]+(?:'[a-z]+)?)")
# A snowball stemmer keeps the word it works on in itself: one per thread (gunicorn's threads
# stem at once; a shared one answered IndexError under load).
_stemmers = threading.local()


def normalise(text: str) -> str:
    """Full-width forms folded, lowercase (``cjk_width`` and ``lowercase``)."""
    return unicodedata.normalize("NFKC", text or "").lower()


def normalised_with_origins(text: str) -> tuple[str, list[int] | None]:
    """``text`` normalised, and where each of its characters came from in ``text`` (None when
    the two line up, as they nearly always do: "½" or "™" become several characters)."""
    normalised = normalise(text)
    if len(normalised) == len(text or ""):
        return normalised, None
    parts, origins = [], []
    for index, character in enumerate(text):
        folded = normalise(character)
        parts.append(folded)
        origins += [index] * len(folded)
    return "".join(parts), origins


def original_span(origins: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """The span of ``text`` that the normalised span ``start:end`` came from."""
    if origins is None:
        return start, end
    return origins[start], origins[end - 1] + 1


def _without_accents(word: str) -> str:
    """ "protéine" as "proteine": the terms stay plain ASCII (both databases' tokenizers treat
    accented letters by their own rules)."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(character for character in decomposed if not unicodedata.combining(character))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmer = getattr(_stemmers, "porter", None)
    if stemmer is None:
        stemmer = _stemmers.porter = snowballstemmer.stemmer("porter")
    return stemmer.stemWord(word)


# A Chinese character as three base-36 digits: its rank among the ideographs searched (extension
# A, the unified block, then the compatibility block; 28,160 of the 46,656 numbers three digits
# hold). A pair is "zz" and six digits (no English word starts with "zz"): short terms keep the
# vectors small.
CJK_PREFIX = "zz"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_COMPATIBILITY = 0xF900
_COMPATIBILITY_RANK = 0x9FFF - 0x3400 + 1


def _rank(character: str) -> int:
    point = ord(character)
    if point >= _COMPATIBILITY:
        return _COMPATIBILITY_RANK + point - _COMPATIBILITY
    return point - 0x3400


def _character(rank: int) -> str:
    if rank >= _COMPATIBILITY_RANK:
        return chr(_COMPATIBILITY + rank - _COMPATIBILITY_RANK)
    return chr(0x3400 + rank)


@lru_cache(maxsize=200_000)
def _cjk_term(characters: str) -> str:
    digits = []
    for character in characters:
        rank = _rank(character)
        digits += [_DIGITS[rank // 1296], _DIGITS[rank // 36 % 36], _DIGITS[rank % 36]]
    return CJK_PREFIX + "".join(digits)


@dataclass(frozen=True)
class Token:
    term: str  # as indexed
    word: str  # as written (lowercase): what spelling suggestions compare
    start: int  # offsets in the normalised text, for highlighting
    end: int
    latin: bool


def _latin_term(raw: str) -> tuple[str, str]:
    """A Latin word as written (accents, possessive and apostrophes gone) and its term ("" for a
    stop word, or a word the stemmer leaves nothing of, like a lone "s")."""
    word = _without_accents(raw)
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    return word, stem(word) if word and word not in STOP_WORDS else ""


def tokens(text: str) -> list[Token]:
    """The terms of ``text`` in order: stemmed English words without stop words, Chinese bigrams
    (a lone Chinese character stays a term of its own)."""
    found = []
    normalised, _origins = normalised_with_origins(text or "")
    for match in _WORDS.finditer(normalised):
        if match.group("cjk"):
            run, offset = match.group("cjk"), match.start()
            if len(run) == 1:
                found.append(Token(_cjk_term(run), run, offset, offset + 1, False))
            for index in range(len(run) - 1):
                pair = run[index : index + 2]
                found.append(
                    Token(_cjk_term(pair), pair, offset + index, offset + index + 2, False)
                )
            continue
        word, term = _latin_term(match.group("word"))
        if term:
            found.append(Token(term, word, match.start(), match.end(), True))
    return found


def terms(text: str) -> list[str]:
    return [token.term for token in tokens(text)]


def indexed_text(*texts) -> str:
    """What a weighted column holds: the terms of every text, one space apart."""
    parts = []
    for text in texts:
        if isinstance(text, (list, tuple)):
            parts.extend(indexed_text(*text).split())
        elif text:
            parts.extend(terms(str(text)))
    return " ".join(parts)


def spelling_words(*texts) -> set[str]:
    """The English words as written (four letters or more): the vocabulary "did you mean" draws
    on, as Elasticsearch's ``spelling`` field does."""
    words = set()
    for text in texts:
        if isinstance(text, (list, tuple)):
            words |= spelling_words(*text)
        elif text:
            words |= {
                token.word for token in tokens(str(text)) if token.latin and len(token.word) >= 4
            }
    return words


Phrase = tuple[str, ...]


@dataclass
class Clause:
    """One part of a query: matched when any alternative (a phrase of terms) is present."""

    alternatives: list[Phrase]
    words: list[Token]  # the query's own tokens this clause stands for


class Synonyms:
    """The capability synonym sets as phrases of terms (from ``search.analysis.synonym_rules``),
    read again at most once a minute, with an index of the phrases by their first term."""

    TTL_SECONDS = 60

    def __init__(self):
        self._by_first: dict[str, list[tuple[Phrase, list[Phrase]]]] = {}
        self._terms: set[str] = set()
        self._read_at = float("-inf")

    def _refresh(self) -> None:
        if time.monotonic() - self._read_at <= self.TTL_SECONDS:
            return
        from search.analysis import synonym_rules

        groups = []
        for rule in synonym_rules():
            phrases = []
            for name in rule.split(","):
                phrase = tuple(terms(name))
                if phrase and phrase not in phrases:
                    phrases.append(phrase)
            if len(phrases) > 1:
                groups.append(phrases)
        by_first: dict[str, list[tuple[Phrase, list[Phrase]]]] = {}
        for group in groups:
            for phrase in group:
                by_first.setdefault(phrase[0], []).append((phrase, group))
        self._by_first = by_first
        self._terms = {term for group in groups for phrase in group for term in phrase}
        self._read_at = time.monotonic()

    def starting_with(self, term: str) -> list[tuple[Phrase, list[Phrase]]]:
        """Each phrase that starts with ``term``, with its synonym set."""
        self._refresh()
        return self._by_first.get(term, [])

    def terms(self) -> set[str]:
        """Every term of every synonym set."""
        self._refresh()
        return self._terms

    def forget(self) -> None:
        self._read_at = float("-inf")


SYNONYMS = Synonyms()


def terms_of(clauses: list[Clause]) -> set[str]:
    """Every term a query's clauses look for (what highlighting marks)."""
    return {term for clause in clauses for phrase in clause.alternatives for term in phrase}


def query_clauses(text: str) -> list[Clause]:
    """The clauses of a query: each synonym name found in it (longest first) becomes one clause
    with every name of its set; every other word is a clause of its own."""
    found = tokens(text)
    clauses, index = [], 0
    while index < len(found):
        token = found[index]
        best = None
        for phrase, group in SYNONYMS.starting_with(token.term):
            window = tuple(t.term for t in found[index : index + len(phrase)])
            if window == phrase and (best is None or len(phrase) > len(best[0])):
                best = (phrase, group)
        if best is not None:
            clauses.append(Clause(list(best[1]), found[index : index + len(best[0])]))
            index += len(best[0])
            continue
        clauses.append(Clause([(token.term,)], [token]))
        index += 1
    # A word said twice, or a name and its synonym: one clause.
    unique, seen = [], set()
    for clause in clauses:
        key = frozenset(clause.alternatives)
        if key not in seen:
            seen.add(key)
            unique.append(clause)
    return unique


def _raw_cjk(term: str) -> str | None:
    """The characters of a Chinese term (``_cjk_term`` reversed), or None for an English one."""
    digits = term[len(CJK_PREFIX) :]
    if not term.startswith(CJK_PREFIX) or not digits or len(digits) % 3 or not digits.isalnum():
        return None
    try:
        ranks = [int(digits[i : i + 3], 36) for i in range(0, len(digits), 3)]
    except ValueError:
        return None
    if any(rank >= _COMPATIBILITY_RANK + 0x200 for rank in ranks):
        return None
    return "".join(_character(rank) for rank in ranks)


def _fragment(text: str, first_mark: int, size: int) -> tuple[int, int]:
    """Where the shown fragment starts and ends: the whole text when it fits in ``size``, else
    ``size`` characters from a little before the first mark, cut between words."""
    if len(text) <= size:
        return 0, len(text)
    start = max(0, first_mark - size // 4)
    if start:
        boundary = text.rfind(" ", 0, start + 1)
        if boundary >= 0 and first_mark - boundary < size // 2:  # not back past the mark's room
            start = boundary + 1
    end = min(len(text), start + size)
    if end < len(text):
        boundary = text.rfind(" ", start, end)
        end = boundary if boundary > first_mark else end
    return start, end


def cjk_pairs(query_terms: set[str]) -> set[str]:
    """The Chinese terms of a query as characters (what ``highlighted`` compares)."""
    return {raw for raw in map(_raw_cjk, query_terms) if raw}


def highlighted(
    text: str, query_terms: set[str], pairs: set[str] | None = None, *, fragment_size: int = 160
) -> str | None:
    """``text`` escaped, its words whose terms are in ``query_terms`` inside ``<mark>``; the
    fragment around the first mark, or None when nothing matches.

    Compares Chinese pairs as characters and English words by their stems, without building the
    terms of the whole text (it runs on every result shown); ``pairs``: ``cjk_pairs`` of the
    terms, when the caller marks several texts."""
    if not text:
        return None
    normalised, origins = normalised_with_origins(text)
    pairs = cjk_pairs(query_terms) if pairs is None else pairs
    spans = []

    def mark(start: int, end: int) -> None:
        start, end = original_span(origins, start, end)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))

    for match in _WORDS.finditer(normalised):
        run = match.group("cjk")
        if run:
            if pairs:
                offset = match.start()
                if len(run) == 1 and run in pairs:
                    mark(offset, offset + 1)
                for index in range(len(run) - 1):
                    if run[index : index + 2] in pairs:
                        mark(offset + index, offset + index + 2)
            continue
        _word, term = _latin_term(match.group("word"))
        if term and term in query_terms:
            mark(match.start(), match.end())
    if not spans:
        return None
    start, end = _fragment(text, spans[0][0], fragment_size)
    parts, position = [], start
    for span_start, span_end in spans:
        if span_start >= end:
            break
        parts += [escape(text[position:span_start]), "<mark>",
                  escape(text[span_start:min(span_end, end)]), "</mark>"]  # fmt: skip
        position = min(span_end, end)
    parts.append(escape(text[position:end]))
    return "".join(parts)
