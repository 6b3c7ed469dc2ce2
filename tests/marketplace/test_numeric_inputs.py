"""Every number a form or an endpoint reads, tried at 0, -1, 2^31, 2^63, 1e20 and 30 digits:
never a server error; a value the field refuses answers 4xx naming the field, and writes
nothing. (The fuzz suite tries the same values on the live site's API: tests/fuzz/hooks.py.)"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cms.services import platform_moderator_add
from marketplace.contracting.models import (
    AuditEvent,
    Quote,
    QuoteLine,
    QuoteMilestone,
    QuoteRevision,
    Rfq,
    Screening,
)
from marketplace.jobs.models import CandidateProfile
from marketplace.jobs.services import candidate_profile_save
from payments.models import Payout
from tests.contracting.test_api import QUOTE
from tests.contracting.test_pages import quote_form
from tests.factories import UserFactory, buyer_party, fx_rates, provider_party, rfq_for
from tests.jobs.test_applications import PDF

pytestmark = pytest.mark.django_db

# Each value as a JSON body carries it (a number) and as a form or a query string does (text).
VALUES = {
    "0": (0, "0"),
    "-1": (-1, "-1"),
    "2^31": (2**31, "2147483648"),
    "2^63": (2**63, "9223372036854775808"),
    "1e20": (1e20, "1e20"),
    "30 digits": (int("9" * 30), "9" * 30),
}
WATCHED = (
    Rfq, Quote, QuoteRevision, QuoteLine, QuoteMilestone, AuditEvent, Screening, CandidateProfile,
    Payout,
)  # fmt: skip
IN_A_MONTH = (timezone.localdate() + timedelta(days=30)).isoformat()


@dataclass(frozen=True)
class NumericInput:
    """One number one form or endpoint reads.

    ``field`` is its name as sent (``lines.0.quantity``: inside a JSON list; ``lines-0-quantity``:
    a formset's field); ``named`` the names a refusal may give it (the field itself, or for a
    rule over a whole list, the list); ``form`` where a page puts the refusal (the context name,
    and the form's index in a formset); ``accepts`` the values the field takes."""

    method: str
    url: str
    field: str
    base: Callable[[dict], dict]
    actor: str
    accepts: frozenset[str] = frozenset()
    named: tuple[str, ...] = ()
    form: tuple = ()
    is_json: bool = False
    is_decimal: bool = False  # a JSON decimal is sent as a string, as the schema says

    @property
    def id(self) -> str:
        return f"{self.method} {self.url} {self.field}"


def rfq_body(world):
    return {"title": "Rat PK study", "scope": "Two doses.", "capability_codes": ["dmpk.in_vivo_pk"]}


def rfq_form(world):
    return {
        "buyer": world["buyer"].organisation.slug, "title": "Rat PK study", "scope": "Two doses.",
        "capabilities": ["dmpk.in_vivo_pk"], "budget_currency": "USD", "visibility": "invited",
    }  # fmt: skip


def quote_body(world):
    return json.loads(json.dumps(QUOTE))


def quote_by_amount_body(world):
    return {**quote_body(world), "milestones": [{"name": "All", "amount": "71680.00",
                                                 "trigger": "Signed"}]}  # fmt: skip


def quote_by_amount_form(world):
    return {**quote_form(), "ms-0-share": "", "ms-0-amount": "1000.00"}


def profile_form(world):
    return {"full_name": "Li Na", "degree": "master", "school": "Fudan University"}


def payout_form(world):
    return {
        "provider": world["provider"].organisation.slug, "reference": "TR-2026-0042",
        "paid_on": timezone.localdate().isoformat(),
    }  # fmt: skip


def nothing(world):
    return {}


FACTS = ("personal_info_subjects_ytd", "sensitive_personal_info_subjects_ytd")
BUDGETS = ("budget_min_amount", "budget_max_amount")
ZERO, FITS = frozenset({"0"}), frozenset({"0", "2^31"})
INPUTS = [
    # The deal API: an RFQ, its edit, a quote (lines and milestones), the screening check.
    *[NumericInput("post", "/api/v1/rfqs/", name, rfq_body, "buyer", ZERO, is_json=True)
      for name in FACTS],
    *[NumericInput("post", "/api/v1/rfqs/", name, rfq_body, "buyer", FITS, is_json=True,
                   is_decimal=True) for name in BUDGETS],
    *[NumericInput("patch", "/api/v1/rfqs/{draft}/", name, nothing, "buyer", ZERO, is_json=True)
      for name in FACTS],
    *[NumericInput("patch", "/api/v1/rfqs/{draft}/", name, nothing, "buyer", FITS, is_json=True,
                   is_decimal=True) for name in BUDGETS],
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "turnaround_days", quote_body,
                 "provider", is_json=True),
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "lines.0.quantity", quote_body,
                 "provider", is_json=True, is_decimal=True),
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "lines.0.unit_price", quote_body,
                 "provider", FITS, is_json=True, is_decimal=True),
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "lines.0.vat_rate", quote_body,
                 "provider", ZERO, is_json=True, is_decimal=True),
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "milestones.0.share", quote_body,
                 "provider", is_json=True, is_decimal=True),
    NumericInput("post", "/api/v1/rfqs/{open}/quotes/", "milestones.0.amount",
                 quote_by_amount_body, "provider", named=("milestones",), is_json=True,
                 is_decimal=True),
    *[NumericInput("post", "/api/v1/screening", name, lambda w: {"direction": "inbound"},
                   "buyer", ZERO, is_json=True) for name in FACTS],
    NumericInput("post", "/api/v1/screening", "single_payment_usd_equivalent",
                 lambda w: {"direction": "inbound"}, "buyer", FITS, is_json=True,
                 is_decimal=True),
    # The search API (query strings).
    NumericInput("get", "/api/v1/search/services", "price_max", nothing, "anonymous", FITS),
    NumericInput("get", "/api/v1/search/services", "turnaround_max", nothing, "anonymous"),
    NumericInput("get", "/api/v1/search/services", "page", nothing, "anonymous"),
    NumericInput("get", "/api/v1/search/jobs", "salary_at_least", nothing, "anonymous", FITS),
    NumericInput("get", "/api/v1/search/jobs", "page", nothing, "anonymous"),
    NumericInput("get", "/api/v1/search/providers", "page", nothing, "anonymous"),
    # The deal pages: the RFQ form and the quote form (its terms, a line, a milestone).
    *[NumericInput("post", "/deals/rfqs/new/", name, rfq_form, "buyer", ZERO, form=("form",))
      for name in FACTS],
    *[NumericInput("post", "/deals/rfqs/new/", name, rfq_form, "buyer", FITS, form=("form",))
      for name in BUDGETS],
    NumericInput("post", "/deals/rfqs/{open}/quote/", "turnaround_days", lambda w: quote_form(),
                 "provider", form=("form",)),
    NumericInput("post", "/deals/rfqs/{open}/quote/", "lines-0-quantity",
                 lambda w: quote_form(), "provider", form=("line_forms", 0)),
    NumericInput("post", "/deals/rfqs/{open}/quote/", "lines-0-unit_price",
                 lambda w: quote_form(), "provider", frozenset({"2^31"}), named=("lines",),
                 form=("line_forms", 0)),
    NumericInput("post", "/deals/rfqs/{open}/quote/", "lines-0-vat_rate", lambda w: quote_form(),
                 "provider", ZERO, form=("line_forms", 0)),
    NumericInput("post", "/deals/rfqs/{open}/quote/", "ms-0-share", lambda w: quote_form(),
                 "provider", form=("milestone_forms", 0)),
    NumericInput("post", "/deals/rfqs/{open}/quote/", "ms-0-amount", quote_by_amount_form,
                 "provider", named=("milestones",), form=("milestone_forms", 0)),
    # The search pages, a paged listing, the graduate's profile, the staff's payout form.
    NumericInput("get", "/search/", "price_max", nothing, "anonymous", FITS, form=("errors",)),
    NumericInput("get", "/search/", "turnaround_max", nothing, "anonymous", form=("errors",)),
    NumericInput("get", "/search/", "page", nothing, "anonymous", form=("errors",)),
    NumericInput("get", "/jobs/", "salary_at_least", nothing, "anonymous", FITS,
                 form=("errors",)),
    NumericInput("get", "/jobs/", "page", nothing, "anonymous", form=("errors",)),
    # A listing's ?page= shows the nearest page to any number (Django's Paginator.get_page).
    NumericInput("get", "/providers/", "page", nothing, "anonymous", frozenset(VALUES)),
    NumericInput("post", "/applications/profile/", "graduation_year", profile_form, "graduate",
                 form=("form",)),
    NumericInput("post", "/payments/payouts/", "amount", payout_form, "staff", form=("form",)),
]  # fmt: skip
# Numbers in paths: an id no object has is a 404 like any other.
PATHS = [
    "/api/v1/rfqs/{}/", "/api/v1/quotes/{}/", "/api/v1/contracts/{}/", "/deals/rfqs/{}/",
    "/deals/quotes/{}/", "/deals/contracts/{}/", "/payments/{}/",
]  # fmt: skip


@pytest.fixture
def world(search_indexes):
    fx_rates()
    buyer, provider = buyer_party(), provider_party(offers=("dmpk.in_vivo_pk",))
    graduate, staff = UserFactory(email_verified=True), UserFactory(email_verified=True)
    platform_moderator_add(user=staff)
    candidate_profile_save(
        user=graduate, full_name="Li Na", degree="master", school="Fudan University",
        graduation_year=timezone.localdate().year,
        cv=SimpleUploadedFile("li-na.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    return {
        "buyer": buyer,
        "provider": provider,
        "draft": rfq_for(buyer, open_it=False).pk,
        "open": rfq_for(buyer, invite=[provider]).pk,
        "clients": {
            "anonymous": Client(),
            "buyer": _signed_in(buyer.owner),
            "provider": _signed_in(provider.owner),
            "graduate": _signed_in(graduate),
            "staff": _signed_in(staff),
        },
    }


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _with(body: dict, path: str, value) -> dict:
    """``body`` with ``value`` at ``path`` (``lines.0.quantity`` inside lists and objects)."""
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target = body
    for part in parents:
        target = target[part]
    target[last] = value
    return body


def _names(errors, prefix: str = "") -> set[str]:
    """The fields an API refusal names, flat: DRF's nested ``{"lines": {"0": {"quantity": [...]}}}``
    and a service's ``{"lines[0].quantity": [...]}`` both give ``lines[0].quantity``."""
    if not isinstance(errors, dict):
        return set()
    names = set()
    for key, value in errors.items():
        name = f"{prefix}[{key}]" if key.isdigit() else f"{prefix}.{key}" if prefix else key
        names |= {name} | _names(value, name)
    return names


def _refused_on_page(response, entry: NumericInput) -> set[str]:
    """The fields the page's refusal is on: a form's fields with errors; for a formset's form,
    also the lists the page's main form has errors about (a rule over all the lines)."""
    where, *index = entry.form
    context = response.context[where]
    if where == "errors":  # the search pages: the parser's errors by field
        return set(context)
    if not index:
        return set(context.errors)
    names = set(context.forms[index[0]].errors)
    if response.context["form"].non_field_errors():
        names |= set(entry.named)
    return names


def _state() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.mark.parametrize("label", list(VALUES))
@pytest.mark.parametrize("entry", INPUTS, ids=lambda entry: entry.id)
def test_every_number_a_form_or_endpoint_reads_is_refused_by_field_or_taken_never_a_500(
    world, entry, label
):
    number, text = VALUES[label]
    url = entry.url.format(**world)
    client = world["clients"][entry.actor]
    before = _state()

    if entry.is_json:
        body = _with(entry.base(world), entry.field, text if entry.is_decimal else number)
        response = getattr(client, entry.method)(url, body, content_type="application/json")
    elif entry.method == "get":
        response = client.get(url, {entry.field: text})
    else:
        response = client.post(url, {**entry.base(world), entry.field: text})

    assert response.status_code < 500, response.content[:2000]
    if label in entry.accepts:
        assert response.status_code < 400, response.content[:2000]
        return
    assert response.status_code == 400, response.content[:2000]
    if entry.form:  # a page: the refusal is on the form's field (``lines-0-quantity``: quantity)
        wanted = {re.sub(r"^\w+-\d+-", "", entry.field)}
        named = _refused_on_page(response, entry)
    else:  # JSON: the field by name (``lines.0.quantity``: lines[0].quantity)
        wanted = {re.sub(r"\.(\d+)\.", r"[\1].", entry.field)}
        named = _names(response.json())
    assert named & (wanted | set(entry.named)), (named, response.content[:2000])
    assert _state() == before


@pytest.mark.parametrize("label", list(VALUES))
@pytest.mark.parametrize("path", PATHS)
def test_a_number_in_a_path_that_no_object_has_is_a_404(world, path, label):
    number, text = VALUES[label]

    response = world["clients"]["buyer"].get(path.format(text))

    assert response.status_code == 404
