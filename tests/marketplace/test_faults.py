"""Outages of the real services, mid-run: what visitors see, and that nothing is lost.

Elasticsearch and the Stripe emulator are stopped and started with ``.ci/services.sh``; Redis is a
server of this test's own (the suite's broker stays up), killed and started again on its port;
PostgreSQL drops a worker's connection in the middle of a payment event.
"""

import socket
import subprocess
import time
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from cms.models import ServicePage
from marketplace.contracting.models import Rfq
from marketplace.ops.models import PendingTask
from marketplace.ops.services import outbox_drain
from payments.models import LedgerTransaction, Payment, PaymentStatus, StripeEvent
from payments.services import milestone_payment_start
from search.client import get_client, index_name
from search.indexing import SERVICES
from search.models import IndexChange
from search.queries import ServiceQuery, search_services
from search.services import index_changes_apply
from tests.conftest import ROOT, admin_dsn, site_worker
from tests.factories import HARMLESS_FACTS, buyer_party, due_milestone, fx_rates, provider_party
from tests.factories.stripe_events import intent_event, webhook_post
from tests.mail_files import mail_to

pytestmark = pytest.mark.faults


def service(action: str, name: str) -> None:
    """Stop or start one of the local services, as an operator would."""
    subprocess.run(
        ["bash", str(ROOT / ".ci" / "services.sh"), action, name],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip


def wait_until(condition, *, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen in {timeout} s"
        time.sleep(0.2)


@pytest.mark.django_db
def test_elasticsearch_stopped_search_degrades_publishing_goes_on_and_the_index_catches_up(
    client, search_indexes, django_capture_on_commit_callbacks
):
    edited, withdrawn = ServicePage.objects.live().order_by("pk")[:2]
    originals = {page.pk: page.title_en for page in (edited, withdrawn)}
    service("stop", "elasticsearch")
    try:
        api = client.get("/api/v1/search/services", {"q": "toxicology"})
        page = client.get("/search/", {"q": "toxicology"})
        assert api.status_code == 200 and api.json()["degraded"] is True
        assert api.json()["count"] > 0
        assert page.status_code == 200 and "Basic search" in page.text

        with django_capture_on_commit_callbacks(execute=True):
            edited.title_en = f"{edited.title_en} with zebrafish cardiotoxicity"
            edited.save_revision().publish()
            withdrawn.unpublish()
        assert ServicePage.objects.get(pk=edited.pk).title_en.endswith("zebrafish cardiotoxicity")
        assert IndexChange.objects.filter(applied_at__isnull=True).count() >= 2
    finally:
        service("start", "elasticsearch")

    try:
        applied = index_changes_apply()  # what the one-minute sweep does

        assert applied >= 2
        assert not IndexChange.objects.filter(applied_at__isnull=True).exists()
        get_client().indices.refresh(index=index_name(SERVICES))
        found = search_services(ServiceQuery(text="zebrafish cardiotoxicity"))["results"]
        assert found and found[0]["id"] == edited.pk
        every_id = {
            hit["id"]
            for number in range(1, 8)
            for hit in search_services(ServiceQuery(page=number))["results"]
        }
        assert withdrawn.pk not in every_id
    finally:  # the index is shared with the rest of the suite: put it back as the demo has it
        with django_capture_on_commit_callbacks(execute=True):
            edited.title_en = originals[edited.pk]
            edited.save_revision().publish()
            withdrawn.save_revision().publish()
        index_changes_apply()
        get_client().indices.refresh(index=index_name(SERVICES))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)


def test_redis_stopped_requests_succeed_and_their_emails_go_out_when_it_is_back(
    client, committed_db
):
    fx_rates()
    port = free_port()
    redis = redis_server(port)
    try:
        with site_worker(broker_url=f"redis://127.0.0.1:{port}/0") as mail:
            buyer, provider = buyer_party(), provider_party()
            client.force_login(buyer.owner)
            redis.terminate()
            redis.wait(timeout=10)

            created = client.post(
                "/api/v1/rfqs/",
                {"title": "Metabolic stability", "scope": "12 compounds",
                 "budget_currency": "USD", "capability_codes": ["dmpk.in_vitro_adme"],
                 **HARMLESS_FACTS},
                content_type="application/json",
            )  # fmt: skip
            rfq_id = created.json()["id"]
            invited = client.post(
                f"/api/v1/rfqs/{rfq_id}/invite",
                {"providers": [provider.organisation.slug]},
                content_type="application/json",
            )
            opened = client.post(f"/api/v1/rfqs/{rfq_id}/open", content_type="application/json")
            health = client.get("/api/v1/health/")

            assert (created.status_code, invited.status_code, opened.status_code) == (
                201, 200, 200,
            )  # fmt: skip
            assert Rfq.objects.get(pk=rfq_id).status == "open"
            assert health.json()["broker"] == "unavailable"
            waiting = PendingTask.objects.count()
            assert waiting >= 1  # the provider's emails, kept
            assert outbox_drain() == {"sent": 0, "waiting": waiting}  # still down: kept

            redis = redis_server(port)  # Redis is back, on the same port
            assert outbox_drain() == {"sent": waiting, "waiting": 0}
            message = mail_to(mail, provider.owner.email, subject_contains="Metabolic stability")
            assert f"/deals/rfqs/{rfq_id}/" in message
    finally:
        redis.terminate()
        redis.wait(timeout=10)


def test_a_dropped_database_connection_mid_event_is_retried_and_applied_once(client, committed_db):
    buyer, _provider, milestone = due_milestone()
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    dsn = admin_dsn(connection.settings_dict, committed_db)

    def worker_waiting_on_a_lock() -> list[int]:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'fault-worker' "
            "AND wait_event_type = 'Lock'"
        ).fetchall()
        return [pid for (pid,) in rows]

    with site_worker(broker_url=settings.CELERY_BROKER_URL, application_name="fault-worker"):
        with psycopg.connect(dsn, autocommit=True) as admin, psycopg.connect(dsn) as holder:
            # Someone else holds the payment row: the worker's transaction waits on it...
            holder.execute("SELECT id FROM payments_payment WHERE id = %s FOR UPDATE", [payment.pk])
            delivered = webhook_post(
                client,
                intent_event("evt_drop", "payment_intent.succeeded",
                             payment.stripe_payment_intent, "succeeded"),
            )  # fmt: skip
            assert delivered.status_code == 200
            wait_until(worker_waiting_on_a_lock, what="the worker waiting on the payment row")
            # ... when its connection is dropped (an administrator, a failover, a network cut).
            (pid,) = worker_waiting_on_a_lock()
            assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
            holder.rollback()

            wait_until(
                lambda: StripeEvent.objects.get(event_id="evt_drop").processed_at is not None,
                what="the retried event being applied",
            )

    event = StripeEvent.objects.get(event_id="evt_drop")
    assert event.attempts == 2  # the dropped attempt, then the retry
    payment.refresh_from_db()
    milestone.refresh_from_db()
    assert (payment.status, milestone.status) == (PaymentStatus.SUCCEEDED, "paid")
    assert LedgerTransaction.objects.filter(payment=payment).count() == 1


@pytest.mark.django_db
def test_the_stripe_emulator_stopped_the_buyer_is_told_and_nothing_is_written(
    client,
):
    buyer, _provider, milestone = due_milestone()
    client.force_login(buyer.owner)
    service("stop", "localstripe")
    try:
        response = client.post(f"/payments/milestones/{milestone.pk}/pay/")

        assert response.status_code == 503
        assert "could not be reached; nothing was charged" in response.text
        assert not Payment.objects.filter(milestone=milestone).exists()
    finally:
        service("start", "localstripe")

    response = client.post(f"/payments/milestones/{milestone.pk}/pay/")  # back: it works
    assert response.status_code == 302
    assert Payment.objects.get(milestone=milestone).total_amount == Decimal("21826.56")
