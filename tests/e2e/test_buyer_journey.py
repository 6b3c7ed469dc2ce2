"""Journey 1, in the browser: an overseas buyer finds a Chinese CRO by searching for a capability,
requests a quote, accepts the CRO's CNY quote, sees the contract's compliance checklist, both sign,
and the buyer pays the first milestone (Stripe test card on the local emulator).

The buyer and the CRO each have their own signed-in browser page; what they are told by email
comes from the mail the live site writes, and the links in it are what they open.
"""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CHINESE_SIGN_IN,
    mail_to,
    quote_in_cny,
    screenshot,
    sign_in_here,
    site_python,
)
from tests.e2e.seeds import PASSWORD
from tests.pdfs import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ADC_LISTING = "ADC conjugation and linker-payload synthesis"
ADC_LISTING_ZH = "抗体偶联药物偶联工艺及连接子-毒素合成"
TECHNOLOGY_FILING = "Technology transfer not on the catalogue"
# The buyer's answers to the cross-border questions: the CRO will transfer its conjugation
# know-how (not on the export catalogue), nothing else crosses the border.
ANSWERS = {
    "Will human samples (blood, tissue, cells, DNA) collected in China leave China?": "No",
    "Will genetic or genomic data of people in China be sent to you abroad?": "No",
    "Is this joint research with the provider that uses human genetic resources": "No",
    "Is this a clinical trial at a Chinese hospital for a drug registration?": "No",
    "Has any of the data been notified or published by Chinese authorities": "No",
    "Will the provider transfer technology or know-how to you?": "Yes",
    "Will your staff work on site in China?": "No",
}


def seed(function: str) -> dict:
    return json.loads(site_python(f"from tests.e2e.seeds import {function}; {function}()"))


def link_path(message: str, pattern: str) -> str:
    """The path of the site link in an email (the live site's address differs from SITE_URL)."""
    return re.search(rf"https?://\S+?({pattern})", message).group(1)


def milestone_row(page, name: str):
    return page.get_by_role("region", name="Milestones").get_by_role("row").filter(has_text=name)


def test_a_buyer_finds_a_cro_by_capability_gets_a_cny_quote_signs_and_pays_the_first_milestone(
    live_site, page_in, search_indexes
):
    buyer_account = seed("buyer")
    cro_account = seed("adc_provider_owner")
    title = f"ADC conjugation feasibility, 3 lots ({uuid.uuid4().hex[:6]})"
    buyer, cro = page_in("en"), page_in("en")

    # The buyer searches for the capability; both ADC listings rank first, one from this CRO.
    buyer.goto(f"{live_site}/search/")
    buyer.get_by_role("combobox", name="Search").fill("ADC conjugation")
    buyer.get_by_role("button", name="Search").click()
    results = buyer.locator(".result-list li.card")
    expect(results.nth(0).get_by_role("heading")).to_have_text(ADC_LISTING)
    expect(results.nth(1).get_by_role("heading")).to_have_text(ADC_LISTING)
    listing = results.filter(has=buyer.get_by_role("link", name=cro_account["name"]))
    expect(listing).to_contain_text("Verified")
    expect(listing).to_contain_text("CNY ")
    screenshot(buyer, "buyer-journey-1-search")

    # The provider's page, then "Request a quote": sign in, and the form names the provider.
    listing.get_by_role("link", name=cro_account["name"]).click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(cro_account["name"])
    expect(buyer.get_by_text("Verified by the platform")).to_be_visible()
    buyer.get_by_role("link", name="Request a quote").click()
    expect(buyer).to_have_url(re.compile(r"/accounts/login/\?next=/deals/rfqs/new/"))
    sign_in_here(buyer, buyer_account["email"])
    expect(buyer.get_by_role("heading", name="Request a quote")).to_be_visible()
    expect(buyer).to_have_url(re.compile(rf"/deals/rfqs/new/\?provider={cro_account['slug']}$"))
    expect(buyer.locator("select[name=providers]")).to_have_values([cro_account["slug"]])
    expect(buyer.get_by_role("button", name=f"Remove {cro_account['name']}")).to_be_visible()

    # The buyer describes the work and answers the cross-border questions.
    buyer.get_by_label("Title").fill(title)
    buyer.get_by_label("Scope of work").fill(
        "Cysteine conjugation of our IgG1 with a vc-MMAE linker-payload, three lots at DAR 4, "
        "with DAR by HIC and aggregation by SEC; transfer of the conjugation process to us."
    )
    buyer.get_by_role("combobox", name="Capabilities needed").fill("antibody drug conjugate")
    buyer.get_by_role("combobox", name="Capabilities needed").press("Enter")
    expect(buyer.locator("select[name=capabilities]")).to_have_values(["biologics.adc"])
    buyer.get_by_label("Budget up to").fill("20000")
    buyer.get_by_label("Your currency").select_option("EUR")
    for question, answer in ANSWERS.items():
        buyer.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    # Only online TCM consultations make the prescription question matter: not asked here.
    expect(buyer.get_by_role("group", name=re.compile("prescriptions be generated"))).to_be_hidden()
    buyer.get_by_label("How many people's personal data will be sent abroad").fill("0")
    buyer.get_by_label("Of whom, how many with sensitive data").fill("0")
    buyer.get_by_label("Is that technology on China's export catalogue?").select_option("none")
    screenshot(buyer, "buyer-journey-2-rfq-form")
    buyer.get_by_role("button", name="Send to providers").click()
    expect(buyer.get_by_text("Your request is sent.")).to_be_visible()
    expect(buyer.get_by_role("heading", name=title)).to_be_visible()
    screening = buyer.get_by_role("region", name="Compliance screening")
    expect(screening).to_contain_text(TECHNOLOGY_FILING)

    # The CRO is told by email, opens the request from it and quotes in CNY, in two milestones.
    cro.goto(f"{live_site}/accounts/login/")
    sign_in_here(cro, cro_account["email"])
    expect(cro.get_by_role("link", name="Deals")).to_be_visible()
    invitation = mail_to(cro_account["email"], subject_contains="invites you to quote for")
    assert title in invitation
    cro.goto(live_site + link_path(invitation, r"/deals/rfqs/\d+/"))
    expect(cro.get_by_role("heading", name=title)).to_be_visible()
    cro.get_by_role("link", name="Write a quote").click()
    quote_in_cny(
        cro,
        line=("Cysteine conjugation and DAR by HIC, per lot", "3", "48000.00"),
        capability="biologics.adc",
        milestones=[
            ("Kick-off", "30", "Contract signed"),
            ("Final report", "70", "Report delivered"),
        ],
        turnaround_days="45",
    )
    expect(cro.get_by_text("Your quote is sent to the buyer.")).to_be_visible()
    expect(cro.get_by_text("CNY 144,000.00").first).to_be_visible()

    # The buyer compares: the CNY total, and in euros at the stored rate (144,000 × 0.1212).
    quoted = mail_to(buyer_account["email"], subject_contains="sent a quote for")
    buyer.goto(live_site + link_path(quoted, r"/deals/rfqs/\d+/compare/"))
    expect(buyer.get_by_role("heading", name="Compare quotes")).to_be_visible()
    compare = buyer.get_by_role("table")
    expect(compare.get_by_role("columnheader", name=cro_account["name"])).to_be_visible()
    expect(compare.get_by_role("row").filter(has_text="Total (CNY)")).to_contain_text(
        "CNY 144,000.00"
    )
    expect(compare.get_by_role("row").filter(has_text="In your currency")).to_contain_text(
        "EUR 17,452.80"
    )
    expect(compare.get_by_role("row").filter(has_text="Milestones")).to_contain_text(
        "Kick-off: CNY 43,200.00"
    )
    expect(compare.get_by_role("row").filter(has_text="Compliance")).to_contain_text(
        TECHNOLOGY_FILING
    )
    screenshot(buyer, "buyer-journey-3-compare")
    buyer.get_by_role("button", name="Accept").click()

    # The contract: its checklist holds the filing the screening found, still to be recorded.
    expect(
        buyer.get_by_text("Quote accepted: the contract is ready for signatures.")
    ).to_be_visible()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"Contract \d+: {re.escape(title)}")
    )
    expect(buyer.get_by_text("Waiting for signatures")).to_be_visible()
    checklist = buyer.get_by_role("region", name="Approvals and filings")
    expect(checklist.locator("li.finding")).to_have_count(1)
    expect(checklist).to_contain_text(TECHNOLOGY_FILING)
    expect(checklist).to_contain_text("Register the technology export contract.")
    expect(checklist.get_by_role("button", name="Record")).to_be_visible()
    expect(buyer.get_by_role("row").filter(has_text="For reference")).to_contain_text(
        "EUR 17,452.80"
    )
    expect(milestone_row(buyer, "Kick-off")).to_contain_text("Planned")
    screenshot(buyer, "buyer-journey-4-contract")
    # The buyer reads the statement of work (a PDF in English and Chinese, with its hash) and
    # signs: its name typed, its password again.
    buyer.get_by_role("link", name="Sign for your organisation").click()
    with buyer.expect_download() as download:
        buyer.get_by_role("link", name="Statement of work (PDF)").click()
    sow = pdf_text(Path(download.value.path()).read_bytes())
    assert "Statement of work" in sow and "工作说明书" in sow and "EUR" in sow
    assert "经双方签署后生效" in sow
    buyer.reload()  # the download issued any document the worker had not yet
    sow_hash = buyer.locator("code.hash").nth(1).inner_text()
    assert sow_hash in sow
    buyer.get_by_label("Your full name").fill("Dana Whitfield")
    buyer.get_by_label("Your password").fill(PASSWORD)
    buyer.get_by_role("button", name="Sign the documents").click()
    expect(buyer.get_by_text("Signed for your organisation.")).to_be_visible()
    expect(buyer.get_by_text("Waiting for signatures")).to_be_visible()
    expect(buyer.get_by_role("link", name="Sign for your organisation")).to_have_count(0)

    # The CRO, told by email, countersigns: the contract is active; it calls the first
    # milestone due.
    accepted = mail_to(cro_account["email"], subject_contains="accepted your quote for")
    contract_path = link_path(accepted, r"/deals/contracts/\d+/")
    cro.goto(live_site + contract_path)
    cro.get_by_role("button", name="Email me a code instead").click()
    code = re.search(
        r"\b(\d{6})\b", mail_to(cro_account["email"], subject_contains="Your code to sign")
    ).group(1)
    cro.get_by_label("Your full name").fill("Wei Zhang")
    cro.get_by_label("Or the code we emailed you").fill(code)
    cro.get_by_role("button", name="Sign the documents").click()
    expect(cro.get_by_text("Active", exact=True)).to_be_visible()
    expect(cro.get_by_text("Wei Zhang signed the Statement of work")).to_be_visible()
    milestone_row(cro, "Kick-off").get_by_role("button", name="Call it due").click()
    expect(milestone_row(cro, "Kick-off")).to_contain_text("Due")
    expect(milestone_row(cro, "Final report")).to_contain_text("Planned")

    # The buyer is told it is due, but may not pay before the filing is recorded.
    due = mail_to(buyer_account["email"], subject_contains="“Kick-off” (CNY 43200.00)")
    assert link_path(due, r"/deals/contracts/\d+/") == contract_path
    buyer.goto(live_site + contract_path)
    expect(buyer.get_by_text("Active", exact=True)).to_be_visible()
    expect(milestone_row(buyer, "Kick-off")).to_contain_text("Due")
    pay = milestone_row(buyer, "Kick-off").get_by_role("button", name="Pay", exact=True)
    expect(pay).to_be_disabled()
    expect(
        buyer.get_by_text("Payments wait until every approval and filing below is recorded.")
    ).to_be_visible()
    screenshot(buyer, "buyer-journey-5-waiting-for-the-filing")

    # The CRO registers the technology export contract and records its reference.
    cro.reload()
    checklist = cro.get_by_role("region", name="Approvals and filings")
    checklist.get_by_label("Reference number").fill("JS-TEC-2026-0481")
    checklist.get_by_label("Date").fill(timezone.localdate().isoformat())
    checklist.get_by_role("button", name="Record").click()
    expect(checklist).to_contain_text(f"Done: JS-TEC-2026-0481, {timezone.localdate():%Y-%m-%d}")

    # The buyer pays with the Stripe test card: 30 % of the total plus the 1.5 % platform fee.
    buyer.reload()
    expect(buyer.get_by_text("Payments wait until")).to_have_count(0)
    expect(pay).to_be_enabled()
    pay.click()
    expect(buyer.get_by_role("heading", name="Pay “Kick-off”")).to_be_visible()
    amounts = buyer.get_by_role("region", name="Amount")
    expect(amounts.get_by_role("row").filter(has_text="Milestone")).to_contain_text("CNY 43,200.00")
    expect(amounts.get_by_role("row").filter(has_text="Platform fee")).to_contain_text("CNY 648.00")
    expect(amounts.get_by_role("row").filter(has_text="To pay")).to_contain_text("CNY 43,848.00")
    expect(buyer.get_by_role("heading", name="Status: Waiting for payment")).to_be_visible()
    expect(buyer.get_by_text("Local test mode: no real money moves.")).to_be_visible()
    screenshot(buyer, "buyer-journey-6-payment")
    buyer.get_by_role("button", name="Pay with test card 4242 4242 4242 4242").click()
    expect(buyer.get_by_role("heading", name="Status: Paid")).to_be_visible()
    expect(
        buyer.get_by_text("Paid. The provider is told, and the milestone is marked paid.")
    ).to_be_visible()
    screenshot(buyer, "buyer-journey-7-paid")
    assert "CNY 43200.00" in mail_to(cro_account["email"], subject_contains="The buyer paid")

    # On the contract, both see the first milestone paid; the buyer may now accept its work.
    buyer.get_by_role("link", name=re.compile(r"^Contract \d+$")).click()
    expect(milestone_row(buyer, "Kick-off")).to_contain_text("Paid")
    expect(
        milestone_row(buyer, "Kick-off").get_by_role("button", name="Accept the work")
    ).to_be_visible()
    expect(milestone_row(buyer, "Final report")).to_contain_text("Planned")
    screenshot(buyer, "buyer-journey-8-contract-paid")
    cro.reload()
    expect(milestone_row(cro, "Kick-off")).to_contain_text("Paid")

    # The milestone's invoice and the payment's receipt (issued by the worker) are on the contract
    # page as PDFs in English and Chinese; the CRO reads the payment's notification from the bell.
    buyer.goto(live_site + contract_path)
    receipt_link = buyer.get_by_role("link", name=re.compile(r"^Receipt RCT-"))
    for _attempt in range(40):
        if receipt_link.count():
            break
        buyer.wait_for_timeout(500)
        buyer.reload()
    invoice_link = buyer.get_by_role("link", name=re.compile(r"^Invoice INV-"))
    invoice_number = re.search(r"INV-\d+-\d+", invoice_link.inner_text()).group(0)
    with buyer.expect_download() as download:
        receipt_link.click()
    receipt = pdf_text(Path(download.value.path()).read_bytes())
    assert "Receipt · 收据" in receipt and invoice_number in receipt and "CNY 43200.00" in receipt
    cro.goto(live_site + "/notifications/")
    paid = cro.get_by_role("button", name=re.compile("Milestone paid"))
    expect(paid.first).to_be_visible()
    paid.first.click()
    expect(cro).to_have_url(re.compile(rf"{contract_path}$"))
    cro.goto(live_site + "/notifications/")
    opened = cro.get_by_role("listitem").filter(has_text="Milestone paid").first
    expect(opened).not_to_have_class(re.compile(r"\bunread\b"))


def test_a_buyer_searching_in_chinese_finds_the_cro_and_requests_a_quote_in_chinese(
    live_site, page_in, search_indexes
):
    buyer_account = seed("buyer")
    provider = seed("adc_provider")
    title = f"ADC偶联工艺可行性研究（{uuid.uuid4().hex[:6]}）"
    buyer = page_in("zh-CN")

    # Searching with the capability's Chinese name finds the provider's ADC listing in the top
    # two; the page around the results is in Chinese.
    buyer.goto(f"{live_site}/search/")
    expect(buyer.get_by_role("heading", name="按服务能力查找服务商")).to_be_visible()
    buyer.get_by_role("combobox", name="搜索").fill("抗体偶联药物")
    buyer.get_by_role("button", name="搜索").click()
    top_two = buyer.locator(".result-list li.card:nth-child(-n+2)")
    listing = top_two.filter(has=buyer.locator(f"a[href='/providers/{provider['slug']}/']"))
    expect(listing).to_have_count(1)
    expect(listing).to_contain_text("已认证")
    expect(listing).to_contain_text("起价")
    capabilities = (
        buyer.get_by_role("complementary")
        .locator("section")
        .filter(has=buyer.get_by_role("heading", name="服务能力", exact=True))
    )
    expect(capabilities.get_by_role("link", name="抗体偶联药物")).to_be_visible()
    screenshot(buyer, "buyer-journey-zh-1-search")

    # The listing's page is in Chinese; 申请报价 (request a quote) asks to sign in, in Chinese.
    listing.get_by_role("heading").get_by_role("link").click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text(ADC_LISTING_ZH)
    expect(buyer.get_by_role("link", name=provider["name_zh"])).to_be_visible()
    buyer.get_by_role("link", name="申请报价").click()
    sign_in_here(buyer, buyer_account["email"], labels=CHINESE_SIGN_IN)

    # The form is in Chinese and names the provider and the capability of the listing.
    expect(buyer.get_by_role("heading", name="申请报价")).to_be_visible()
    expect(buyer.get_by_role("group", name="工作内容")).to_be_visible()
    expect(buyer.get_by_role("group", name="跨境问题")).to_be_visible()
    expect(buyer.locator("select[name=providers]")).to_have_values([provider["slug"]])
    expect(buyer.locator("select[name=capabilities]")).to_have_values(["biologics.adc"])
    expect(buyer.get_by_role("button", name="移除 抗体偶联药物")).to_be_visible()
    screenshot(buyer, "buyer-journey-zh-2-rfq-form")

    # Sent in Chinese: the request page confirms it and shows its compliance screening.
    buyer.get_by_label("标题").fill(title)
    buyer.get_by_label("工作范围").fill("三批半胱氨酸偶联（DAR 4），HIC测定DAR，SEC测定聚集。")
    for question in ("在中国采集的人类样本", "贵方员工是否会在中国现场工作？"):
        buyer.get_by_role("group", name=question).get_by_label("否", exact=True).check()
    # A prohibited technology cannot be ruled out unless the buyer says: it must answer first.
    buyer.get_by_label("该技术是否列入").select_option("none")
    buyer.get_by_role("button", name="发送给服务商").click()
    expect(buyer.get_by_text("您的询价已发送。")).to_be_visible()
    expect(buyer.get_by_role("heading", name=title)).to_be_visible()
    expect(buyer.get_by_role("region", name="合规筛查")).to_be_visible()
    screenshot(buyer, "buyer-journey-zh-3-rfq-sent")
