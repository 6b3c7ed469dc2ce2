"""Service search from the database, for when Elasticsearch cannot answer.

Simple matching (substring, either language, capability labels included), the same filters
(zone, tier, city and verification checked against the provider), the same response shape with
``"degraded": true`` and no facets. Slower and cruder, but buyers still get answers.
"""

import time

from django.db.models import Q
from django.utils import timezone

from cms.models import JobPostingPage, ProviderPage, ServicePage, TCMServicePage
from search.indexing import (
    TAXONOMY,
    job_document,
    provider_documents,
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


def _code_filter(relation: str, codes: list[str]) -> Q:
    condition = Q()
    for code in codes:
        condition |= Q(**{f"{relation}__code": code}) | Q(
            **{f"{relation}__code__startswith": f"{code}."}
        )
    return condition


def _listings(query: ServiceQuery):
    condition = Q()
    text = query.text.strip()
    if text:
        for word in text.split():
            condition &= (
                Q(title_en__icontains=word)
                | Q(title_zh__icontains=word)
                | Q(description_en__icontains=word)
                | Q(description_zh__icontains=word)
                | Q(capabilities__label_en__icontains=word)
                | Q(capabilities__label_zh__icontains=word)
            )
    for name, relation in TAXONOMY_FILTERS.items():
        if query.filters.get(name):
            condition &= _code_filter(relation, query.filters[name])
    if query.price_max is not None:
        condition &= Q(price_from_amount__lte=query.price_max)
    if query.turnaround_max is not None:
        condition &= Q(turnaround_days__lte=query.turnaround_max)
    for model in (ServicePage, TCMServicePage):
        yield from model.objects.live().filter(condition).distinct().prefetch_related(*TAXONOMY)


def _document_matches(document: dict, query: ServiceQuery) -> bool:
    """The filters that are facts of the provider or of the listing's denormalised document."""
    facts = document["provider"]
    for name, key in SERVICE_PROVIDER_FACTS.items():
        if query.filters.get(name) and facts[key] not in query.filters[name]:
            return False
    if query.verified_only and not facts["is_verified"]:
        return False
    if query.filters.get("standard") and not set(query.filters["standard"]) & set(
        document["standards"]
    ):
        return False
    return not (
        query.filters.get("delivery") and document["delivery"] not in query.filters["delivery"]
    )


def search_services_from_database(query: ServiceQuery) -> dict:
    started = time.monotonic()
    providers = providers_by_path()
    step = ProviderPage.steplen
    documents = []
    for page in _listings(query):
        provider = providers.get(page.path[:-step])
        if provider is None:
            continue
        document = service_document(page, provider)
        if _document_matches(document, query):
            documents.append(document)
    if query.sort == "price":
        documents.sort(key=lambda d: (d["price_from_fen"] is None, d["price_from_fen"] or 0))
    elif query.sort == "turnaround":
        documents.sort(key=lambda d: (d["turnaround_days"] is None, d["turnaround_days"] or 0))
    else:
        documents.sort(
            key=lambda d: (not d["provider"]["is_verified"], d["title_en"] or d["title_zh"])
        )
    return answer(
        count=len(documents),
        page=query.page,
        results=[result_from_document(int(d["_id"]), d, {}) for d in _page(documents, query.page)],
        facets={},
        took_ms=int((time.monotonic() - started) * 1000),
        degraded=True,
    )


def search_jobs_from_database(query: JobQuery) -> dict:
    """Open postings by substring and the same filters, when Elasticsearch cannot answer."""
    started = time.monotonic()
    condition = Q(closes_on__isnull=True) | Q(closes_on__gte=timezone.localdate())
    for word in query.text.split():
        condition &= (
            Q(title_en__icontains=word)
            | Q(title_zh__icontains=word)
            | Q(description_en__icontains=word)
            | Q(city__icontains=word)
            | Q(level__iexact=word)
            | Q(disciplines__label_en__icontains=word)
            | Q(disciplines__label_zh__icontains=word)
        )
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
    return answer(
        count=len(documents),
        page=query.page,
        results=[job_result(int(d["_id"]), d) for d in _page(documents, query.page)],
        facets={},
        took_ms=int((time.monotonic() - started) * 1000),
        degraded=True,
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
    return answer(
        count=len(documents),
        page=query.page,
        results=[provider_result(int(d["_id"]), d) for d in _page(documents, query.page)],
        facets={},
        took_ms=int((time.monotonic() - started) * 1000),
        degraded=True,
    )


def _page(documents: list, page: int) -> list:
    start = (max(page, 1) - 1) * PAGE_SIZE
    return documents[start : start + PAGE_SIZE]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]
