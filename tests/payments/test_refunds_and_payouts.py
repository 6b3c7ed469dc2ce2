"""Refunds (never more than captured), staff payouts to providers, and reconciliation."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from cms.services import platform_moderator_add
from marketplace.accounts.models import Organisation
from payments.ledger import ledger_check, provider_payable
from payments.models import Payment, Payout, Refund
from payments.services import (
    local_test_payment_confirm,
    milestone_payment_start,
    payment_refund,
    payout_record,
    reconciliation_run,
)
from tests.factories import UserFactory, due_milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid():
    buyer, provider, milestone = due_milestone()
    payment = local_test_payment_confirm(
        payment=milestone_payment_start(milestone=milestone, by=buyer.owner)
    )
    staff = UserFactory(email_verified=True)
    platform_moderator_add(user=staff)
    return buyer, provider, payment, staff


def test_partial_then_full_refunds_never_exceed_what_was_captured(paid):
    buyer, provider, payment, staff = paid  # CNY 21,826.56 captured

    payment_refund(payment=payment, amount=Decimal("1000.00"), by=staff, reason="Late report")
    with pytest.raises(ValidationError, match="Only 20826.56 CNY of this payment is left"):
        payment_refund(payment=payment, amount=Decimal("20826.57"), by=staff)
    payment_refund(payment=payment, amount=Decimal("20826.56"), by=staff)

    assert sum(r.amount for r in Refund.objects.all()) == payment.total_amount
    assert provider_payable(provider=provider.organisation) == 0
    assert ledger_check() == []
    with pytest.raises(ValidationError):
        payment_refund(payment=payment, amount=Decimal("0.01"), by=staff)


def test_only_staff_refund_and_bad_amounts_are_refused(paid):
    buyer, _provider, payment, staff = paid

    with pytest.raises(PermissionDenied):
        payment_refund(payment=payment, amount=Decimal("1.00"), by=buyer.owner)
    for amount in (Decimal("-1"), Decimal("0"), Decimal("1.001")):
        with pytest.raises(ValidationError):
            payment_refund(payment=payment, amount=amount, by=staff)
    assert not Refund.objects.exists()


def test_staff_record_payouts_up_to_what_the_provider_is_owed(paid):
    buyer, provider, _payment, staff = paid
    owed = provider_payable(provider=provider.organisation)
    assert owed == Decimal("21504.00")

    with pytest.raises(PermissionDenied):
        payout_record(provider=provider.organisation, amount=owed, reference="ICBC-1",
                      paid_on=timezone.localdate(), by=provider.owner)  # fmt: skip
    with pytest.raises(ValidationError, match="cannot exceed"):
        payout_record(provider=provider.organisation, amount=owed + 1, reference="ICBC-1",
                      paid_on=timezone.localdate(), by=staff)  # fmt: skip
    payout_record(provider=provider.organisation, amount=owed, reference="ICBC-1",
                  paid_on=timezone.localdate(), by=staff)  # fmt: skip

    assert provider_payable(provider=provider.organisation) == 0
    assert Payout.objects.get().reference == "ICBC-1"
    with pytest.raises(ValidationError, match="already recorded"):
        payout_record(provider=provider.organisation, amount=Decimal("1"), reference="ICBC-1",
                      paid_on=timezone.localdate(), by=staff)  # fmt: skip
    assert ledger_check() == []


def test_reconciliation_reports_a_payment_whose_status_disagrees_with_stripe(paid):
    _buyer, _provider, payment, _staff = paid
    assert reconciliation_run() == []

    Payment.objects.filter(pk=payment.pk).update(status="failed")

    problems = reconciliation_run()
    assert problems == [f"{payment.stripe_payment_intent}: Stripe says succeeded, we say failed"]
    with pytest.raises(CommandError, match="problem"):
        call_command("ledger_check", "--stripe")
    assert Payment.objects.get(pk=payment.pk).status == "failed"  # reported, not "fixed"


def _charge_event(event_id: str, kind: str, obj: dict) -> dict:
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}


def test_refunds_and_disputes_reported_by_webhook_are_recorded_once(
    paid, django_capture_on_commit_callbacks
):
    from django.test import Client

    from payments.models import Dispute
    from tests.factories.stripe_events import webhook_post

    _buyer, provider, payment, staff = paid
    ours = payment_refund(payment=payment, amount=Decimal("100.00"), by=staff)
    refunded = _charge_event("evt_refunded", "charge.refunded", {
        "id": "ch_1", "object": "charge", "payment_intent": payment.stripe_payment_intent,
        "refunds": {"data": [{"id": ours.stripe_refund, "amount": 10000},
                             {"id": "re_dashboard", "amount": 50000}]},
    })  # fmt: skip
    disputed = _charge_event("evt_dispute", "charge.dispute.created", {
        "id": "dp_1", "object": "dispute", "payment_intent": payment.stripe_payment_intent,
        "amount": 200000, "reason": "fraudulent", "status": "needs_response",
    })  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        for body in (refunded, disputed, refunded, disputed):
            assert webhook_post(Client(), body).status_code == 200

    assert sorted(Refund.objects.values_list("stripe_refund", "amount")) == sorted(
        [(ours.stripe_refund, Decimal("100.00")), ("re_dashboard", Decimal("500.00"))]
    )
    assert Dispute.objects.get().amount == Decimal("2000.00")
    assert provider_payable(provider=provider.organisation) < Decimal("21504.00") - 2000
    assert ledger_check() == []


def test_the_payout_page_is_for_staff_and_exports_csv(paid):
    from django.test import Client

    buyer, provider, _payment, staff = paid
    as_staff, as_buyer = Client(), Client()
    as_staff.force_login(staff), as_buyer.force_login(buyer.owner)

    assert as_buyer.get("/payments/payouts/").status_code == 404
    page = as_staff.get("/payments/payouts/")
    assert "CNY 21,504.00" in page.text
    form = {"provider": provider.organisation.slug, "reference": "ICBC-9", "paid_on": "2026-11-01"}
    bad = as_staff.post("/payments/payouts/", {**form, "amount": "99999.00"})
    assert bad.status_code == 400 and "cannot exceed" in bad.text
    done = as_staff.post("/payments/payouts/", {**form, "amount": "21504.00"})
    assert done.status_code == 302
    csv = as_staff.get("/payments/payouts/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith(f"2026-11-01,{provider.organisation.name},21504.00,CNY")


def test_staff_money_actions_and_exports_leave_an_audit_trail(paid):
    from django.test import Client

    from marketplace.contracting.models import AuditEvent

    _buyer, provider, payment, staff = paid
    payment_refund(payment=payment, amount=Decimal("100.00"), by=staff, reason="goodwill")
    payout = payout_record(provider=provider.organisation, amount=Decimal("1000.00"),
                           reference="ICBC-77", paid_on=timezone.localdate(), by=staff)  # fmt: skip
    as_staff = Client()
    as_staff.force_login(staff)
    as_staff.get("/payments/payouts/?format=csv")
    assert (
        as_staff.get("/staff/trade-report/?format=csv&group_by=partner_country").status_code == 200
    )

    trail = list(
        AuditEvent.objects.filter(actor=staff).values_list("subject_type", "subject_id", "action")
    )
    assert trail == [
        ("payment", payment.pk, "refund"),
        ("payout", payout.pk, "payout"),
        ("payouts", 0, "export"),
        ("trade_report", 0, "export"),
    ]
    assert "goodwill" in AuditEvent.objects.get(action="refund").reason
    assert "group_by=partner_country" in AuditEvent.objects.get(subject_type="trade_report").reason


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_payouts_csv_never_hands_a_spreadsheet_a_formula(paid, start):
    import csv
    import io

    from django.test import Client

    _buyer, provider, _payment, staff = paid
    Organisation.objects.filter(pk=provider.organisation.pk).update(
        name=f'{start}HYPERLINK("https://evil.example","x")'
    )
    payout = payout_record(provider=provider.organisation, amount=Decimal("10.00"),
                  reference=f"{start}cmd|' /C calc'!A0", paid_on=timezone.localdate(),
                  by=staff)  # fmt: skip
    as_staff = Client()
    as_staff.force_login(staff)

    body = as_staff.get("/payments/payouts/?format=csv").content.decode("utf-8-sig")

    row = next(csv.reader(io.StringIO(body[body.index("\n") + 1 :])))
    assert row[1] == f'\'{start}HYPERLINK("https://evil.example","x")'
    stored = payout.reference  # surrounding whitespace (tab, CR) is trimmed when recorded
    assert row[4] == (f"'{stored}" if start.strip() else stored)
    assert row[2] == "10.00"  # numbers stay numbers


def test_text_cells_are_neutralised_and_numbers_left_alone():
    from marketplace.csv_export import spreadsheet_safe

    assert [spreadsheet_safe(v) for v in ("=1+1", "-2", "Suzhou", "", Decimal("-5.00"), 3)] == [
        "'=1+1", "'-2", "Suzhou", "", Decimal("-5.00"), 3,
    ]  # fmt: skip
