"""Stripe's webhook hands its events' processing to the outbox: with the broker down it still
answers at once, and the event is processed when the broker is back."""

import time

import pytest
from django.test import Client

from marketplace.ops.models import PendingTask
from marketplace.ops.services import outbox_drain
from payments.models import StripeEvent
from tests.factories.stripe_events import intent_event, webhook_post

pytestmark = pytest.mark.django_db


def test_an_event_received_while_the_broker_is_down_is_answered_fast_and_processed_later(
    broker_unreachable, django_capture_on_commit_callbacks
):
    body = intent_event("evt_outbox", "charge.succeeded", "pi_unknown", "succeeded")

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(Client(), body)

    assert response.status_code == 200
    assert time.monotonic() - started < 5
    (waiting,) = PendingTask.objects.all()
    assert (waiting.task, waiting.args) == (
        "payments.tasks.stripe_event_process_task",
        ["evt_outbox"],
    )
    assert StripeEvent.objects.get(event_id="evt_outbox").processed_at is None

    broker_unreachable()  # the broker is back
    assert outbox_drain() == {"sent": 1, "waiting": 0}
    assert StripeEvent.objects.get(event_id="evt_outbox").processed_at is not None


def test_a_duplicated_event_enqueues_nothing(
    broker_unreachable, django_capture_on_commit_callbacks
):
    body = intent_event("evt_twice", "charge.succeeded", "pi_unknown", "succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(Client(), body), webhook_post(Client(), body)

    assert PendingTask.objects.filter(args=["evt_twice"]).count() == 1
