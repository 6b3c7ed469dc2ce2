"""Journey 2, in the browser: a CRO's editor signs in to the admin, edits one of its service
listings and publishes it; the change is found in search seconds later (indexed by the live site's
worker); then the editor answers a buyer's request for quote with a quote in CNY."""

import json
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CHINESE_SIGN_IN,
    ENGLISH_SIGN_IN,
    quote_in_cny,
    screenshot,
    sign_in_here,
    site_python,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def seed() -> dict:
    code = "from tests.e2e.seeds import cro_editor_with_rfq; cro_editor_with_rfq('demo-p002')"
    return json.loads(site_python(code).strip())


def sign_in_to_the_admin(page, live_site: str, email: str, *, labels=ENGLISH_SIGN_IN) -> None:
    page.goto(f"{live_site}/admin/")  # Wagtail's sign-in is the site's own (verified emails)
    sign_in_here(page, email, labels=labels)
    expect(page.locator("#wagtail")).to_be_visible()


def edit_and_publish(page, live_site: str, listing_id: int, field: str, value: str) -> None:
    page.goto(f"{live_site}/admin/pages/{listing_id}/edit/")
    page.locator(f"[name={field}]").fill(value)
    page.locator("[data-w-dropdown-target=toggle]").last.click()  # the footer's "more actions"
    page.locator("button[name=action-publish]").click()
    expect(page.locator(".messages .success")).to_be_visible()


def found_in_search(page, live_site: str, words: str, title: str, *, within: float = 10) -> float:
    """Seconds until the search page lists ``title`` for ``words`` (fails after ``within``)."""
    started = time.monotonic()
    while True:
        page.goto(f"{live_site}/search/?q={words}")
        if page.locator(".result-list li.card h3", has_text=title).count():
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"{title!r} not found in {within} s"
        time.sleep(0.5)


def test_a_cro_edits_a_listing_finds_it_in_search_and_answers_an_rfq_in_cny(live_site, page_in):
    seeded = seed()
    cro = page_in("en")

    sign_in_to_the_admin(cro, live_site, seeded["editor"], labels=ENGLISH_SIGN_IN)
    tag = uuid.uuid4().hex[:6]
    title = f"{seeded['listing_title']} with Caco-2 and MDCK permeability, batch {tag}"
    edit_and_publish(cro, live_site, seeded["listing_id"], "title_en", title)
    screenshot(cro, "cro-admin-published")

    seconds = found_in_search(cro, live_site, f"MDCK {tag}", title)
    assert seconds < 10
    screenshot(cro, "cro-listing-found")

    # The request for quote waiting for this CRO, answered in CNY.
    cro.goto(f"{live_site}/deals/")
    cro.get_by_role("link", name=seeded["rfq_title"]).click()
    cro.get_by_role("link", name="Write a quote").click()
    quote_in_cny(
        cro,
        line=("Caco-2 bidirectional permeability, 8 compounds", "8", "4200.00"),
        milestones=[("Report", "100", "Report delivered")],
    )
    expect(cro.get_by_text("CNY 33,600.00").first).to_be_visible()
    expect(cro.get_by_text("Submitted", exact=True).first).to_be_visible()
    screenshot(cro, "cro-quote-sent")


def test_a_chinese_speaking_cro_signs_in_edits_in_chinese_and_is_found(live_site, page_in):
    seeded = seed()
    cro = page_in("zh-CN")

    sign_in_to_the_admin(cro, live_site, seeded["editor"], labels=CHINESE_SIGN_IN)
    expect(cro.locator("html")).to_have_attribute("lang", "zh-hans")
    tag = uuid.uuid4().hex[:6]
    title_zh = f"体外ADME筛选与渗透性研究{tag}"
    edit_and_publish(cro, live_site, seeded["listing_id"], "title_zh", title_zh)
    screenshot(cro, "cro-admin-published-zh")

    assert found_in_search(cro, live_site, f"渗透性研究{tag}", title_zh) < 10
    expect(cro.get_by_role("heading", name="按服务能力查找服务商")).to_be_visible()
