"""The load scenario: anonymous visitors searching and reading provider pages and the job board,
and signed-in buyers sending requests for quote and reading the quotes they got.

Run by tests/bench/load/load_run.py, which prepares the site and writes the fixture this file
reads (``LOAD_FIXTURE``): the buyers' session keys, their RFQs and quotes, the provider pages and
the providers to invite. Buyers never sign in through the form (the site throttles sign-ins per
client address); each uses a session of its own, made by the runner.

Every request has a group name (its row in the report). A request fails unless it gets the
status it should: redirects are not followed, so a buyer sent to the sign-in page is a failure.
"""

import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from locust import HttpUser, between, events, task

FIXTURE: dict = {}
THINK_SECONDS = (
    float(os.environ.get("LOAD_THINK_MIN", "0.5")),
    float(os.environ.get("LOAD_THINK_MAX", "2")),
)
# What overseas buyers type, in English and Chinese, with a filter now and then.
SERVICE_QUERIES: list[dict] = [
    {"q": "GLP rodent toxicology"},
    {"q": "in vitro ADME"},
    {"q": "ADC conjugation"},
    {"q": "DMPK", "page": 2},
    {"q": "bioanalysis LC-MS/MS", "standard": "GLP"},
    {"q": "cryo-EM"},
    {"q": "CAR-T", "zone": "shanghai_ftz"},
    {"q": "medicinal chemistry", "capability": "discovery"},
    {"q": "PDX oncology models"},
    {"q": "phase I unit"},
    {"q": "toxicolgy"},
    {"q": "biocompatibility ISO 10993"},
    {"q": "", "capability": "safety"},
    {"q": "peptide synthesis", "turnaround_max": "60"},
    {"q": "stability studies", "standard": "GMP", "price_max": "500000"},
    {"q": "抗体偶联药物"},
    {"q": "啮齿类动物毒性试验", "standard": "GLP"},
    {"q": "药代动力学"},
    {"q": "中药制剂"},
    {"q": "细胞株构建"},
    {"q": "遗传毒性"},
    {"q": "临床试验管理"},
]
JOB_QUERIES: list[dict] = [
    {"q": ""},
    {"q": "toxicology"},
    {"q": "ADME intern"},
    {"q": "medicinal chemist", "level": "graduate"},
    {"q": "clinical research associate"},
    {"q": "biostatistician"},
    {"q": "", "level": "intern"},
    {"q": "应届"},
    {"q": "药物化学"},
    {"q": "临床监查员"},
    {"q": "中药学"},
]
RFQ_SCOPES = [
    ("Metabolic stability panel", "Liver microsomal stability (human, rat) for 12 compounds."),
    ("CYP inhibition screen", "Five-isoform CYP inhibition, IC50, for a lead series of 8."),
    ("Rodent PK bridging study", "Single-dose IV/PO PK in rats, 3 compounds, LC-MS/MS."),
    ("14-day rat tox range-finder", "Non-GLP range-finding toxicity, 3 dose groups plus control."),
]


@events.init_command_line_parser.add_listener
def _arguments(parser):
    parser.add_argument("--fixture", default=os.environ.get("LOAD_FIXTURE", ""))


@events.test_start.add_listener
def _load_fixture(environment, **_kwargs):
    path = environment.parsed_options.fixture
    if not path:
        raise SystemExit("No fixture: run the scenario through tests/bench/load/load_run.py.")
    with open(path, encoding="utf-8") as fixture:
        FIXTURE.update(json.load(fixture))
    Buyer.sessions = itertools.cycle(FIXTURE["buyers"])


def _expect(response, *statuses: int, contains: str | None = None) -> None:
    """Mark the response failed unless it has one of ``statuses`` (and ``contains``)."""
    if response.status_code not in statuses:
        where = response.headers.get("Location", "")
        response.failure(f"HTTP {response.status_code}{f' -> {where}' if where else ''}")
    elif contains is not None and contains not in response.text:
        response.failure(f"HTTP {response.status_code} without {contains!r}")
    else:
        response.success()


class Visitor(HttpUser):
    """Someone not signed in: searches in English or Chinese, opens providers and listings,
    looks at the job board."""

    weight = 4
    wait_time = between(*THINK_SECONDS)

    def on_start(self):
        self.chinese = random.random() < 0.4
        self.client.headers["Accept-Language"] = "zh-CN,zh;q=0.9" if self.chinese else "en"

    def _get(self, path: str, name: str, **params):
        url = f"{path}?{urlencode(params)}" if params else path
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            _expect(answer, 200)

    @task(4)
    def search_page(self):
        self._get("/search/", "visitor: search page", **random.choice(SERVICE_QUERIES))

    @task(3)
    def search_api(self):
        with self.client.get(
            "/api/v1/search/services?" + urlencode(random.choice(SERVICE_QUERIES)),
            name="visitor: search API", allow_redirects=False, catch_response=True,
        ) as answer:  # fmt: skip
            _expect(answer, 200, contains='"results"')

    @task(3)
    def provider_page(self):
        self._get(random.choice(FIXTURE["provider_pages"]), "visitor: provider page")

    @task(2)
    def listing_page(self):
        self._get(random.choice(FIXTURE["listing_pages"]), "visitor: listing page")

    @task(2)
    def job_board(self):
        self._get(FIXTURE["job_board"], "visitor: job board", **random.choice(JOB_QUERIES))

    @task(1)
    def job_posting(self):
        self._get(random.choice(FIXTURE["job_pages"]), "visitor: job posting page")


class Buyer(HttpUser):
    """A signed-in buyer: sends requests for quote through the API, reads their requests, the
    quotes they got and the comparison, on the site and through the API."""

    fixed_count = int(os.environ.get("LOAD_BUYERS", "10"))  # the runner's --buyers
    weight = 1
    wait_time = between(*THINK_SECONDS)
    sessions = iter(())

    def on_start(self):
        me = next(self.sessions)
        self.quoted, self.quotes = list(me["rfqs"]), list(me["quotes"])
        self.rfqs = list(me["rfqs"])  # and those it sends
        host = self.host.split("://", 1)[1].split(":")[0]
        self.client.cookies.set(FIXTURE["session_cookie"], me["session"], domain=host)
        # A page first, as a browser would: it sets the CSRF cookie the API's POSTs need.
        with self.client.get(
            "/deals/", name="buyer: deals dashboard", allow_redirects=False, catch_response=True
        ) as answer:
            _expect(answer, 200, contains=me["organisation"])  # in its requests' titles
        token = self.client.cookies.get(FIXTURE["csrf_cookie"])
        if token is None:
            raise RuntimeError("The deals page set no CSRF cookie.")
        self.client.headers.update(
            {"X-CSRFToken": token, "Origin": self.host, "Referer": f"{self.host}/deals/"}
        )

    def _get(self, path: str, name: str, *, contains: str | None = None):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            _expect(answer, 200, contains=contains)

    @task(2)
    def dashboard(self):
        self._get("/deals/", "buyer: deals dashboard")

    @task(2)
    def rfq_page(self):
        self._get(f"/deals/rfqs/{random.choice(self.rfqs)}/", "buyer: RFQ page")

    @task(3)
    def comparison(self):
        self._get(f"/deals/rfqs/{random.choice(self.quoted)}/compare/",
                  "buyer: quote comparison page")  # fmt: skip

    @task(3)
    def quote_page(self):
        self._get(f"/deals/quotes/{random.choice(self.quotes)}/", "buyer: quote page")

    @task(2)
    def quotes_api(self):
        rfq = random.choice(self.quoted)
        self._get(f"/api/v1/rfqs/{rfq}/quotes/", "buyer: RFQ quotes API", contains='"current"')

    @task(1)
    def rfqs_api(self):
        self._get("/api/v1/rfqs/", "buyer: RFQ list API")

    @task(2)
    def rfq_create(self):
        capability, providers = random.choice(FIXTURE["invitable"])
        title, scope = random.choice(RFQ_SCOPES)
        payload = {
            "title": f"{title} ({random.randrange(10_000)})",
            "summary": "Load scenario request.",
            "scope": scope,
            "capability_codes": [capability],
            "budget_currency": random.choice(["USD", "EUR", "CNY"]),
            "budget_max_amount": f"{random.randrange(10, 90) * 1000}.00",
            "deadline": (datetime.now(UTC).date() + timedelta(days=45)).isoformat(),
            "invite": random.sample(providers, min(2, len(providers))),
            "open": True,
            **FIXTURE["harmless_facts"],
        }
        with self.client.post(
            "/api/v1/rfqs/", json=payload, name="buyer: RFQ create API", allow_redirects=False,
            catch_response=True,
        ) as answer:  # fmt: skip
            _expect(answer, 201, contains='"status":"open"')
            if answer.status_code == 201:
                self.rfqs.append(answer.json()["id"])
