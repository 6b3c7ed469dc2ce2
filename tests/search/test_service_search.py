"""Service search against the real Elasticsearch node, over the demo providers."""

from decimal import Decimal

import pytest

from cms.models import ServicePage
from search.client import get_client, index_name
from search.fallback import search_services_from_database
from search.indexing import SERVICES, index_rebuild
from search.queries import PAGE_SIZE, ServiceQuery, search_services
from search.text import terms

pytestmark = pytest.mark.django_db


def titles(engine, text="", **kwargs) -> list[str]:
    return [hit["title"] for hit in engine.services(ServiceQuery(text=text, **kwargs))["results"]]


def ids(engine, text="", **kwargs) -> set[int]:
    return {hit["id"] for hit in engine.services(ServiceQuery(text=text, **kwargs))["results"]}


def test_abbreviation_english_and_chinese_names_of_a_capability_find_the_same_listings(engine):
    adc = ids(engine, "ADC")

    assert adc == ids(engine, "antibody-drug conjugate") == ids(engine, "抗体偶联药物")
    assert "ADC conjugation and linker-payload synthesis" in titles(engine, "抗体偶联药物")


def test_an_english_query_finds_a_listing_written_only_in_chinese(engine):
    chinese_only = ServicePage.objects.get(external_id="demo-p007-s1")  # 药物化学FTE团队
    assert chinese_only.title_en == ""

    assert chinese_only.pk in ids(engine, "medicinal chemistry")


def test_a_typo_in_a_long_word_is_forgiven_but_not_in_a_short_abbreviation(engine):
    typo = engine.services(ServiceQuery(text="toxicolgy"))
    spelled = engine.services(ServiceQuery(text="toxicology"))

    assert typo["count"] >= spelled["count"] - 1 > 0  # all but a synonym-only match
    assert {hit["id"] for hit in typo["results"]} <= {hit["id"] for hit in spelled["results"]}
    top = typo["results"][0]
    assert "toxicolog" in " ".join([top["title_en"], *top["capabilities"]]).lower()
    assert engine.services(ServiceQuery(text="ADX"))["count"] == 0


def test_a_capability_filter_covers_the_codes_beneath_it(engine):
    safety = engine.services(ServiceQuery(filters={"capability": ["safety"]}))
    rodent = engine.services(
        ServiceQuery(filters={"capability": ["safety.general_toxicology.rodent"]})
    )

    assert rodent["count"] > 0
    assert safety["count"] > rodent["count"]
    assert {hit["id"] for hit in rodent["results"]} <= {hit["id"] for hit in safety["results"]}


def test_facet_counts_match_what_each_filter_returns(engine):
    unfiltered = engine.services(ServiceQuery())

    for name in ("zone", "capability", "standard", "delivery"):
        bucket = unfiltered["facets"][name][0]
        filtered = engine.services(ServiceQuery(filters={name: [bucket["value"]]}))
        assert filtered["count"] == bucket["count"], name


def test_price_ceiling_and_price_sort_use_exact_cny_amounts(engine):
    result = engine.services(ServiceQuery(price_max=Decimal("50000"), sort="price"))

    prices = [Decimal(hit["price_from"]) for hit in result["results"]]
    assert prices and all(price <= Decimal("50000") for price in prices)
    assert prices == sorted(prices)
    assert all(hit["price_currency"] == "CNY" for hit in result["results"])


def test_matches_are_highlighted(engine):
    hit = engine.services(ServiceQuery(text="cryo-EM structures"))["results"][0]

    assert "<mark>" in hit["highlight"]["title_en"]


def test_results_are_paginated(engine):
    first = engine.services(ServiceQuery(page=1))
    second = engine.services(ServiceQuery(page=2))

    assert len(first["results"]) == PAGE_SIZE
    assert not {hit["id"] for hit in first["results"]} & {hit["id"] for hit in second["results"]}
    assert first["count"] == second["count"]


def test_verified_only_keeps_verified_providers(engine):
    result = engine.services(ServiceQuery(verified_only=True))

    assert 0 < result["count"] < engine.services(ServiceQuery())["count"]
    assert all(hit["is_verified"] for hit in result["results"])


def test_reindexing_swaps_the_alias_and_removes_the_old_index(services_index):
    client = get_client()
    alias = index_name(SERVICES)
    before = search_services(ServiceQuery(text="ADC"))

    rebuilt = index_rebuild(name=SERVICES)

    assert list(client.indices.get_alias(name=alias)) == [rebuilt["index"]]
    assert not client.indices.exists(index=services_index["index"])
    assert search_services(ServiceQuery(text="ADC"))["count"] == before["count"]


def test_the_api_answers_with_results_facets_and_timing(client, services_index):
    response = client.get(
        "/api/v1/search/services", {"q": "ADC", "capability": "biologics", "zone": "jiangsu_ftz"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    assert {"results", "facets", "took_ms", "degraded"} <= set(body)
    first = body["results"][0]
    assert first["zone"] == "jiangsu_ftz"
    assert first["url"].startswith("/providers/")


def test_the_api_refuses_bad_parameters_with_400(client, services_index):
    response = client.get("/api/v1/search/services", {"page": "0", "price_max": "lots"})

    assert response.status_code == 400
    assert set(response.json()) == {"page", "price_max"}


def test_the_api_answers_from_the_database_when_elasticsearch_is_down(
    client, elasticsearch_unreachable
):
    response = client.get(
        "/api/v1/search/services", {"q": "toxicology", "zone": "jiangsu_ftz", "sort": "price"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    assert body["count"] > 0
    assert all(hit["zone"] == "jiangsu_ftz" for hit in body["results"])
    prices = [Decimal(hit["price_from"]) for hit in body["results"]]
    assert prices == sorted(prices)
    assert {"results", "facets", "took_ms", "count"} <= set(body)


def test_the_database_fallback_finds_what_the_index_finds_for_plain_words(
    services_index, search_entries
):

    for text in ("toxicology", "抗体"):
        indexed = {hit["id"] for hit in search_services(ServiceQuery(text=text))["results"]}
        fallback = {
            hit["id"] for hit in search_services_from_database(ServiceQuery(text=text))["results"]
        }
        assert indexed & fallback, text


@pytest.mark.parametrize(
    "query",
    [
        ServiceQuery(filters={"zone": ["beijing_ftz", "hainan_ftp"]}),
        ServiceQuery(filters={"standard": ["GLP"]}),
        ServiceQuery(filters={"tier": ["pilot_ftz"], "delivery": ["onsite"]}),
        ServiceQuery(filters={"capability": ["dmpk"]}, verified_only=True),
        ServiceQuery(price_max=Decimal("100000"), turnaround_max=60),
    ],
)
def test_the_database_fallback_applies_every_filter_like_the_index(
    services_index, search_entries, query
):
    indexed = search_services(query)
    fallback = search_services_from_database(query)

    assert fallback["count"] == indexed["count"] > 0
    assert fallback["degraded"] is True


def test_the_database_fallback_sorts_and_pages_in_the_database(services_index, search_entries):
    by_price = search_services_from_database(ServiceQuery(sort="price"))
    second = search_services_from_database(ServiceQuery(sort="price", page=2))

    prices = [Decimal(hit["price_from"]) for hit in by_price["results"] + second["results"]]
    assert prices == sorted(prices)
    assert len(by_price["results"]) == PAGE_SIZE
    assert not {hit["id"] for hit in by_price["results"]} & {hit["id"] for hit in second["results"]}


@pytest.mark.parametrize(
    "query",
    [
        ServiceQuery(),
        ServiceQuery(filters={"zone": ["jiangsu_ftz"]}),
        ServiceQuery(filters={"capability": ["safety"], "standard": ["GLP"]}),
        ServiceQuery(price_max=Decimal("100000"), verified_only=True),
    ],
)
def test_the_database_engine_counts_the_same_facets_as_elasticsearch(
    services_index, search_entries, query
):
    indexed = search_services(query)
    stored = search_services_from_database(query)

    assert stored["facets"] == indexed["facets"]
    assert stored["count"] == indexed["count"]


def test_both_engines_rank_the_exact_listing_first_and_suggest_the_spelling(engine):
    typo = engine.services(ServiceQuery(text="pharmacokinetcs"))

    assert typo["did_you_mean"] == "pharmacokinetics"
    assert engine.services(ServiceQuery(text="pharmacokinetics"))["did_you_mean"] is None
    first = engine.services(ServiceQuery(text="cryo-EM structures"))["results"][0]
    assert "cryo-em" in first["title"].lower()


def test_a_standard_named_in_the_query_finds_the_listings_that_follow_it(engine):
    device_testing = ServicePage.objects.get(external_id="demo-p016-s1")  # a GLP provider's
    assert "GLP" not in device_testing.title_en + device_testing.description_en

    assert device_testing.pk in {
        hit["id"]
        for page in (1, 2)
        for hit in engine.services(ServiceQuery(text="GLP", page=page))["results"]
    }


@pytest.mark.parametrize("text", ["Type S", "the of", '"', "*", "OR", "!", "😀", "o'reilly's"])
def test_queries_that_analysis_empties_answer_alike_from_both_engines(
    services_index, search_entries, text
):
    indexed = search_services(ServiceQuery(text=text))
    stored = search_services_from_database(ServiceQuery(text=text))

    assert stored["count"] == indexed["count"]
    if not terms(text):
        assert stored["count"] == 0
