"""Service search from the database, for when Elasticsearch cannot answer.

Simple matching (substring, either language, capability labels included), the same filters
(zone, tier, city and verification checked against the provider), the same response shape with
``"degraded": true`` and no facets. Slower and cruder, but buyers still get answers.
"""

import time

from django.db.models import Q
from django.utils import timezone

from cms.models import (
    Certification,
    JobPostingPage,
    ProviderPage,
    ServicePage,
    TCMServicePage,
)
from marketplace.accounts.models import VerificationStatus
from marketplace.catalog.cities import CITY_NAMES_ZH
from search.indexing import (
    TAXONOMY,
    job_document,
    provider_documents,
    provider_with_valid_standards,
    providers_by_path,
    service_document,
)
from search.queries import (
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

SERVICE_PROVIDER_FACTS = {"zone": "zone", "tier": "tier", "city": "city"}
TAXONOMY_FILTERS = {
    "capability": "capabilities",
    "therapeutic_area": "therapeutic_areas",
    "modality": "modalities",
    "species": "species",
}


def _containing(word: str, fields: list[str]) -> Q:
    """The word in any of ``fields`` (case-insensitive substring)."""
    condition = Q()
    for field_name in fields:
        condition |= Q(**{f"{field_name}__icontains": word})
    return condition


def _degraded_answer(query, *, count: int, results: list, started: float) -> dict:
    """The envelope of a database answer: no facets, marked degraded (the notice)."""
    return answer(
        count=count,
        page=query.page,
        results=results,
        facets={},
        took_ms=int((time.monotonic() - started) * 1000),
        degraded=True,
    )


def _code_filter(relation: str, codes: list[str]) -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{relation}__code": code}) | Q(
            **{f"{relation}__code__startswith": f"{code}."}
        )
    return condition


DELIVERY_FIELDS = {ServicePage: "delivery", TCMServicePage: "tcm_delivery"}
LISTING_TEXT = [
    "title_en", "title_zh", "description_en", "description_zh",
    "capabilities__label_en", "capabilities__label_zh",
]  # fmt: skip
JOB_TEXT = [
    "title_en", "title_zh", "description_en", "city",
    "disciplines__label_en", "disciplines__label_zh",
]  # fmt: skip


def _listing_condition(query: ServiceQuery) -> Q:
    """What the database itself can check: words, taxonomy, price and turnaround."""
    condition = Q()
    for word in query.text.split():
        condition &= _containing(word, LISTING_TEXT)
    for name, relation in TAXONOMY_FILTERS.items():
        if query.filters.get(name):
            condition &= _code_filter(relation, query.filters[name])
    if query.price_max is not None:
        condition &= Q(price_from_amount__lte=query.price_max)
    if query.turnaround_max is not None:
        condition &= Q(turnaround_days__lte=query.turnaround_max)
    return condition


def _provider_facts() -> dict[str, dict]:
    """Live providers by tree path: verification, zone, tier, city and valid standards (two
    queries, no page objects)."""
    today = timezone.localdate()
    facts = {
        path: {"pk": pk, "is_verified": status == VerificationStatus.VERIFIED, "zone": zone,
               "tier": tier, "city": city, "standards": set()}
        for path, pk, status, zone, tier, city in ProviderPage.objects.live().values_list(
            "path", "pk", "organisation__verification_status", "zone__code", "zone__tier", "city"
        )
    }  # fmt: skip
    by_pk = {fact["pk"]: fact for fact in facts.values()}
    valid = Certification.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    for page_id, standard in valid.values_list("page_id", "standard"):
        if page_id in by_pk:
            by_pk[page_id]["standards"].add(standard)
    return facts


def _provider_matches(facts: dict, query: ServiceQuery) -> bool:
    for name, key in SERVICE_PROVIDER_FACTS.items():
        if query.filters.get(name) and facts[key] not in query.filters[name]:
            return False
    return facts["is_verified"] or not query.verified_only


def _sort_key(query: ServiceQuery):
    if query.sort == "price":
        return lambda c: (c["price"] is None, c["price"] or 0, c["title"])
    if query.sort == "turnaround":
        return lambda c: (c["turnaround"] is None, c["turnaround"] or 0, c["title"])
    return lambda c: (not c["is_verified"], c["title"])


def search_services_from_database(query: ServiceQuery) -> dict:
    """Matches are found, filtered, counted and sorted from a few columns; documents are built
    for the page shown only (at 100,000 listings, building them all took seconds)."""
    started = time.monotonic()
    providers = _provider_facts()
    step = ProviderPage.steplen
    condition = _listing_condition(query)
    wanted_standards = set(query.filters.get("standard") or [])
    candidates = []
    for model in (ServicePage, TCMServicePage):
        listings = model.objects.live().filter(condition)
        if query.filters.get("delivery"):
            listings = listings.filter(
                **{f"{DELIVERY_FIELDS[model]}__in": query.filters["delivery"]}
            )
        rows = listings.values_list(
            "pk", "path", "standards", "price_from_amount", "turnaround_days", "title_en",
            "title_zh",
        ).distinct()  # fmt: skip
        for pk, path, standards, price, turnaround, title_en, title_zh in rows:
            facts = providers.get(path[:-step])
            if facts is None or not _provider_matches(facts, query):
                continue
            if wanted_standards and not wanted_standards & (set(standards) | facts["standards"]):
                continue
            candidates.append(
                {"pk": pk, "model": model, "path": path, "price": price, "turnaround": turnaround,
                 "title": title_en or title_zh, "is_verified": facts["is_verified"]}
            )  # fmt: skip
    candidates.sort(key=_sort_key(query))
    shown = _page(candidates, query.page)
    documents = _documents_of(shown)
    return _degraded_answer(
        query,
        count=len(candidates),
        results=[result_from_document(c["pk"], documents[c["pk"]], {}) for c in shown],
        started=started,
    )


def _documents_of(shown: list[dict]) -> dict[int, dict]:
    """The index documents of the listings on the page, by id (a fixed number of queries)."""
    step = ProviderPage.steplen
    paths = {c["path"][:-step] for c in shown}
    providers = {
        provider.path: provider_with_valid_standards(provider)
        for provider in ProviderPage.objects.filter(path__in=paths)
        .select_related("zone", "organisation")
        .prefetch_related("certifications")
    }
    documents = {}
    for model in (ServicePage, TCMServicePage):
        ids = [c["pk"] for c in shown if c["model"] is model]
        for page in model.objects.filter(pk__in=ids).prefetch_related(*TAXONOMY):
            documents[page.pk] = service_document(page, providers[page.path[:-step]])
    return documents


def search_jobs_from_database(query: JobQuery) -> dict:
    """Open postings by substring and the same filters, when Elasticsearch cannot answer."""
    started = time.monotonic()
    condition = Q(closes_on__isnull=True) | Q(closes_on__gte=timezone.localdate())
    for word in query.text.split():
        cities_named = [city for city, name_zh in CITY_NAMES_ZH.items() if word in name_zh]
        condition &= _containing(word, JOB_TEXT) | Q(city__in=cities_named) | Q(level__iexact=word)
    for name, field_name in (("city", "city"), ("level", "level"), ("degree", "degree"),
                             ("sponsorship", "work_permit_sponsorship")):  # fmt: skip
        if query.filters.get(name):
            condition &= Q(**{f"{field_name}__in": query.filters[name]})
    if query.salary_at_least is not None:
        condition &= Q(salary_max_amount__gte=query.salary_at_least)
    providers = providers_by_path()
    step = ProviderPage.steplen
    documents = [
        job_document(job, providers[job.path[:-step]])
        for job in JobPostingPage.objects.live()
        .filter(condition)
        .distinct()
        .prefetch_related("disciplines")
        .order_by("title")
        if job.path[:-step] in providers
    ]
    return _degraded_answer(
        query,
        count=len(documents),
        results=[job_result(int(d["_id"]), d) for d in _page(documents, query.page)],
        started=started,
    )


def search_providers_from_database(query: ProviderQuery) -> dict:
    """Live providers by substring of their names and summary, with the same filters."""
    started = time.monotonic()
    documents = []
    words = [word.lower() for word in query.text.split()]
    for document in provider_documents():
        text = " ".join(
            [document["title_en"], document["title_zh"], document["summary_en"],
             document["summary_zh"], *document["capability_labels_en"]]
        ).lower()  # fmt: skip
        if any(word not in text for word in words):
            continue
        if query.verified_only and not document["is_verified"]:
            continue
        values = {name: document[field_name] for name, field_name in PROVIDER_FILTERS.items()}
        if any(
            wanted and not set(wanted) & set(_as_list(values[name]))
            for name, wanted in query.filters.items()
        ):
            continue
        documents.append(document)
    documents.sort(key=lambda d: (not d["is_verified"], d["title_en"] or d["title_zh"]))
    return _degraded_answer(
        query,
        count=len(documents),
        results=[provider_result(int(d["_id"]), d) for d in _page(documents, query.page)],
        started=started,
    )


def _page(documents: list, page: int) -> list:
    start = (max(page, 1) - 1) * PAGE_SIZE
    return documents[start : start + PAGE_SIZE]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]
