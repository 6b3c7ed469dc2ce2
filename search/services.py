"""Keeping the index in step with the pages: record changes, then apply them."""

import logging

from django.db import transaction
from django.utils import timezone
from elasticsearch import helpers

from cms.models import ProviderPage, ServicePage, TCMServicePage
from search.client import get_client, index_name
from search.indexing import SERVICES, TAXONOMY, provider_with_valid_standards, service_document
from search.indexing import service_documents as service_documents_for_sweep
from search.models import IndexChange

logger = logging.getLogger(__name__)
LISTING_MODELS = (ServicePage, TCMServicePage)


def index_change_record(*, page_id: int, action: str) -> None:
    """Record that a listing changed (in the caller's transaction); apply it after commit.

    A provider's change is recorded for each of its listings, which carry its name and badges.
    """
    listing_ids = [page_id]
    provider = ProviderPage.objects.filter(pk=page_id).first()
    if provider is not None:
        listing_ids = [
            listing.pk
            for model in LISTING_MODELS
            for listing in model.objects.descendant_of(provider).only("pk")
        ]
        action = IndexChange.Action.UPSERT  # a listing under a hidden provider is dropped on apply
    IndexChange.objects.bulk_create(
        IndexChange(index=SERVICES, object_id=listing_id, action=action)
        for listing_id in listing_ids
    )
    transaction.on_commit(_enqueue_apply)


def _enqueue_apply() -> None:
    from search.tasks import index_changes_apply_task

    try:
        index_changes_apply_task.delay()
    except Exception:  # noqa: BLE001 - broker down: the rows wait for the periodic sweep
        logger.warning(
            "Could not enqueue the search update; the sweep will apply it.", exc_info=True
        )


def _listing(page_id: int):
    for model in LISTING_MODELS:
        page = model.objects.live().filter(pk=page_id).prefetch_related(*TAXONOMY).first()
        if page is not None:
            return page
    return None


def index_changes_apply(*, limit: int = 500) -> int:
    """Apply pending changes to the index, oldest first; return how many were applied.

    Does nothing while the index has not been built (``search_reindex`` builds it from the
    database, which covers every change). Raises on Elasticsearch errors, leaving rows pending.
    """
    client = get_client()
    alias = index_name(SERVICES)
    if not client.indices.exists_alias(name=alias):
        return 0
    with transaction.atomic():
        pending = list(
            IndexChange.objects.select_for_update(skip_locked=True)
            .filter(applied_at__isnull=True)
            .order_by("created_at")[:limit]
        )
        if not pending:
            return 0
        actions = []
        for object_id in dict.fromkeys(change.object_id for change in pending):
            page = _listing(object_id)
            provider = page and ProviderPage.objects.live().filter(pk=page.get_parent().pk).first()
            if page is None or provider is None:
                actions.append({"_op_type": "delete", "_index": alias, "_id": str(object_id)})
            else:
                document = service_document(page, provider_with_valid_standards(provider))
                actions.append({"_index": alias, **document})
        helpers.bulk(client, actions, raise_on_error=False, raise_on_exception=True)
        IndexChange.objects.filter(pk__in=[change.pk for change in pending]).update(
            applied_at=timezone.now()
        )
    return len(pending)


def index_drift_repair() -> dict[str, int]:
    """Compare the index with the database and repair what differs; return what was done.

    A live listing missing from the index, or indexed before its (or its provider's) last
    publication, is written again; a document without a live listing is deleted. Catches what
    the recorded changes could not (a restored backup, a lost index, a bug).
    """
    client = get_client()
    alias = index_name(SERVICES)
    if not client.indices.exists_alias(name=alias):
        return {"written": 0, "deleted": 0}
    expected = {int(document["_id"]): document for document in service_documents_for_sweep()}
    indexed = {
        int(hit["_id"]): (hit.get("_source") or {}).get("published_at")
        for hit in helpers.scan(client, index=alias, _source=["published_at"], size=1000)
    }
    actions = [
        {"_index": alias, **document}
        for page_id, document in expected.items()
        if indexed.get(page_id, "missing") != document["published_at"]
    ]
    actions += [
        {"_op_type": "delete", "_index": alias, "_id": str(page_id)}
        for page_id in indexed.keys() - expected.keys()
    ]
    helpers.bulk(client, actions, raise_on_error=False, raise_on_exception=True)
    deleted = len(indexed.keys() - expected.keys())
    return {"written": len(actions) - deleted, "deleted": deleted}
