"""Webhook throughput: signed Stripe events posted to the live endpoint, processed by a real
Celery worker on Redis, timed end to end (post → stored → applied).

Not collected by pytest. Uses its own PostgreSQL database (refuses names without "bench"), made
fresh each run, the local Stripe emulator for the PaymentIntents, and a Redis database of its own:

    DJANGO_SETTINGS_MODULE=marketplace.settings \\
    DATABASE_URL=postgres://marketplace:marketplace@127.0.0.1:5432/marketplace_bench_webhooks \\
    .venv/bin/python tests/bench/webhook_bench.py --milestones 200

Each milestone gets a PaymentIntent and three events (processing, payment_failed, succeeded);
20 % of deliveries are duplicates, and the order is shuffled. Prints a table and writes JSON under
var/bench/.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

from tests.processes import group_stop  # noqa: E402

SECRET = "whsec_bench_local"  # noqa: S105 - a local benchmark's endpoint secret
BROKER = "redis://127.0.0.1:6379/3"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--milestones", type=int, default=200)
    parser.add_argument("--senders", type=int, default=8, help="concurrent webhook deliveries")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    from import_providers import prepare_database
    from search_bench import api_server

    database_url = os.environ["DATABASE_URL"]
    prepare_database(database_url, fresh=True, allow_any_name=False)
    os.environ.update(
        {"CELERY_BROKER_URL": BROKER, "STRIPE_WEBHOOK_SECRET": SECRET, "DEBUG": "false",
         "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
         "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    print("migrating", file=sys.stderr)
    call_command("migrate", verbosity=0)
    payments = make_due_payments(args.milestones)
    events = build_events(payments)
    environment = {key: os.environ[key] for key in (
        "DATABASE_URL", "CELERY_BROKER_URL", "STRIPE_WEBHOOK_SECRET", "DEBUG", "SECRET_KEY",
        "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")}  # fmt: skip
    from marketplace.celery import queue_names

    queues = ",".join(queue_names())
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "marketplace", "purge", "-f", f"--queues={queues}"],
        cwd=ROOT, env={**os.environ, **environment}, capture_output=True, check=False,
    )  # fmt: skip
    worker = start_worker(environment, args.worker_concurrency)
    try:
        with api_server(workers=2, threads=4, environment=environment) as (base_url, _port):
            result = deliver_and_wait(base_url, events, args.senders)
    finally:
        group_stop(worker)
    result.update(check(len(payments)))
    report(result, args, len(payments))


def make_due_payments(count: int) -> list:
    from marketplace.contracting.services import (
        MilestoneInput,
        contract_sign,
        milestone_mark_due,
        quote_accept,
    )
    from payments.services import milestone_payment_start
    from tests.factories import buyer_party, fx_rates, provider_party, quote_for, rfq_for

    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    tenths = [MilestoneInput(f"Part {n}", share=Decimal(10), trigger="t") for n in range(10)]
    payments = []
    started = time.monotonic()
    while len(payments) < count:
        rfq = rfq_for(buyer, invite=[provider])
        contract = quote_accept(quote=quote_for(rfq, provider, milestones=tenths), by=buyer.owner)
        contract_sign(contract=contract, by=buyer.owner)
        contract_sign(contract=contract, by=provider.owner)
        for milestone in contract.milestones.all()[: count - len(payments)]:
            milestone_mark_due(milestone=milestone, by=provider.owner)
            payments.append(milestone_payment_start(milestone=milestone, by=buyer.owner))
        print(f"\r  {len(payments)}/{count} milestones due with a PaymentIntent", end="",
              file=sys.stderr)  # fmt: skip
    print(f" ({time.monotonic() - started:.1f} s)", file=sys.stderr)
    return payments


def build_events(payments: list) -> list[dict]:
    events = []
    for number, payment in enumerate(payments):
        for kind, status in (("processing", "processing"),
                             ("payment_failed", "requires_payment_method"),
                             ("succeeded", "succeeded")):  # fmt: skip
            events.append({
                "id": f"evt_bench_{number}_{kind}", "object": "event",
                "type": f"payment_intent.{kind}", "created": int(time.time()),
                "data": {"object": {"id": payment.stripe_payment_intent, "status": status,
                                    "object": "payment_intent", "last_payment_error": None}},
            })  # fmt: skip
    shuffle = random.Random(20261127)
    deliveries = events + shuffle.sample(events, len(events) // 4)  # 20 % duplicates
    shuffle.shuffle(deliveries)
    return deliveries


def start_worker(environment: dict, concurrency: int) -> subprocess.Popen:
    from marketplace.celery import queue_names

    log = open(ROOT / "var" / "bench" / "webhook-worker.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--loglevel=WARNING",
         f"--concurrency={concurrency}", f"--queues={','.join(queue_names())}",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env={**os.environ, **environment}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def deliver_and_wait(base_url: str, events: list[dict], senders: int) -> dict:
    import hashlib
    import hmac

    from payments.models import StripeEvent
    from tests.factories.stripe_events import WEBHOOK_URL

    def deliver(body: dict) -> tuple[int, float]:
        payload = json.dumps(body).encode()
        timestamp = int(time.time())
        digest = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + payload,
                          hashlib.sha256).hexdigest()  # fmt: skip
        request = urllib.request.Request(
            base_url + WEBHOOK_URL, data=payload, method="POST",
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": f"t={timestamp},v1={digest}"},
        )  # fmt: skip
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, (time.monotonic() - started) * 1000

    print(f"  delivering {len(events)} events with {senders} senders", file=sys.stderr)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=senders) as pool:
        answers = list(pool.map(deliver, events))
    delivered = time.monotonic() - started
    unique = len({event["id"] for event in events})
    deadline = time.monotonic() + 600
    while StripeEvent.objects.filter(processed_at__isnull=False).count() < unique:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    finished = time.monotonic() - started
    latencies = [ms for _status, ms in answers]
    return {
        "deliveries": len(events),
        "unique_events": unique,
        "non_200": sum(1 for status, _ms in answers if status != 200),
        "delivery_seconds": round(delivered, 2),
        "deliveries_per_second": round(len(events) / delivered, 1),
        "endpoint_ms": {
            "p50": round(percentile(latencies, 0.5), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "p99": round(percentile(latencies, 0.99), 1),
        },  # fmt: skip
        "end_to_end_seconds": round(finished, 2),
        "events_applied_per_second": round(unique / finished, 1),
    }


def check(payments: int) -> dict:
    from payments.ledger import ledger_check
    from payments.models import Payment, StripeEvent

    return {
        "processed": StripeEvent.objects.filter(processed_at__isnull=False).count(),
        "succeeded_payments": Payment.objects.filter(status="succeeded").count(),
        "expected_payments": payments,
        "ledger_problems": ledger_check(),
    }


def report(result: dict, args, payments: int) -> None:
    rows = [
        ("milestones (PaymentIntents)", f"{payments}"),
        ("deliveries (20 % duplicates, shuffled)",
         f"{result['deliveries']} ({result['unique_events']} unique), "
         f"non-200: {result['non_200']}"),
        ("webhook endpoint", f"{result['deliveries_per_second']} deliveries/s; p50 "
         f"{result['endpoint_ms']['p50']} / p95 {result['endpoint_ms']['p95']} / p99 "
         f"{result['endpoint_ms']['p99']} ms"),
        ("end to end through the worker", f"{result['events_applied_per_second']} events/s "
         f"({result['unique_events']} in {result['end_to_end_seconds']} s)"),
        ("applied exactly once", f"{result['succeeded_payments']}/{payments} paid, "
         f"{result['processed']}/{result['unique_events']} processed, ledger problems: "
         f"{len(result['ledger_problems'])}"),
    ]  # fmt: skip
    width = max(len(name) for name, _value in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    output = args.output or ROOT / "var" / "bench" / (
        f"webhooks-{datetime.now(UTC):%Y%m%d%H%M%S}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"when": datetime.now(UTC).isoformat(), **result}, indent=2))
    print(f"\nresult written to {output}")


if __name__ == "__main__":
    main()
