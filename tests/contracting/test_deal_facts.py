"""The screening decides from facts a deal can express: who handles the human samples and what
kind of organisation it is, the Chinese client's zone for an inbound deal, and findings that
read as sentences with their sources, dates and rule versions."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client

from marketplace.compliance.models import Rule
from marketplace.contracting.services import (
    DealBlocked,
    deal_screen,
    quote_accept,
    rfq_open,
    rfq_update,
)
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


def findings_of(screening) -> dict[str, tuple[str, str]]:
    return {f["rule"]: (f["severity"], f["status"]) for f in screening.findings}


def samples_abroad_deal(*, provider_foreign_invested=False, buyer_collects=False):
    """A US buyer, a Chinese central lab, patient samples shipped abroad for testing."""
    fx_rates()
    buyer = buyer_party(country="US")
    provider = provider_party(foreign_invested=provider_foreign_invested)
    rfq = rfq_for(
        buyer, invite=[provider], hgr_materials_leave_china=True, buyer_collects_hgr=buyer_collects
    )
    return buyer, provider, rfq, quote_for(rfq, provider)


def test_a_chinese_lab_ships_samples_abroad_with_approval_not_a_refusal():
    buyer, _provider, _rfq, quote = samples_abroad_deal()

    assert quote.screening.facts["foreign_party"] is False
    found = findings_of(quote.screening)
    assert found["hgr-materials-export"] == ("needs_approval", "applies")
    assert "hgr-foreign-collection" not in found
    contract = quote_accept(quote=quote, by=buyer.owner)
    assert [item.rule for item in contract.checklist.all()] == ["hgr-materials-export"]


def test_a_foreign_invested_chinese_lab_handling_the_samples_is_refused():
    buyer, _provider, _rfq, quote = samples_abroad_deal(provider_foreign_invested=True)

    assert quote.screening.facts["foreign_party"] is True
    with pytest.raises(DealBlocked, match="Foreign party collecting or exporting"):
        quote_accept(quote=quote, by=buyer.owner)


def test_a_foreign_buyer_collecting_the_samples_itself_is_refused_before_it_is_sent():
    fx_rates()
    buyer, provider = buyer_party(country="US"), provider_party()
    rfq = rfq_for(
        buyer, invite=[provider], open_it=False, hgr_materials_leave_china=True,
        buyer_collects_hgr=True,
    )  # fmt: skip

    assert deal_screen(rfq=rfq).facts["foreign_party"] is True
    with pytest.raises(DealBlocked, match="As described, the deal is not allowed: Work through"):
        rfq_open(rfq=rfq, by=buyer.owner)


def test_an_unknown_party_nature_is_to_confirm_never_assumed_from_the_direction():
    _buyer, _provider, _rfq, quote = samples_abroad_deal(provider_foreign_invested=None)

    assert quote.screening.facts["foreign_party"] is None
    assert findings_of(quote.screening)["hgr-foreign-collection"] == ("blocked", "to_confirm")


def test_a_blocked_request_is_not_sent_until_the_buyer_answers_and_says_why():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(
        buyer, invite=[provider], open_it=False, hgr_materials_leave_china=True,
        buyer_collects_hgr=None,
    )  # fmt: skip

    with pytest.raises(DealBlocked) as refused:
        rfq_open(rfq=rfq, by=buyer.owner)
    assert "Foreign party collecting or exporting" in refused.value.message
    assert "Answer these first: whether a foreign party" in refused.value.message
    rfq.refresh_from_db()
    assert rfq.status == "draft"
    page = Client(headers={"accept-language": "en"})
    page.force_login(buyer.owner)
    text = page.get(f"/deals/rfqs/{rfq.pk}/").text
    assert "cannot be sent to providers" in text and "Answer these first" in text
    assert page.post(f"/deals/rfqs/{rfq.pk}/open/").status_code == 409

    rfq_update(rfq=rfq, by=buyer.owner, buyer_collects_hgr=False)
    assert rfq_open(rfq=rfq, by=buyer.owner).status == "open"


def test_the_rfq_form_keeps_a_blocked_request_as_a_draft_and_tells_the_buyer():
    from marketplace.contracting.models import Rfq

    buyer = buyer_party()
    page = Client(headers={"accept-language": "en"})
    page.force_login(buyer.owner)
    form = {
        "buyer": buyer.organisation.slug, "title": "Tumour biopsies for sequencing abroad",
        "scope": "Ship FFPE blocks.",
        "capabilities": ["dmpk.in_vitro_adme"], "budget_currency": "USD",
        "visibility": "open", "hgr_materials_leave_china": "yes", "buyer_collects_hgr": "yes",
        "action": "open",
    }  # fmt: skip

    response = page.post("/deals/rfqs/new/", form, follow=True)

    rfq = Rfq.objects.get(buyer=buyer.organisation)
    assert rfq.status == "draft"
    assert "Saved as a draft, not sent to providers" in response.text


def test_an_inbound_deal_takes_the_zone_of_the_chinese_client():
    fx_rates()
    client = buyer_party(country="CN", zone_code="hainan_ftp", foreign_invested=False)
    provider = provider_party(country="DE", zone_code=None)
    rfq = rfq_for(client, invite=[provider])

    quote = quote_for(rfq, provider)

    assert quote.screening.facts["direction"] == "inbound"
    assert quote.screening.facts["provider_zone"] == "hainan_ftp"


def test_a_deal_whose_answers_are_all_no_needs_nothing_to_confirm():
    fx_rates()
    rfq = rfq_for(buyer_party(), open_it=False)

    screening = deal_screen(rfq=rfq)

    assert [f for f in screening.findings if f["severity"] != "info"] == []
    assert screening.outcome == "clear"


def test_findings_read_as_sentences_with_source_dates_and_rule_versions():
    fx_rates()
    buyer = buyer_party()
    rfq = rfq_for(buyer, open_it=False, hgr_materials_leave_china=None)
    screening = deal_screen(rfq=rfq)
    page = Client(headers={"accept-language": "en"})
    page.force_login(buyer.owner)

    text = page.get(f"/deals/rfqs/{rfq.pk}/").text
    chinese = page.get(f"/deals/rfqs/{rfq.pk}/", headers={"accept-language": "zh-hans"}).text

    for code in ("hgr_materials_leave_china", "foreign_party", "provider_zone"):
        assert code not in text and code not in chinese
    assert "whether human samples collected in China leave China" in text
    assert "in force from 2024-05-01" in text
    finding = next(f for f in screening.findings if f["rule"] == "hgr-materials-export")
    assert finding["effective_from"] == "2024-05-01"
    assert len(finding["rule_version"]) == 12


def test_the_screening_api_answers_when_and_against_which_rules(client):
    from marketplace.compliance.selectors import rules_version

    client.force_login(buyer_party().owner)

    response = client.post(
        "/api/v1/screening",
        {"direction": "outbound", "foreign_party": False, "hgr_materials_leave_china": True},
        content_type="application/json",
    )

    body = response.json()
    assert response.status_code == 200
    assert body["screened_at"] and body["rules_version"] == rules_version()
    export = next(f for f in body["findings"] if f["rule"] == "hgr-materials-export")
    assert (export["severity"], export["confidence"]) == ("needs_approval", "unchecked")
    assert export["effective_from"] == "2024-05-01" and export["rule_version"]


def test_the_rule_edits_reach_a_database_made_before_them():
    migration = importlib.import_module(
        "marketplace.compliance.migrations.0003_hgr_export_rule_and_effective_dates"
    )
    Rule.objects.filter(slug="hgr-materials-export").delete()
    Rule.objects.filter(slug="pi-security-assessment").update(
        conditions=migration.OLD_SECURITY_ASSESSMENT, effective_from=None
    )
    Rule.objects.filter(slug="tech-prohibited").update(conditions={"technology_transfer": True})

    migration.forward(django_apps, None)

    assert Rule.objects.get(slug="hgr-materials-export").confidence == "unchecked"
    security = Rule.objects.get(slug="pi-security-assessment")
    assert security.conditions != migration.OLD_SECURITY_ASSESSMENT
    assert str(security.effective_from) == "2024-03-22"
    # A staff edit is kept.
    assert Rule.objects.get(slug="tech-prohibited").conditions == {"technology_transfer": True}
