import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cms.demo import DEMO_CRO, UNVERIFIED_DEMO_PROVIDERS, load_demo_deal, load_demo_site
from cms.models import HomePage, JobPostingPage, ProviderPage, ServicePage, TCMServicePage
from marketplace.accounts.models import Membership, Role
from marketplace.trust.models import Review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_site_serves_the_home_page_with_its_providers(client, demo_site):
    response = client.get("/")

    assert response.status_code == 200
    assert isinstance(response.context["page"], HomePage)
    featured = response.context["providers"]
    assert len(featured) == 8
    assert all(provider.is_verified for provider in featured)  # verified providers come first
    assert featured[0].title in response.text


def test_demo_loads_thirty_providers_with_services_tcm_listings_and_jobs(demo_site):
    assert ProviderPage.objects.live().count() == 30
    assert ServicePage.objects.live().count() >= 50
    assert TCMServicePage.objects.live().count() >= 5
    assert JobPostingPage.objects.live().filter(level="graduate").count() >= 10
    verified = ProviderPage.objects.filter(organisation__verification_status="verified").count()
    assert verified == 30 - len(UNVERIFIED_DEMO_PROVIDERS)


def test_loading_the_demo_twice_creates_and_republishes_nothing(demo_site):
    pages = ProviderPage.objects.count() + ServicePage.objects.count()

    second = load_demo_site()

    assert (second.created, second.updated, second.pages_published) == (0, 30, 0)
    assert ProviderPage.objects.count() + ServicePage.objects.count() == pages


def test_provider_page_shows_badges_zone_and_price_in_english(client, demo_site):
    provider = ProviderPage.objects.get(organisation__external_id="demo-p001")

    response = client.get(provider.url)

    assert response.status_code == 200
    html = response.text
    assert "China (Jiangsu) Pilot Free Trade Zone" in html
    assert 'class="badge"' in html and "OECD GLP" in html
    assert "badge badge-expired" in html  # the demo's AAALAC accreditation lapsed in 2026
    assert "CNY 353,400" in html
    assert "Request a quote" in html


def test_provider_page_is_served_in_chinese_with_chinese_labels(client, demo_site):
    provider = ProviderPage.objects.get(organisation__external_id="demo-p001")

    response = client.get(provider.url, headers={"accept-language": "zh-hans"})

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert "中国（江苏）自由贸易试验区" in response.text
    assert "苏州康和药物临床前研究有限公司" in response.text
    assert "申请报价" in response.text  # the interface is translated too
    assert "Request a quote" not in response.text


def test_a_chinese_only_listing_is_shown_to_english_readers_labelled(client, demo_site):
    provider = ProviderPage.objects.get(organisation__external_id="demo-p007")
    assert provider.title_en == ""

    response = client.get(provider.url)

    assert response.status_code == 200
    assert provider.title_zh in response.text
    assert 'lang="zh-Hans"' in response.text
    assert "In Chinese" in response.text


def test_staff_sign_in_to_the_admin_with_their_verified_email_address(client):
    UserFactory(
        email="staff@platform.example", is_staff=True, is_superuser=True, email_verified=True
    )

    sign_in_page = client.get("/admin/login/?next=/admin/", follow=True)
    assert sign_in_page.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": "staff@platform.example", "password": "password"}
    )

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_unverified_address_cannot_sign_in_through_the_admin(client):
    UserFactory(email="unverified@example.com", is_staff=True)

    client.post("/admin/login/", {"username": "unverified@example.com", "password": "password"})
    client.post("/accounts/login/", {"login": "unverified@example.com", "password": "password"})

    assert client.get("/admin/").status_code == 302
    assert client.get("/account/").status_code == 302


def test_the_provider_index_is_paginated(client, demo_site):
    first = client.get("/providers/")
    second = client.get("/providers/?page=2")
    beyond = client.get("/providers/?page=99")

    assert len(first.context["providers"]) == 24
    assert len(second.context["providers"]) == ProviderPage.objects.live().count() - 24
    assert beyond.context["providers"].number == 2
    assert 'rel="next"' in first.text


def test_a_service_page_costs_a_fixed_number_of_queries(
    client, demo_site, django_assert_max_num_queries
):
    service = ServicePage.objects.live().filter(external_id="demo-p002-s1").get()
    client.get(service.url)  # warm Wagtail's site and locale caches

    # The provider's certifications and the verifications of its certifications: one query each.
    with django_assert_max_num_queries(18):
        response = client.get(service.url)

    assert response.status_code == 200


def demo_logins(output: str) -> dict[str, str]:
    """The email → password pairs ``load_demo`` prints for people to sign in with."""
    admin = re.search(r"email (\S+)\s+password '([^']+)'", output)
    others = re.findall(r"(\S+@\S+) / '([^']+)'", output)
    return dict([admin.groups(), *others])


def test_every_demo_login_load_demo_prints_opens_what_its_role_uses(settings, demo_site):
    settings.DEBUG = True  # the demo command is for the local site only
    output = StringIO()
    call_command("load_demo", stdout=output, stderr=StringIO())
    logins = demo_logins(output.getvalue())
    assert set(logins) == {
        "admin@example.com", "buyer@example.com", "cro@example.com", "graduate@example.com",
    }  # fmt: skip
    settings.DEBUG = False

    clients = {}
    for email, password in logins.items():
        clients[email] = Client()
        signed_in = clients[email].post("/accounts/login/", {"login": email, "password": password})
        assert signed_in.status_code == 302, email

    admin, buyer, cro, graduate = (
        clients[f"{name}@example.com"] for name in ("admin", "buyer", "cro", "graduate")
    )
    assert admin.get("/admin/").status_code == 200
    assert admin.get("/django-admin/").status_code == 200
    assert buyer.get("/deals/").status_code == 200
    assert buyer.get("/admin/").status_code == 302  # buyers do not edit pages
    assert cro.get("/deals/").status_code == 200
    assert cro.get("/admin/").status_code == 200
    for path in ("/account/", "/applications/", "/applications/saved/", "/applications/profile/"):
        assert graduate.get(path).status_code == 200, path
    candidate = graduate.get("/applications/").text
    assert "Withdraw" in candidate  # the demo application, still open
    assert "2 saved jobs" in graduate.get("/account/").text
    assert graduate.get("/admin/").status_code == 302  # candidates do not edit pages
    own = ProviderPage.objects.get(organisation__external_id="demo-p002")
    other = ProviderPage.objects.get(organisation__external_id="demo-p001")
    edit = cro.get(reverse("wagtailadmin_pages:edit", args=[own.pk]))
    assert edit.status_code == 200 and own.title in edit.text
    refused = cro.get(reverse("wagtailadmin_pages:edit", args=[other.pk]))
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    explorer = cro.get(reverse("wagtailadmin_explore_root"), follow=True)
    assert own.title in explorer.text and other.title not in explorer.text


def test_loading_the_demo_again_gives_an_existing_demo_provider_login_its_editing_rights(
    demo_site,
):
    # As a demo loaded before memberships went through the service left it: a member, no rights.
    cro = get_user_model().objects.create_user(email=DEMO_CRO[0], password=DEMO_CRO[1])
    own = ProviderPage.objects.get(organisation__external_id="demo-p002")
    Membership.objects.create(user=cro, organisation=own.organisation, role=Role.OWNER)
    assert not own.permissions_for_user(cro).can_edit()

    load_demo_deal()
    load_demo_deal()  # every `make run` loads it again: nothing doubles

    # An earlier deal, completed and reviewed once, with the CRO's answer: on the CRO's page.
    (review,) = Review.objects.filter(provider=own.organisation)
    assert review.contract.status == "completed" and review.reply
    assert "Clean equilibrium-dialysis data" in Client().get(own.url).text

    membership = Membership.objects.get(user=cro)
    assert (membership.organisation_id, membership.role) == (own.organisation_id, Role.OWNER)
    cro = get_user_model().objects.get(pk=cro.pk)  # permissions are cached on the instance
    assert own.permissions_for_user(cro).can_edit()
    assert own.permissions_for_user(cro).can_publish()  # demo-p002 is verified


def test_the_home_page_searches_browses_capabilities_and_leads_to_tcm(client, demo_site):
    english = client.get("/").text
    chinese = client.get("/", headers={"accept-language": "zh-hans"}).text

    assert 'action="/search/"' in english and 'name="q"' in english
    assert 'href="/search/?q=GLP%20rodent%20tox"' in english
    assert 'href="/search/?q=%E4%BD%93%E5%A4%96ADME"' in english  # 体外ADME: both languages
    assert 'href="/search/?capability=safety">Safety assessment (toxicology)</a>' in english
    assert 'href="/tcm/"' in english and "Find TCM services" in english
    assert ">中医药</a>" in chinese and "按服务能力搜索" in chinese


def test_a_missing_page_is_designed_and_translated(client, demo_site):
    response = client.get("/no-such-page/", headers={"accept-language": "zh-hans"})

    assert response.status_code == 404
    assert "此页面不存在" in response.text and 'name="q"' in response.text


def test_a_graduate_sees_the_candidate_profile_before_organisations(client):
    graduate = UserFactory(email_verified=True)
    client.force_login(graduate)

    page = client.get("/account/").text

    assert page.index("Set up your candidate profile") < page.index("Set up an organisation")
    assert 'href="/applications/profile/"' in page


def test_tcm_services_have_their_own_landing(client, demo_site):
    landing = client.get("/tcm/", follow=True)
    chinese = client.get("/search/?capability=tcm", headers={"accept-language": "zh-hans"}).text

    assert landing.redirect_chain == [("/search/?capability=tcm", 302)]
    assert "TCM “Internet plus” services</h1>" in landing.text
    assert landing.context["result"]["count"] > 0
    assert all(hit["kind"] == "tcm" for hit in landing.context["result"]["results"])
    assert "“互联网+”中医药服务</h1>" in chinese


def test_a_signed_in_buyer_reads_prices_in_their_currency_too(client, demo_site):
    from tests.factories import buyer_party, fx_rates

    fx_rates()
    listing = ServicePage.objects.live().filter(price_from_amount__isnull=False).first()
    provider_url = listing.get_parent().url
    anonymous = client.get(listing.url).text + client.get(provider_url).text
    client.force_login(buyer_party(country="DE").owner)

    page = client.get(listing.url).text
    results = client.get("/search/?q=toxicology").text
    provider = client.get(provider_url).text  # each service card

    assert "at today’s rate" not in anonymous
    for shown in (page, results, provider):
        assert re.search(r"about EUR [\d,]+\.\d\d at today’s rate", shown)
