"""Money moves once, and only while the deal is allowed: one live payment per milestone under
concurrency, stale pages that cannot pay twice, true reasons from Stripe, a fresh screening
before money moves, and sums the local site's SQLite agrees with."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from marketplace.compliance.models import Rule
from marketplace.contracting.models import AuditEvent
from marketplace.contracting.services import DealBlocked
from payments.ledger import ledger_check
from payments.models import Payment
from payments.services import (
    PaymentError,
    local_test_payment_confirm,
    milestone_payment_start,
)
from payments.stripe_client import get_client
from tests import factories


def _intent_ids() -> set[str]:
    return {intent.id for intent in get_client().v1.payment_intents.list().auto_paging_iter()}


@pytest.mark.postgresql
def test_eight_simultaneous_starts_make_one_payment_intent_and_one_payment(committed_db):
    buyer, _provider, milestone = factories.due_milestone()
    before = _intent_ids()
    starts = 8
    barrier = threading.Barrier(starts)
    answers: list[tuple[int, str]] = []

    def start() -> None:
        client = Client()
        client.force_login(buyer.owner)
        try:
            barrier.wait(timeout=30)
            response = client.post(f"/payments/milestones/{milestone.pk}/pay/")
            answers.append((response.status_code, response.headers.get("Location", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    payment = Payment.objects.get(milestone=milestone)
    assert answers == [(302, f"/payments/{payment.pk}/")] * starts
    new_intents = [
        intent
        for intent in get_client().v1.payment_intents.list().auto_paging_iter()
        if intent.id not in before
        and intent.to_dict()["metadata"].get("milestone_id") == str(milestone.pk)
    ]
    assert [intent.id for intent in new_intents] == [payment.stripe_payment_intent]
    local_test_payment_confirm(payment=payment)
    assert Payment.objects.get(milestone=milestone).status == "succeeded"
    assert ledger_check() == []


@pytest.mark.django_db
def test_the_database_refuses_a_second_live_payment_for_one_milestone():
    buyer, _provider, milestone = factories.due_milestone()
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            milestone=milestone, stripe_payment_intent="pi_second_attempt", amount=payment.amount,
            fee_amount=payment.fee_amount, total_amount=payment.total_amount,
            created_by=buyer.owner, status="failed",
        )  # fmt: skip


@pytest.mark.django_db
def test_amounts_that_do_not_add_up_in_binary_floating_point_are_stored(settings):
    # 21,355.20 + 320.33 is 21,675.530000000002 as floats: SQLite compared it so and refused it.
    buyer, _provider, milestone = factories.due_milestone()

    payment = Payment.objects.create(
        milestone=milestone, stripe_payment_intent="pi_float_sum", amount=Decimal("21355.20"),
        fee_amount=Decimal("320.33"), total_amount=Decimal("21675.53"), created_by=buyer.owner,
    )  # fmt: skip

    payment.refresh_from_db()
    assert payment.total_amount == Decimal("21675.53")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            milestone=milestone, stripe_payment_intent="pi_bad_sum", amount=Decimal("21355.20"),
            fee_amount=Decimal("320.33"), total_amount=Decimal("21675.54"),
            created_by=buyer.owner, status="canceled",
        )  # fmt: skip


@pytest.mark.django_db
def test_a_page_opened_before_the_milestone_was_paid_cannot_pay_it_again():
    buyer, _provider, milestone = factories.due_milestone()
    as_buyer = Client(headers={"accept-language": "en"})
    as_buyer.force_login(buyer.owner)
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    stale_page = as_buyer.get(f"/payments/{payment.pk}/").text
    assert f"/payments/{payment.pk}/test-pay/" in stale_page
    local_test_payment_confirm(payment=payment)  # paid in another tab

    again = as_buyer.post(f"/payments/{payment.pk}/test-pay/", {"card": "pay"})
    page = as_buyer.get(f"/payments/{payment.pk}/").text

    assert again.status_code == 409
    assert "already paid" in again.text
    assert "Paid." in page and "test-pay" not in page
    assert Payment.objects.filter(milestone=milestone).count() == 1
    assert ledger_check() == []


@pytest.mark.django_db
def test_after_a_declined_card_the_buyer_pays_from_the_same_page():
    buyer, _provider, milestone = factories.due_milestone()
    as_buyer = Client(headers={"accept-language": "en"})
    as_buyer.force_login(buyer.owner)
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    as_buyer.post(f"/payments/{payment.pk}/test-pay/", {"card": "decline"})
    declined_page = as_buyer.get(f"/payments/{payment.pk}/").text
    assert "declined" in declined_page.lower() and "Try again with test card" in declined_page
    assert milestone_payment_start(milestone=milestone, by=buyer.owner).pk == payment.pk

    retried = as_buyer.post(f"/payments/{payment.pk}/test-pay/", {"card": "pay"})

    assert retried.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == "paid"
    statuses = sorted(Payment.objects.filter(milestone=milestone).values_list("status", flat=True))
    assert statuses == ["canceled", "succeeded"]  # the declined intent canceled at the emulator
    assert ledger_check() == []


@pytest.mark.django_db
def test_a_refusal_from_stripe_gives_its_reason_not_could_not_be_reached():
    buyer, _provider, milestone = factories.due_milestone()
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent="pi_unknown_to_stripe")
    payment.refresh_from_db()

    with pytest.raises(PaymentError) as refused:
        local_test_payment_confirm(payment=payment)

    assert refused.value.status_code == 502
    assert "refused the request" in str(refused.value)
    assert "could not be reached" not in str(refused.value)
    assert "(Not Found)" in str(refused.value)  # the emulator's own reason


@pytest.mark.django_db
def test_a_rule_that_now_forbids_the_deal_stops_its_payment_for_both_parties_to_see():
    buyer, provider, milestone = factories.due_milestone()
    Rule.objects.create(
        slug="test-services-suspended", title_en="Services to this buyer suspended",
        title_zh="暂停向该买方提供服务", direction="any", scope="national",
        restriction="prohibited", flow="capital", conditions={},
        action_en="Do not pay or perform.", action_zh="不得付款或履约。",
        authority="Test authority", source="Test notice", confidence="checked",
    )  # fmt: skip

    with pytest.raises(DealBlocked, match="Services to this buyer suspended"):
        milestone_payment_start(milestone=milestone, by=buyer.owner)
    as_buyer, as_provider = Client(headers={"accept-language": "en"}), Client()
    as_buyer.force_login(buyer.owner), as_provider.force_login(provider.owner)
    refused = as_buyer.post(f"/payments/milestones/{milestone.pk}/pay/")

    assert refused.status_code == 409
    assert "Services to this buyer suspended" in refused.text
    assert not Payment.objects.filter(milestone=milestone).exists()
    assert AuditEvent.objects.filter(action="payment_blocked").exists()
    contract_url = f"/deals/contracts/{milestone.contract_id}/"
    assert "Services to this buyer suspended" in as_buyer.get(contract_url).text
    as_provider_zh = as_provider.get(contract_url, headers={"accept-language": "zh-hans"}).text
    assert "暂停向该买方提供服务" in as_provider_zh
