"""Keeping the index in step with the pages: record changes, then apply them (the tasks in
``search.tasks`` call these; the work after commit goes through the outbox)."""

import logging

from django.db import transaction
from django.utils import timezone
from elasticsearch import helpers
from wagtail.models import Page

from cms.models import JobPostingPage, ProviderPage, ServicePage, TCMServicePage
from marketplace.ops.services import task_enqueue_once
from search.client import get_client, index_name, search_is_available
from search.entries import entries_delete, entries_write
from search.indexing import (
    INDEXES,
    JOBS,
    PROVIDERS,
    SERVICES,
    TAXONOMY,
    index_rebuild,
    job_document,
    live_listings_of,
    provider_document,
    provider_facts,
    service_document,
    stale_indexes,
)
from search.models import IndexChange, SearchEntry
from search.text import SYNONYMS

logger = logging.getLogger(__name__)
PAGE_MODELS = {SERVICES: (ServicePage, TCMServicePage), JOBS: (JobPostingPage,)}


def index_change_record(*, page: Page, action: str) -> None:
    """Record that a page changed (in the caller's transaction); apply it after commit.

    A provider's change is recorded for each of its listings and jobs, which carry its name and
    badges; a listing under an unpublished provider is dropped when the change is applied.
    """
    upsert = IndexChange.Action.UPSERT
    if isinstance(page, ProviderPage):
        changes = [
            IndexChange(index=index, object_id=child.pk, action=upsert)
            for index, models in PAGE_MODELS.items()
            for model in models
            for child in model.objects.descendant_of(page).only("pk")
        ]
        changes.append(IndexChange(index=PROVIDERS, object_id=page.pk, action=action))
    else:
        index = next(name for name, models in PAGE_MODELS.items() if isinstance(page, models))
        changes = [IndexChange(index=index, object_id=page.pk, action=action)]
        provider_path = page.path[: -ProviderPage.steplen]
        provider = ProviderPage.objects.filter(path=provider_path).only("pk").first()
        if index == SERVICES and provider is not None:  # its capabilities are the provider's
            changes.append(IndexChange(index=PROVIDERS, object_id=provider.pk, action=upsert))
    IndexChange.objects.bulk_create(changes)
    # Once per transaction: the task applies every change recorded before it runs.
    task_enqueue_once("search.tasks.index_changes_apply_task")


def _document(index: str, page_id: int) -> dict | None:
    """The document a live page should have now, or None if it should not be searchable."""
    if index == PROVIDERS:
        provider = (
            ProviderPage.objects.live()
            .filter(pk=page_id)
            .select_related("zone", "organisation")
            .first()
        )
        if provider is None:
            return None
        return provider_document(provider_facts(provider), live_listings_of(provider))
    for model in PAGE_MODELS[index]:
        taxonomy = TAXONOMY if index == SERVICES else ("disciplines",)
        page = model.objects.live().filter(pk=page_id).prefetch_related(*taxonomy).first()
        if page is None:
            continue
        provider = (
            ProviderPage.objects.live()
            .filter(pk=page.get_parent().pk)
            .select_related("zone", "organisation")
            .first()
        )
        if provider is None:
            return None
        provider = provider_facts(provider)
        return (
            service_document(page, provider) if index == SERVICES else job_document(page, provider)
        )
    return None


def entry_changes_apply(*, limit: int = 500) -> int:
    """Apply pending changes to the database's search index, oldest first; return how many.

    Runs before Elasticsearch's part and commits on its own: the database's search answers
    current results even while Elasticsearch is away.
    """
    with transaction.atomic():
        pending = list(
            IndexChange.objects.select_for_update(skip_locked=True)
            .filter(stored_at__isnull=True)
            .order_by("created_at")[:limit]
        )
        if not pending:
            return 0
        for index, object_id in dict.fromkeys((c.index, c.object_id) for c in pending):
            document = _document(index, object_id)
            if document is None:
                entries_delete(index, [object_id])
            else:
                entries_write(index, [document])
        IndexChange.objects.filter(pk__in=[change.pk for change in pending]).update(
            stored_at=timezone.now()
        )
    return len(pending)


def index_changes_apply(*, limit: int = 500) -> int:
    """Apply pending changes to the database's search index, then to Elasticsearch's, oldest
    first; return how many were applied to Elasticsearch.

    Changes for an index not built yet wait (``search_reindex`` builds it from the database,
    which covers them). Raises on Elasticsearch errors, leaving the rows pending.
    """
    entry_changes_apply(limit=limit)
    if not search_is_available():
        return 0  # Elasticsearch's part waits in the outbox (the periodic sweep applies it)
    client = get_client()
    built = [name for name in INDEXES if client.indices.exists_alias(name=index_name(name))]
    if not built:
        return 0
    with transaction.atomic():
        pending = list(
            IndexChange.objects.select_for_update(skip_locked=True)
            .filter(applied_at__isnull=True, index__in=built)
            .order_by("created_at")[:limit]
        )
        if not pending:
            return 0
        actions = []
        for index, object_id in dict.fromkeys((c.index, c.object_id) for c in pending):
            alias = index_name(index)
            document = _document(index, object_id)
            if document is None:
                actions.append({"_op_type": "delete", "_index": alias, "_id": str(object_id)})
            else:
                actions.append({"_index": alias, **document})
        _done, errors = helpers.bulk(client, actions, raise_on_error=False, raise_on_exception=True)
        retry = _to_retry(errors)
        applied = [
            change.pk for change in pending if (change.index, str(change.object_id)) not in retry
        ]
        IndexChange.objects.filter(pk__in=applied).update(applied_at=timezone.now())
    if retry:
        logger.warning("%d index update(s) refused for now; kept for the next run", len(retry))
    return len(applied)


def _to_retry(errors: list[dict]) -> set[tuple[str, str]]:
    """The documents of a bulk request to send again, as (index, id): those refused for a reason
    that passes (a shard without its primary while a node is lost, too many requests). Deleting
    a document that is not there is done; a document the index refuses for good (its mapping) is
    logged and not retried, so that it does not hold up every change behind it."""
    retry = set()
    for error in errors:
        outcome = next(iter(error.values()))
        status = outcome.get("status") or 503
        if status == 404:
            continue
        if status == 429 or status >= 500:
            retry.add((_index_of(outcome.get("_index", "")), str(outcome.get("_id"))))
        else:
            logger.error("Elasticsearch refused a document for good: %s", outcome)
    return retry


def _index_of(concrete: str) -> str:
    """Which of our indexes (``services``...) a concrete index (``<alias>-<version>``) is."""
    for name in INDEXES:
        alias = index_name(name)
        if concrete == alias or concrete.startswith(f"{alias}-"):
            return name
    return concrete


def synonyms_refresh() -> list[str]:
    """Rebuild the indexes built with an older synonym set; return their names.

    The synonyms are part of each index's analysis settings, so a taxonomy change takes effect
    through a rebuild (searches keep answering from the old index until the alias moves).
    """
    stale = stale_indexes()
    for name in stale:
        logger.info("Rebuilding the %s index: the taxonomy's synonyms changed", name)
        index_rebuild(name=name)
    return stale


def taxonomy_changed() -> None:
    """Refresh the synonym sets once the current transaction commits (once per transaction)."""
    SYNONYMS.forget()  # the database's search reads them again (other processes within a minute)
    task_enqueue_once("search.tasks.synonyms_refresh_task")


def entries_drift_repair() -> dict[str, int]:
    """The database's search index against the pages: missing or outdated entries written again,
    entries without a live page deleted."""
    written = deleted = 0
    for name, (_document_class, all_documents) in INDEXES.items():
        expected = {int(document["_id"]): document for document in all_documents()}
        stored = dict(
            SearchEntry.objects.filter(index=name).values_list("page_id", "document__published_at")
        )
        outdated = [
            document
            for page_id, document in expected.items()
            if stored.get(page_id, "missing") != document["published_at"]
        ]
        orphans = stored.keys() - expected.keys()
        with transaction.atomic():
            written += entries_write(name, outdated)
            deleted += entries_delete(name, orphans) if orphans else 0
    return {"written": written, "deleted": deleted}


def index_drift_repair() -> dict[str, int]:
    """Compare each built index with the database and repair what differs; return what was done.

    An index built with an older synonym set is rebuilt. A live page missing from an index, or
    indexed before its (or its provider's) last publication, is written again; a document
    without a live page is deleted. Catches what the recorded changes could not (a restored
    backup, a lost index, a lost task, a bug).
    """
    entries_drift_repair()
    rebuilt = synonyms_refresh()
    client = get_client()
    written = deleted = 0
    for name, (_document_class, all_documents) in INDEXES.items():
        alias = index_name(name)
        if not client.indices.exists_alias(name=alias):
            continue
        expected = {int(document["_id"]): document for document in all_documents()}
        client.indices.refresh(index=alias)  # see every write so far, not the last second's
        indexed = {
            int(hit["_id"]): (hit.get("_source") or {}).get("published_at")
            for hit in helpers.scan(client, index=alias, _source=["published_at"], size=1000)
        }
        actions = [
            {"_index": alias, **document}
            for page_id, document in expected.items()
            if indexed.get(page_id, "missing") != document["published_at"]
        ]
        orphans = indexed.keys() - expected.keys()
        actions += [
            {"_op_type": "delete", "_index": alias, "_id": str(page_id)} for page_id in orphans
        ]
        helpers.bulk(client, actions, raise_on_error=False, raise_on_exception=True)
        written += len(actions) - len(orphans)
        deleted += len(orphans)
    return {"written": written, "deleted": deleted, "rebuilt": len(rebuilt)}
