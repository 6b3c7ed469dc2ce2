"""Browser tests: Debian's Chromium driven by Playwright against a live server process.

The server is gunicorn, as in production, in its own process, on a copy of the test database made
from it as a template once the demo has been loaded: pages come from committed data, served by a
separate process. Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import sync_playwright

from tests.conftest import SITE, site_python  # noqa: F401 - the browser tests import them here
from tests.mail_files import mail_to as read_mail

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run `make services` (apt chromium).")
    # Playwright's sync API keeps an asyncio loop running in this thread; the test process only
    # opens and rolls back its (unused) test transaction, so Django's async guard can stand down
    # while the browser is open.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
            # Connections opened while Playwright's loop ran belong to its context: close them
            # here, or the test database cannot be dropped at the end of the run.
            connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page_in(browser):
    """Open a new browser page whose preferred language is ``language`` (en or zh-CN).

    The test fails if the browser reports anything the Content Security Policy blocked.
    """
    contexts, blocked = [], []

    def open_page(language: str = "en"):
        context = browser.new_context(
            locale=language, viewport={"width": 1280, "height": 900}, extra_http_headers={}
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                blocked.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not blocked, "\n".join(blocked)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    # A full-page screenshot stretches the viewport to the page's height and back, leaving the
    # page scrolled to its very end with a layout Chromium redoes on the next focus change: a
    # click there lands on a page that moves under it. Back to the top, as a reader starts.
    page.evaluate("window.scrollTo(0, 0)")
    return path


def mail_to(address: str, *, subject_contains: str = "", timeout: float = 30) -> str:
    """The newest message the live site wrote to ``address`` (waits for it): headers and body."""
    return read_mail(SITE["mail"], address, subject_contains=subject_contains, timeout=timeout)


ENGLISH_SIGN_IN = ("Email", "Password", "Sign In")
CHINESE_SIGN_IN = ("邮箱", "密码", "登录")


def sign_in_here(page, email: str, *, labels: tuple[str, str, str] = ENGLISH_SIGN_IN) -> None:
    """Sign in on the sign-in page the browser is on (it then goes on to ``next``)."""
    from tests.e2e.seeds import PASSWORD

    email_label, password_label, button = labels
    page.get_by_label(email_label).fill(email)
    page.get_by_label(password_label).fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def quote_in_cny(
    page,
    *,
    line: tuple[str, str, str],
    milestones: list[tuple[str, str, str]],
    capability: str = "",
    turnaround_days: str = "",
) -> None:
    """On the quote form: one zero-rated export line (description, quantity, CNY unit price),
    milestones by share (name, share, trigger), valid for 30 days, the provider not a critical
    information infrastructure operator; then send it to the buyer."""
    description, quantity, unit_price = line
    page.locator("[name=lines-0-description]").fill(description)
    page.locator("[name=lines-0-quantity]").fill(quantity)
    page.locator("[name=lines-0-unit_price]").fill(unit_price)
    page.locator("[name=lines-0-vat_basis]").select_option("zero_rated_export")
    page.locator("[name=lines-0-vat_rate]").fill("0")
    if capability:
        page.locator("[name=lines-0-capability]").select_option(capability)
    for row, (name, share, trigger) in enumerate(milestones):
        page.locator(f"[name=ms-{row}-name]").fill(name)
        page.locator(f"[name=ms-{row}-share]").fill(share)
        page.locator(f"[name=ms-{row}-trigger]").fill(trigger)
    valid_until = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Valid until").fill(valid_until.isoformat())
    if turnaround_days:
        page.get_by_label("Turnaround (days)").fill(turnaround_days)
    page.get_by_role("group", name="critical information infrastructure").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Send to the buyer").click()
