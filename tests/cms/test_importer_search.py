"""Imported listings in buyer-facing search: a TCM service that also lists other capabilities is
found under each of them, from Elasticsearch and from the database fallback alike."""

import pytest

from cms.importer import providers_import
from cms.models import TCMServicePage
from search.client import get_client, index_name
from search.fallback import search_services_from_database
from search.indexing import PROVIDERS, SERVICES
from search.queries import ProviderQuery, ServiceQuery, search_providers, search_services
from tests.factories import provider_bundle, provider_record

pytestmark = pytest.mark.django_db

TITLE_WORD = "Xuefu"  # in no demo listing


@pytest.fixture
def mixed_tcm_service(services_index, django_capture_on_commit_callbacks):
    """A TCM stability study imported and indexed; its documents are removed afterwards, as the
    database rolls back but the index does not."""
    record = provider_record(
        "srch-tcm",
        name={"en": f"{TITLE_WORD} TCM Research Institute", "zh": "血府中医药研究院"},
        kind="tcm",
        jobs=[],
        services=[
            {
                "external_id": "srch-tcm-s1",
                "title": {
                    "en": f"{TITLE_WORD} stability studies of Chinese patent medicines",
                    "zh": "血府逐瘀中成药稳定性研究",
                },
                "capabilities": ["tcm.quality_standards", "cmc.stability"],
            }
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = providers_import(bundle=provider_bundle(record))
    assert report.ok
    page = TCMServicePage.objects.get(external_id="srch-tcm-s1")
    provider_id = page.get_parent().pk
    client = get_client()
    client.indices.refresh(index=index_name("*"))
    yield page
    for name, document_id in ((SERVICES, page.pk), (PROVIDERS, provider_id)):
        client.options(ignore_status=404).delete(index=index_name(name), id=str(document_id))
    client.indices.refresh(index=index_name("*"))


def found(search, capability: str) -> set[int]:
    query = ServiceQuery(text=TITLE_WORD, filters={"capability": [capability]})
    return {hit["id"] for hit in search(query)["results"]}


@pytest.mark.parametrize("search", [search_services, search_services_from_database])
def test_an_imported_tcm_service_is_found_under_its_tcm_and_its_other_capabilities(
    mixed_tcm_service, search
):
    for capability in ("tcm", "tcm.quality_standards", "cmc", "cmc.stability"):
        assert mixed_tcm_service.pk in found(search, capability), capability
    assert mixed_tcm_service.pk not in found(search, "dmpk")


def test_an_imported_tcm_service_is_a_tcm_result_listing_both_capabilities(mixed_tcm_service):
    (hit,) = [
        hit
        for hit in search_services(ServiceQuery(text=TITLE_WORD))["results"]
        if hit["id"] == mixed_tcm_service.pk
    ]

    assert hit["kind"] == "tcm"
    assert sorted(hit["capabilities"]) == [
        "Stability studies",
        "TCM quality standards and fingerprinting",
    ]


def test_its_provider_is_found_under_the_non_tcm_capability_too(mixed_tcm_service):
    provider_id = mixed_tcm_service.get_parent().pk

    for capability in ("tcm.quality_standards", "cmc.stability"):
        result = search_providers(
            ProviderQuery(text=TITLE_WORD, filters={"capability": [capability]})
        )
        assert provider_id in {hit["id"] for hit in result["results"]}, capability
