"""Journey 3, in the browser: a graduate finds a job, signs up, verifies the address, applies
with a PDF CV; the employer moves the application to interview; the graduate sees it.

The verification link and the status email come from the mail the live site writes.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import mail_to, screenshot, sign_in_here, site_python

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

CV = {
    "name": "cv.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
}


def test_a_graduate_finds_a_job_signs_up_applies_and_follows_the_status(
    live_site, page_in, search_indexes
):
    employer_email = site_python(
        "from tests.e2e.seeds import employer_of; employer_of('demo-p023')"
    ).strip()
    graduate = page_in("en")

    # Search the job board and open the posting.
    graduate.goto(f"{live_site}/")
    graduate.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    graduate.get_by_role("searchbox", name="Search jobs").fill("graduate bioanalysis Suzhou")
    graduate.get_by_role("button", name="Search jobs").click()
    first = graduate.locator(".result-list li.card").first
    expect(first).to_contain_text("Graduate bioanalytical scientist")
    expect(first).to_contain_text("Suzhou")
    screenshot(graduate, "graduate-job-search")
    first.get_by_role("link").click()
    expect(graduate.get_by_role("heading", name="Graduate bioanalytical scientist")).to_be_visible()
    posting_url = graduate.url

    # Apply: sign up first, with an address the graduate has to verify.
    graduate.get_by_role("link", name="Apply").click()
    expect(graduate).to_have_url(re.compile(r"/accounts/login/\?next=/applications/apply/\d+/"))
    graduate.get_by_role("main").get_by_role("link", name="Sign up").click()
    email = f"graduate-{uuid.uuid4().hex[:8]}@example.com"
    graduate.get_by_label("Email").fill(email)
    graduate.get_by_label("Password:", exact=True).fill("a-long-Graduate-passw0rd")
    graduate.get_by_label("Password (again):").fill("a-long-Graduate-passw0rd")
    graduate.get_by_role("button", name="Sign Up").click()
    expect(graduate.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail_to(email)).group(0)
    graduate.goto(link)
    graduate.get_by_role("button", name="Confirm").click()

    # A profile with a PDF CV, then the application with a cover note.
    graduate.goto(posting_url)
    graduate.get_by_role("link", name="Apply").click()
    expect(graduate).to_have_url(re.compile(r"/applications/profile/"))
    graduate.get_by_label("Full name").fill("Li Na")
    graduate.get_by_label("Degree").select_option("master")
    graduate.get_by_label("School or university").fill("China Pharmaceutical University")
    graduate.get_by_label("Graduation year").fill("2026")
    graduate.get_by_role("combobox", name="Disciplines").fill("bioanalysis")
    graduate.get_by_role("listbox").get_by_role("option", name="Bioanalysis (LC-MS/MS)").click()
    graduate.get_by_label("English").check()
    graduate.get_by_label("CV (PDF, up to 5 MB)").set_input_files(CV)
    graduate.get_by_role("button", name="Save").click()
    expect(graduate.get_by_role("heading", name="Graduate bioanalytical scientist")).to_be_visible()
    graduate.get_by_label("Cover note").fill("LC-MS/MS method validation in my master's project.")
    screenshot(graduate, "graduate-apply")
    graduate.get_by_role("button", name="Send my application").click()
    mine = graduate.get_by_role("region", name="Your applications")
    expect(mine.get_by_role("cell", name="New", exact=True)).to_be_visible()

    # The employer sees it, with the CV, and moves it through screening to interview.
    employer = page_in("en")
    employer.goto(f"{live_site}/accounts/login/")
    sign_in_here(employer, employer_email)
    employer.goto(f"{live_site}/applications/")
    received = employer.get_by_role("region", name="Applications to your postings")
    row = received.get_by_role("row").filter(has_text="Li Na")
    expect(row.get_by_role("link", name="cv.pdf")).to_be_visible()
    for status in ("Screening", "Interview"):
        row.get_by_label("Move to").select_option(label=status)
        row.get_by_role("button", name="Move").click()
        expect(row.get_by_role("cell", name=status, exact=True)).to_be_visible()
    screenshot(employer, "employer-pipeline")

    # The graduate is told, and sees the new status.
    assert "Interview" in mail_to(email, subject_contains="Interview")
    graduate.reload()
    expect(mine.get_by_role("cell", name="Interview", exact=True)).to_be_visible()
    screenshot(graduate, "graduate-status")


def test_a_chinese_speaking_graduate_searches_opens_a_posting_and_reaches_sign_up(
    live_site, page_in, search_indexes
):
    graduate = page_in("zh-CN")

    graduate.goto(f"{live_site}/jobs/")
    expect(graduate.get_by_role("heading", name="研发外包行业职位")).to_be_visible()
    graduate.get_by_role("searchbox", name="搜索职位").fill("应届 生物分析 苏州")
    graduate.get_by_role("button", name="搜索职位").click()
    first = graduate.locator(".result-list li.card").first
    expect(first).to_contain_text("应届生物分析研究员")
    expect(first).to_contain_text("苏州")
    screenshot(graduate, "graduate-job-search-zh")
    first.get_by_role("link").click()
    expect(graduate.get_by_role("heading", name="应届生物分析研究员")).to_be_visible()

    graduate.get_by_role("link", name="申请").click()
    graduate.get_by_role("main").get_by_role("link", name="注册").click()
    expect(graduate.get_by_role("heading", name="注册")).to_be_visible()
    screenshot(graduate, "graduate-sign-up-zh")
