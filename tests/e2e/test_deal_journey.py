"""A deal from request to signed contract, in the browser: a buyer and a CRO, each signed in."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, site_python
from tests.e2e.seeds import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def sign_in(page, live_site: str, email: str) -> None:
    page.goto(f"{live_site}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name="Deals")).to_be_visible()


def test_a_buyer_requests_a_quote_a_cro_answers_and_both_sign_the_contract(live_site, page_in):
    parties = json.loads(
        site_python("from tests.e2e.seeds import deal_parties; deal_parties()").strip()
    )
    buyer, cro = page_in("en"), page_in("en")
    sign_in(buyer, live_site, parties["buyer"])
    sign_in(cro, live_site, parties["provider"])

    # The buyer asks, answering the cross-border questions it can.
    buyer.goto(
        f"{live_site}/deals/rfqs/new/?provider={parties['provider_slug']}"
        "&capability=dmpk.in_vitro_adme"
    )
    buyer.get_by_label("Title").fill("Metabolic stability for 12 compounds")
    buyer.get_by_label("Scope of work").fill("Human and rat liver microsomes, 12 compounds.")
    buyer.get_by_label("Your currency").select_option("EUR")
    for question in ("Will your staff work on site in China?", "Will human samples"):
        buyer.get_by_role("group", name=question).get_by_label("No", exact=True).check()
    buyer.get_by_label("Is that technology on China's export catalogue?").select_option("none")
    screenshot(buyer, "deal-rfq-form")
    buyer.get_by_role("button", name="Send to providers").click()
    expect(
        buyer.get_by_role("heading", name="Metabolic stability for 12 compounds")
    ).to_be_visible()
    expect(buyer.get_by_text("Compliance screening")).to_be_visible()

    # The CRO finds it and quotes in CNY.
    cro.goto(f"{live_site}/deals/")
    cro.get_by_role("link", name="Metabolic stability for 12 compounds").click()
    cro.get_by_role("link", name="Write a quote").click()
    cro.locator("[name=lines-0-description]").fill("Microsomal stability, 12 compounds")
    cro.locator("[name=lines-0-quantity]").fill("12")
    cro.locator("[name=lines-0-unit_price]").fill("3500.00")
    cro.locator("[name=lines-0-vat_basis]").select_option("zero_rated_export")
    cro.locator("[name=lines-0-vat_rate]").fill("0")
    cro.locator("[name=ms-0-name]").fill("Final report")
    cro.locator("[name=ms-0-share]").fill("100")
    cro.locator("[name=ms-0-trigger]").fill("Report delivered")
    valid_until = (timezone.localdate() + timedelta(days=30)).isoformat()
    cro.get_by_label("Valid until").fill(valid_until)
    cro.get_by_role("group", name="critical information infrastructure").get_by_label(
        "No", exact=True
    ).check()
    cro.get_by_role("button", name="Send to the buyer").click()
    expect(cro.get_by_text("CNY 42,000.00").first).to_be_visible()

    # The buyer compares, sees its own currency, accepts and signs.
    buyer.reload()
    buyer.get_by_role("link", name="Compare quotes").click()
    expect(buyer.get_by_text("EUR 5,090.40")).to_be_visible()
    screenshot(buyer, "deal-compare")
    buyer.get_by_role("button", name="Accept").click()
    expect(buyer.get_by_role("heading", name="Contract")).to_be_visible()
    buyer.get_by_role("button", name="Sign for your organisation").click()
    expect(buyer.get_by_text("Waiting for signatures")).to_be_visible()

    # The CRO countersigns: the contract is active.
    cro.goto(buyer.url)
    cro.get_by_role("button", name="Sign for your organisation").click()
    expect(cro.get_by_text("Active", exact=True)).to_be_visible()
    screenshot(cro, "deal-contract")
