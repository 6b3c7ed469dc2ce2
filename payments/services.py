"""Paying milestones through Stripe and applying what Stripe tells us (webhook events).

Stripe is called only through ``payments.stripe_client``. Applying an event is idempotent and
does not depend on the order events arrive in: a payment that succeeded stays succeeded, and the
money is recorded once.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import events
from marketplace.accounts.models import User
from marketplace.accounts.permissions import is_platform_staff, require_member
from marketplace.columns import column_error, column_range
from marketplace.contracting.audit import audit
from marketplace.contracting.models import Milestone, MilestoneStatus
from marketplace.contracting.services import (
    blocked_message,
    blocking_findings,
    contract_is_cleared_for_payment,
    contract_lock,
    contract_payment_screen,
    milestone_mark_paid,
)
from marketplace.money import Money, from_minor_units, round_amount, to_minor_units
from marketplace.ops.services import task_enqueue
from marketplace.transitions import DealBlocked, InvalidTransition
from payments.ledger import payment_received_record, provider_payable, refund_record
from payments.ledger import payout_record as payout_ledger_record
from payments.models import Payment, PaymentStatus, Payout, Refund, StripeEvent
from payments.stripe_client import get_client, is_local_test_mode

logger = logging.getLogger(__name__)
# A payment whose PaymentIntent can still be paid (a declined one can be tried again), or was:
# at most one per milestone (the constraint ``one_live_payment_per_milestone``).
LIVE = (
    PaymentStatus.CREATED,
    PaymentStatus.PROCESSING,
    PaymentStatus.FAILED,
    PaymentStatus.SUCCEEDED,
)
INTENT_STATUS = {
    "succeeded": PaymentStatus.SUCCEEDED,
    "processing": PaymentStatus.PROCESSING,
    "requires_payment_method": PaymentStatus.FAILED,
    "canceled": PaymentStatus.CANCELED,
}
EVENT_STATUS = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.processing": PaymentStatus.PROCESSING,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELED,
}


class PaymentError(Exception):
    """Stripe could not be reached or refused the request; nothing was recorded.

    ``status_code`` is what a page or the API answers: 503 when Stripe could not be reached (try
    again later), 502 when it answered with a refusal (the message says why)."""

    def __init__(self, message: str, *, status_code: int = 503):
        super().__init__(message)
        self.status_code = status_code


def _stripe_failure(error: stripe.StripeError) -> PaymentError:
    """The buyer's message for a Stripe error: unreachable, or refused with Stripe's reason."""
    if isinstance(error, stripe.APIConnectionError):
        logger.warning("Stripe could not be reached: %s", error)
        return PaymentError(
            _("The payment service could not be reached; nothing was charged. Try again soon.")
        )
    logger.error("Stripe refused a payment request: %s", error)
    reason = (getattr(error, "user_message", None) or str(error) or "").strip()
    return PaymentError(
        _("The payment service refused the request (%(reason)s); nothing was charged.")
        % {"reason": reason or _("no reason given")},
        status_code=502,
    )


def platform_fee(amount: Decimal, currency: str = "CNY") -> Decimal:
    return round_amount(amount * settings.PLATFORM_FEE_RATE, currency)


def _locked_due_milestone(milestone_pk: int, by: User) -> Milestone:
    """The milestone, row-locked until the transaction ends (after its contract, the order every
    writer takes), if ``by`` may pay it now."""
    contract_id = Milestone.objects.filter(pk=milestone_pk).values_list("contract_id", flat=True)
    contract_lock(contract_id=contract_id.get())
    milestone = (
        Milestone.objects.select_for_update(of=("self",), no_key=True)
        .select_related("contract__buyer")
        .get(pk=milestone_pk)
    )
    require_member(user=by, organisation=milestone.contract.buyer)
    if milestone.status in (MilestoneStatus.PAID, MilestoneStatus.ACCEPTED):
        raise InvalidTransition(_("This milestone is already paid."))
    if milestone.status != MilestoneStatus.DUE:
        raise InvalidTransition(_("Only a due milestone can be paid."))
    if not contract_is_cleared_for_payment(contract=milestone.contract):
        raise InvalidTransition(
            _("The contract's required approvals and filings must be recorded before paying.")
        )
    return milestone


def _payment_intent_create(*, milestone: Milestone, by: User) -> Payment:
    """A new PaymentIntent and its payment, under the milestone's row lock: the attempt number,
    and so the idempotency key, is the same for every request racing for this attempt."""
    fee = platform_fee(milestone.amount, milestone.currency)
    total = milestone.amount + fee
    # Refused before Stripe is asked: a payment that cannot be recorded must not be charged.
    if column_error(Payment, "total_amount", total) is not None:
        raise InvalidTransition(
            _(
                "With the platform fee this milestone comes to %(currency)s %(total)s, more than "
                "one payment can carry (at most %(largest)s)."
            )
            % {
                "currency": milestone.currency,
                "total": f"{total:,}",
                "largest": f"{column_range(Payment, 'total_amount')[1]:,}",
            }
        )
    attempt = Payment.objects.filter(milestone=milestone).count() + 1
    try:
        intent = get_client().v1.payment_intents.create(
            params={
                "amount": to_minor_units(Money(total, milestone.currency)),
                "currency": milestone.currency.lower(),
                "payment_method_types": list(settings.PAYMENT_METHOD_TYPES),
                "metadata": {"milestone_id": milestone.pk, "contract_id": milestone.contract_id},
            },
            options={"idempotency_key": f"milestone-{milestone.pk}-attempt-{attempt}"},
        )
    except stripe.StripeError as error:
        raise _stripe_failure(error) from error
    return Payment.objects.create(
        milestone=milestone,
        stripe_payment_intent=intent.id,
        amount=milestone.amount,
        fee_amount=fee,
        total_amount=total,
        currency=milestone.currency,
        created_by=by,
    )


def milestone_payment_start(*, milestone: Milestone, by: User) -> Payment:
    """The buyer starts paying a due milestone: a PaymentIntent in CNY for the milestone plus
    the platform fee. Under a row lock on the milestone: at most one payment is live per
    milestone (also a constraint), so starting again, or at the same moment, returns the live
    one. The deal is screened again first (facts or rules may have changed since the contract):
    a blocking finding stops the payment and is recorded on the contract for both parties."""
    with transaction.atomic():
        milestone = _locked_due_milestone(milestone.pk, by)
        screening = contract_payment_screen(contract=milestone.contract, by=by)
        if not screening.is_blocked:
            live = milestone.payments.filter(status__in=LIVE).order_by("-created_at").first()
            return live or _payment_intent_create(milestone=milestone, by=by)
    raise DealBlocked(
        blocked_message(screening=screening),
        details={"findings": blocking_findings(screening=screening)},
    )


def local_test_payment_confirm(*, payment: Payment, card_number: str = "4242424242424242"):
    # Stripe's test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0341 is declined on charge.
    """Local test mode only: pay with a test card on the emulator, then apply the result as a
    webhook would (the emulator sends none). Refused once the milestone is paid. After a
    decline the buyer tries again from the same page: the emulator cannot confirm a declined
    PaymentIntent again (Stripe can), so that attempt is canceled and a new one made."""
    if not is_local_test_mode():
        raise PaymentError(_("Test payments exist only in local test mode."), status_code=404)
    with transaction.atomic():
        contract = Payment.objects.filter(pk=payment.pk).values_list("milestone__contract_id")
        contract_lock(contract_id=contract.get()[0])  # contract first, as every writer
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        milestone = _locked_due_milestone(payment.milestone_id, payment.created_by)
        if payment.status not in (PaymentStatus.CREATED, PaymentStatus.FAILED):
            raise InvalidTransition(
                _("This payment can no longer be paid; start again from the contract.")
            )
        client = get_client()
        if payment.status == PaymentStatus.FAILED:
            try:
                client.v1.payment_intents.cancel(payment.stripe_payment_intent)
            except stripe.StripeError as error:
                raise _stripe_failure(error) from error
            payment.status = PaymentStatus.CANCELED
            payment.save(update_fields=["status", "updated_at"])
            payment = _payment_intent_create(milestone=milestone, by=payment.created_by)
        try:
            method = client.v1.payment_methods.create(
                params={"type": "card", "card": {"number": card_number, "exp_month": 12,
                                                 "exp_year": 2030, "cvc": "123"}}
            )  # fmt: skip
            client.v1.payment_intents.update(
                payment.stripe_payment_intent, params={"payment_method": method.id}
            )
            client.v1.payment_intents.confirm(payment.stripe_payment_intent)
        except stripe.CardError:
            pass  # declined: the intent now says so
        except stripe.StripeError as error:
            raise _stripe_failure(error) from error
        try:
            intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
        except stripe.StripeError as error:
            raise _stripe_failure(error) from error
        error = intent.to_dict().get("last_payment_error") or {}
        return payment_status_apply(
            intent_id=intent.id,
            status=INTENT_STATUS.get(intent.status, PaymentStatus.PROCESSING),
            message=error.get("message", "") if error else "",
        )


@transaction.atomic
def payment_status_apply(*, intent_id: str, status: str, message: str = "") -> Payment | None:
    """Move a payment to what Stripe says, in any order: success is final and recorded once
    (milestone paid, ledger written); a late failure or cancellation does not undo it."""
    found = Payment.objects.filter(stripe_payment_intent=intent_id).values_list(
        "milestone__contract_id", flat=True
    )
    if not found.exists():
        return None  # not ours (another integration on the account)
    contract_lock(contract_id=found.get())  # contract, then payment and milestone: as every writer
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("milestone__contract__provider")
        .get(stripe_payment_intent=intent_id)
    )
    if payment.status == PaymentStatus.SUCCEEDED or payment.status == status:
        return payment
    if payment.status == PaymentStatus.CANCELED and status != PaymentStatus.SUCCEEDED:
        return payment
    if status == PaymentStatus.PROCESSING and payment.status == PaymentStatus.FAILED:
        return payment  # an earlier event arriving late
    payment.status = status
    payment.failure_message = message[:500] if status == PaymentStatus.FAILED else ""
    payment.save(update_fields=["status", "failure_message", "updated_at"])
    if status == PaymentStatus.SUCCEEDED:
        milestone_mark_paid(milestone=payment.milestone, reference=payment.stripe_payment_intent)
        payment_received_record(payment=payment)
    return payment


def stripe_event_store(*, event: dict) -> tuple[StripeEvent, bool]:
    """Keep a verified webhook event once by its id; return it and whether it is new."""
    return StripeEvent.objects.get_or_create(
        event_id=event["id"], defaults={"type": event.get("type", ""), "payload": event}
    )


def stripe_event_receive(*, event: dict) -> StripeEvent:
    """Store a verified webhook event once and, if it is new, have it processed after commit
    (through the outbox: a broker outage delays it, the periodic sweep catches up)."""
    with transaction.atomic():
        stored, created = stripe_event_store(event=event)
        if created:
            task_enqueue("payments.tasks.stripe_event_process_task", stored.event_id)
    return stored


def stripe_event_process(*, event_id: str) -> bool:
    """Apply one stored event (once); return whether it is now processed. A failure is kept on
    the event (attempts, last error) for staff and raised for the task to retry."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(event_id=event_id)
        if event.processed_at is not None:
            return True
        event.attempts += 1
        event.save(update_fields=["attempts"])
    try:
        with transaction.atomic():
            _apply(event)
            StripeEvent.objects.filter(pk=event.pk).update(
                processed_at=timezone.now(), last_error=""
            )
    except Exception as error:
        StripeEvent.objects.filter(pk=event.pk).update(last_error=repr(error)[:2000])
        raise
    return True


def _apply(event: StripeEvent) -> None:
    data = event.payload.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return  # stored for the record: signed, but nothing here to apply
    if event.type == "charge.refunded":
        return _charge_refunded(event.payload["data"]["object"])
    if event.type == "charge.dispute.created":
        return _dispute_created(event.payload["data"]["object"])
    status = EVENT_STATUS.get(event.type)
    if status is None:
        return  # stored for the record; nothing to do
    intent = event.payload["data"]["object"]
    error = intent.get("last_payment_error") or {}
    payment_status_apply(intent_id=intent["id"], status=status, message=error.get("message", ""))


def stripe_events_process_pending(*, limit: int = 500) -> dict[str, int]:
    """Process stored events not processed yet (the retry path); return counts."""
    done = failed = 0
    for event_id in StripeEvent.objects.filter(processed_at__isnull=True).values_list(
        "event_id", flat=True
    )[:limit]:
        try:
            stripe_event_process(event_id=event_id)
            done += 1
        except Exception:  # noqa: BLE001 - recorded on the event; the next sweep retries it
            logger.warning("Stripe event %s failed again", event_id, exc_info=True)
            failed += 1
    return {"processed": done, "failed": failed}


def _require_staff(user: User) -> None:
    if not is_platform_staff(user=user):
        raise PermissionDenied(_("Only platform staff can do this."))


def payment_refund(*, payment: Payment, amount: Decimal, by: User, reason: str = "") -> Refund:
    """Give back part or all of a succeeded payment (platform staff), never more than was
    captured; recorded in the ledger."""
    _require_staff(by)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.SUCCEEDED:
            raise InvalidTransition(_("Only a payment that succeeded can be refunded."))
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValidationError({"amount": _("A refund is a positive amount.")})
        if amount != round_amount(amount, payment.currency):
            raise ValidationError({"amount": _("A CNY amount has at most two decimals (fen).")})
        refunded = sum((r.amount for r in payment.refunds.all()), Decimal(0))
        if refunded + amount > payment.total_amount:
            raise ValidationError(
                {"amount": _("Only %(left)s %(currency)s of this payment is left to refund.")
                 % {"left": payment.total_amount - refunded, "currency": payment.currency}}
            )  # fmt: skip
        attempt = payment.refunds.count() + 1
        try:
            stripe_refund = get_client().v1.refunds.create(
                params={
                    "payment_intent": payment.stripe_payment_intent,
                    "amount": to_minor_units(Money(amount, payment.currency)),
                },
                options={"idempotency_key": f"refund-{payment.pk}-{attempt}"},
            )
        except stripe.StripeError as error:
            raise PaymentError(_("The payment service did not accept the refund.")) from error
        refund = Refund.objects.create(
            payment=payment, stripe_refund=stripe_refund.id, amount=amount,
            currency=payment.currency, reason=reason[:500], created_by=by,
        )  # fmt: skip
        refund_record(refund=refund)
        _refund_told(refund)
        what = f"{amount} {payment.currency} ({refund.stripe_refund}) {reason}"
        audit(payment, action="refund", actor=by, reason=what[:2000])
    return refund


@transaction.atomic
def payout_record(
    *, provider, amount: Decimal, reference: str, paid_on, by: User, currency: str = "CNY"
) -> Payout:
    """Staff record a bank transfer to a provider; it cannot exceed what the provider is owed."""
    _require_staff(by)
    errors = {}
    if not isinstance(amount, Decimal) or amount <= 0:
        errors["amount"] = _("A payout is a positive amount.")
    elif amount > provider_payable(provider=provider):
        errors["amount"] = _("The provider is owed %s CNY; a payout cannot exceed it.") % (
            provider_payable(provider=provider)
        )
    if not (reference or "").strip():
        errors["reference"] = _("Give the bank transfer's reference.")
    elif Payout.objects.filter(reference=reference.strip()).exists():
        errors["reference"] = _("A payout with this reference is already recorded.")
    if paid_on and paid_on > timezone.localdate():
        errors["paid_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    payout = Payout.objects.create(
        provider=provider, amount=amount, currency=currency, reference=reference.strip(),
        paid_on=paid_on, recorded_by=by,
    )  # fmt: skip
    payout_ledger_record(payout=payout)
    audit(payout, action="payout", actor=by,
          reason=f"{amount} {currency} to {provider} ({payout.reference})")  # fmt: skip
    return payout


def reconciliation_run(*, days: int = 3, limit: int = 500) -> list[str]:
    """Compare our recent payments with their PaymentIntents at Stripe; return the differences
    (logged for staff, never "fixed" automatically)."""
    since = timezone.now() - timedelta(days=days)
    client = get_client()
    problems = []
    for payment in Payment.objects.filter(updated_at__gte=since).order_by("-updated_at")[:limit]:
        try:
            intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
        except stripe.StripeError as error:
            problems.append(f"{payment.stripe_payment_intent}: not readable at Stripe ({error})")
            continue
        expected = INTENT_STATUS.get(intent.status)
        if expected is not None and expected != payment.status:
            problems.append(f"{intent.id}: Stripe says {intent.status}, we say {payment.status}")
        if to_minor_units(Money(payment.total_amount, payment.currency)) != intent.amount:
            problems.append(f"{intent.id}: amount {intent.amount} at Stripe, ours differs")
    for problem in problems:
        logger.error("Reconciliation: %s", problem)
    return problems


def _charge_refunded(charge: dict) -> None:
    """Refunds made at Stripe (the dashboard, or ours arriving back): each recorded once."""
    payment = (
        Payment.objects.select_for_update()
        .filter(stripe_payment_intent=charge.get("payment_intent"))
        .first()
    )
    if payment is None:
        return
    for stripe_refund in (charge.get("refunds") or {}).get("data", []):
        if Refund.objects.filter(stripe_refund=stripe_refund["id"]).exists():
            continue
        amount = from_minor_units(stripe_refund["amount"], payment.currency)
        refunded = sum((r.amount for r in payment.refunds.all()), Decimal(0))
        if refunded + amount > payment.total_amount:
            raise ValueError(f"{stripe_refund['id']} would refund more than was captured")
        refund = Refund.objects.create(
            payment=payment, stripe_refund=stripe_refund["id"], amount=amount,
            currency=payment.currency, reason="Refunded at Stripe",
        )  # fmt: skip
        refund_record(refund=refund)
        _refund_told(refund)


def _refund_told(refund: Refund) -> None:
    """The domain hears of a refund: the provider's part of it (the milestone's amount, not the
    platform's fee) is credited to the buyer (a credit note)."""
    payment = refund.payment
    events.publish(
        events.PAYMENT_REFUNDED,
        milestone_id=payment.milestone_id,
        amount=str(min(refund.amount, payment.amount)),
        reference=refund.stripe_refund,
    )


def _dispute_created(dispute: dict) -> None:
    """A dispute takes the amount back while the bank decides; recorded once."""
    from payments.ledger import money_back_record
    from payments.models import Dispute

    if Dispute.objects.filter(stripe_dispute=dispute["id"]).exists():
        return
    payment = Payment.objects.filter(stripe_payment_intent=dispute.get("payment_intent")).first()
    if payment is None:
        return
    amount = from_minor_units(dispute["amount"], payment.currency)
    Dispute.objects.create(
        payment=payment, stripe_dispute=dispute["id"], amount=amount, currency=payment.currency,
        reason=dispute.get("reason") or "", status=dispute.get("status") or "",
    )  # fmt: skip
    money_back_record(
        kind="dispute", payment=payment, amount=amount, currency=payment.currency,
        memo=dispute["id"],
    )  # fmt: skip


def payment_capital_findings(*, payment: Payment) -> list[dict]:
    """The capital-flow findings of the contract's screening that ask for something (e.g. the
    tax record filing before a large outbound service payment): shown before paying."""
    findings = payment.milestone.contract.snapshot.get("screening", {}).get("findings", [])
    return [f for f in findings if f["flow"] == "capital" and f["severity"] != "info"]


def payment_client_secret(*, payment: Payment) -> str:
    """The PaymentIntent's client secret, for Stripe's payment form in the buyer's browser."""
    try:
        return get_client().v1.payment_intents.retrieve(payment.stripe_payment_intent).client_secret
    except stripe.StripeError as error:
        raise PaymentError(_("The payment service could not be reached.")) from error


def payment_sync(*, payment: Payment) -> Payment:
    """Read the PaymentIntent at Stripe and apply its status (after the buyer comes back from
    Stripe's payment form; the webhook may have done it already)."""
    try:
        intent = get_client().v1.payment_intents.retrieve(payment.stripe_payment_intent)
    except stripe.StripeError as error:
        raise PaymentError(_("The payment service could not be reached.")) from error
    status = INTENT_STATUS.get(intent.status)
    if status is None:  # requires_action, requires_confirmation...: nothing final yet
        return payment
    error = intent.to_dict().get("last_payment_error") or {}
    return (
        payment_status_apply(
            intent_id=intent.id, status=status, message=error.get("message", "") if error else ""
        )
        or payment
    )
