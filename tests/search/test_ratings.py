"""Trust signals in search: the rating sort, the minimum-rating filter, the rating in each result
and the company-of-concern flag (shown, and a filter leaving flagged providers out), on
Elasticsearch and on the database engine, kept current by the outbox."""

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from cms.importer import providers_import
from cms.models import ProviderPage
from marketplace.accounts.models import Membership, Organisation, Role
from marketplace.trust.models import Review
from marketplace.trust.services import (
    concern_list_save,
    review_create,
    review_hide,
    track_records_refresh,
)
from search.client import get_client, index_name
from search.indexing import PROVIDERS, SERVICES, index_rebuild
from search.params import provider_query, service_query
from search.queries import ServiceQuery
from tests.factories import (
    Party,
    UserFactory,
    buyer_party,
    completed_contract,
    provider_bundle,
    provider_record,
)

pytestmark = pytest.mark.django_db

TITLE = {"en": "Axolotl limb regeneration assay", "zh": "美西螈肢体再生试验"}


def _record(external_id: str) -> dict:
    record = provider_record(external_id)
    record["services"][0]["title"] = TITLE
    record["jobs"] = []
    return record


def _reviewed(organisation: Organisation, overalls: list[int]) -> None:
    owner = UserFactory(email_verified=True)
    Membership.objects.create(user=owner, organisation=organisation, role=Role.OWNER)
    for overall in overalls:
        buyer = buyer_party()
        contract = completed_contract(buyer, Party(organisation, owner))
        review_create(
            contract=contract, by=buyer.owner, text="ok", overall=overall, quality=overall,
            timeliness=overall, communication=overall, value=overall,
        )  # fmt: skip


@pytest.fixture
def rated(services_index, django_capture_on_commit_callbacks):
    """Three new providers offering the same assay: one rated 4.5 (two reviews), one 2.0, one
    without reviews; the search indexes updated through the outbox, as after each commit. The
    indexes outlive the test's transaction: its pages are unpublished and the indexes rebuilt."""
    ids = ("rated-high", "rated-low", "rated-none")
    with django_capture_on_commit_callbacks(execute=True):
        assert providers_import(bundle=provider_bundle(*map(_record, ids))).ok
    organisations = {i: Organisation.objects.get(external_id=i) for i in ids}
    with django_capture_on_commit_callbacks(execute=True):
        _reviewed(organisations["rated-high"], [5, 4])
        _reviewed(organisations["rated-low"], [2])
    refreshed()
    yield {i: f"{i}-s1" for i in ids}
    with django_capture_on_commit_callbacks(execute=True):
        for page in ProviderPage.objects.filter(organisation__external_id__in=ids):
            page.unpublish()
    # Deleted documents would still weigh in the other tests' relevance (Elasticsearch keeps
    # them, soft-deleted, past a merge): the two indexes are built afresh, as the suite had them.
    for name in (SERVICES, PROVIDERS):
        index_rebuild(name=name)


def refreshed() -> None:
    """What Elasticsearch was sent is searchable now (it refreshes each second by itself)."""
    get_client().indices.refresh(index=index_name("*"))


def parsed(parser, **params):
    return parser(QueryDict(urlencode(params)))


def assay(engine, **params) -> list[dict]:
    query, errors = parsed(service_query, q="axolotl", **params)
    assert not errors
    return engine.services(query)["results"]


def test_the_best_rated_provider_comes_first_when_sorting_by_rating(engine, rated):
    results = assay(engine, sort="rating")

    assert [r["external_id"] for r in results] == [
        rated["rated-high"], rated["rated-low"], rated["rated-none"],
    ]  # fmt: skip
    assert (results[0]["rating_average"], results[0]["rating_count"]) == (4.5, 2)
    assert (results[2]["rating_average"], results[2]["rating_count"]) == (None, 0)


def test_a_minimum_rating_leaves_out_lower_rated_and_unrated_providers(engine, rated):
    assert [r["external_id"] for r in assay(engine, rating_min="4")] == [rated["rated-high"]]
    assert {r["external_id"] for r in assay(engine, rating_min="2")} == {
        rated["rated-high"], rated["rated-low"],
    }  # fmt: skip


def test_providers_search_filters_by_rating_too(engine, rated):
    query, _errors = parsed(provider_query, q="rated", rating_min="4")
    found = {r["title"] for r in engine.providers(query)["results"]}

    assert "Provider rated-high" in found and "Provider rated-low" not in found


def test_a_hidden_review_leaves_the_rating_in_search(
    engine, rated, django_capture_on_commit_callbacks
):
    low = Review.objects.get(provider__external_id="rated-low")
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        review_hide(review=low, by=staff, reason="Not about the work.")
    refreshed()

    results = {r["external_id"]: r for r in assay(engine)}
    assert results[rated["rated-low"]]["rating_count"] == 0
    assert results[rated["rated-low"]]["rating_average"] is None


def test_a_rating_off_the_scale_is_a_parameter_error():
    for value in ("0", "5.5", "four"):
        query, errors = parsed(service_query, q="x", rating_min=value)
        assert query is None and "rating_min" in errors
    assert parsed(service_query, rating_min="4.5")[0] == ServiceQuery(rating_min=Decimal("4.5"))


def test_the_search_page_shows_the_rating_and_offers_the_sort_and_filter(client, rated):
    english = client.get("/search/", {"q": "axolotl", "sort": "rating"}).text
    chinese = client.get(
        "/search/", {"q": "axolotl", "rating_min": "4"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text

    assert "Rated 4.5 out of 5" in english and "(2 reviews)" in english
    assert "4 stars and above" in english and "sort=rating" in english
    assert "评分 4.5（满分 5）" in chinese and "4 星及以上" in chinese
    assert chinese.count('class="card"') == 1  # only the provider rated 4 or more


def test_providers_on_a_concern_list_are_marked_and_can_be_left_out(
    engine, rated, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        concern_list_save(
            by=staff, name="Companies of concern", source="A register",
            published_on=date(2026, 1, 15), entries=[{"name": "Provider rated-low Co., Ltd."}],
        )  # fmt: skip
    refreshed()

    results = {r["external_id"]: r for r in assay(engine)}
    kept = {r["external_id"] for r in assay(engine, exclude_flagged="true")}
    providers, _errors = parsed(provider_query, q="rated", exclude_flagged="true")

    assert results[rated["rated-low"]]["concern_flagged"]
    assert not results[rated["rated-high"]]["concern_flagged"]
    assert kept == {rated["rated-high"], rated["rated-none"]}
    assert "Provider rated-low" not in {r["title"] for r in engine.providers(providers)["results"]}


def test_each_result_carries_the_provider_s_track_record_once_recomputed(
    engine, rated, client, django_capture_on_commit_callbacks
):
    high = Organisation.objects.get(external_id="rated-high")
    with django_capture_on_commit_callbacks(execute=True):
        _reviewed(high, [5])  # a third completed contract: enough history for shares
        track_records_refresh()
    refreshed()

    results = {r["external_id"]: r for r in assay(engine)}
    providers, _errors = parsed(provider_query, q="rated")
    provider_hits = {r["title"]: r for r in engine.providers(providers)["results"]}
    page = client.get("/search/", {"q": "axolotl"}, HTTP_ACCEPT_LANGUAGE="zh-hans").text

    high_hit, low_hit = results[rated["rated-high"]], results[rated["rated-low"]]
    assert (high_hit["contracts_completed"], high_hit["quoted_percent"]) == (3, 100)
    assert high_hit["median_response_hours"] is not None
    assert (low_hit["contracts_completed"], low_hit["quoted_percent"]) == (1, None)
    assert results[rated["rated-none"]]["contracts_completed"] == 0
    assert provider_hits["Provider rated-high"]["quoted_percent"] == 100
    assert "已报价的询价" in page and "100%" in page and "在本平台完成 3 份合同" in page
