import pytest

from cms.demo import PLACEHOLDER_PROVIDERS, load_demo_site
from cms.models import HomePage, ProviderPage

pytestmark = pytest.mark.django_db


def test_demo_site_serves_the_home_page_with_its_providers(client):
    load_demo_site()

    response = client.get("/")

    assert response.status_code == 200
    assert isinstance(response.context["page"], HomePage)
    for name, city, _summary in PLACEHOLDER_PROVIDERS:
        assert name in response.text
        assert city in response.text


def test_loading_the_demo_twice_creates_nothing_the_second_time():
    first = load_demo_site()
    pages_after_first = ProviderPage.objects.count()

    second = load_demo_site()

    assert first["created"] == len(PLACEHOLDER_PROVIDERS) + 2
    assert second["created"] == 0
    assert ProviderPage.objects.count() == pages_after_first == len(PLACEHOLDER_PROVIDERS)


def test_provider_page_is_served_in_chinese_when_the_reader_asks_for_it(client):
    load_demo_site()
    provider = ProviderPage.objects.get(slug="shanghai-dmpk-laboratories")

    response = client.get(provider.url, headers={"accept-language": "zh-hans"})

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert "Shanghai DMPK Laboratories" in response.text


def test_admin_sign_in_page_is_served(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert 'name="password"' in response.text
