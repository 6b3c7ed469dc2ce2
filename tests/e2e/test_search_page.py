import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def test_a_buyer_picks_a_suggested_capability_then_narrows_by_zone(
    live_site, page_in, search_indexes
):
    page = page_in("en")
    page.goto(live_site + "/search/")

    page.get_by_role("combobox", name="Search").press_sequentially("toxi", delay=40)
    suggestions = page.locator("#search-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("link").first).to_be_visible()
    screenshot(page, "search-suggestions")
    suggestions.get_by_role("link", name="General toxicology", exact=True).click()

    expect(page).to_have_url(f"{live_site}/search/?capability=safety.general_toxicology")
    expect(page.locator(".result-list li.card").first).to_be_visible()
    page.locator(".facets a", has_text="Beijing").first.click()

    expect(page.locator(".result-list li.card").first).to_be_visible()
    expect(page.locator(".facets a.selected")).to_have_count(2)
    screenshot(page, "search-filtered")


def test_a_misspelt_search_offers_the_correction(live_site, page_in, search_indexes):
    page = page_in("en")
    page.goto(live_site + "/search/?q=pharmacokinetcs")

    page.locator(".did-you-mean a").click()

    expect(page.get_by_role("combobox", name="Search")).to_have_value("pharmacokinetics")
    expect(page.locator(".did-you-mean")).to_have_count(0)
    expect(page.locator(".result-list li.card").first).to_be_visible()
