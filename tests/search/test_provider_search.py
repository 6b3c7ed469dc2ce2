import pytest

from cms.models import ProviderPage
from search.queries import ProviderQuery

pytestmark = pytest.mark.django_db


def test_providers_are_found_by_what_their_listings_do_in_either_language(engine):
    wuxi = ProviderPage.objects.get(organisation__external_id="demo-p003")  # ADC conjugation

    by_english = {
        hit["id"]
        for hit in engine.providers(ProviderQuery(text="antibody-drug conjugate"))["results"]
    }
    by_chinese = {
        hit["id"] for hit in engine.providers(ProviderQuery(text="抗体偶联药物"))["results"]
    }

    assert wuxi.pk in by_english
    assert wuxi.pk in by_chinese


def test_provider_filters_and_facet_counts_agree(engine):
    unfiltered = engine.providers(ProviderQuery())
    assert unfiltered["count"] == ProviderPage.objects.live().count()

    for name in ("zone", "standard", "capability", "kind"):
        bucket = unfiltered["facets"][name][0]
        assert (
            engine.providers(ProviderQuery(filters={name: [bucket["value"]]}))["count"]
            == bucket["count"]
        )


def test_the_providers_api_answers_and_falls_back_to_the_database(
    client, search_indexes, elasticsearch_unreachable
):
    response = client.get("/api/v1/search/providers", {"zone": "hainan_ftp", "verified": "true"})

    body = response.json()
    assert response.status_code == 200
    assert body["degraded"] is True
    assert body["count"] > 0
    assert all(hit["zone"] == "hainan_ftp" and hit["is_verified"] for hit in body["results"])
