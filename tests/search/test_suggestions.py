"""Helping buyers phrase a search: "did you mean", suggestions as they type, and synonyms that
follow the taxonomy."""

import pytest

from marketplace import page_cache
from marketplace.catalog.models import TaxonomyNode
from search.documents import JobDocument
from search.indexing import JOBS, stale_indexes
from search.queries import ServiceQuery, search_services
from search.services import synonyms_refresh

pytestmark = pytest.mark.django_db


def test_a_misspelt_query_gets_a_corrected_one(services_index, search_entries):
    answer = search_services(ServiceQuery(text="GLP rodent toxicolgy"))

    assert answer["did_you_mean"] == "GLP rodent toxicology"


def test_a_correctly_spelt_query_gets_no_correction(services_index):
    for text in ("GLP rodent toxicology", "ADC", "抗体偶联药物", "in vitro ADME"):
        assert search_services(ServiceQuery(text=text))["did_you_mean"] is None, text


def test_the_search_page_offers_the_correction_as_a_link(client, services_index, search_entries):
    response = client.get("/search/", {"q": "toxicolgy", "zone": "beijing_ftz"})

    assert "Did you mean" in response.text
    assert "?q=toxicology&amp;zone=beijing_ftz" in response.text


def test_suggestions_offer_capabilities_and_listings_as_the_buyer_types(client, services_index):
    response = client.get("/api/v1/search/suggest", {"q": "toxi"})

    assert response.status_code == 200
    body = response.json()
    codes = [capability["code"] for capability in body["capabilities"]]
    assert "safety.general_toxicology" in codes
    assert body["capabilities"][0]["url"].startswith("/search/?capability=")
    assert body["listings"], body
    assert all("toxi" in listing["title"].lower() for listing in body["listings"])
    assert body["degraded"] is False


def test_suggestions_understand_chinese_and_abbreviations(client, services_index):
    chinese = client.get("/api/v1/search/suggest", {"q": "抗体偶联"}).json()
    abbreviation = client.get("/api/v1/search/suggest", {"q": "adc"}).json()

    assert "biologics.adc" in [capability["code"] for capability in chinese["capabilities"]]
    assert "biologics.adc" in [capability["code"] for capability in abbreviation["capabilities"]]
    assert chinese["listings"]


def test_suggestions_need_some_text(client):
    response = client.get("/api/v1/search/suggest")

    assert response.status_code == 400
    assert "q" in response.json()


def test_suggestions_keep_the_capabilities_when_elasticsearch_is_down(
    client, elasticsearch_unreachable
):
    body = client.get("/api/v1/search/suggest", {"q": "toxi"}).json()

    assert body["degraded"] is True
    assert body["listings"] == []
    assert "safety.general_toxicology" in [
        capability["code"] for capability in body["capabilities"]
    ]


def test_a_new_synonym_in_the_taxonomy_reaches_the_search(
    search_indexes, django_capture_on_commit_callbacks
):
    adc = TaxonomyNode.objects.get(code="biologics.adc")
    original = list(adc.synonyms)
    assert search_services(ServiceQuery(text="immunoconjugate"))["count"] == 0

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        adc.synonyms = [*original, "immunoconjugate"]
        adc.save()
        adc.save()
    # One refresh per transaction, however many nodes changed (and the pages start afresh).
    (refresh,) = [callback for callback in callbacks if callback is not page_cache._new_generation]
    assert set(stale_indexes()) == set(search_indexes)
    try:
        refresh()  # the transaction commits: the indexes are rebuilt with the new synonym

        assert stale_indexes() == []
        found = {
            hit["id"] for hit in search_services(ServiceQuery(text="immunoconjugate"))["results"]
        }
        assert found == {hit["id"] for hit in search_services(ServiceQuery(text="ADC"))["results"]}
    finally:
        adc.synonyms = original
        adc.save()  # in this test's transaction the refresh is already registered: run it
        assert synonyms_refresh() == list(search_indexes)


def test_an_index_built_with_an_older_mapping_is_stale(search_indexes, monkeypatch):
    from search import indexing

    assert stale_indexes() == []
    built_with = indexing.mapping_fingerprint
    monkeypatch.setattr(  # the code now maps one more field for jobs than the index has
        indexing,
        "mapping_fingerprint",
        lambda document_class: (
            "changed" if document_class is JobDocument else built_with(document_class)
        ),
    )

    assert stale_indexes() == [JOBS]
