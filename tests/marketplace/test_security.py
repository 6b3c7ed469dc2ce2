"""What protects the site from its visitors: headers, rate limits, sign-in throttling, escaping;
and what keeps it up when the shared cache is down."""

import re

import pytest
from django.core.cache import cache

from cms.models import ServicePage
from marketplace.contracting.models import Rfq
from tests.factories import UserFactory, buyer_party

pytestmark = pytest.mark.django_db
REDIS_CACHE = {
    "default": {
        "BACKEND": "marketplace.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
        "KEY_PREFIX": "security-tests",
    }
}


@pytest.fixture
def limits(settings):
    """Rate limits switched on, small, counted in the real Redis from a clean slate."""
    settings.CACHES = REDIS_CACHE
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = [
        ("search", ("GET",), r"^/(search/|jobs/|api/v1/search/)", 3, 60),
        ("rfq", ("POST",), r"^/(deals/rfqs/new/|api/v1/rfqs/$)", 2, 3600),
    ]
    cache.clear()
    yield settings
    cache.clear()


def test_pages_carry_a_content_security_policy_without_inline_script(client, demo_site):
    response = client.get("/")

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["script-src"] == "'self' https://js.stripe.com"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"]
    # Nothing inline that the policy would block: no <script> bodies, no on* handlers.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
    assert not re.search(r"\son[a-z]+=\"", response.text)


def test_searching_too_fast_answers_429_with_retry_after(client, limits):
    for _ in range(3):
        assert client.get("/api/v1/search/services", {"q": "ADME"}).status_code != 429

    api = client.get("/api/v1/search/services", {"q": "ADME"})
    page = client.get("/search/", {"q": "ADME"})

    assert api.status_code == 429 and page.status_code == 429
    assert 1 <= int(api["Retry-After"]) <= 60
    assert "Too many requests" in api.json()["detail"]
    assert "Too many requests" in page.text and "<html" in page.text
    other_client = client.__class__(REMOTE_ADDR="192.0.2.7")
    assert other_client.get("/search/", {"q": "ADME"}).status_code == 200  # per client


def test_sending_rfqs_too_fast_is_refused_and_nothing_is_written(client, limits):
    buyer = buyer_party()
    client.force_login(buyer.owner)
    body = {"title": "Metabolic stability", "scope": "12 compounds", "budget_currency": "USD",
            "capability_codes": ["dmpk.in_vitro_adme"]}  # fmt: skip

    answers = [
        client.post("/api/v1/rfqs/", body, content_type="application/json").status_code
        for _ in range(3)
    ]

    assert answers == [201, 201, 429]
    assert Rfq.objects.filter(buyer=buyer.organisation).count() == 2


def test_the_limits_let_requests_through_when_the_cache_is_down(client, settings, demo_site):
    settings.CACHES = {"default": {**REDIS_CACHE["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = [("search", ("GET",), r"^/search/", 1, 60)]

    answers = [client.get("/search/", {"q": "ADME"}).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert client.get("/").status_code == 200  # Wagtail's cached site roots: a miss, not a 500


def test_sign_in_is_throttled_after_five_failures_for_one_address(client, settings):
    settings.CACHES = REDIS_CACHE
    cache.clear()
    user = UserFactory(email_verified=True)

    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
        assert "not correct" in response.text
    right = client.post("/accounts/login/", {"login": user.email, "password": "password"})

    assert "Too many failed login attempts" in right.text
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_text_from_providers_is_escaped_on_their_pages(client, demo_site):
    listing = ServicePage.objects.live().first()
    listing.description_en = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    listing.save_revision().publish()

    response = client.get(listing.url)

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    assert '<script>alert("x")' not in response.text and "<img src=x" not in response.text


def test_only_the_admin_allows_inline_scripts(client):
    client.force_login(UserFactory(email_verified=True, is_superuser=True, is_staff=True))

    admin = client.get("/admin/")["Content-Security-Policy"]
    site = client.get("/search/")["Content-Security-Policy"]

    assert "script-src 'self' https://js.stripe.com 'unsafe-inline'" in admin
    assert "frame-ancestors 'none'" in admin and "object-src 'none'" in admin
    assert "unsafe-inline" not in site


# --- One way to sign in: allauth's, with its email verification and throttling --------------


@pytest.mark.parametrize("sign_in_url", ["/django-admin/login/", "/admin/login/", "/_util/login/"])
def test_every_sign_in_form_sends_people_to_allauth_keeping_next(client, sign_in_url):
    response = client.get(f"{sign_in_url}?next=/django-admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/django-admin/"


@pytest.mark.parametrize("sign_in_url", ["/django-admin/login/", "/admin/login/", "/_util/login/"])
def test_an_unverified_address_cannot_sign_in_past_allauth(client, sign_in_url):
    UserFactory(email="unverified-staff@example.com", is_staff=True, is_superuser=True)
    credentials = {"username": "unverified-staff@example.com", "password": "password"}

    response = client.post(f"{sign_in_url}?next=/django-admin/", credentials)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/django-admin/").status_code == 302


def test_an_address_locked_out_by_allauth_cannot_sign_in_through_the_django_admin(client, settings):
    settings.CACHES = REDIS_CACHE
    cache.clear()
    user = UserFactory(email_verified=True, is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong"})

    response = client.post("/django-admin/login/", {"username": user.email, "password": "password"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_wagtails_password_reset_sends_people_to_allauths(client, mailoutbox):
    user = UserFactory(email_verified=True, is_staff=True)

    forms = [client.get(url) for url in ("/admin/password_reset/", "/admin/password_reset/done/")]
    sent = client.post("/admin/password_reset/", {"email": user.email})

    assert [form["Location"] for form in forms] == ["/accounts/password/reset/"] * 2
    assert sent.status_code == 302 and sent["Location"] == "/accounts/password/reset/"
    assert mailoutbox == []


@pytest.mark.django_db
def test_wagtails_account_settings_cannot_change_an_email_or_password_past_allauth(client):
    staff = UserFactory(is_superuser=True, is_staff=True, email_verified=True)
    client.force_login(staff)

    page = client.get("/admin/account/")
    client.post("/admin/account/", {
        "name_email-first_name": "A", "name_email-last_name": "B",
        "name_email-email": "unverified@example.com",
        "password-new_password1": "a-new-Passw0rd!", "password-new_password2": "a-new-Passw0rd!",
    })  # fmt: skip

    assert page.status_code == 200
    assert 'name="name_email-email"' not in page.text
    assert 'name="password-new_password1"' not in page.text
    staff.refresh_from_db()
    assert staff.email != "unverified@example.com"
    assert not staff.check_password("a-new-Passw0rd!")
