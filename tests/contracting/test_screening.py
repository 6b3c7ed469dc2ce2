"""Deals are screened where they stand, and again when their facts or the rules change."""

import json

import pytest
from django.urls import reverse

from marketplace.compliance.models import Rule
from marketplace.contracting.services import screenings_refresh
from tests.factories import UserFactory, buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote():
    fx_rates()
    buyer, provider = buyer_party(country="US"), provider_party(zone_code="beijing_ftz")
    return quote_for(rfq_for(buyer, invite=[provider]), provider)


def rules_of(screening) -> set[str]:
    screening.refresh_from_db()
    return {finding["rule"] for finding in screening.findings}


def test_a_quote_is_screened_with_the_providers_zone_and_the_lines_capabilities(quote):
    facts = quote.screening.facts

    assert facts["provider_zone"] == "beijing_ftz"
    assert facts["direction"] == "outbound"
    assert facts["partner_country"] == "US"
    assert facts["capability_codes"] == ["dmpk.in_vitro_adme"]
    assert facts["single_payment_usd_equivalent"] == "7049.73"  # CNY 50,176.00 × 0.1405
    assert quote.screening.outcome == "clear"


def test_a_staff_edit_in_the_admin_screens_the_open_deals_again(
    client, quote, django_capture_on_commit_callbacks
):
    staff = UserFactory(is_superuser=True, is_staff=True, email_verified=True)
    client.force_login(staff)
    rule = Rule.objects.get(slug="work-permit")
    assert "work-permit" not in rules_of(quote.screening)
    form = {
        "slug": rule.slug, "title_en": rule.title_en, "title_zh": rule.title_zh,
        "direction": rule.direction, "scope": rule.scope, "restriction": rule.restriction,
        "flow": rule.flow, "conditions": json.dumps({"partner_country": "US"}),
        "action_en": rule.action_en, "action_zh": rule.action_zh, "authority": rule.authority,
        "source": rule.source, "confidence": rule.confidence,
    }  # fmt: skip
    url = reverse("wagtailsnippets_compliance_rule:edit", args=[rule.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)

    assert response.status_code == 302, response.content[:2000]
    assert "work-permit" in rules_of(quote.screening)


def test_the_admin_refuses_conditions_the_screening_cannot_read(client, quote):
    staff = UserFactory(is_superuser=True, is_staff=True, email_verified=True)
    client.force_login(staff)
    rule = Rule.objects.get(slug="work-permit")
    url = reverse("wagtailsnippets_compliance_rule:edit", args=[rule.pk])
    form = {
        "slug": rule.slug, "title_en": rule.title_en, "direction": rule.direction,
        "scope": rule.scope, "restriction": rule.restriction, "flow": rule.flow,
        "conditions": json.dumps({"foreign_staff": True}), "action_en": rule.action_en,
        "authority": rule.authority, "source": rule.source, "confidence": rule.confidence,
    }  # fmt: skip

    response = client.post(url, form)

    assert response.status_code == 200
    assert "unknown fact" in response.text
    rule.refresh_from_db()
    assert rule.conditions == {"foreign_staff_on_site": True}


def test_the_sweep_redoes_only_screenings_made_with_older_rules(quote):
    assert screenings_refresh(stale_only=True) == 0
    rule = Rule.objects.get(slug="work-permit")
    rule.conditions = {"partner_country": "US"}
    rule.save()  # outside the admin: no re-screening was enqueued

    assert screenings_refresh(stale_only=True) == 2  # the RFQ's screening and the quote's
    assert "work-permit" in rules_of(quote.screening)
    assert screenings_refresh(stale_only=True) == 0
