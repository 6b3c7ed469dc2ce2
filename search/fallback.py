"""The database's own search engine: the same searches as Elasticsearch's, from ``SearchEntry``.

PostgreSQL ranks with ``ts_rank`` over a weighted ``tsvector`` and suggests spellings with
``pg_trgm``; SQLite ranks with FTS5's BM25 over the same weighted terms. Both expand capability
synonyms across languages (``search.text``), forgive a misspelt long word through the vocabulary,
filter and count facets on the same keys, and sort, page, highlight and shape results as the
Elasticsearch searches do. The answer says ``"degraded": true`` (the page's "basic search" note).
"""

import json
import time
from datetime import datetime

from django.db import connection
from django.utils import timezone

from search.indexing import JOBS, PROVIDERS, SERVICES
from search.models import SearchEntry
from search.queries import (
    JOB_FILTERS,
    KEYWORD_FILTERS,
    PAGE_SIZE,
    PROVIDER_FILTERS,
    JobQuery,
    ProviderQuery,
    ServiceQuery,
    answer,
    highlights,
    job_result,
    provider_result,
    result_from_document,
)
from search.spelling import corrected, corrections
from search.text import cjk_pairs, query_clauses, terms_of

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
            f"ts_rank('{weights}'::float4[], e.vector, q, 1) * e.boost",
            [query],
        ), "e.vector @@ q"

    def any_key(self, keys: list[str]) -> tuple[str, list]:
        return "e.keys ?| %s", [keys]

    def facet_source(self, alias: str) -> str:
        return f", jsonb_array_elements_text({alias}.keys) AS k(value)"


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

    def facet_source(self, alias: str) -> str:
        return f", json_each({alias}.keys) AS k"


def _dialect():
    return PostgreSQL() if connection.vendor == "postgresql" else SQLite()


# Running a search -----------------------------------------------------------------------------


class EntrySearch:
    """One search over an index's entries: text, filters, extra conditions, order."""

    def __init__(
        self,
        index: str,
        text: str,
        filters: dict[str, list[str]],
        names: dict,
        published_since: datetime | None = None,
    ):
        self.dialect = _dialect()
        self.index = index
        self.spelling = corrections(text) if text.strip() else {}
        # A misspelt word is searched as corrected (it is in no listing), synonyms included.
        self.clauses = query_clauses(corrected(text, self.spelling) or text) if text.strip() else []
        self.joins, self.params_join = "", []
        self.score = "e.boost"
        self.where, self.params = ['e."index" = %s'], [index]
        self.facet_names = list(names)
        if text.strip() and not self.clauses:
            # Words that analysis leaves nothing of ("the of", "*"): nothing matches them, as in
            # Elasticsearch.
            self.where.append("1 = 0")
        if self.clauses:
            (join, score, join_params), condition = self.dialect.match(self.clauses)
            self.joins, self.score, self.params_join = join, score, join_params
            self.where.append(condition)
        for name, values in filters.items():
            if values:
                self.add(*self.dialect.any_key([f"{name}={value}" for value in values]))
        if published_since is not None:  # a saved search's alert: what is new since the last one
            moment = connection.ops.adapt_datetimefield_value(published_since)  # SQLite: text
            self.add("e.published_at >= %s", [moment])

    def add(self, condition: str, params: list | None = None) -> None:
        self.where.append(condition)
        self.params += params or []

    def _from(self) -> tuple[str, list]:
        return (
            f"FROM search_searchentry AS e {self.joins} WHERE {' AND '.join(self.where)}",
            [*self.params_join, *self.params],
        )

    def query_terms(self) -> set[str]:
        return terms_of(self.clauses)

    def run(self, *, order: list[str], page: int) -> tuple[int, list[tuple[int, dict]], dict]:
        """The count, one page of (page id, document), and the facets, from one pass over the
        matches (each ranked once): a materialised CTE read three times."""
        source, params = self._from()
        start = (max(page, 1) - 1) * PAGE_SIZE
        ordering = ", ".join(order)
        statement = (
            "WITH m AS MATERIALIZED (SELECT e.page_id, e.keys, e.tie_breaker, e.price_fen, "
            "e.turnaround_days, e.published_at, e.rating_average, e.rating_count, "
            f"{self.score} AS score {source}) "
            "SELECT 'count', NULL, count(*), CAST(NULL AS integer) FROM m "
            "UNION ALL SELECT 'facet', k.value, count(*), NULL "
            f"FROM m {self.dialect.facet_source('m')} GROUP BY k.value "
            "UNION ALL SELECT 'hit', NULL, h.position, h.page_id FROM (SELECT m.page_id, "
            f"row_number() OVER (ORDER BY {ordering}) AS position FROM m "
            f"ORDER BY {ordering} LIMIT {PAGE_SIZE} OFFSET {start}) AS h"
        )
        count, hits = 0, []
        facets: dict[str, list[dict]] = {name: [] for name in self.facet_names}
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for kind, key, number, page_id in cursor.fetchall():
                if kind == "count":
                    count = number
                elif kind == "hit":
                    hits.append((number, page_id))
                else:
                    name, _, value = key.partition("=")
                    if name in facets:
                        facets[name].append({"value": value, "count": number})
        for name, buckets in facets.items():
            buckets.sort(key=lambda bucket: (-bucket["count"], bucket["value"]))
            facets[name] = buckets[:FACET_SIZE]
        ids = [page_id for _position, page_id in sorted(hits)]
        stored = dict(
            SearchEntry.objects.filter(index=self.index, page_id__in=ids).values_list(
                "page_id", "document"
            )
        )
        return count, [(page_id, _decoded(stored[page_id])) for page_id in ids], facets


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


# Not named on a company-of-concern list (entries written before the flag existed have none).
NOT_FLAGGED = "(e.concern_flagged IS NULL OR NOT e.concern_flagged)"
SERVICE_ORDER = {
    "relevance": ["score DESC", "m.tie_breaker", "m.page_id"],
    "price": ["m.price_fen ASC NULLS LAST", "score DESC", "m.page_id"],
    "turnaround": ["m.turnaround_days ASC NULLS LAST", "score DESC", "m.page_id"],
    "rating": [
        "m.rating_average DESC NULLS LAST",
        "m.rating_count DESC NULLS LAST",
        "score DESC",
        "m.tie_breaker",
        "m.page_id",
    ],
}


def search_services_from_database(query: ServiceQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(
        SERVICES, query.text, query.filters, KEYWORD_FILTERS, query.published_since
    )
    if query.price_max is not None:
        search.add("e.price_fen <= %s", [int(query.price_max * 100)])
    if query.turnaround_max is not None:
        search.add("e.turnaround_days <= %s", [query.turnaround_max])
    if query.verified_only:
        search.add("e.is_verified")
    if query.rating_min is not None:
        search.add("e.rating_average >= %s", [float(query.rating_min)])
    if query.exclude_flagged:
        search.add(NOT_FLAGGED)
    count, documents, facets = search.run(
        order=SERVICE_ORDER.get(query.sort, SERVICE_ORDER["relevance"]), page=query.page
    )
    terms = search.query_terms()
    pairs = cjk_pairs(terms)
    results = [
        result_from_document(page_id, document, highlights(document, terms, pairs))
        for page_id, document in documents
    ]
    return _answer(search, query, count, results, facets, started, query.text)


def search_jobs_from_database(query: JobQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(JOBS, query.text, query.filters, JOB_FILTERS, query.published_since)
    search.add("(e.closes_on IS NULL OR e.closes_on >= %s)", [timezone.localdate()])
    if query.salary_at_least is not None:
        search.add("e.salary_max_fen >= %s", [int(query.salary_at_least * 100)])
    count, documents, facets = search.run(
        order=["score DESC", "m.published_at DESC NULLS LAST", "m.page_id"], page=query.page
    )
    results = [job_result(page_id, document) for page_id, document in documents]
    return _answer(search, query, count, results, facets, started, query.text)


def search_providers_from_database(query: ProviderQuery) -> dict:
    started = time.monotonic()
    search = EntrySearch(
        PROVIDERS, query.text, query.filters, PROVIDER_FILTERS, query.published_since
    )
    if query.verified_only:
        search.add("e.is_verified")
    if query.rating_min is not None:
        search.add("e.rating_average >= %s", [float(query.rating_min)])
    if query.exclude_flagged:
        search.add(NOT_FLAGGED)
    count, documents, facets = search.run(
        order=["score DESC", "m.published_at DESC NULLS LAST", "m.page_id"], page=query.page
    )
    results = [provider_result(page_id, document) for page_id, document in documents]
    return _answer(search, query, count, results, facets, started, query.text)
