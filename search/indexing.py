"""Building indexes: documents from pages, versioned index names behind an alias, atomic swaps.

``index_rebuild`` creates a fresh index (``<prefix>-services-<timestamp>``), fills it with bulk
requests, then moves the alias to it in one ``update_aliases`` call and deletes the old index:
searches, which go through the alias, keep answering throughout.
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from elasticsearch import BadRequestError, helpers

from cms.models import (
    Certification,
    JobPostingPage,
    ListingPage,
    ProviderPage,
    ServicePage,
    TCMServicePage,
)
from marketplace.catalog.cities import city_name_zh
from marketplace.catalog.models import Standard, TaxonomyKind, TaxonomyNode
from marketplace.trust.selectors import (
    flagged_organisation_ids,
    ratings_of,
    track_record_figures_of,
)
from search.analysis import analysis_settings, synonym_rules, synonyms_fingerprint
from search.client import get_client, index_name
from search.documents import JobDocument, ProviderDocument, ServiceDocument
from search.models import IndexChange

SERVICES = "services"
JOBS = "jobs"
PROVIDERS = "providers"
TAXONOMY = ("capabilities", "therapeutic_areas", "modalities", "species")


def with_ancestors(codes: Iterable[str]) -> list[str]:
    """Each code and every code above it: ``a.b.c`` gives ``a``, ``a.b`` and ``a.b.c``."""
    result = set()
    for code in codes:
        parts = code.split(".")
        result.update(".".join(parts[: depth + 1]) for depth in range(len(parts)))
    return sorted(result)


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def provider_facts(
    provider: ProviderPage,
    ratings: dict[int, tuple] | None = None,
    flagged: set[int] | None = None,
    records: dict[int, dict] | None = None,
) -> ProviderPage:
    """Set what the provider's documents and its listings' say of it: ``valid_standards`` (of
    its certifications valid today), ``url_cached`` (its URL, which its listings' start with),
    and its trust signals: ``rating`` (average and count of visible reviews, or None),
    ``concern_flagged`` and ``track_record`` (the figures results show). ``ratings``, ``flagged``
    and ``records`` (by organisation) are given when many providers are read at once; else each
    is queried."""
    if ratings is None:
        ratings = ratings_of(organisation_ids=[provider.organisation_id])
    if flagged is None:
        flagged = flagged_organisation_ids(organisation_ids=[provider.organisation_id])
    if records is None:
        records = track_record_figures_of(organisation_ids=[provider.organisation_id])
    provider.track_record = records[provider.organisation_id]
    provider.rating = ratings.get(provider.organisation_id)
    provider.concern_flagged = provider.organisation_id in flagged
    today = timezone.localdate()
    provider.valid_standards = sorted(
        {c.standard for c in provider.certifications.all() if c.is_valid_on(today)}
    )
    provider.url_cached = provider.get_url()
    return provider


def providers_by_path() -> dict[str, ProviderPage]:
    providers = (
        ProviderPage.objects.live()
        .select_related("zone", "organisation")
        .prefetch_related(Prefetch("certifications", queryset=Certification.objects.all()))
    )
    providers = list(providers)
    organisation_ids = [provider.organisation_id for provider in providers]
    ratings = ratings_of(organisation_ids=organisation_ids)
    flagged = flagged_organisation_ids(organisation_ids=organisation_ids)
    records = track_record_figures_of(organisation_ids=organisation_ids)
    return {
        provider.path: provider_facts(provider, ratings, flagged, records) for provider in providers
    }


def trust_fields(provider: ProviderPage) -> dict:
    """What a buyer trusts the provider by: its review average (one decimal, None without
    reviews) and count, its company-of-concern flag, its track record's figures."""
    average, count = provider.rating or (None, 0)
    return {
        "rating_average": None if average is None else float(average),
        "rating_count": count,
        "concern_flagged": provider.concern_flagged,
        **provider.track_record,
    }


def broader_labels(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """English and Chinese labels of every capability above ``codes`` (one query)."""
    own = set(codes)
    wanted = [code for code in with_ancestors(own) if code not in own]
    return {
        node.code: (node.label_en, node.label_zh)
        for node in TaxonomyNode.objects.filter(code__in=wanted).only(
            "code", "label_en", "label_zh"
        )
    }


def _in_both_languages(page, *names: str) -> dict:
    """A page's texts as the document names them: ``<name>_en`` and ``<name>_zh`` for each name."""
    return {
        f"{name}_{language}": getattr(page, f"{name}_{language}")
        for name in names
        for language in ("en", "zh")
    }


def _labels(name: str, nodes: Iterable[TaxonomyNode]) -> dict:
    """Taxonomy nodes in words, in both languages: ``<name>_en`` and ``<name>_zh``."""
    nodes = list(nodes)
    return {
        f"{name}_en": [node.label_en for node in nodes],
        f"{name}_zh": [node.label_zh for node in nodes],
    }


def _provider(provider: ProviderPage, **more) -> dict:
    """The provider in its listing's or posting's document (``documents.provider_object``)."""
    return {
        "id": provider.pk,
        "title_en": provider.title_en,
        "title_zh": provider.title_zh,
        "url": provider.url_cached,
        "zone": provider.zone.code if provider.zone else None,
        **more,
    }


def service_document(
    page: ListingPage,
    provider: ProviderPage,
    labels: dict[str, tuple[str, str]] | None = None,
    taxonomy: dict[str, list[TaxonomyNode]] | None = None,
    url: str | None = None,
) -> dict:
    """The document of one listing (provider with ``valid_standards`` set).

    ``labels``: labels by capability code, at least of the broader capabilities; ``taxonomy``:
    the page's nodes by relation (``TAXONOMY``); ``url``: the page's URL. Read when omitted (one
    listing at a time); given by ``service_documents`` (every listing at once).
    """
    if taxonomy is None:
        taxonomy = {relation: list(getattr(page, relation).all()) for relation in TAXONOMY}
    capabilities = taxonomy["capabilities"]
    codes = [node.code for node in capabilities]
    if labels is None:
        labels = broader_labels(codes)
    broader = [
        labels[code] for code in with_ancestors(codes) if code not in codes and code in labels
    ]
    context = [*taxonomy["species"], *taxonomy["modalities"], *taxonomy["therapeutic_areas"]]
    standards = sorted(set(page.standards) | set(provider.valid_standards))
    context_labels = _labels("context_labels", context)
    # "GLP" or "ISO 17025" in a query: the standards the listing follows, in words, weighed less.
    for language in ("en", "zh"):
        context_labels[f"context_labels_{language}"] += standard_names(standards, language)
    return {
        "_id": str(page.pk),
        "external_id": page.external_id,
        "kind": "tcm" if isinstance(page, TCMServicePage) else "service",
        "url": url or page.get_url(),
        **_in_both_languages(page, "title", "description"),
        **_labels("capability_labels", capabilities),
        # "DMPK" finds an in vitro ADME listing: the broader capabilities' names, weighed less.
        "broader_labels_en": [english for english, _chinese in broader],
        "broader_labels_zh": [chinese for _english, chinese in broader],
        "capability_codes": with_ancestors(codes),
        # "rat" or "oncology" in a query: the species, modalities and areas in words, weighed less.
        **context_labels,
        "therapeutic_area_codes": with_ancestors(n.code for n in taxonomy["therapeutic_areas"]),
        "modality_codes": with_ancestors(n.code for n in taxonomy["modalities"]),
        "species_codes": with_ancestors(n.code for n in taxonomy["species"]),
        "standards": standards,
        "delivery": getattr(page, "delivery", None) or getattr(page, "tcm_delivery", None),
        "price_from": None if page.price_from_amount is None else str(page.price_from_amount),
        "price_from_fen": _fen(page.price_from_amount),
        "turnaround_days": page.turnaround_days,
        "published_at": published_at(page, provider),
        "provider": _provider(
            provider,
            tier=provider.zone.tier if provider.zone else None,
            city=provider.city,
            is_verified=provider.is_verified,
            has_valid_certification=bool(provider.valid_standards),
            **trust_fields(provider),
        ),
    }


def standard_names(codes: Iterable[str], language: str) -> list[str]:
    """The names of standards (``Standard`` codes) in ``language`` ("en" or "zh")."""
    with translation.override("zh-hans" if language == "zh" else "en"):
        return [str(Standard(code).label) for code in codes if code in Standard.values]


def published_at(page, provider: ProviderPage) -> str | None:
    moments = [moment for moment in (page.last_published_at, provider.last_published_at) if moment]
    return max(moments).isoformat() if moments else None


def taxonomy_by_page(model) -> dict[int, dict[str, list[TaxonomyNode]]]:
    """Every live page's taxonomy nodes by relation, read from the link tables in one query per
    relation (modelcluster's per-page relation managers cost ~0.5 ms each at 100k pages)."""
    nodes = {node.pk: node for node in TaxonomyNode.objects.all()}
    by_page: dict[int, dict[str, list[TaxonomyNode]]] = {}
    for relation in TAXONOMY:
        field = model._meta.get_field(relation)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        for page_id, node_id in through.objects.values_list(f"{source}_id", f"{target}_id"):
            by_page.setdefault(page_id, {name: [] for name in TAXONOMY})[relation].append(
                nodes[node_id]
            )
    return by_page


def service_documents() -> Iterator[dict]:
    """Every live listing under a live provider, read with a fixed number of queries."""
    providers = providers_by_path()
    labels = {
        node.code: (node.label_en, node.label_zh)
        for node in TaxonomyNode.objects.filter(kind=TaxonomyKind.CAPABILITY)
    }
    empty = {relation: [] for relation in TAXONOMY}
    step = ProviderPage.steplen
    for model in (ServicePage, TCMServicePage):
        taxonomy = taxonomy_by_page(model)
        for page in model.objects.live().iterator(chunk_size=2000):
            provider = providers.get(page.path[:-step])
            if provider is not None:
                # A listing is its provider's child: its URL is the provider's plus its slug.
                url = f"{provider.url_cached}{page.slug}/"
                yield service_document(page, provider, labels, taxonomy.get(page.pk, empty), url)


BULK_CHUNK = 500
BULK_WORKERS = 2


def _chunks(documents: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk = []
    for document in documents:
        chunk.append(document)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk(client, index: str, documents: list[dict]) -> int:
    succeeded, _errors = helpers.bulk(
        client, ({"_index": index, **document} for document in documents), raise_on_error=True
    )
    return succeeded


def _job_facts_zh(job: JobPostingPage) -> str:
    """City, level and degree in Chinese words: "苏州 应届毕业生 硕士" for "应届 苏州" to match."""
    with translation.override("zh-hans"):
        return f"{city_name_zh(job.city)} {job.get_level_display()} {job.get_degree_display()}"


def job_document(job: JobPostingPage, provider: ProviderPage) -> dict:
    """The document of one job posting (disciplines prefetched)."""
    disciplines = list(job.disciplines.all())
    return {
        "_id": str(job.pk),
        "external_id": job.external_id,
        "url": job.get_url(),
        **_in_both_languages(job, "title", "description"),
        **_labels("discipline_labels", disciplines),
        "discipline_codes": with_ancestors(node.code for node in disciplines),
        "facts": f"{job.city} {job.level} {job.degree}",
        "facts_zh": _job_facts_zh(job),
        "city": job.city,
        "level": job.level,
        "degree": job.degree,
        "languages": job.languages,
        "work_permit_sponsorship": job.work_permit_sponsorship,
        "salary_min": None if job.salary_min_amount is None else str(job.salary_min_amount),
        "salary_max": None if job.salary_max_amount is None else str(job.salary_max_amount),
        "salary_min_fen": _fen(job.salary_min_amount),
        "salary_max_fen": _fen(job.salary_max_amount),
        "closes_on": job.closes_on.isoformat() if job.closes_on else None,
        "published_at": published_at(job, provider),
        "provider": _provider(provider, is_verified=provider.is_verified),
    }


def job_documents() -> Iterator[dict]:
    """Every live job posting under a live provider, closed ones included."""
    providers = providers_by_path()
    step = ProviderPage.steplen
    for job in (
        JobPostingPage.objects.live().prefetch_related("disciplines").iterator(chunk_size=500)
    ):
        provider = providers.get(job.path[:-step])
        if provider is not None:
            yield job_document(job, provider)


def provider_document(provider: ProviderPage, listings: list[ListingPage]) -> dict:
    """The document of a provider (``valid_standards`` set; listings with ``capability_nodes``)."""
    capabilities = {node.code: node for listing in listings for node in listing.capability_nodes}
    moments = [provider.last_published_at, *(listing.last_published_at for listing in listings)]
    latest = max((moment for moment in moments if moment), default=None)
    return {
        "_id": str(provider.pk),
        "kind": provider.organisation.kind if provider.organisation else None,
        "url": provider.url_cached,
        **_in_both_languages(provider, "title", "summary"),
        **_labels("capability_labels", capabilities.values()),
        "capability_codes": with_ancestors(capabilities),
        "standards": provider.valid_standards,
        "zone": provider.zone.code if provider.zone else None,
        "tier": provider.zone.tier if provider.zone else None,
        "city": provider.city,
        "is_verified": provider.is_verified,
        **trust_fields(provider),
        "published_at": latest.isoformat() if latest else None,
    }


def live_listings_of(provider: ProviderPage) -> list[ListingPage]:
    listings = [
        listing
        for model in (ServicePage, TCMServicePage)
        for listing in model.objects.live().child_of(provider).prefetch_related("capabilities")
    ]
    for listing in listings:
        listing.capability_nodes = list(listing.capabilities.all())
    return listings


def provider_documents() -> Iterator[dict]:
    """Every live provider, with its live listings' capabilities (queries: fixed, not per page)."""
    providers = providers_by_path()
    listings: dict[str, list[ListingPage]] = {path: [] for path in providers}
    step = ProviderPage.steplen
    for model in (ServicePage, TCMServicePage):
        taxonomy = taxonomy_by_page(model)
        for listing in (
            model.objects.live().only("pk", "path", "last_published_at").iterator(chunk_size=5000)
        ):
            listing.capability_nodes = taxonomy.get(listing.pk, {}).get("capabilities", [])
            listings.setdefault(listing.path[:-step], []).append(listing)
    for path, provider in providers.items():
        yield provider_document(provider, listings[path])


# Each index: its document class and the generator of all its documents from the database.
INDEXES = {
    SERVICES: (ServiceDocument, service_documents),
    JOBS: (JobDocument, job_documents),
    PROVIDERS: (ProviderDocument, provider_documents),
}


def _index_body(document_class) -> dict:
    rules = synonym_rules()
    return {
        "settings": {
            **settings.ELASTICSEARCH_INDEX_SETTINGS,
            "analysis": analysis_settings(rules),
            "refresh_interval": "-1",  # filled first, refreshed once
        },
        "mappings": {
            **document_class._doc_type.mapping.to_dict(),
            # The synonym set and the mapping the index was built with: a taxonomy change or a
            # new field makes it stale.
            "_meta": {
                "synonyms": synonyms_fingerprint(rules),
                "mapping": mapping_fingerprint(document_class),
            },
        },
    }


def mapping_fingerprint(document_class) -> str:
    """A short digest of a document class's mapping: an index built with another one is stale."""
    mapping = json.dumps(document_class._doc_type.mapping.to_dict(), sort_keys=True)
    return hashlib.sha256(mapping.encode()).hexdigest()[:16]


def stale_indexes() -> list[str]:
    """Built indexes whose synonym set is not the taxonomy's any more, or whose mapping is not the
    code's (they need a rebuild)."""
    client = get_client()
    synonyms = synonyms_fingerprint()
    stale = []
    for name, (document_class, _documents) in INDEXES.items():
        alias = index_name(name)
        if not client.indices.exists_alias(name=alias):
            continue
        current = {"synonyms": synonyms, "mapping": mapping_fingerprint(document_class)}
        built_with = [
            body["mappings"].get("_meta") or {}
            for body in client.indices.get_mapping(index=alias).values()
        ]
        if any({key: meta.get(key) for key in current} != current for meta in built_with):
            stale.append(name)
    return stale


def index_rebuild(
    *, name: str = SERVICES, progress: Callable[[Iterable], Iterable] | None = None
) -> dict:
    """Build a fresh versioned index, point the alias at it atomically, delete the old ones."""
    client = get_client()
    alias = index_name(name)
    started = timezone.now()
    new_index = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1000000:06d}"
    document_class, all_documents = INDEXES[name]
    try:
        client.indices.create(index=new_index, **_index_body(document_class))
    except BadRequestError as error:
        # The name is this call's own: "already exists" means a node created it and died
        # before answering, and the client's retry on another node found it. It is ours.
        if error.error != "resource_already_exists_exception":
            raise
    indexed = 0
    documents = all_documents()
    if progress is not None:
        documents = progress(documents)
    try:
        # The database is read here, in this thread; only the bulk requests run in parallel.
        with ThreadPoolExecutor(max_workers=BULK_WORKERS) as pool:
            pending = [
                pool.submit(_bulk, client, new_index, chunk)
                for chunk in _chunks(documents, BULK_CHUNK)
            ]
            indexed = sum(future.result() for future in pending)
        client.indices.put_settings(index=new_index, settings={"refresh_interval": "1s"})
        client.indices.refresh(index=new_index)
    except Exception:
        client.indices.delete(index=new_index, ignore_unavailable=True)
        raise
    old_indexes = list(client.indices.get(index=f"{alias}-*", ignore_unavailable=True).keys())
    old_indexes = [index for index in old_indexes if index != new_index]
    client.indices.update_aliases(
        actions=[
            *({"remove": {"index": index, "alias": alias}} for index in old_indexes
              if client.indices.exists_alias(index=index, name=alias)),
            {"add": {"index": new_index, "alias": alias}},
        ]
    )  # fmt: skip
    if old_indexes:
        client.indices.delete(index=",".join(old_indexes))
    # The new index was read from the database after these changes: they are in it.
    IndexChange.objects.filter(index=name, applied_at__isnull=True, created_at__lt=started).update(
        applied_at=timezone.now()
    )
    return {"index": new_index, "alias": alias, "documents": indexed, "removed": old_indexes}
