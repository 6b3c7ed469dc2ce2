"""Every page type, as each kind of reader sees it on a phone (390 × 844), in Chinese and in
English: nothing wider than the screen, every control a finger presses at least 44 px, no serious
or critical axe-core violation, and — in Chinese — no raw code (snake_case or UPPER_CASE
identifiers, ISO language codes), no English name run into a Chinese sentence, and no interface
string left in English where it has a translation. Each check lists every page that fails it,
so one run shows the whole picture."""

import gettext
import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import CHINESE_SIGN_IN, ENGLISH_SIGN_IN, sign_in_here, site_python

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parents[1] / "marketplace" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
RAW_CODE = re.compile(
    r"\b[a-z]+(?:_[a-z0-9]+)+\b"  # snake_case
    r"|\b[A-Z]{2,}_[A-Z0-9_]{2,}\b"  # UPPER_CASE
    r"|\b(?:en|zh|ja|de|fr)(?:, ?(?:en|zh|ja|de|fr))+\b"  # language codes listed
)
# An English word run into a Chinese sentence ("立足Beijing"): a name left untranslated.
MIXED = re.compile(r"[\u4e00-\u9fff][A-Z][a-z]{2,}|[A-Z][a-z]{2,}[\u4e00-\u9fff]")
SMALL_TARGETS = "\n".join(  # the function, its leading comment left out
    line
    for line in (HERE / "small_targets.js").read_text().splitlines()
    if not line.startswith("//")
)


def interface_strings() -> list[str]:
    """The interface's English strings of two words or more that have a Chinese translation,
    longest first (placeholders and markup left out)."""
    with open(CATALOGUE, "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    strings = {
        msgid for msgid, msgstr in catalog.items()
        if isinstance(msgid, str) and msgid and msgstr and msgstr != msgid
        and len(msgid.split()) >= 2 and not re.search(r"[%{<]", msgid)
    }  # fmt: skip
    return sorted(strings, key=len, reverse=True)


@pytest.fixture(scope="module")
def pages(live_site):
    seeded = json.loads(site_python("from tests.e2e.seeds import screens; screens()").strip())
    anonymous = [
        "/",
        "/search/?q=ADME",
        "/search/?q=toxicology&verified=true",
        "/search/?capability=tcm",
        "/providers/",
        seeded["provider_page"],
        seeded["service_page"],
        seeded["tcm_page"],
        seeded["job_page"],
        "/jobs/",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]
    buyer = [
        "/todo/",
        "/deals/",
        "/deals/rfqs/new/",
        seeded["rfq"],
        seeded["compare"],
        seeded["quote"],
        seeded["contract"],
        seeded["change_form"],
        "/account/",
        "/notifications/",
        "/notifications/settings/",
        "/search/saved/",
    ]
    provider = [
        "/todo/",
        "/deals/",
        seeded["rfq"],
        seeded["quote_form"],
        seeded["contract"],
        "/account/",
        "/notifications/",
        "/applications/",
    ]
    graduate = [
        "/account/",
        seeded["job_page"],
        "/jobs/",
        "/applications/",
        "/applications/saved/",
        "/applications/profile/",
    ]
    return {"anonymous": (None, anonymous), "buyer": (seeded["buyer"], buyer),
            "provider": (seeded["provider"], provider),
            "graduate": (seeded["graduate"], graduate)}  # fmt: skip


def _visit(page_in, live_site, language, email, paths, strings) -> list[str]:
    page = page_in(language)
    page.set_viewport_size(PHONE)
    if email:
        page.goto(f"{live_site}/accounts/login/")
        sign_in_here(
            page, email, labels=CHINESE_SIGN_IN if language == "zh-CN" else ENGLISH_SIGN_IN
        )
    problems = []
    for path in paths:
        response = page.goto(live_site + path)
        where = f"{language} {path}"
        expected = 404 if path == "/no-such-page/" else 200
        if response.status != expected:  # a page type checked must be the page itself
            problems.append(f"{where}: answered {response.status}, not {expected}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{where}: {width} px wide")
        if small := page.evaluate(SMALL_TARGETS):
            problems.append(f"{where}: under 44 px: {small[:4]}")
        violations = Axe().run(page).response["violations"]
        if serious := sorted(
            {v["id"] for v in violations if v["impact"] in ("serious", "critical")}
        ):
            problems.append(f"{where}: axe {serious}")
        if language == "zh-CN":
            text = page.evaluate("document.body.innerText")
            if codes := sorted(set(RAW_CODE.findall(text))):
                problems.append(f"{where}: raw codes {codes[:6]}")
            if mixed := sorted(set(MIXED.findall(text))):
                problems.append(f"{where}: English in a Chinese sentence {mixed[:6]}")
            english = []
            for string in strings:
                if string in text:
                    english.append(string)
                    text = text.replace(string, "")
            if english:
                problems.append(f"{where}: in English {english[:4]}")
    return problems


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_page_fits_a_phone_reads_in_the_language_and_passes_axe(
    live_site, page_in, pages, language
):
    strings = interface_strings()
    problems = []
    for email, paths in pages.values():
        problems += _visit(page_in, live_site, language, email, paths, strings)

    assert not problems, "\n".join(problems)
