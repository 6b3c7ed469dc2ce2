"""Public pages kept for anonymous readers (marketplace/page_cache.py): served without a query,
per language, never to a signed-in reader, and fresh once anything they show changes."""

from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import ProviderPage, ServicePage
from marketplace import page_cache
from marketplace.accounts.models import Organisation
from marketplace.accounts.services import organisation_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs, at the end of the block, what a commit would tell the page cache (and only that:
    the search index the other tests share is left alone)."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks() as callbacks:
            yield
        for callback in callbacks:
            if callback is page_cache._new_generation:
                callback()

    return block


@pytest.fixture
def provider():
    return ProviderPage.objects.get(organisation__external_id="demo-p001")


def test_a_second_anonymous_read_is_served_without_a_query(client, provider):
    first = client.get(provider.url)

    with CaptureQueriesContext(connection) as queries:
        second = client.get(provider.url)

    assert len(queries) == 0

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["X-Frame-Options"] == first["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_each_language_is_kept_apart(client, provider):
    english = client.get(provider.url, HTTP_ACCEPT_LANGUAGE="en").text
    chinese = client.get(provider.url, HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "Request a quote" in english
    assert "申请报价" in chinese and "Request a quote" not in chinese
    assert client.get(provider.url, HTTP_ACCEPT_LANGUAGE="en").text == english


def test_a_signed_in_reader_never_gets_the_anonymous_page(client, provider):
    client.get(provider.url)  # kept
    client.force_login(UserFactory())

    response = client.get(provider.url)

    assert "Sign out" in response.text and "Sign in" not in response.text


def test_publishing_a_listing_shows_on_its_provider_page_at_the_next_read(
    client, provider, committed
):
    listing = ServicePage.objects.child_of(provider).live().first()
    assert listing.title in client.get(provider.url).text

    with committed():
        listing.title_en = "Renamed rodent toxicology package"
        listing.save_revision().publish()

    assert "Renamed rodent toxicology package" in client.get(provider.url).text


def test_unpublishing_a_listing_takes_it_off_its_page_at_the_next_read(client, provider, committed):
    listing = ServicePage.objects.child_of(provider).live().first()
    assert client.get(listing.url).status_code == 200

    with committed():
        listing.unpublish()

    assert client.get(listing.url).status_code == 404
    assert listing.title not in client.get(provider.url).text


def test_verifying_an_organisation_shows_its_mark_at_the_next_read(client, committed):
    page = ProviderPage.objects.exclude(organisation__verification_status="verified").first()
    assert "Not yet verified" in client.get(page.url).text

    with committed():
        organisation_verify(organisation=Organisation.objects.get(pk=page.organisation_id))

    assert "Verified by the platform" in client.get(page.url).text


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_page_kept_under_an_older_generation_is_rendered_again(client, provider):
    """An entry records the generation it was rendered under (read before rendering): a render
    that raced a publish is a miss after it."""
    client.get(provider.url)
    assert queries_of(client, provider.url) == 0

    page_cache._new_generation()

    assert queries_of(client, provider.url) > 0
    assert queries_of(client, provider.url) == 0


def test_the_language_menu_needs_no_token_and_still_works():
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/providers/"})

    assert response.status_code == 302 and response["Location"] == "/providers/"
    assert response.cookies["django_language"].value == "zh-hans"


def test_the_cache_switched_off_renders_every_read(client, provider, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(provider.url)

    assert queries_of(client, provider.url) > 0


def test_many_changes_in_one_transaction_start_one_generation(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        page_cache.pages_changed()
        page_cache.pages_changed()

    assert callbacks.count(page_cache._new_generation) == 1
