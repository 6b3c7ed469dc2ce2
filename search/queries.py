"""Building and running the buyer-facing service search: one Elasticsearch request per search.

Results are shaped from the hits alone (no database query per hit).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from elasticsearch.dsl import Q, Search

from search.client import get_client, index_name
from search.indexing import JOBS, PROVIDERS, SERVICES
from search.spelling import corrected, corrections
from search.text import cjk_pairs, highlighted, query_clauses, terms_of

PAGE_SIZE = 20
# Ranking factors, multiplied into the text score by both engines (here as function_score
# weights, in search.entries as each entry's boost).
VERIFIED_BOOST = 1.15
CERTIFIED_BOOST = 1.1
EARLY_CAREER_BOOST = 1.2  # graduate and intern postings first among equals
EARLY_CAREER_LEVELS = ("graduate", "intern")
# Only titles and descriptions are marked, by ``highlights`` from the page of results (in
# Elasticsearch, highlighting cost a quarter of each search's time on 100,000 listings).
HIGHLIGHTED = ["title_en", "title_zh", "description_en", "description_zh"]
TEXT_FIELDS = [
    "title_en^3",
    "title_zh^3",
    "capability_labels_en^2",
    "capability_labels_zh^2",
    # The capabilities above the listing's weigh as much as its own: "toxicology" (the root's
    # name) finds general toxicology's listings, named "rodent toxicology", before the listings
    # that merely say "genetic toxicology".
    "broader_labels_en^2",
    "broader_labels_zh^2",
    "context_labels_en^0.7",
    "context_labels_zh^0.7",
    # The provider's name weighs less than what the listing is: "毒理" must not put a company
    # named "…生殖毒理" before the general toxicology listings.
    "provider.title_en^0.7",
    "provider.title_zh^0.7",
    "description_en",
    "description_zh",
]
# What a result is shaped and highlighted from (``result_from_document``, ``highlights``): the
# rest of the document (codes, broader and context labels) stays in the index.
RESULT_FIELDS = [
    "external_id", "kind", "url", "title_en", "title_zh", "description_en", "description_zh",
    "price_from", "turnaround_days", "capability_labels_en", "standards", "provider",
]  # fmt: skip
# The track record's shares and median, as a provider's document holds them (null: too little
# history behind the figure).
TRACK_RECORD_SHARES = (
    "median_response_hours", "quoted_percent", "on_time_percent", "repeat_buyer_percent",
)  # fmt: skip
# Filter name -> document field (keyword). Taxonomy fields hold every ancestor code, so a term
# filter on a code covers its descendants.
KEYWORD_FILTERS = {
    "capability": "capability_codes",
    "therapeutic_area": "therapeutic_area_codes",
    "modality": "modality_codes",
    "species": "species_codes",
    "standard": "standards",
    "zone": "provider.zone",
    "tier": "provider.tier",
    "city": "provider.city",
    "delivery": "delivery",
}
SORTS = {
    "relevance": ["_score", "external_id"],
    "price": [{"price_from_fen": {"order": "asc", "missing": "_last"}}, "_score"],
    "turnaround": [{"turnaround_days": {"order": "asc", "missing": "_last"}}, "_score"],
    "rating": [
        {"provider.rating_average": {"order": "desc", "missing": "_last"}},
        {"provider.rating_count": {"order": "desc", "missing": "_last"}},
        "_score",
        "external_id",
    ],
}


@dataclass
class SearchQuery:
    """What every search reads: the words, the filters by parameter name, the page; and, for a
    saved search's alerts (never a request parameter), only what was published since a moment."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    published_since: datetime | None = None


def _published_since(query: SearchQuery) -> list:
    """Only documents published at or after ``query.published_since``, if it is set."""
    if query.published_since is None:
        return []
    return [Q("range", published_at={"gte": query.published_since.isoformat()})]


@dataclass
class ServiceQuery(SearchQuery):
    price_max: Decimal | None = None
    turnaround_max: int | None = None
    verified_only: bool = False
    rating_min: Decimal | None = None  # the least average of verified reviews
    exclude_flagged: bool = False  # leave out providers named on a company-of-concern list
    sort: str = "relevance"


def _text_query(text: str):
    # No fuzziness: a misspelt word is corrected before the search (``search.spelling``), so the
    # engine matches exact terms only (fuzzy expansion over every field was a third of the time).
    return Q(
        "multi_match",
        query=text,
        fields=TEXT_FIELDS,
        type="best_fields",
        tie_breaker=0.3,  # the best field counts most, the others still a little
    )


def _terms(filters: dict[str, list[str]], fields: dict[str, str]) -> list:
    """A terms filter on its document field for each filter given values."""
    return [Q("terms", **{fields[name]: values}) for name, values in filters.items() if values]


def _matching(text: str, fields: list[str], **options):
    """Relevance: a fuzzy multi-match of the words over ``fields``, or every document."""
    if not text.strip():
        return Q("match_all")
    return Q("multi_match", query=text, fields=fields, fuzziness="AUTO:5,9", **options)


def _filters(query: ServiceQuery) -> list:
    clauses = [*_terms(query.filters, KEYWORD_FILTERS), *_published_since(query)]
    if query.price_max is not None:
        clauses.append(Q("range", price_from_fen={"lte": int(query.price_max * 100)}))
    if query.turnaround_max is not None:
        clauses.append(Q("range", turnaround_days={"lte": query.turnaround_max}))
    if query.verified_only:
        clauses.append(Q("term", **{"provider.is_verified": True}))
    if query.rating_min is not None:
        clauses.append(Q("range", **{"provider.rating_average": {"gte": float(query.rating_min)}}))
    if query.exclude_flagged:
        clauses.append(~Q("term", **{"provider.concern_flagged": True}))
    return clauses


def build_search(query: ServiceQuery, corrected_text: str | None = None) -> Search:
    """The Elasticsearch request for this query: matching, filters, boosts, facets.

    ``corrected_text``: the text with its misspelt words corrected (``search.spelling``), searched
    instead, so a misspelt capability still meets its synonyms.
    """
    text = corrected_text or query.text
    relevance = _text_query(text) if text.strip() else Q("match_all")
    # Verified providers with valid certifications rank a little higher.
    scored = Q(
        "function_score",
        query=Q("bool", must=[relevance], filter=_filters(query)),
        functions=[
            {"filter": Q("term", **{"provider.is_verified": True}), "weight": VERIFIED_BOOST},
            {
                "filter": Q("term", **{"provider.has_valid_certification": True}),
                "weight": CERTIFIED_BOOST,
            },
        ],
        score_mode="multiply",
        boost_mode="multiply",
    )
    search = Search(using=get_client(), index=index_name(SERVICES)).query(scored)
    for name, field_name in KEYWORD_FILTERS.items():
        search.aggs.bucket(name, "terms", field=field_name, size=50)
    search = search.sort(*SORTS.get(query.sort, SORTS["relevance"])).source(RESULT_FIELDS)
    start = (max(query.page, 1) - 1) * PAGE_SIZE
    # The shard request cache keeps the answers to searches buyers repeat (invalidated when the
    # index refreshes with changes); by default it keeps only requests without hits.
    search = search.params(request_cache=True)
    return search.extra(track_total_hits=True)[start : start + PAGE_SIZE]


SUGGESTED_LISTINGS = 5


def suggest_listings(text: str, *, limit: int = SUGGESTED_LISTINGS) -> list[dict]:
    """Listings whose title (either language) has words starting with the words typed so far."""
    if not text.strip():
        return []
    search = (
        Search(using=get_client(), index=index_name(SERVICES))
        .query(
            Q(
                "multi_match",
                query=text,
                fields=["title_en.prefix^2", "title_zh.prefix^2", "capability_prefix"],
                operator="and",
            )
        )
        .source(["title_en", "title_zh", "url", "provider.title_en", "provider.title_zh"])
        .extra(track_total_hits=False)[:limit]
    )
    suggestions = []
    for hit in search.execute().hits:
        source = hit.to_dict()
        provider = source.get("provider", {})
        suggestions.append(
            {
                "title": source.get("title_en") or source.get("title_zh"),
                "provider": provider.get("title_en") or provider.get("title_zh"),
                "url": source["url"],
            }
        )
    return suggestions


def answer(
    *,
    count: int,
    page: int,
    results: list,
    facets: dict,
    took_ms: int,
    degraded: bool = False,
    did_you_mean: str | None = None,
):
    """The envelope every search answers with (the API's and the page's shape)."""
    return {
        "count": count,
        "page": max(page, 1),
        "page_size": PAGE_SIZE,
        "results": results,
        "facets": facets,
        "took_ms": took_ms,
        "degraded": degraded,
        "did_you_mean": did_you_mean,
    }


def query_terms(text: str) -> set[str]:
    """The terms a search for ``text`` looks for, synonyms included (what ``highlights`` marks)."""
    return terms_of(query_clauses(text) if text.strip() else [])


def highlights(
    document: dict, terms: set[str], pairs: set[str] | None = None
) -> dict[str, list[str]]:
    """The titles and descriptions of a result with the searched words marked (escaped HTML);
    ``pairs``: ``cjk_pairs(terms)``, computed once for a page of results."""
    marks = {}
    pairs = cjk_pairs(terms) if pairs is None else pairs
    for name in HIGHLIGHTED if terms else ():
        fragment = highlighted(document.get(name) or "", terms, pairs)
        if fragment:
            marks[name] = [fragment]
    return marks


def track_record_of(provider: dict) -> dict:
    """The track record's figures in a provider's document (none in one indexed before them)."""
    return {
        "contracts_completed": provider.get("contracts_completed") or 0,
        **{name: provider.get(name) for name in TRACK_RECORD_SHARES},
    }


def result_from_document(page_id: int, source: dict, highlight: dict) -> dict:
    """One result as the API and the search page show it, from an index document."""
    provider = source["provider"]
    return {
        "id": page_id,
        "external_id": source.get("external_id"),
        "kind": source["kind"],
        "title": source.get("title_en") or source.get("title_zh"),
        "title_en": source.get("title_en") or "",
        "title_zh": source.get("title_zh") or "",
        "provider": provider.get("title_en") or provider.get("title_zh"),
        "provider_zh": provider.get("title_zh") or "",
        "provider_url": provider["url"],
        "url": source["url"],
        "zone": provider["zone"],
        "city": provider["city"],
        "is_verified": provider["is_verified"],
        "rating_average": provider.get("rating_average"),
        "rating_count": provider.get("rating_count") or 0,
        "concern_flagged": bool(provider.get("concern_flagged")),
        **track_record_of(provider),
        "price_from": source.get("price_from"),
        "price_currency": "CNY",
        "turnaround_days": source.get("turnaround_days"),
        "capabilities": source.get("capability_labels_en", []),
        "standards": source.get("standards", []),
        "highlight": {name: fragments[0] for name, fragments in highlight.items()},
    }


def search_services(query: ServiceQuery) -> dict:
    """Run the search; the answer is built from the hits and aggregations only."""
    found = corrections(query.text) if query.text.strip() else {}
    corrected_text = corrected(query.text, found)
    response = build_search(query, corrected_text).execute()
    terms = query_terms(corrected_text or query.text)
    pairs = cjk_pairs(terms)
    results = []
    for hit in response.hits:
        source = hit.to_dict()
        marks = highlights(source, terms, pairs)
        results.append(result_from_document(int(hit.meta.id), source, marks))
    facets = _facets(response, KEYWORD_FILTERS)
    return answer(
        count=response.hits.total.value,
        page=query.page,
        results=results,
        facets=facets,
        took_ms=response.took,
        did_you_mean=corrected_text,
    )


JOB_TEXT_FIELDS = [
    "title_en^3",
    "title_zh^3",
    "discipline_labels_en^2",
    "discipline_labels_zh^2",
    "facts^2",
    "facts_zh^2",
    "provider.title_en",
    "provider.title_zh",
    "description_en",
    "description_zh",
]
JOB_FILTERS = {
    "city": "city",
    "level": "level",
    "degree": "degree",
    "discipline": "discipline_codes",
    "language": "languages",
    "sponsorship": "work_permit_sponsorship",
    "zone": "provider.zone",
}


@dataclass
class JobQuery(SearchQuery):
    salary_at_least: Decimal | None = None  # a month, CNY: the range must reach it


def search_jobs(query: JobQuery) -> dict:
    """Open postings matching the query, graduate roles first among equals; never closed ones."""
    open_today = Q(
        "bool",
        should=[
            Q("range", closes_on={"gte": "now/d"}),
            Q("bool", must_not=Q("exists", field="closes_on")),
        ],
        minimum_should_match=1,
    )
    filters = [open_today, *_terms(query.filters, JOB_FILTERS), *_published_since(query)]
    if query.salary_at_least is not None:
        filters.append(Q("range", salary_max_fen={"gte": int(query.salary_at_least * 100)}))
    relevance = _matching(query.text, JOB_TEXT_FIELDS, type="most_fields", prefix_length=1)
    scored = Q(
        "function_score",
        query=Q("bool", must=[relevance], filter=filters),
        functions=[
            {"filter": Q("terms", level=list(EARLY_CAREER_LEVELS)), "weight": EARLY_CAREER_BOOST}
        ],
        boost_mode="multiply",
    )
    return _faceted(JOBS, scored, JOB_FILTERS, query.page, job_result)


def _faceted(index: str, query, facet_fields: dict[str, str], page: int, result) -> dict:
    """Run ``query`` on ``index`` with a terms aggregation per facet; the answer with one page
    of hits, each shaped by ``result(page_id, source)``."""
    search = Search(using=get_client(), index=index_name(index)).query(query)
    for name, field_name in facet_fields.items():
        search.aggs.bucket(name, "terms", field=field_name, size=50)
    start = (max(page, 1) - 1) * PAGE_SIZE
    response = (
        search.sort(
            "_score", {"published_at": {"order": "desc", "missing": "_last"}}, "_doc"
        ).extra(track_total_hits=True)[start : start + PAGE_SIZE]
    ).execute()
    return answer(
        count=response.hits.total.value,
        page=page,
        results=[result(int(hit.meta.id), hit.to_dict()) for hit in response.hits],
        facets=_facets(response, facet_fields),
        took_ms=response.took,
    )


def _facets(response, names) -> dict[str, list[dict]]:
    """Each facet's buckets (value, count) from the response's terms aggregations."""
    aggregations = response.aggregations.to_dict()
    return {
        name: [
            {"value": bucket["key"], "count": bucket["doc_count"]}
            for bucket in aggregations[name]["buckets"]
        ]
        for name in names
    }


def job_result(page_id: int, source: dict) -> dict:
    provider = source["provider"]
    return {
        "id": page_id,
        "external_id": source.get("external_id"),
        "title": source.get("title_en") or source.get("title_zh"),
        "title_en": source.get("title_en") or "",
        "title_zh": source.get("title_zh") or "",
        "provider": provider.get("title_en") or provider.get("title_zh"),
        "provider_zh": provider.get("title_zh") or "",
        "url": source["url"],
        "city": source["city"],
        "zone": provider.get("zone"),
        "level": source["level"],
        "degree": source["degree"],
        "work_permit_sponsorship": source["work_permit_sponsorship"],
        "salary_min": source.get("salary_min"),
        "salary_max": source.get("salary_max"),
        "salary_currency": "CNY",
        "closes_on": source.get("closes_on"),
    }


PROVIDER_TEXT_FIELDS = [
    "title_en^3",
    "title_zh^3",
    "capability_labels_en^2",
    "capability_labels_zh^2",
    "summary_en",
    "summary_zh",
]
PROVIDER_FILTERS = {
    "capability": "capability_codes",
    "standard": "standards",
    "zone": "zone",
    "tier": "tier",
    "city": "city",
    "kind": "kind",
}


@dataclass
class ProviderQuery(SearchQuery):
    verified_only: bool = False
    rating_min: Decimal | None = None
    exclude_flagged: bool = False


def search_providers(query: ProviderQuery) -> dict:
    """Live providers by name, summary or the capabilities of their listings; verified first."""
    filters = [*_terms(query.filters, PROVIDER_FILTERS), *_published_since(query)]
    if query.verified_only:
        filters.append(Q("term", is_verified=True))
    if query.rating_min is not None:
        filters.append(Q("range", rating_average={"gte": float(query.rating_min)}))
    if query.exclude_flagged:
        filters.append(~Q("term", concern_flagged=True))
    relevance = _matching(query.text, PROVIDER_TEXT_FIELDS)
    scored = Q(
        "function_score",
        query=Q("bool", must=[relevance], filter=filters),
        functions=[{"filter": Q("term", is_verified=True), "weight": VERIFIED_BOOST}],
        boost_mode="multiply",
    )
    return _faceted(PROVIDERS, scored, PROVIDER_FILTERS, query.page, provider_result)


def provider_result(page_id: int, source: dict) -> dict:
    return {
        "id": page_id,
        "title": source.get("title_en") or source.get("title_zh"),
        "title_en": source.get("title_en") or "",
        "title_zh": source.get("title_zh") or "",
        "url": source["url"],
        "kind": source.get("kind"),
        "zone": source.get("zone"),
        "city": source.get("city") or "",
        "is_verified": source["is_verified"],
        "rating_average": source.get("rating_average"),
        "rating_count": source.get("rating_count") or 0,
        "concern_flagged": bool(source.get("concern_flagged")),
        **track_record_of(source),
        "standards": source.get("standards", []),
        "capabilities": source.get("capability_labels_en", []),
    }
