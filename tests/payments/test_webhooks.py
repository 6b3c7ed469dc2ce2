"""Stripe's webhook: real signatures, events stored once, applied once in any order."""

import json
import random
import time
from decimal import Decimal

import pytest
from django.test import Client

from marketplace.contracting.services import (
    MilestoneInput,
    contract_sign,
    milestone_mark_due,
    quote_accept,
)
from payments import services as payment_services
from payments.ledger import ledger_check
from payments.models import LedgerTransaction, Payment, StripeEvent
from payments.services import milestone_payment_start, stripe_events_process_pending
from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for
from tests.factories.stripe_events import (
    WEBHOOK_URL,
    stripe_signature,
    webhook_post,
)
from tests.factories.stripe_events import (
    intent_event as event,
)

pytestmark = pytest.mark.django_db
URL = WEBHOOK_URL


@pytest.mark.parametrize(
    "headers",
    [
        {},  # missing
        {"HTTP_STRIPE_SIGNATURE": "t=1,v1=deadbeef"},  # bad
        "wrong-secret",
        "stale",
    ],
)
def test_a_request_without_a_valid_fresh_signature_is_refused_and_nothing_stored(headers):
    body = json.dumps(event("evt_bad", "payment_intent.succeeded", "pi_x", "succeeded"))
    if headers == "wrong-secret":
        headers = stripe_signature(body, secret="whsec_someone_else")
    elif headers == "stale":
        headers = stripe_signature(body, at=int(time.time()) - 3600)

    response = Client().post(URL, body, content_type="application/json", **headers)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"event"', "1", "null", "{}", '{"id": 5}', '{"id": ""}'])
def test_a_signed_body_that_is_not_an_event_object_is_refused_with_400(body):
    response = Client().post(URL, body, content_type="application/json", **stripe_signature(body))

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signed_event_without_an_object_is_stored_and_changes_nothing():
    body = {"id": "evt_no_object", "type": "payment_intent.succeeded", "data": []}

    response = webhook_post(Client(), body)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(event_id="evt_no_object")
    assert payment_services.stripe_event_process(event_id=stored.event_id) is True
    assert not LedgerTransaction.objects.exists()


def test_a_valid_event_is_stored_once_and_answered_at_once(django_capture_on_commit_callbacks):
    body = event("evt_once", "charge.succeeded", "pi_unknown", "succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        first, second = webhook_post(Client(), body), webhook_post(Client(), body)

    assert (first.status_code, second.status_code) == (200, 200)
    stored = StripeEvent.objects.get()
    assert (stored.event_id, stored.type, stored.attempts) == ("evt_once", "charge.succeeded", 1)
    assert stored.processed_at is not None


def _hundred_due_milestones() -> list:
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    tenths = [MilestoneInput(f"Part {n}", share=Decimal(10), trigger="t") for n in range(10)]
    payments = []
    for _number in range(10):
        rfq = rfq_for(buyer, invite=[provider])
        contract = quote_accept(quote=quote_for(rfq, provider, milestones=tenths), by=buyer.owner)
        contract_sign(contract=contract, by=buyer.owner)
        contract_sign(contract=contract, by=provider.owner)
        for milestone in contract.milestones.all():
            milestone_mark_due(milestone=milestone, by=provider.owner)
            payments.append(milestone_payment_start(milestone=milestone, by=buyer.owner))
    return payments


def test_500_shuffled_events_with_duplicates_and_failures_pay_each_milestone_exactly_once(
    monkeypatch, django_capture_on_commit_callbacks
):
    payments = _hundred_due_milestones()
    events = []
    for number, payment in enumerate(payments):
        intent = payment.stripe_payment_intent
        events += [
            event(f"evt_{number}_processing", "payment_intent.processing", intent, "processing"),
            event(f"evt_{number}_failed", "payment_intent.payment_failed", intent,
                  "requires_payment_method"),
            event(f"evt_{number}_succeeded", "payment_intent.succeeded", intent, "succeeded"),
            event(f"evt_{number}_charge", "charge.succeeded", intent, "succeeded"),
        ]  # fmt: skip
    shuffled = random.Random(20261127)
    deliveries = events + shuffled.sample(events, 100)  # 20 % of 500 are duplicates
    shuffled.shuffle(deliveries)
    assert len(deliveries) == 500
    failing = {e["id"] for e in shuffled.sample(events, 40)}
    failed_once: set[str] = set()
    real_apply = payment_services._apply

    def flaky_apply(stored):
        if stored.event_id in failing and stored.event_id not in failed_once:
            failed_once.add(stored.event_id)
            raise ConnectionError("database connection dropped")
        return real_apply(stored)

    monkeypatch.setattr(payment_services, "_apply", flaky_apply)
    client = Client()

    for body in deliveries:
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_post(client, body).status_code == 200
    stripe_events_process_pending()  # the periodic sweep: what failed is retried

    assert failed_once == failing
    assert StripeEvent.objects.count() == 400
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    assert Payment.objects.filter(status="succeeded").count() == 100
    assert {p.milestone.status for p in Payment.objects.select_related("milestone")} == {"paid"}
    assert LedgerTransaction.objects.filter(kind="payment_received").count() == 100
    assert ledger_check() == []


def test_a_failing_event_shows_its_error_and_attempts_to_staff(admin_client, monkeypatch):
    def broken(stored):
        raise ConnectionError("database connection dropped")

    monkeypatch.setattr(payment_services, "_apply", broken)
    StripeEvent.objects.create(
        event_id="evt_broken", type="payment_intent.succeeded",
        payload=event("evt_broken", "payment_intent.succeeded", "pi_x", "succeeded"),
    )  # fmt: skip

    assert stripe_events_process_pending() == {"processed": 0, "failed": 1}

    page = admin_client.get("/django-admin/payments/stripeevent/?processed_at__isempty=1")
    assert page.status_code == 200
    assert "evt_broken" in page.text and "database connection dropped" in page.text
