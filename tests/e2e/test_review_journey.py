"""Trust, in the browser: a buyer whose contract is completed reviews the provider from the
contract page; the review, the average and the track record show on the provider's page, and the
rating and completed contracts in search, in English and in Chinese."""

import json
import time

import pytest
from playwright.sync_api import expect

from search.indexing import PROVIDERS, SERVICES, index_rebuild
from tests.e2e.conftest import screenshot, sign_in_here, site_python

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

REVIEW = "Clean microsomal stability data; the report came a day early."


def seed(function: str) -> dict:
    return json.loads(site_python(f"from tests.e2e.seeds import {function}; {function}()"))


@pytest.fixture
def indexes_restored(search_indexes):
    """The live site writes the review's rating to the indexes the suite shares: rebuilt from
    the suite's own database afterwards (deleted documents would weigh in relevance)."""
    yield
    for name in (SERVICES, PROVIDERS):
        index_rebuild(name=name)


def test_a_buyer_reviews_a_completed_contract_and_the_rating_shows_everywhere(
    live_site, page_in, indexes_restored
):
    deal = seed("reviewable_deal")
    buyer = page_in("en")

    buyer.goto(f"{live_site}/deals/contracts/{deal['contract']}/")
    sign_in_here(buyer, deal["email"])
    form = buyer.get_by_role("region", name="Review")
    for label in ("Overall", "Quality", "Communication"):
        form.get_by_label(label).select_option("5")
    form.get_by_label("Timeliness").select_option("4")
    form.get_by_label("Value").select_option("4")
    form.get_by_label("Your review (English or Chinese)").fill(REVIEW)
    form.get_by_role("button", name="Publish the review").click()
    expect(buyer.get_by_role("status")).to_contain_text("your review is on the provider's page")
    expect(buyer.get_by_role("region", name="Review")).to_contain_text(REVIEW)
    assert seed("track_records")["changed"] >= 1  # the hourly task, run now

    reader = page_in("en")
    reader.goto(f"{live_site}{deal['provider_url']}")
    reviews = reader.get_by_role("region", name="Reviews from verified buyers")
    expect(reviews).to_contain_text(REVIEW)
    expect(reviews).to_contain_text("Verified buyer (United States)")
    expect(reviews.get_by_role("img", name="Rated 5.0 out of 5")).to_be_visible()
    record = reader.get_by_role("region", name="Track record on the platform")
    expect(record).to_contain_text("Completed contracts")
    screenshot(reader, "review-journey-provider-page")

    chinese = page_in("zh-CN")
    chinese.goto(f"{live_site}{deal['provider_url']}")
    expect(chinese.get_by_role("region", name="经核实买方的评价")).to_contain_text(REVIEW)
    expect(chinese.get_by_role("region", name="平台上的交易记录")).to_contain_text("已完成合同")
    expect(chinese.get_by_role("region", name="经核实买方的评价")).to_contain_text("美国")

    # The rating reaches search through the live site's worker (the outbox): sorted first.
    for _attempt in range(40):
        reader.goto(f"{live_site}/search/?q=in+vitro+ADME&sort=rating")
        first = reader.locator(".result-list li.card").first
        if "contract completed here" in (first.inner_text() or ""):
            break
        time.sleep(0.5)
    expect(first).to_contain_text(deal["provider"])
    expect(first).to_contain_text("1 contract completed here")  # its track record
    expect(first.get_by_role("img", name="Rated 5.0 out of 5")).to_be_visible()
    chinese.goto(f"{live_site}/search/?q=in+vitro+ADME&sort=rating&rating_min=4")
    expect(chinese.locator(".result-list li.card").first.get_by_role("img")).to_have_attribute(
        "aria-label", "评分 5.0（满分 5）"
    )
    screenshot(reader, "review-journey-search")
