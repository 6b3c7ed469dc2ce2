"""Paying milestones on the Stripe emulator, and the ledger that records it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from marketplace.contracting.services import (
    InvalidTransition,
    LineInput,
    MilestoneInput,
    checklist_item_complete,
    contract_sign,
    milestone_mark_due,
    quote_accept,
)
from payments.ledger import balances, ledger_check
from payments.models import Account, LedgerTransaction, Payment
from payments.services import (
    PaymentError,
    local_test_payment_confirm,
    milestone_payment_start,
    payment_status_apply,
)
from tests import factories
from tests.factories import buyer_party, contract_for, fx_rates, provider_party, quote_for, rfq_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_milestone():
    return factories.due_milestone()


def test_a_buyer_pays_a_due_milestone_in_cny_and_the_ledger_balances(due_milestone):
    buyer, provider, milestone = due_milestone

    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    assert (payment.amount, payment.fee_amount, payment.total_amount) == (
        Decimal("21504.00"), Decimal("322.56"), Decimal("21826.56"),
    )  # fmt: skip
    payment = local_test_payment_confirm(payment=payment)

    milestone.refresh_from_db()
    assert (payment.status, milestone.status) == ("succeeded", "paid")
    contract = milestone.contract
    assert balances(transaction__contract=contract) == {
        (Account.STRIPE_CLEARING, "CNY"): Decimal("21826.56"),
        (Account.PROVIDER_PAYABLE, "CNY"): Decimal("-21504.00"),
        (Account.FEE_REVENUE, "CNY"): Decimal("-322.56"),
    }
    assert ledger_check() == []
    call_command("ledger_check")


def test_a_declined_card_leaves_the_milestone_due_and_nothing_in_the_ledger(due_milestone):
    buyer, _provider, milestone = due_milestone
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)

    payment = local_test_payment_confirm(payment=payment, card_number="4000000000000341")

    milestone.refresh_from_db()
    assert (payment.status, milestone.status) == ("failed", "due")
    assert not LedgerTransaction.objects.exists()
    retry = milestone_payment_start(milestone=milestone, by=buyer.owner)
    assert retry.pk == payment.pk  # the declined payment is tried again, never a second one


def test_starting_twice_returns_the_open_payment(due_milestone):
    buyer, _provider, milestone = due_milestone

    first = milestone_payment_start(milestone=milestone, by=buyer.owner)
    second = milestone_payment_start(milestone=milestone, by=buyer.owner)

    assert first.pk == second.pk and Payment.objects.count() == 1


def test_only_the_buyer_pays_and_only_a_due_milestone(due_milestone):
    buyer, provider, milestone = due_milestone
    planned = milestone.contract.milestones.get(position=2)

    with pytest.raises(PermissionDenied):
        milestone_payment_start(milestone=milestone, by=provider.owner)
    with pytest.raises(InvalidTransition, match="Only a due milestone"):
        milestone_payment_start(milestone=planned, by=buyer.owner)


def test_an_unticked_approval_stops_the_payment_with_a_clear_message():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    contract = contract_for(buyer, provider, foreign_staff_on_site=True)
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    milestone = contract.milestones.get(position=1)
    milestone_mark_due(milestone=milestone, by=provider.owner)

    with pytest.raises(InvalidTransition, match="approvals and filings must be recorded"):
        milestone_payment_start(milestone=milestone, by=buyer.owner)
    checklist_item_complete(item=contract.checklist.get(), by=buyer.owner, reference="WP-1",
                            completed_on=timezone.localdate() - timedelta(days=1))  # fmt: skip
    assert milestone_payment_start(milestone=milestone, by=buyer.owner).status == "created"


def test_stripe_unreachable_is_a_clear_error_and_nothing_is_written(due_milestone, settings):
    buyer, _provider, milestone = due_milestone
    settings.STRIPE_API_BASE = "http://127.0.0.1:1"

    with pytest.raises(PaymentError, match="could not be reached; nothing was charged"):
        milestone_payment_start(milestone=milestone, by=buyer.owner)
    assert not Payment.objects.exists()


def test_a_milestone_too_large_to_record_with_its_fee_is_refused_before_stripe_is_asked():
    fx_rates()
    buyer, provider = buyer_party(), provider_party()
    rfq = rfq_for(buyer, invite=[provider], budget_currency="CNY")
    largest = [LineInput("All", Decimal(1), Decimal("999999999999.99"), Decimal(0), "exempt")]
    at_once = [MilestoneInput("All", share=Decimal(100), trigger="Signed")]
    contract = quote_accept(
        quote=quote_for(rfq, provider, lines=largest, milestones=at_once), by=buyer.owner
    )
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    milestone = milestone_mark_due(milestone=contract.milestones.get(), by=provider.owner)

    with pytest.raises(InvalidTransition) as refusal:
        milestone_payment_start(milestone=milestone, by=buyer.owner)

    assert refusal.value.message == (
        "With the platform fee this milestone comes to CNY 1,014,999,999,999.99, more than one "
        "payment can carry (at most 999,999,999,999.99)."
    )
    assert not Payment.objects.exists()


def test_late_or_repeated_news_never_undoes_or_repeats_a_success(due_milestone):
    buyer, _provider, milestone = due_milestone
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    intent = payment.stripe_payment_intent

    payment_status_apply(intent_id=intent, status="succeeded")
    payment_status_apply(intent_id=intent, status="succeeded")
    payment_status_apply(intent_id=intent, status="failed", message="late news")
    payment_status_apply(intent_id=intent, status="processing")

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert LedgerTransaction.objects.filter(payment=payment).count() == 1
    assert ledger_check() == []


def test_the_buyer_pays_from_the_contract_page_in_local_test_mode(due_milestone):
    from django.test import Client

    buyer, provider, milestone = due_milestone
    as_buyer, as_provider = Client(), Client()
    as_buyer.force_login(buyer.owner), as_provider.force_login(provider.owner)
    contract_page = as_buyer.get(f"/deals/contracts/{milestone.contract_id}/").text
    assert f"/payments/milestones/{milestone.pk}/pay/" in contract_page

    assert as_provider.post(f"/payments/milestones/{milestone.pk}/pay/").status_code == 403
    started = as_buyer.post(f"/payments/milestones/{milestone.pk}/pay/")
    payment = Payment.objects.get()
    assert started.url == f"/payments/{payment.pk}/"
    page = as_buyer.get(started.url).text
    assert "CNY 21,826.56" in page and "Local test mode" in page
    assert as_provider.get(started.url).status_code == 404

    declined = as_buyer.post(f"/payments/{payment.pk}/test-pay/", {"card": "decline"})
    assert "declined" in as_buyer.get(declined.url).text.lower()
    paid = as_buyer.post(f"{declined.url}test-pay/", {"card": "pay"})

    assert "Paid." in as_buyer.get(paid.url).text
    milestone.refresh_from_db()
    assert milestone.status == "paid"


def test_coming_back_from_stripe_reads_the_payment_intent_and_records_the_result(due_milestone):
    from django.test import Client

    from payments.stripe_client import get_client

    buyer, _provider, milestone = due_milestone
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    client = get_client()  # the buyer pays in Stripe's form, outside the site
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(
        payment.stripe_payment_intent, params={"payment_method": method.id}
    )
    client.v1.payment_intents.confirm(payment.stripe_payment_intent)
    as_buyer = Client()
    as_buyer.force_login(buyer.owner)

    response = as_buyer.get(f"/payments/{payment.pk}/return/")

    assert response.status_code == 302
    payment.refresh_from_db(), milestone.refresh_from_db()
    assert (payment.status, milestone.status) == ("succeeded", "paid")
    assert as_buyer.get(f"/payments/{payment.pk}/return/").status_code == 302  # twice: no change
    assert LedgerTransaction.objects.filter(payment=payment).count() == 1


def test_the_payment_page_shows_the_tax_filing_the_rules_ask_for_a_large_inbound_payment():
    from django.test import Client

    from marketplace.contracting.services import LineInput, MilestoneInput, quote_accept
    from tests.factories import quote_for, rfq_for

    fx_rates()
    buyer, provider = buyer_party(country="CN"), provider_party(country="DE", zone_code=None)
    rfq = rfq_for(buyer, invite=[provider], budget_currency="CNY")
    big = [LineInput("Study", Decimal(1), Decimal("400000.00"), Decimal(0), "exempt")]
    whole = [MilestoneInput("All", share=Decimal(100), trigger="Start")]
    contract = quote_accept(quote=quote_for(rfq, provider, lines=big, milestones=whole),
                            by=buyer.owner)  # fmt: skip
    for item in contract.checklist.all():
        checklist_item_complete(item=item, by=buyer.owner, reference="SAT-1",
                                completed_on=timezone.localdate())  # fmt: skip
    contract_sign(contract=contract, by=buyer.owner)
    contract_sign(contract=contract, by=provider.owner)
    milestone = milestone_mark_due(milestone=contract.milestones.get(), by=provider.owner)
    payment = milestone_payment_start(milestone=milestone, by=buyer.owner)
    as_buyer = Client(headers={"accept-language": "en"})
    as_buyer.force_login(buyer.owner)

    page = as_buyer.get(f"/payments/{payment.pk}/").text

    assert "Single outbound service payment above USD 50,000" in page
    assert "Tax record filing before payment" in page
