"""Browser tests: Debian's Chromium driven by Playwright against a live server process.

The server is gunicorn, as in production, in its own process, on a copy of the test database made
from it as a template once the demo has been loaded: pages come from committed data, served by a
separate process. Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, connections
from playwright.sync_api import sync_playwright

from tests.conftest import database_copy, database_url_for, process_stop, worker_start
from tests.mail_files import mail_to as read_mail

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
MAIL = ROOT / "var" / "e2e-mail"
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


# The live site's process environment (its database URL), for ``site_python``.
SITE: dict = {}


def site_python(code: str) -> str:
    """Run Python with Django set up against the live site's database; return what it prints.

    How a browser test puts committed data (people, deals) where the server can see it.
    """
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT, env=SITE["environment"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"site_python failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_site(django_db_setup, django_db_blocker):
    """Base URL of a server process on a copy of the test database (demo site included)."""
    with database_copy("e2e") as copy:
        yield from _serve(copy)


def _serve(copy: str):
    port = _free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.e2e",
        "DATABASE_URL": database_url_for({**connection.settings_dict, "NAME": copy}),
    }
    SITE["environment"] = environment
    shutil.rmtree(MAIL / copy, ignore_errors=True)
    SITE["mail"] = MAIL / copy
    log_path = ROOT / "var" / f"{copy}-server.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "marketplace.wsgi", f"--bind=127.0.0.1:{port}",
             "--workers=2", "--threads=4", "--access-logfile=-"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    # Background work (index changes, emails) runs on a real worker, on the site's own queue.
    worker = worker_start(
        queue=f"site-{copy}", environment=environment, log_path=ROOT / "var" / f"{copy}-worker.log"
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base_url}/api/v1/health/", timeout=2)
            break
        except OSError as error:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log_tail = log_path.read_text()[-3000:]
                raise RuntimeError(f"The e2e server did not start:\n{log_tail}") from error
            time.sleep(0.3)
    try:
        yield base_url
    finally:
        process_stop(server)
        process_stop(worker)


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
