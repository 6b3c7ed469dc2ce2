"""The database's own search engine: the same searches as Elasticsearch's, from ``SearchEntry``.

PostgreSQL ranks with ``ts_rank_cd`` over a weighted ``tsvector`` and suggests spellings with
``pg_trgm``; SQLite ranks with FTS5's BM25 over the same weighted terms. Both expand capability
synonyms across languages (``search.text``), forgive a misspelt long word through the vocabulary,
filter and count facets on the same keys, and sort, page, highlight and shape results as the
Elasticsearch searches do. The answer says ``"degraded": true`` (the page's "basic search" note).
"""

import json
import time

from django.db import connection
from django.utils import timezone

from search.indexing import JOBS, PROVIDERS, SERVICES
from search.queries import (
    HIGHLIGHTED,
    JOB_FILTERS,
    KEYWORD_FILTERS,
    PAGE_SIZE,
    PROVIDER_FILTERS,
    JobQuery,
    ProviderQuery,
    ServiceQuery,
    answer,
    job_result,
    provider_result,
    result_from_document,
)
from search.spelling import corrected, corrections
from search.text import highlighted, query_clauses

FACET_SIZE = 50
# Relative weights of the classes D, C, B and A, as the field boosts 0.7, 1, 2 and 3.
WEIGHTS = (0.7, 1.0, 2.0, 3.0)


# The two dialects ----------------------------------------------------------------------------


class PostgreSQL:
    def match(self, clauses) -> tuple[str, str, list]:
        """FROM addition, score expression, params for the full-text match."""
        query = " | ".join(
            "(" + " | ".join(" <-> ".join(phrase) for phrase in clause.alternatives) + ")"
            for clause in clauses
        )
        weights = "{" + ",".join(str(weight / WEIGHTS[-1]) for weight in WEIGHTS) + "}"
        return (
            ", to_tsquery('simple', %s) AS q",
            f"ts_rank_cd('{weights}'::float4[], e.vector, q, 1) * e.boost",
            [query],
        ), "e.vector @@ q"

    def any_key(self, keys: list[str]) -> tuple[str, list]:
        return "e.keys ?| %s", [keys]

    def facet_source(self) -> str:
        return ", jsonb_array_elements_text(e.keys) AS k(value)"


class SQLite:
    def match(self, clauses):
        def phrase(terms):
            return '"' + " ".join(terms) + '"'

        query = " OR ".join(
            "(" + " OR ".join(phrase(p) for p in clause.alternatives) + ")" for clause in clauses
        )
        weights = ", ".join(str(weight) for weight in reversed(WEIGHTS))
        return (
            " JOIN (SELECT rowid AS id, bm25(search_entry_text, "
            f"{weights}) AS rank FROM search_entry_text WHERE search_entry_text MATCH %s) AS m "
            "ON m.id = e.id",
            "(-m.rank) * e.boost",
            [query],
        ), "1 = 1"

    def any_key(self, keys: list[str]) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(keys))
        return f"EXISTS (SELECT 1 FROM json_each(e.keys) AS j WHERE j.value IN ({marks}))", keys

    def facet_source(self) -> str:
        return ", json_each(e.keys) AS k"


def _dialect():
    return PostgreSQL() if connection.vendor == "postgresql" else SQLite()


# Running a search -----------------------------------------------------------------------------


class EntrySearch:
    """One search over an index's entries: text, filters, extra conditions, order."""

    def __init__(self, index: str, text: str, filters: dict[str, list[str]], names: dict):
        self.dialect = _dialect()
        self.index = index
        self.spelling = corrections(text) if text.strip() else {}
        # A misspelt word is searched as corrected (it is in no listing), synonyms included.
        self.clauses = query_clauses(corrected(text, self.spelling) or text) if text.strip() else []
        self.joins, self.params_join = "", []
        self.score = "e.boost"
        self.where, self.params = ['e."index" = %s'], [index]
        self.facet_names = list(names)
        if self.clauses:
            (join, score, join_params), condition = self.dialect.match(self.clauses)
            self.joins, self.score, self.params_join = join, score, join_params
            self.where.append(condition)
        for name, values in filters.items():
            if values:
                self.add(*self.dialect.any_key([f"{name}={value}" for value in values]))

    def add(self, condition: str, params: list | None = None) -> None:
        self.where.append(condition)
        self.params += params or []

    def _from(self) -> tuple[str, list]:
        return (
            f"FROM search_searchentry AS e {self.joins} WHERE {' AND '.join(self.where)}",
            [*self.params_join, *self.params],
        )

    def query_terms(self) -> set[str]:
        return {term for clause in self.clauses for alt in clause.alternatives for term in alt}

    def run(self, *, order: list[str], page: int) -> tuple[int, list[tuple[int, dict]], dict]:
        """The count, one page of (page id, document), and the facets."""
        source, params = self._from()
        start = (max(page, 1) - 1) * PAGE_SIZE
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) {source}", params)
            count = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT e.page_id, e.document, {self.score} AS score {source} "
                f"ORDER BY {', '.join(order)} LIMIT {PAGE_SIZE} OFFSET {start}",
                params,
            )
            rows = cursor.fetchall()
            facets = {name: [] for name in self.facet_names}
            if count:
                cursor.execute(
                    f"SELECT k.value, count(*) FROM search_searchentry AS e {self.joins} "
                    f"{self.dialect.facet_source()} WHERE {' AND '.join(self.where)} "
                    "GROUP BY k.value",
                    params,
                )
                for key, bucket_count in cursor.fetchall():
                    name, _, value = key.partition("=")
                    if name in facets:
                        facets[name].append({"value": value, "count": bucket_count})
        for name, buckets in facets.items():
            buckets.sort(key=lambda bucket: (-bucket["count"], bucket["value"]))
            facets[name] = buckets[:FACET_SIZE]
        documents = [(page_id, _decoded(document)) for page_id, document, _score in rows]
        return count, documents, facets


def _decoded(document):
    """A document as the driver gives it (SQLite: JSON text)."""
    return json.loads(document) if isinstance(document, str) else document


def _answer(search: EntrySearch, query, count, results, facets, started, text) -> dict:
    return answer(
        count=count,
        page=query.page,
        results=results,
        facets=facets,
        took_ms=int((time.monotonic() - started) * 1000),
        degraded=True,
        did_you_mean=corrected(text, search.spelling),
    )


SERVICE_ORDER = {
    "relevance": ["score DESC", "e.tie_breaker", "e.page_id"],
    "price": ["e.price_fen ASC NULLS LAST", "score DESC", "e.page_id"],
    "turnaround": ["e.turnaround_days ASC NULLS LAST", "score DESC", "e.page_id"],
}


def _highlights(document: dict, query_terms: set[str]) -> dict[str, list[str]]:
    if not query_terms:
        return {}
    marks = {}
    for name in HIGHLIGHTED:
        fragment = highlighted(document.get(name) or "", query_terms)
        if fragment:
            marks[name] = [fragment]
    return marks


def search_services_from_database(query: ServiceQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(SERVICES, query.text, query.filters, KEYWORD_FILTERS)
    if query.price_max is not None:
        search.add("e.price_fen <= %s", [int(query.price_max * 100)])
    if query.turnaround_max is not None:
        search.add("e.turnaround_days <= %s", [query.turnaround_max])
    if query.verified_only:
        search.add("e.is_verified")
    count, documents, facets = search.run(
        order=SERVICE_ORDER.get(query.sort, SERVICE_ORDER["relevance"]), page=query.page
    )
    terms = search.query_terms()
    results = [
        result_from_document(page_id, document, _highlights(document, terms))
        for page_id, document in documents
    ]
    return _answer(search, query, count, results, facets, started, query.text)


def search_jobs_from_database(query: JobQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(JOBS, query.text, query.filters, JOB_FILTERS)
    search.add("(e.closes_on IS NULL OR e.closes_on >= %s)", [timezone.localdate()])
    if query.salary_at_least is not None:
        search.add("e.salary_max_fen >= %s", [int(query.salary_at_least * 100)])
    count, documents, facets = search.run(
        order=["score DESC", "e.published_at DESC NULLS LAST", "e.page_id"], page=query.page
    )
    results = [job_result(page_id, document) for page_id, document in documents]
    return _answer(search, query, count, results, facets, started, query.text)


def search_providers_from_database(query: ProviderQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(PROVIDERS, query.text, query.filters, PROVIDER_FILTERS)
    if query.verified_only:
        search.add("e.is_verified")
    count, documents, facets = search.run(
        order=["score DESC", "e.published_at DESC NULLS LAST", "e.page_id"], page=query.page
    )
    results = [provider_result(page_id, document) for page_id, document in documents]
    return _answer(search, query, count, results, facets, started, query.text)
