"""Spelling, for both engines: a query's misspelt words and their corrections, from the words of
the searched texts as written (``SearchTerm``, kept with the database's search index).

PostgreSQL finds candidates with ``pg_trgm``'s similarity (GIN-indexed); SQLite reads the words
of the same first letter and length. The closest within Elasticsearch's fuzziness (AUTO:5,9, the
first letter kept) wins.
"""

from django.db import connection
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.models import SearchTerm
from search.text import SYNONYMS, normalised_with_origins, original_span, stem, tokens

MIN_WORD_LENGTH = 4


def _max_edits(word: str) -> int:
    """Elasticsearch's fuzziness AUTO:5,9: none below five letters, one up to eight, then two."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def _closest(word: str) -> str | None:
    """The vocabulary's closest word within the allowed edits, same first letter, or None."""
    edits = _max_edits(word)
    if not edits:
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_searchterm WHERE term %% %s "
                "ORDER BY similarity(term, %s) DESC, term LIMIT 20",
                [word, word],
            )
            candidates = [row[0] for row in cursor.fetchall()]
    else:
        candidates = list(
            SearchTerm.objects.filter(
                term__startswith=word[0],
                term__regex=rf"^.{{{len(word) - edits},{len(word) + edits}}}$",
            ).values_list("term", flat=True)
        )
    candidates = [candidate for candidate in candidates if candidate[:1] == word[:1]]
    best = process.extractOne(word, candidates, scorer=Levenshtein.distance, score_cutoff=edits)
    return best[0] if best else None


def corrections(text: str) -> dict[str, str]:
    """Each English word of ``text`` (four letters or more) missing from the vocabulary, with its
    closest vocabulary word when there is one ("did you mean", and what the search also tries)."""
    words = {
        token.word for token in tokens(text) if token.latin and len(token.word) >= MIN_WORD_LENGTH
    }
    if not words:
        return {}
    known = set(SearchTerm.objects.filter(term__in=words).values_list("term", flat=True))
    understood = SYNONYMS.terms()  # a capability's name or synonym is no misspelling
    found = {}
    for word in sorted(words - known):
        if stem(word) in understood:
            continue
        closest = _closest(word)
        if closest and stem(closest) != stem(word):  # "monkey" is found as "monkeys" anyway
            found[word] = closest
    return found


def corrected(text: str, found: dict[str, str]) -> str | None:
    """``text`` with each word of ``found`` replaced by its correction, or None."""
    if not found:
        return None
    result, end = [], 0
    _normalised, origins = normalised_with_origins(text)
    for token in tokens(text):
        if token.word in found:
            start, stop = original_span(origins, token.start, token.end)
            result += [text[end:start], found[token.word]]
            end = stop
    return "".join([*result, text[end:]]) if result else None
