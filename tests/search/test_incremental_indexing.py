"""Page changes reach the index through recorded changes applied after commit, and survive an
Elasticsearch outage."""

import pytest

from cms.importer import providers_import
from cms.models import ServicePage
from search.client import get_client, index_name
from search.fallback import search_services_from_database
from search.indexing import SERVICES
from search.models import IndexChange, SearchEntry
from search.queries import ServiceQuery
from search.services import entries_drift_repair, index_changes_apply
from tests.factories import provider_bundle, provider_record

pytestmark = pytest.mark.django_db


def indexed(page_id: int) -> bool:
    client = get_client()
    client.indices.refresh(index=index_name(SERVICES))
    return client.exists(index=index_name(SERVICES), id=str(page_id))


def stored(page_id: int) -> bool:
    return SearchEntry.objects.filter(index=SERVICES, page_id=page_id).exists()


def publish_new_provider(external_id: str, capture) -> ServicePage:
    with capture(execute=True):
        report = providers_import(bundle=provider_bundle(provider_record(external_id)))
    assert report.ok
    return ServicePage.objects.get(external_id=f"{external_id}-s1")


def test_publish_unpublish_and_delete_update_one_document_each(
    services_index, django_capture_on_commit_callbacks
):
    service = publish_new_provider("inc-1", django_capture_on_commit_callbacks)
    assert indexed(service.pk)

    with django_capture_on_commit_callbacks(execute=True):
        service.unpublish()
    assert not indexed(service.pk)

    with django_capture_on_commit_callbacks(execute=True):
        service.save_revision().publish()
    assert indexed(service.pk)

    with django_capture_on_commit_callbacks(execute=True):
        service.delete()
    assert not indexed(service.pk)
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()


def test_unpublishing_a_provider_takes_its_listings_out_of_search(
    services_index, django_capture_on_commit_callbacks
):
    service = publish_new_provider("inc-2", django_capture_on_commit_callbacks)
    provider = service.get_parent().specific

    with django_capture_on_commit_callbacks(execute=True):
        provider.unpublish()

    assert not indexed(service.pk)


def test_changes_made_while_elasticsearch_is_down_are_applied_when_it_is_back(
    services_index, django_capture_on_commit_callbacks, settings
):
    from search.client import configure

    original = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    configure()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = providers_import(bundle=provider_bundle(provider_record("inc-3")))
    finally:
        settings.ELASTICSEARCH_URL = original
        configure()

    assert report.ok  # publishing did not depend on Elasticsearch
    service = ServicePage.objects.get(external_id="inc-3-s1")
    assert service.live
    assert IndexChange.objects.filter(object_id=service.pk, applied_at__isnull=True).exists()
    assert not indexed(service.pk)
    # The database's own search index took the change at once, through the same outbox.
    assert stored(service.pk)
    assert not IndexChange.objects.filter(stored_at__isnull=True).exists()

    index_changes_apply()

    assert indexed(service.pk)
    assert not IndexChange.objects.filter(applied_at__isnull=True).exists()


def test_the_sweep_repairs_a_deliberately_stale_index(services_index):
    from search.services import index_drift_repair

    client = get_client()
    alias = index_name(SERVICES)
    missing, stale = ServicePage.objects.live().order_by("pk")[:2]
    client.delete(index=alias, id=str(missing.pk))
    client.update(index=alias, id=str(stale.pk), doc={"published_at": "2000-01-01T00:00:00+00:00"})
    client.index(index=alias, id="999999", document={"title_en": "A listing long gone"})
    client.indices.refresh(index=alias)

    repaired = index_drift_repair()

    assert repaired["written"] >= 2 and repaired["deleted"] >= 1
    assert indexed(missing.pk)
    assert not indexed(999999)
    assert client.get(index=alias, id=str(stale.pk))["_source"]["published_at"] != (
        "2000-01-01T00:00:00+00:00"
    )
    client.indices.refresh(index=index_name("*"))
    assert index_drift_repair() == {"written": 0, "deleted": 0, "rebuilt": 0}


def test_the_database_search_follows_publish_unpublish_and_delete(
    elasticsearch_unreachable, django_capture_on_commit_callbacks
):
    def found() -> set[int]:
        query = ServiceQuery(filters={"zone": ["jiangsu_ftz"]}, text="GLP rodent toxicology")
        return {hit["id"] for hit in search_services_from_database(query)["results"]}

    service = publish_new_provider("inc-db", django_capture_on_commit_callbacks)
    assert service.pk in found()

    with django_capture_on_commit_callbacks(execute=True):
        service.unpublish()
    assert service.pk not in found() and not stored(service.pk)

    with django_capture_on_commit_callbacks(execute=True):
        service.save_revision().publish()
    assert service.pk in found()

    with django_capture_on_commit_callbacks(execute=True):
        service.delete()
    assert not stored(service.pk)


def test_the_sweep_repairs_the_database_search_index(search_entries):
    missing, stale = ServicePage.objects.live().order_by("pk")[:2]
    SearchEntry.objects.filter(index=SERVICES, page_id=missing.pk).delete()
    entry = SearchEntry.objects.get(index=SERVICES, page_id=stale.pk)
    entry.document = {**entry.document, "published_at": "2000-01-01T00:00:00+00:00"}
    entry.save()
    SearchEntry.objects.create(index=SERVICES, page_id=999999, document={"title_en": "Gone"})

    repaired = entries_drift_repair()

    assert repaired == {"written": 2, "deleted": 1}
    assert stored(missing.pk) and not stored(999999)
    assert entries_drift_repair() == {"written": 0, "deleted": 0}
