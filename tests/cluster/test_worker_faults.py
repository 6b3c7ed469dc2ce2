"""Two Celery workers on the payments queue; one is SIGKILLed in the middle of a burst of signed
Stripe events (with duplicates): every event is processed exactly once, each milestone paid once,
the ledger balanced. What the dead worker held is picked up by the periodic sweep of stored but
unprocessed events (beat runs it every five minutes; here it is run at once).

The figures go to var/cluster/worker-kill.json for the closing note."""

import json
import random
import re
import time
import uuid

import pytest
from django.test import Client

from payments.ledger import ledger_check
from payments.models import LedgerTransaction, Payment, StripeEvent
from payments.services import stripe_events_process_pending
from tests.conftest import (
    ROOT,
    _wait_for_worker,
    process_stop,
    tasks_sent_to,
    worker_environment,
    worker_start,
)
from tests.factories.stripe_events import intent_event, webhook_post
from tests.payments.test_webhooks import _hundred_due_milestones

pytestmark = [pytest.mark.cluster, pytest.mark.postgresql]


def _events(payments) -> list[dict]:
    events = []
    for number, payment in enumerate(payments):
        intent = payment.stripe_payment_intent
        events += [
            intent_event(f"evt_{number}_processing", "payment_intent.processing", intent,
                         "processing"),
            intent_event(f"evt_{number}_succeeded", "payment_intent.succeeded", intent,
                         "succeeded"),
            intent_event(f"evt_{number}_charge", "charge.succeeded", intent, "succeeded"),
        ]  # fmt: skip
    shuffled = random.Random(20261206)
    deliveries = events + shuffled.sample(events, len(events) // 5)  # Stripe sends again
    shuffled.shuffle(deliveries)
    return deliveries


def _tasks(log: str) -> tuple[set[str], set[str]]:
    """The ids of the tasks a worker's log says it received, and of those it finished."""
    received = set(re.findall(r"\[([0-9a-f-]{36})\] received", log))
    finished = set(re.findall(r"\[([0-9a-f-]{36})\] (?:succeeded|raised|failed)", log))
    return received, finished


def _busy(log: str, done_at_least: int) -> bool:
    """Whether the worker has finished ``done_at_least`` tasks and is in the middle of one."""
    received, finished = _tasks(log)
    return len(received & finished) >= done_at_least and bool(received - finished)


def _settled(seconds: float) -> int:
    """Wait until the workers stop making progress; how many events are left unprocessed."""
    left, last_change = None, time.monotonic()
    while time.monotonic() - last_change < seconds:
        now = StripeEvent.objects.filter(processed_at__isnull=True).count()
        if now != left:
            left, last_change = now, time.monotonic()
        if now == 0:
            return 0
        time.sleep(0.5)
    return left


def test_a_worker_killed_in_a_burst_of_webhook_events_loses_none_and_does_none_twice(
    committed_db,
):
    payments = _hundred_due_milestones()
    deliveries = _events(payments)
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    environment = worker_environment()
    started = time.monotonic()
    logs = {name: ROOT / "var" / f"cluster-worker-{name}.log" for name in ("a", "b")}
    workers = {}
    try:
        with tasks_sent_to(queue):
            # The burst: every delivery answered at once, its processing queued faster than two
            # workers can do it (they start behind it).
            client = Client()
            for body in deliveries:
                assert webhook_post(client, body).status_code == 200
            for name in ("a", "b"):
                workers[name] = worker_start(
                    queue=queue, environment=environment, hostname=f"{queue}-{name}",
                    only=f"{queue}.payments", log_path=logs[name],
                )  # fmt: skip
            _wait_for_worker(workers["a"], f"{queue}-a@", logs["a"])
            deadline = time.monotonic() + 60
            while not _busy(logs["a"].read_text(errors="replace"), done_at_least=10):
                assert time.monotonic() < deadline, "worker a was never caught mid-task"
                time.sleep(0.005)
            workers["a"].kill()  # SIGKILL mid-task: what it held is neither done nor acknowledged
            killed_at = time.monotonic()
            left_by_workers = _settled(seconds=10)
            swept = stripe_events_process_pending()  # the periodic sweep
    finally:
        for process in workers.values():
            process_stop(process)
    seconds = time.monotonic() - started
    received, finished = _tasks(logs["a"].read_text(errors="replace"))

    unique = {body["id"] for body in deliveries}
    figures = {
        "deliveries": len(deliveries),
        "events": len(unique),
        "seconds_from_first_delivery_to_kill": round(killed_at - started, 1),
        "tasks_the_killed_worker_received": len(received),
        "tasks_it_held_unfinished_when_killed": len(received - finished),
        "left_unprocessed_by_the_workers": left_by_workers,
        "processed_by_the_sweep": swept,
        "seconds": round(seconds, 1),
        "payments_succeeded": Payment.objects.filter(status="succeeded").count(),
        "ledger_payments_received": LedgerTransaction.objects.filter(
            kind="payment_received"
        ).count(),
    }
    (ROOT / "var" / "cluster").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "cluster" / "worker-kill.json").write_text(json.dumps(figures, indent=2))

    assert StripeEvent.objects.count() == len(unique), figures  # each stored once
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists(), figures
    assert figures["payments_succeeded"] == len(payments), figures
    assert {p.milestone.status for p in Payment.objects.select_related("milestone")} == {"paid"}
    assert figures["ledger_payments_received"] == len(payments), figures  # paid once each
    assert ledger_check() == []
