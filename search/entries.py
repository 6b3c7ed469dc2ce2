"""Writing the database's own search index (``SearchEntry``) from the same documents Elasticsearch
gets (``search.indexing``): a full build, and the changes the outbox applies.

Each index's fields go to the weight classes of ``search.queries``' field boosts: A the titles
(3), B the capabilities (with the broader ones) or disciplines (2), C descriptions (and a job's
provider's name) (1), D the context labels and a listing's provider's name (0.7).
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from search.indexing import INDEXES, JOBS, PROVIDERS, SERVICES
from search.models import IndexChange, SearchEntry, SearchTerm
from search.queries import (
    CERTIFIED_BOOST,
    EARLY_CAREER_BOOST,
    EARLY_CAREER_LEVELS,
    JOB_FILTERS,
    KEYWORD_FILTERS,
    PROVIDER_FILTERS,
    VERIFIED_BOOST,
)
from search.text import indexed_text, spelling_words

WRITE_CHUNK = 1000


def _both(document: dict, *names: str) -> list:
    return [document.get(f"{name}_{language}") for name in names for language in ("en", "zh")]


def _provider_names(document: dict) -> list:
    provider = document.get("provider") or {}
    return [provider.get("title_en"), provider.get("title_zh")]


# Per index: the weighted texts, the filters whose values are keys, the English words spelling
# suggestions draw on, and the ranking boost (as in each index's function_score).
WEIGHTS = {
    SERVICES: {
        "a": lambda d: _both(d, "title"),
        "b": lambda d: _both(d, "capability_labels", "broader_labels"),
        "c": lambda d: _both(d, "description"),
        "d": lambda d: [*_both(d, "context_labels"), *_provider_names(d)],
    },
    JOBS: {
        "a": lambda d: _both(d, "title"),
        "b": lambda d: [*_both(d, "discipline_labels"), d.get("facts"), d.get("facts_zh")],
        "c": lambda d: [*_provider_names(d), *_both(d, "description")],
        "d": lambda d: [],
    },
    PROVIDERS: {
        "a": lambda d: _both(d, "title"),
        "b": lambda d: _both(d, "capability_labels"),
        "c": lambda d: _both(d, "summary"),
        "d": lambda d: [],
    },
}
FILTERS = {SERVICES: KEYWORD_FILTERS, JOBS: JOB_FILTERS, PROVIDERS: PROVIDER_FILTERS}
SPELLING = {
    # Every English text a service is found by: a word found only in its broader or context
    # labels (a standard's name, a species) must not be "corrected" into another.
    SERVICES: (
        "title_en",
        "description_en",
        "capability_labels_en",
        "broader_labels_en",
        "context_labels_en",
    ),
    JOBS: ("title_en", "description_en", "discipline_labels_en", "facts"),
    PROVIDERS: ("title_en", "summary_en", "capability_labels_en"),
}


def _value(document: dict, field_name: str):
    for part in field_name.split("."):
        document = (document or {}).get(part)
    return document


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _boost(index: str, document: dict) -> float:
    if index == SERVICES:
        provider = document["provider"]
        return (VERIFIED_BOOST if provider.get("is_verified") else 1.0) * (
            CERTIFIED_BOOST if provider.get("has_valid_certification") else 1.0
        )
    if index == JOBS:
        return EARLY_CAREER_BOOST if document.get("level") in EARLY_CAREER_LEVELS else 1.0
    return VERIFIED_BOOST if document.get("is_verified") else 1.0


def _moment(value: str | None):
    return datetime.fromisoformat(value) if value else None


def entry_of(index: str, document: dict) -> SearchEntry:
    """The search entry of one index document."""
    texts = {name: indexed_text(*read(document)) for name, read in WEIGHTS[index].items()}
    keys = sorted(
        {
            f"{name}={value}"
            for name, field_name in FILTERS[index].items()
            for value in _as_list(_value(document, field_name))
            if value not in (None, "")
        }
    )
    # The provider's facts: in a listing's or posting's document under ``provider.``.
    of_provider = "" if index == PROVIDERS else "provider."
    verified = _value(document, f"{of_provider}is_verified")
    return SearchEntry(
        index=index,
        page_id=int(document["_id"]),
        document={key: value for key, value in document.items() if key != "_id"},
        keys=keys,
        **{f"text_{name}": text for name, text in texts.items()},
        boost=_boost(index, document),
        is_verified=bool(verified),
        rating_average=_value(document, f"{of_provider}rating_average"),
        rating_count=_value(document, f"{of_provider}rating_count") or 0,
        concern_flagged=bool(_value(document, f"{of_provider}concern_flagged")),
        price_fen=document.get("price_from_fen"),
        turnaround_days=document.get("turnaround_days"),
        salary_max_fen=document.get("salary_max_fen"),
        closes_on=date.fromisoformat(document["closes_on"]) if document.get("closes_on") else None,
        published_at=_moment(document.get("published_at")),
        tie_breaker=(document.get("external_id") or "")[:255],
    )


def _terms_of(index: str, documents: list[dict]) -> set[str]:
    words = set()
    for document in documents:
        words |= spelling_words(*(document.get(name) for name in SPELLING[index]))
        words |= spelling_words(*_provider_names(document))
    return {word for word in words if len(word) <= 64}


def entries_write(index: str, documents: list[dict]) -> int:
    """Insert or replace the entries of ``documents``; their words join the vocabulary."""
    if not documents:
        return 0
    entries = [entry_of(index, document) for document in documents]
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["index", "page_id"],
        update_fields=[
            field.name
            for field in SearchEntry._meta.concrete_fields
            if field.name not in ("id", "index", "page_id")
        ],
    )
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term) for term in sorted(_terms_of(index, documents))],
        ignore_conflicts=True,
        batch_size=WRITE_CHUNK,
    )
    return len(entries)


def entries_delete(index: str, page_ids: Iterable[int]) -> int:
    deleted, _ = SearchEntry.objects.filter(index=index, page_id__in=list(page_ids)).delete()
    return deleted


def entries_rebuild(
    *, name: str = SERVICES, progress: Callable[[Iterable], Iterable] | None = None
) -> dict:
    """Build the database index ``name`` afresh from every page, in one transaction (searches
    read the old entries until it commits)."""
    started = timezone.now()
    _document_class, all_documents = INDEXES[name]
    documents = all_documents()
    if progress is not None:
        documents = progress(documents)
    written = 0
    with transaction.atomic():
        SearchEntry.objects.filter(index=name).delete()
        chunk = []
        for document in documents:
            chunk.append(document)
            if len(chunk) == WRITE_CHUNK:
                written += entries_write(name, chunk)
                chunk = []
        written += entries_write(name, chunk)
        IndexChange.objects.filter(
            index=name, stored_at__isnull=True, created_at__lt=started
        ).update(stored_at=timezone.now())
    return {"index": name, "documents": written}
