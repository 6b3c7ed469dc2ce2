import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

# django_db: so that the test database (which the server copies) is set up for this run.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
PROVIDER = "/providers/suzhou-kanghe-preclinical-research/"


@pytest.mark.parametrize(
    ("language", "zone", "call_to_action", "verified"),
    [
        (
            "en",
            "China (Jiangsu) Pilot Free Trade Zone",
            "Request a quote",
            "Verified by the platform",
        ),
        ("zh-CN", "中国（江苏）自由贸易试验区", "申请报价", "平台已认证"),
    ],
)
def test_provider_and_service_pages_show_badges_price_and_zone(
    live_site, page_in, language, zone, call_to_action, verified
):
    page = page_in(language)

    page.goto(live_site + PROVIDER)

    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text(zone).first).to_be_visible()
    expect(page.get_by_text(verified)).to_be_visible()
    badges = page.locator("ul.badges li.badge")
    expect(badges.filter(has_text="OECD GLP")).to_be_visible()
    expect(badges.filter(has_text="AAALAC")).to_have_class("badge badge-expired")
    expect(page.get_by_role("link", name=call_to_action)).to_be_visible()
    screenshot(page, f"provider-{language}")

    page.locator("section[aria-labelledby=services-heading] li.card a").first.click()

    expect(page.locator(".facts-highlight .price")).to_contain_text("CNY ")
    expect(page.get_by_text(zone).first).to_be_visible()
    expect(page.locator("ul.badges li.badge").first).to_be_visible()
    expect(page.get_by_role("link", name=call_to_action)).to_be_visible()
    screenshot(page, f"service-{language}")


def test_language_switcher_turns_the_interface_to_chinese(live_site, page_in):
    page = page_in("en")
    page.goto(live_site + PROVIDER)

    page.get_by_label("Language").select_option("zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("link", name="申请报价")).to_be_visible()
