"""Journey 6, in the browser: a CRO's owner starts from "To do": a certificate to renew (opened
in the admin, scoped to its own provider page), a milestone to deliver (called due), then a
change to the contract proposed and signed on its page; once the buyer has signed too, the change
is in force, its PDF says so in English and Chinese, and the Deals page names the next move. It
ends by saving a search, to be told of new listings."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHINESE_SIGN_IN, sign_in_here, site_python
from tests.e2e.seeds import PASSWORD
from tests.pdfs import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def seed(call: str) -> dict:
    name = call.split("(")[0]
    return json.loads(site_python(f"from tests.e2e.seeds import {name}; {call}").strip())


def test_a_cro_works_through_its_to_do_list_and_changes_a_contract(live_site, page_in):
    desk = seed("provider_desk()")
    cro = page_in("en")
    cro.goto(f"{live_site}/accounts/login/?next=/todo/")
    sign_in_here(cro, desk["email"])

    # To do: the request to answer, the milestone to deliver, the certificate to renew.
    expect(cro.get_by_role("heading", name="To do", level=1)).to_be_visible()
    provider = cro.get_by_role("region", name="As a provider")
    request = provider.get_by_role("listitem").filter(has_text=desk["rfq_title"])
    expect(request.get_by_role("link", name="Send your quote")).to_be_visible()
    expect(provider).to_contain_text(f"GLP {desk['certificate']} expires on {desk['expires']}")
    expect(cro.get_by_role("region", name="As a buyer")).to_have_count(0)

    # The certificate opens in the admin, on the CRO's own provider page.
    provider.get_by_role("link", name="Update it on your provider page").click()
    expect(cro.locator("#wagtail")).to_be_visible()
    expect(cro).to_have_url(re.compile(rf"/admin/pages/{desk['page_id']}/edit/$"))
    cro.goto(f"{live_site}/admin/pages/{desk['other_page_id']}/edit/")  # another provider's
    expect(cro).not_to_have_url(re.compile(rf"/admin/pages/{desk['other_page_id']}/edit/$"))
    refused = "Sorry, you do not have permission to access this area."
    expect(cro.get_by_text(refused)).to_be_visible()

    # The milestone to deliver: its link lands on the contract's milestones; called due.
    cro.goto(f"{live_site}/todo/")
    deliver = cro.get_by_role("link", name="Deliver “Kick-off”, then call it due")
    deliver.and_(cro.locator(f"[href^='/deals/contracts/{desk['contract']}/']")).click()
    expect(cro).to_have_url(re.compile(rf"/deals/contracts/{desk['contract']}/#milestones"))
    milestones = cro.get_by_role("region", name="Milestones")
    milestones.get_by_role("row").filter(has_text="Kick-off").get_by_role(
        "button", name="Call it due"
    ).click()
    expect(milestones.get_by_role("row").filter(has_text="Kick-off")).to_contain_text("Due")

    # A change: the final report grows; proposed, then signed by the CRO with its password.
    cro.get_by_role("link", name="Propose a change").click()
    cro.get_by_label("What changes and why").fill("The buyer asked for a second CYP panel.")
    cro.get_by_label("Replace the milestones not yet due with those below").check()
    first = cro.get_by_role("group", name="Milestone 1")
    expect(first.get_by_label("Milestone")).to_have_value("Final report")
    first.get_by_label("Amount (CNY)").fill("60000.00")
    cro.get_by_role("button", name="Propose the change").click()
    reference = f"CO-{desk['contract']:06d}-01"
    proposed = f"Change {reference} proposed: both parties now sign it."
    expect(cro.get_by_text(proposed)).to_be_visible()
    changes = cro.get_by_role("region", name="Changes")
    expect(changes).to_contain_text("CNY 71,680.00 → CNY 81,504.00")
    changes.get_by_label("Your full name").fill("Wei Zhang")
    changes.get_by_label("Your password").fill(PASSWORD)
    changes.get_by_role("button", name="Sign the change").click()
    expect(cro.get_by_text("Signed for your organisation.")).to_be_visible()
    expect(changes.get_by_role("button", name="Sign the change")).to_have_count(0)

    # The buyer signs as well: the change is in force, and its PDF says what changed.
    seed(f"change_order_signed_by_buyer({desk['contract']}, {desk['buyer']!r})")
    cro.reload()
    expect(changes).to_contain_text(f"{reference} · Signed and in force")
    expect(
        cro.get_by_text("After the changes signed since, the contract stands at CNY 81,504.00.")
    ).to_be_visible()
    with cro.expect_download() as download:
        changes.get_by_role("link", name=f"Change order {reference} (PDF)").click()
    text = pdf_text(open(download.value.path(), "rb").read())
    assert reference in text and "变更单" in text and "CNY 81504.00" in text
    assert "Final report 60000.00" in text and "变更后" in text

    # Deals: the contract now waits for the buyer's payment.
    cro.goto(f"{live_site}/deals/")
    link = cro.locator(f"a[href='/deals/contracts/{desk['contract']}/']")
    row = cro.get_by_role("region", name="Contracts").get_by_role("row").filter(has=link)
    expect(row).to_contain_text(desk["contract_title"])
    expect(row).to_contain_text("Waiting for payment of “Kick-off”")

    # A search saved from the results, listed with its words.
    cro.goto(f"{live_site}/search/?q=hepatocyte")
    cro.get_by_role("button", name="Save this search").click()
    expect(cro.get_by_text("Search saved. New matches will come by email daily.")).to_be_visible()
    expect(cro.get_by_role("heading", name="Saved searches", level=1)).to_be_visible()
    expect(cro.locator("main")).to_contain_text("hepatocyte")


def test_the_to_do_page_reads_in_chinese_on_a_phone(live_site, page_in):
    desk = seed("provider_desk()")
    cro = page_in("zh-CN")
    cro.set_viewport_size({"width": 390, "height": 844})
    cro.goto(f"{live_site}/accounts/login/?next=/todo/")
    sign_in_here(cro, desk["email"], labels=CHINESE_SIGN_IN)

    expect(cro.get_by_role("heading", name="待办事项", level=1)).to_be_visible()
    request = cro.get_by_role("listitem").filter(has_text=desk["rfq_title"])
    expect(request.get_by_role("link", name="提交报价")).to_be_visible()
    expect(cro.get_by_role("link", name="交付“Kick-off”后将其标记为到期").first).to_be_visible()
    assert cro.evaluate("document.documentElement.scrollWidth") <= 390
